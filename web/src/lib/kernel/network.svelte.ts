/**
 * The network of this tab (DESIGN §4, §7): the transport, the mesh of authenticated links and the
 * signal server's state. It starts once this tab holds the network lock and stops when another
 * tab takes it; a start overtaken by a stop gives up. Features reach peers only through `links`,
 * which is safe to call while the network is down (nothing is sent).
 */
import type { MessageKey } from '../i18n/i18n';
import { createLogger } from '../log';
import type { AppFrame, MeshIdentity, MeshPeer, RoomMesh } from '../net/room-mesh';
import type { BinaryChannel, SignalStatus, Transport } from '../net/transport';
import type { PeerFrame } from '../protocol/peer-frames';
import type { NetworkUp } from './app-events';
import { errorMessage, type Notices } from './notices.svelte';
import type { RoomDirectory } from './room-directory';
import type { Fingerprint, RoomKey } from '../protocol/ids';

const log = createLogger('network');

/**
 * Why the signal server turned a room away, as it said: 'full', 'too-many-rooms', 'bad-room', or
 * any other reason a newer server may send.
 */
export type RoomProblem = string;

/** What the network needs from the kernel. */
export interface NetworkHost {
  /** Builds the transport with the person's network settings. */
  createTransport(): Promise<Transport>;
  /** Who we are on the wire, or null before there is an identity. */
  identity(): MeshIdentity | null;
  /** The rooms to be in. */
  readonly directory: RoomDirectory;
  /** The notices (a failed start is shown). */
  readonly notices: Notices;
  /** True once the tab can no longer run (its database was upgraded elsewhere). */
  isOutdated(): boolean;
  /** Whether a member whose proofs checked may use the link. */
  admits(peer: MeshPeer): boolean;
  /** A member linked. */
  onPeerReady(peer: MeshPeer): void;
  /** A link closed. */
  onPeerGone(peer: MeshPeer): void;
  /** An app frame from an authenticated member (the link's next waits for it). */
  onFrame(peer: MeshPeer, frame: AppFrame): Promise<void>;
  /** The network is up (before any room is joined). */
  onUp(up: NetworkUp): void;
  /** The network is going down (links still open: last words may be said). */
  onDown(): void;
}

/** How features reach linked members; every method is a no-op while the network is down. */
export interface Links {
  /** Sends a frame on one member's link; false when it is gone. */
  sendTo(peer: MeshPeer, frame: PeerFrame): boolean;
  /** Sends a frame to every linked member of a room; how many links took it. */
  broadcast(room: RoomKey, frame: PeerFrame): number;
  /** The ready links of a room. */
  peersIn(room: RoomKey): MeshPeer[];
  /** Resolves once a link has room for more, or is gone. */
  whenDrained(peer: MeshPeer): Promise<void>;
  /** Closes every link to a person, in every room; how many. */
  disconnect(fingerprint: Fingerprint): number;
  /** Closes a person's links in one room; how many. */
  disconnectIn(room: RoomKey, fingerprint: Fingerprint): number;
  /** Presents a new profile in every later handshake. */
  setProfile(profile: { name: string; color: string }): void;
  /** A ready link's binary channel (file chunks: DESIGN §9); null when it is gone. */
  binaryChannel(peer: MeshPeer): BinaryChannel | null;
}

/** This tab's network. */
export class Network {
  #host: NetworkHost;
  #status = $state<SignalStatus>('connecting');
  #isElsewhere = $state(false);
  #problems = $state.raw<Readonly<Record<string, RoomProblem>>>({});
  #serverIceServers = $state.raw<RTCIceServer[] | null>(null);
  #mesh: RoomMesh | null = null;
  #transport: Transport | null = null;
  /** Bumped by every start and stop: a start that finds it moved gives up. */
  #generation = 0;

  /** Links to members (no-ops while down). */
  readonly links: Links;

  constructor(host: NetworkHost) {
    this.#host = host;
    this.links = {
      sendTo: (peer, frame) => this.#mesh?.sendTo(peer, frame) ?? false,
      broadcast: (room, frame) => this.#mesh?.broadcast(room, frame) ?? 0,
      peersIn: (room) => this.#mesh?.peersIn(room) ?? [],
      whenDrained: (peer) => this.#mesh?.whenDrained(peer) ?? Promise.resolve(),
      disconnect: (fingerprint) => this.#mesh?.disconnect(fingerprint) ?? 0,
      disconnectIn: (room, fingerprint) => this.#mesh?.disconnectIn(room, fingerprint) ?? 0,
      setProfile: (profile) => this.#mesh?.setProfile(profile),
      binaryChannel: (peer) => this.#mesh?.binaryChannel(peer) ?? null,
    };
  }

  /** Signal server connection state. */
  get status(): SignalStatus {
    return this.#status;
  }

