/**
 * The real transport: PeerJS data connections plus the room frames of our signal server.
 * This is the only module that imports `peerjs` (DESIGN §2), and it does so lazily because
 * PeerJS probes WebRTC at import time (DESIGN §12).
 */
import type { DataConnection, MediaConnection, Peer, PeerError } from 'peerjs';
import { SIGNAL_BACKOFF_MAX_MS, SIGNAL_BACKOFF_MIN_MS, SIGNAL_PATH } from '../config-network';
import { createLogger } from '../log';
import { parseSignalFrame, roomJoinFrame, roomLeaveFrame } from '../protocol/signal-frames';
import { backoffDelayMs } from './backoff';
import { claimPeerSession, newPeerSession, type PeerSession } from './peer-session';
import { parseIceFrame } from './ice-servers';
import { PeerJsLink } from './peerjs-link';
import type { SignalFrame } from '../protocol/signal-frames';
import { assertNever } from '../protocol/assert-never';
import type { MediaCallMetadata } from './peerjs-media-call';
import type {
  Link,
  MediaCall,
  RoomSignal,
  SignalStatus,
  Transport,
  TransportHandlers,
} from './transport';
import { isPeerId, isRoomKey } from '../protocol/id-formats';
import type { PeerId, RoomKey } from '../protocol/ids';

const log = createLogger('peerjs');

type PeerJsModule = typeof import('peerjs');

/**
 * PeerJS itself, loaded once. The transport loads it when it starts; onboarding loads it ahead
 * (shell/room-warmup.ts), so a new visitor's signal socket does not wait for it to be fetched
 * and evaluated after Continue.
 */
export function loadPeerJs(): Promise<PeerJsModule> {
  return import('peerjs');
}

/** Where the signal server lives and which ICE servers to use. */
export interface PeerJsTransportOptions {
  /** Signal server origin, e.g. `http://localhost:9000`. */
  signalUrl: URL;
  /**
   * The person's own ICE servers, handed to every RTCPeerConnection (never PeerJS's public
   * defaults) ahead of the ones the signal server sends on the socket (`X-ICE`).
   */
  iceServers: RTCIceServer[];
  /** `'relay'`: TURN relays only, for every data and media connection (Hide my IP address). */
  iceTransportPolicy?: RTCIceTransportPolicy;
}

/** Metadata a dialler attaches to every chat connection; the acceptor routes on it. */
interface ChatLinkMetadata {
  room: RoomKey;
  v: 1;
}

function isChatLinkMetadata(value: unknown): value is ChatLinkMetadata {
  return (
    typeof value === 'object' &&
    value !== null &&
    'room' in value &&
    isRoomKey(value.room) &&
    'v' in value &&
    value.v === 1
  );
}

/** Maps the server's X-ROOM frames onto the transport's room signals. */
function toRoomSignal(frame: SignalFrame): RoomSignal {
  switch (frame.type) {
    case 'X-ROOM-PEERS':
      return { type: 'peers', room: frame.payload.room, peers: frame.payload.peers };
    case 'X-ROOM-JOINED':
      return { type: 'joined', room: frame.payload.room, peer: frame.payload.peer };
    case 'X-ROOM-LEFT':
      return { type: 'left', room: frame.payload.room, peer: frame.payload.peer };
    case 'X-ROOM-FULL':
      return { type: 'full', room: frame.payload.room };
    case 'X-ROOM-ERROR':
      return {
        type: 'error',
        room: isRoomKey(frame.payload.room) ? frame.payload.room : null,
        reason: frame.payload.reason,
      };
    default:
      return assertNever(frame);
  }
}

