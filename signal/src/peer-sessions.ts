import type { WebSocket } from 'ws';

/**
 * Which PeerServer client object currently speaks for each peer ID, and whether a `'connection'`
 * event is a fresh registration or a re-attach.
 *
 * PeerServer 1.0.2 (src/services/webSocketServer/index.ts) has two paths to `'connection'`:
 * - an unknown ID: `_registerClient` makes a new `Client`, sends `OPEN`, then `_configureWS`;
 * - a known ID with its token: `_configureWS(socket, existingClient)` only — no `OPEN`, so the
 *   peerjs client waits forever (peerjs#1289).
 * A client object we have seen before is therefore exactly the re-attach case.
 */

/** The part of PeerServer's `IClient` the server needs. */
export interface SessionClient {
  /** The peer ID from the connect URL. */
  getId(): string;
  /** The socket PeerServer currently delivers to (null once reaped). */
  getSocket(): WebSocket | null;
  /** JSON-encodes `data` and sends it on the current socket. */
  send<T>(data: T): void;
}

/** What {@link PeerSessions.attach} found out about a `'connection'`. */
export interface Attachment<C extends SessionClient> {
  /** The ID re-attached to its existing client: PeerServer sent no OPEN. */
  isReattach: boolean;
  /** On re-attach, the socket it replaced (PeerServer leaves it open). */
  staleSocket: WebSocket | null;
  /** A different client object that held this ID until now and never disconnected. */
  replaced: C | null;
}

export class PeerSessions<C extends SessionClient> {
  readonly #seen = new WeakSet<C>();
  readonly #socketOf = new WeakMap<C, WebSocket>();
  readonly #currentById = new Map<string, C>();

  /** Records a PeerServer `'connection'` event. */
  attach(client: C): Attachment<C> {
    const id = client.getId();
    const isReattach = this.#seen.has(client);
    this.#seen.add(client);

    const socket = client.getSocket();
    const previousSocket = this.#socketOf.get(client) ?? null;
    if (socket) this.#socketOf.set(client, socket);

    const holder = this.#currentById.get(id);
    // A new client object while an older one still holds the ID happens when the older one
    // sent `LEAVE` without `dst`: PeerServer then drops it from its realm but keeps the socket
    // open (src/messageHandler/handlers/transmission/index.ts).
    const replaced = holder !== undefined && holder !== client ? holder : null;
    this.#currentById.set(id, client);

    return {
      isReattach,
      staleSocket: isReattach && previousSocket !== socket ? previousSocket : null,
      replaced,
    };
  }

  /** Records a PeerServer `'disconnect'`; false when `client` no longer held its ID. */
  detach(client: C): boolean {
    if (!this.isCurrent(client)) return false;
    this.#currentById.delete(client.getId());
    return true;
  }

  /** True when `client` is the one speaking for its ID. */
  isCurrent(client: C): boolean {
    return this.#currentById.get(client.getId()) === client;
  }

  /** The client holding `id`, if connected. */
  get(id: string): C | undefined {
    return this.#currentById.get(id);
  }

  /** The IDs of the connected peers. */
  ids(): IterableIterator<string> {
    return this.#currentById.keys();
  }

  /** Connected peers. */
  get size(): number {
    return this.#currentById.size;
  }
}