  /** True while another tab of this browser profile talks to peers. */
  get isElsewhere(): boolean {
    return this.#isElsewhere;
  }
  set isElsewhere(value: boolean) {
    this.#isElsewhere = value;
  }

  /** The ICE servers the signal server last sent (null before it has: offline, or not yet). */
  get serverIceServers(): RTCIceServer[] | null {
    return this.#serverIceServers;
  }

  /** True while the network runs in this tab. */
  get isUp(): boolean {
    return this.#mesh !== null;
  }

  /** The transport while the network runs (media calls use it). */
  get transport(): Transport | null {
    return this.#transport;
  }

  /** Why a room cannot be used, if the signal server turned it away. */
  problemOf(room: RoomKey): RoomProblem | undefined {
    return this.#problems[room];
  }

  /** Starts the network; a failure is shown and leaves the app offline but usable. */
  run(): void {
    this.#start().catch((error: unknown) => {
      this.#status = 'offline';
      this.#host.notices.report(error, {
        key: 'error.networkFailed' satisfies MessageKey,
        params: { reason: errorMessage(error) },
      });
    });
  }

  /** Stops talking to peers (links close with `bye`); history and the store stay. */
  stop(): void {
    // A start still under way is void from here on (see #start).
    this.#generation++;
    if (this.#mesh) this.#host.onDown();
    this.#transport = null;
    this.#mesh?.stop();
    this.#mesh = null;
    this.#host.directory.detach();
    this.#status = 'offline';
  }

  /**
   * Resolves once the signal server has answered the room's join and the dials it started have
   * made their offers, or after `maxMs`; at once while the network is down. Work that can wait
   * for it (loading a room's history) does, so that it does not slow connecting.
   */
  whenDialled(room: RoomKey, maxMs: number): Promise<void> {
    const mesh = this.#mesh;
    if (!mesh) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, maxMs);
      void mesh.whenDialled(room).then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** The network came back or the page became visible: reconnect now rather than later. */
  nudge(): void {
    this.#mesh?.nudge();
  }

  /** The page is going away: tell linked members (DESIGN §7 `bye` on pagehide). */
  sayGoodbye(): void {
    this.#mesh?.sayGoodbye();
  }

  /** A room is no longer ours: its refusal is no longer news. */
  forgetRoom(room: RoomKey): void {
    this.#clearProblem(room);
  }

  /** A member linked in `room`: it is evidently usable. */
  roomWorks(room: RoomKey): void {
    this.#clearProblem(room);
  }

  #clearProblem(room: RoomKey): void {
    if (!(room in this.#problems)) return;
    const problems = { ...this.#problems };
    delete problems[room];
    this.#problems = problems;
  }

  async #start(): Promise<void> {
    const generation = ++this.#generation;
    const host = this.#host;
    const [transport, net] = await Promise.all([
      host.createTransport(),
      import('../net/network-stack'),
    ]);
    const identity = host.identity();
    // Stopped (another tab took over) or started again meanwhile: this start is void.
    if (generation !== this.#generation || host.isOutdated() || !identity) {
      transport.destroy();
      return;
    }
    const mesh = new net.RoomMesh({
      transport,
      identity,
      secretFor: (room) => host.directory.secretFor(room),
      handlers: {
        onStatus: (status) => {
          this.#status = status;
        },
        onIceServers: (servers) => {
          this.#serverIceServers = servers;
        },
        onPeerReady: (peer) => host.onPeerReady(peer),
        admits: (peer) => host.admits(peer),
        onPeerGone: (peer) => host.onPeerGone(peer),
        onFrame: (peer, frame) =>
          host.onFrame(peer, frame).catch((error: unknown) => {
            log.error('handling a frame failed', error);
          }),
        onRoomRefused: (room, reason) => {
          // Without a room (a key the server could not read) there is no view to show it in.
          if (!room) host.notices.show(roomProblemNotice(reason));
          else this.#problems = { ...this.#problems, [room]: reason };
        },
      },
    });
    this.#transport = transport;
    this.#mesh = mesh;
    host.onUp({ transport, net, mesh });
    // Nothing awaits from here to start(), so every room wanted so far is joined exactly once
    // and every room wanted later is joined by the directory's next reconcile.
    host.directory.attach(mesh);
    mesh.start();
  }
}

/** What to tell people about a room the signal server turned away, by the server's reason. */
export function roomProblemNotice(reason: RoomProblem): {
  key: MessageKey;
  params?: Record<string, string>;
} {
  switch (reason) {
    case 'full':
      return { key: 'room.full' };
    case 'too-many-rooms':
      return { key: 'room.tooManyRooms' };
    case 'bad-room':
      return { key: 'room.badRoom' };
    default:
      return { key: 'room.refused', params: { reason } };
  }
}