/** Transport over PeerJS and the Parley signal server. */
export class PeerJsTransport implements Transport {
  #options: PeerJsTransportOptions;
  #handlers: TransportHandlers | null = null;
  #module: PeerJsModule | null = null;
  #peer: Peer | null = null;
  #session: PeerSession = newPeerSession();
  #status: SignalStatus = 'connecting';
  #rooms = new Set<string>();
  #links = new Set<PeerJsLink>();
  #attempt = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #hasOpened = false;
  #isDestroyed = false;
  #iceServers: RTCIceServer[];
  #onMediaCall: ((call: MediaCall) => void) | null = null;
  /** The media-call code, loaded with the call layer (see peerjs-media-call.ts). */
  #mediaModule: Promise<typeof import('./peerjs-media-call')> | null = null;

  /** PeerJS and this tab's peer session, asked for as the transport is made (see `start`). */
  #prepared: Promise<[PeerJsModule, PeerSession]>;

  constructor(options: PeerJsTransportOptions) {
    this.#options = options;
    this.#iceServers = options.iceServers;
    // Claimed now, while the network stack loads, rather than one lock callback after `start`:
    // each hop waits behind whatever the page renders meanwhile (DESIGN §11).
    this.#prepared = Promise.all([loadPeerJs(), claimPeerSession()]);
    this.#prepared.catch(() => undefined);
  }

  get peerId(): PeerId | null {
    // Our own id (newPeerSession), as the open Peer holds it.
    return this.#peer?.open ? (this.#peer.id as PeerId) : null;
  }

  start(handlers: TransportHandlers): void {
    this.#handlers = handlers;
    this.#setStatus(navigator.onLine ? 'connecting' : 'offline');
    this.#prepared
      .then(([module, session]) => {
        this.#module = module;
        this.#session = session;
        this.#createPeer();
      })
      .catch((error: unknown) => {
        log.error('could not load PeerJS', error);
        this.#setStatus('offline');
      });
  }

  joinRoom(room: RoomKey): void {
    this.#rooms.add(room);
    this.#sendSignal(roomJoinFrame(room));
  }

  leaveRoom(room: RoomKey): void {
    if (!this.#rooms.delete(room)) return;
    this.#sendSignal(roomLeaveFrame(room));
    for (const link of this.#links) if (link.room === room) link.close('left the room');
  }

  dial(remoteId: PeerId, room: RoomKey): Link {
    const conn = this.#connect(remoteId, room);
    const link = new PeerJsLink({
      conn,
      localId: this.#session.id,
      remoteId,
      room,
      isDialer: true,
      onGone: (gone) => this.#links.delete(gone),
    });
    this.#links.add(link);
    return link;
  }

  /**
   * Starts a PeerJS data connection, or returns null when that cannot work now: while the signal
   * socket is not open the offer would be dropped silently (lib/socket.ts), and the
   * RTCPeerConnection constructor can throw (e.g. the browser's connection limit).
   */
  #connect(remoteId: PeerId, room: RoomKey): DataConnection | null {
    const peer = this.#peer;
    if (!peer?.open) return null;
    const metadata: ChatLinkMetadata = { room, v: 1 };
    try {
      // reliable:true — PeerJS's default is *unordered* (DESIGN §12); raw — we frame JSON ourselves.
      const conn = peer.connect(remoteId, {
        reliable: true,
        serialization: 'raw',
        label: 'chat',
        metadata,
      }) as DataConnection | undefined;
      return conn ?? null;
    } catch (error) {
      log.warn('could not start a data connection', error);
      return null;
    }
  }

  async callPeer(
    remoteId: PeerId,
    room: RoomKey,
    callId: string,
    stream: MediaStream,
  ): Promise<MediaCall> {
    const { PeerJsMediaCall } = await this.#loadMedia();
    const peer = this.#peer;
    let conn: MediaConnection | null = null;
    if (peer?.open) {
      const metadata: MediaCallMetadata = { room, callId, v: 1 };
      try {
        conn = peer.call(remoteId, stream, { metadata }) ?? null;
      } catch (error) {
        log.warn('could not start a media connection', error);
      }
    }
    const call = new PeerJsMediaCall({
      conn: conn,
      remoteId,
      room,
      callId,
      isDialer: true,
    });
    call.watchIce();
    return call;
  }

  onMediaCall(handler: ((call: MediaCall) => void) | null): void {
    this.#onMediaCall = handler;
    if (handler) {
      this.#loadMedia().catch((error: unknown) => log.error('could not load media calls', error));
    }
  }

  #loadMedia(): Promise<typeof import('./peerjs-media-call')> {
    this.#mediaModule ??= import('./peerjs-media-call');
    return this.#mediaModule;
  }

  nudge(): void {
    if (this.#isDestroyed || this.#status === 'online') return;
    if (!navigator.onLine) {
      this.#setStatus('offline');
      return;
    }
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    this.#attempt = 0;
    this.#reconnectNow();
  }

  destroy(): void {
    this.#isDestroyed = true;
    clearTimeout(this.#retryTimer);
    for (const link of [...this.#links]) link.close('shutting down');
    this.#peer?.destroy();
    this.#peer = null;
  }

  #createPeer(): void {
    if (!this.#module || this.#isDestroyed) return;
    const { signalUrl } = this.#options;
    const iceServers = this.#iceServers;
    const isSecure = signalUrl.protocol === 'https:';
    const port = signalUrl.port ? Number(signalUrl.port) : isSecure ? 443 : 80;
    const peer = new this.#module.Peer(this.#session.id, {
      host: signalUrl.hostname,
      port,
      path: SIGNAL_PATH,
      secure: isSecure,
      token: this.#session.token,
      // Never PeerJS's defaults: they point at Google STUN and a public TURN (DESIGN §12).
      config: { iceServers, iceTransportPolicy: this.#options.iceTransportPolicy ?? 'all' },
      debug: 1,
    });
    this.#peer = peer;

    peer.on('open', () => this.#handleOpen(peer));
    peer.on('disconnected', () => {
      if (peer !== this.#peer) return;
      this.#scheduleReconnect();
    });
    peer.on('close', () => {
      if (peer !== this.#peer) return;
      this.#peer = null;
      this.#scheduleReconnect();
    });
    peer.on('error', (error) => this.#handlePeerError(peer, error));
    peer.on('connection', (conn) => this.#handleIncoming(conn));
    peer.on('call', (conn) => this.#handleIncomingCall(conn));
    // Room frames arrive on PeerJS's (internal) signalling socket; PeerJS itself only logs them.
    peer.socket.on('message', (raw: unknown) => {
      // The server's ICE servers: after OPEN, and fresh ones before TURN credentials lapse.
      const serverIce = parseIceFrame(raw);
      if (serverIce) {
        if (peer !== this.#peer) return;
        this.#useIceServers([...this.#options.iceServers, ...serverIce]);
        this.#handlers?.onIceServers?.(serverIce);
        return;
      }
      const frame = parseSignalFrame(raw);
      if (!frame || peer !== this.#peer) return;
      this.#handlers?.onRoomSignal(toRoomSignal(frame));
    });
  }

  /** New connections use these; PeerJS reads `options.config` for every RTCPeerConnection. */
  #useIceServers(servers: RTCIceServer[]): void {
    this.#iceServers = servers;
    const config = this.#peer?.options.config as RTCConfiguration | undefined;
    if (config) config.iceServers = servers;
  }

  #handleOpen(peer: Peer): void {
    if (peer !== this.#peer) return;
    this.#attempt = 0;
    this.#hasOpened = true;
    this.#setStatus('online');
    // Frames sent before 'open' are dropped by PeerJS (lib/socket.ts), so (re-)join only now.
    for (const room of this.#rooms) this.#sendSignal(roomJoinFrame(room));
  }

  #handleIncoming(conn: DataConnection): void {
    const metadata: unknown = conn.metadata;
    const remoteId = conn.peer;
    if (
      conn.label !== 'chat' ||
      conn.serialization !== 'raw' ||
      !isChatLinkMetadata(metadata) ||
      !isPeerId(remoteId)
    ) {
      log.warn('refused a data connection with unexpected options from', conn.peer);
      conn.close();
      return;
    }
    if (!this.#rooms.has(metadata.room)) {
      log.info('refused a data connection for a room we are not in');
      conn.close();
      return;
    }
    const link = new PeerJsLink({
      conn,
      localId: this.#session.id,
      remoteId,
      room: metadata.room,
      isDialer: false,
      onGone: (gone) => this.#links.delete(gone),
    });
    this.#links.add(link);
    this.#handlers?.onIncoming(link);
  }

  /** A media connection: routed to the call layer only for a room we are in, else refused. */
  #handleIncomingCall(conn: MediaConnection): void {
    const refuse = (why: string): void => {
      log.warn('refused a media connection', why, conn.peer);
      conn.close();
    };
    if (!this.#onMediaCall) {
      refuse('(no call layer)');
      return;
    }
    this.#loadMedia()
      .then(({ PeerJsMediaCall, isMediaCallMetadata }) => {
        const metadata: unknown = conn.metadata;
        const handler = this.#onMediaCall;
        const remoteId = conn.peer;
        if (
          !isMediaCallMetadata(metadata) ||
          !isPeerId(remoteId) ||
          !this.#rooms.has(metadata.room) ||
          !handler
        ) {
          refuse('(unexpected metadata or room)');
          return;
        }
        handler(
          new PeerJsMediaCall({
            conn: conn,
            remoteId,
            room: metadata.room,
            callId: metadata.callId,
            isDialer: false,
          }),
        );
      })
      .catch((error: unknown) => {
        log.error('could not load media calls', error);
        refuse('(media code failed to load)');
      });
  }

  #handlePeerError(peer: Peer, error: PeerError<string>): void {
    if (peer !== this.#peer) return;
    switch (error.type) {
      case 'peer-unavailable': {
        // Arrives on the Peer, not the connection (DESIGN §12): fail our pending dials to it.
        const match = /peer (\S+)$/.exec(error.message);
        const remoteId = match?.[1];
        for (const link of [...this.#links]) {
          if (link.isDialer && !link.isOpen && link.remoteId === remoteId) {
            link.close('peer unavailable');
          }
        }
        return;
      }
      case 'unavailable-id':
        // Someone else holds our ID (e.g. this tab was duplicated): take a fresh one.
        log.warn('peer ID taken; starting a new session');
        claimPeerSession(true)
          .then((session) => {
            this.#session = session;
            this.#replacePeer();
          })
          .catch((error: unknown) => log.error('could not start a new peer session', error));
        return;
      case 'network':
      case 'socket-error':
      case 'socket-closed':
      case 'server-error':
      case 'disconnected':
        log.info('signal connection problem:', error.type);
        return;
      default:
        log.warn('peer error', error.type, error.message);
    }
  }

  #replacePeer(): void {
    const old = this.#peer;
    this.#peer = null;
    old?.destroy();
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    if (this.#isDestroyed || this.#retryTimer !== undefined) return;
    this.#setStatus(
      navigator.onLine ? (this.#hasOpened ? 'reconnecting' : 'connecting') : 'offline',
    );
    const delay = backoffDelayMs(this.#attempt, SIGNAL_BACKOFF_MIN_MS, SIGNAL_BACKOFF_MAX_MS);
    this.#attempt += 1;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.#reconnectNow();
    }, delay);
  }

  #reconnectNow(): void {
    if (this.#isDestroyed) return;
    const peer = this.#peer;
    if (peer && !peer.destroyed) {
      if (peer.disconnected) {
        this.#setStatus(this.#hasOpened ? 'reconnecting' : 'connecting');
        peer.reconnect();
      }
      return;
    }
    this.#createPeer();
  }

  #sendSignal(frame: { type: string; payload: unknown }): void {
    const peer = this.#peer;
    if (!peer?.open) return; // re-sent from #handleOpen
    peer.socket.send(frame);
  }

  #setStatus(status: SignalStatus): void {
    if (status === this.#status) return;
    this.#status = status;
    this.#handlers?.onStatus(status);
  }
}
