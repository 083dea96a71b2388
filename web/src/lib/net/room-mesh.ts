/**
 * The mesh of authenticated data connections for every room this tab is in (DESIGN §3, §4, §7):
 * dialling the peers a room lists (a few at a time), the two-stage handshake, ping and silence
 * detection, duplicate-link tie-break and redial. It hands the app only frames from authenticated
 * peers, one at a time per link.
 */
import type { DeviceLink, DeviceRoot } from '../crypto/device';
import { MAX_CONCURRENT_DIALS } from '../config';
import {
  DIAL_TIMEOUT_MS,
  PEER_SILENCE_DEAD_MS,
  PING_INTERVAL_MS,
  REDIAL_BACKOFF_MAX_MS,
  REDIAL_BACKOFF_MIN_MS,
  ROOM_FULL_RETRY_MS,
} from '../config-network';
import { createLogger } from '../log';
import type { Fingerprint, PeerId, RoomKey } from '../protocol/ids';
import { assertNever } from '../protocol/assert-never';
import { PROTOCOL_VERSION } from '../protocol/events';
import { encodePeerFrame, parsePeerFrame } from '../protocol/peer-frames';
import type { ParsedPeerFrame, PeerFrame } from '../protocol/peer-frames';
import { backoffDelayMs } from './backoff';
import { MeshLink, stepHandshake } from './mesh-handshake';
import type { BinaryChannel, Link, RoomSignal, SignalStatus, Transport } from './transport';

const log = createLogger('mesh');

/** How long a link may take to deliver `bye` before we close it. */
const BYE_FLUSH_MS = 250;

/** Who we are on the wire. */
export interface MeshIdentity {
  /** ECDSA P-256 signing key (non-extractable). */
  privateKey: CryptoKey;
  /** base64url SPKI of the public key. */
  spki: string;
  /** base32 SHA-256 of the SPKI. */
  fingerprint: Fingerprint;
  /** Display name and avatar colour, revealed only to peers that proved the room secret. */
  profile: { name: string; color: string };
  /** When this key is a device of an identity: the links from the identity to it. */
  devices?: readonly DeviceLink[] | undefined;
}

/** An authenticated remote member on one link. */
export interface MeshPeer {
  /** The remote peer's session ID. */
  peerId: PeerId;
  /** The room the link belongs to. */
  room: RoomKey;
  /** The remote identity's fingerprint (proven by the handshake). */
  fingerprint: Fingerprint;
  /** The remote identity's public key (base64url SPKI). */
  spki: string;
  /** The profile the remote signed in its identity proof. */
  profile: { name: string; color: string };
  /**
   * When the remote key is a device of an identity (proven by its device links): that identity,
   * whose key contacts pinned. Absent: the key is the identity itself.
   */
  root?: DeviceRoot;
}

/** Frames that reach the app: everything after the handshake except the mesh's own. */
export type AppFrame = Exclude<
  ParsedPeerFrame,
  | { type: 'hello' }
  | { type: 'auth' }
  | { type: 'identity' }
  | { type: 'ping' }
  | { type: 'pong' }
  | { type: 'bye' }
>;

/** What the mesh reports. */
export interface MeshHandlers {
  /** A member passed the handshake on a link and may now exchange frames. */
  onPeerReady(peer: MeshPeer): void;
  /**
   * Whether a member whose proofs checked may use the link: false closes it before any app
   * frame (a direct chat admits only its contact's pinned key). Absent: everyone is admitted.
   */
  admits?(peer: MeshPeer): boolean;
  /** An authenticated link closed. */
  onPeerGone(peer: MeshPeer, reason: string): void;
  /**
   * An app frame from an authenticated member. The next frame of the same link is handled only
   * once the returned promise settles, so frames are processed strictly in order.
   */
  onFrame(peer: MeshPeer, frame: AppFrame): Promise<void>;
  /** Signal server state. */
  onStatus(status: SignalStatus): void;
  /** The signal server refused a room: 'full' (retried by the mesh), or its error reason. */
  onRoomRefused(room: RoomKey | null, reason: string): void;
  /** The signal server's ICE servers for this session. */
  onIceServers?(servers: RTCIceServer[]): void;
}

/** Room membership and dial state as the signal server told us. */
interface RoomState {
  /** Peers the server says are in the room (joiners dial these; DESIGN §3). */
  present: Set<string>;
  /** Redial attempts per remote peer (cleared once a link to it is ready). */
  attempts: Map<string, number>;
  /** Pending redial timers per remote peer. */
  redials: Map<string, ReturnType<typeof setTimeout>>;
  /** Pending re-join after the room was full. */
  rejoin: ReturnType<typeof setTimeout> | undefined;
  /** The signal server answered the latest join (with the room's peers, or a refusal). */
  isAnswered: boolean;
  /** `whenDialled` callers waiting for that answer. */
  answerWaiters: (() => void)[];
}

/** Owns every data connection of this tab; one per (room, remote peer) once settled. */
export class RoomMesh {
  #transport: Transport;
  #identity: MeshIdentity;
  #secretFor: (room: RoomKey) => string | undefined;
  #handlers: MeshHandlers;
  #rooms = new Map<string, RoomState>();
  #links = new Set<MeshLink>();
  /** Dials waiting for a slot: at most MAX_CONCURRENT_DIALS are opening at once. */
  #dialQueue: { room: RoomKey; peerId: PeerId }[] = [];
  #isStopped = false;
  /** The signal connection is up (room joins are answered on it). */
  #isSignalOnline = false;

  constructor(args: {
    transport: Transport;
    identity: MeshIdentity;
    secretFor: (room: RoomKey) => string | undefined;
    handlers: MeshHandlers;
  }) {
    this.#transport = args.transport;
    this.#identity = args.identity;
    this.#secretFor = args.secretFor;
    this.#handlers = args.handlers;
  }

  /** Connects to the signal server. */
  start(): void {
    this.#transport.start({
      onStatus: (status) => {
        this.#isSignalOnline = status === 'online';
        if (status !== 'online') this.#signalLost();
        this.#handlers.onStatus(status);
      },
      onRoomSignal: (signal) => this.#handleRoomSignal(signal),
      onIncoming: (link) => this.#adopt(link),
      onIceServers: (servers) => this.#handlers.onIceServers?.(servers),
    });
  }

  /** Joins a room whose secret `secretFor` knows. */
  join(room: RoomKey): void {
    if (!this.#rooms.has(room)) {
      this.#rooms.set(room, {
        present: new Set(),
        attempts: new Map(),
        redials: new Map(),
        rejoin: undefined,
        isAnswered: false,
        answerWaiters: [],
      });
    }
    this.#transport.joinRoom(room);
  }

  /**
   * Resolves once the signal server has answered the room's join and every dial that answer
   * started has made its offer — at once when the room is not joined or the signal server is not
   * reachable. Work that can wait (a room's history) waits for it, so it does not slow the dials.
   */
  async whenDialled(room: RoomKey): Promise<void> {
    const state = this.#rooms.get(room);
    if (!state || !this.#isSignalOnline) return;
    if (!state.isAnswered) await new Promise<void>((resolve) => state.answerWaiters.push(resolve));
    const offers: Promise<void>[] = [];
    for (const ml of this.#links) {
      if (ml.link.room === room && ml.link.isDialer && ml.phase === 'opening') {
        offers.push(ml.link.whenOffered());
      }
    }
    await Promise.all(offers);
  }

  /**
   * Leaves a room: the signal server hears it, linked members get `bye`, links still in their
   * handshake close at once, and from now on nothing of the room reaches the app.
   */
  leave(room: RoomKey): void {
    const state = this.#rooms.get(room);
    if (!state) return;
    this.#clearTimers(state);
    this.#answered(state);
    this.#rooms.delete(room);
    this.#dialQueue = this.#dialQueue.filter((d) => d.room !== room);
    for (const ml of [...this.#links]) {
      if (ml.link.room !== room) continue;
      if (ml.phase === 'ready') this.#sayByeAndClose(ml, 'left the room');
      else ml.link.close('left the room');
    }
    this.#transport.leaveRoom(room);
  }

  /** Updates the profile presented in future handshakes. */
  setProfile(profile: { name: string; color: string }): void {
    this.#identity = { ...this.#identity, profile };
  }

  /** Authenticated members currently linked in a room. */
  peersIn(room: RoomKey): MeshPeer[] {
    const peers: MeshPeer[] = [];
    for (const ml of this.#links) {
      if (ml.phase === 'ready' && ml.peer && ml.link.room === room) peers.push(ml.peer);
    }
    return peers;
  }

  /** Sends a frame to every authenticated member of a room; returns how many got it. */
  broadcast(room: RoomKey, frame: PeerFrame): number {
    const text = encodePeerFrame(frame);
    let count = 0;
    for (const ml of this.#links) {
      if (ml.phase === 'ready' && ml.link.room === room && ml.link.send(text)) count += 1;
    }
    return count;
  }

  /** Sends a frame to one authenticated member; false when it is not linked. */
  sendTo(peer: MeshPeer, frame: PeerFrame): boolean {
    for (const ml of this.#links) {
      if (ml.phase === 'ready' && ml.peer === peer) return this.#sendFrame(ml, frame);
    }
    return false;
  }

  /**
   * The binary channel of the member's authenticated link in `peer.room` (the one that finished
   * its handshake, to the same peer ID and identity), or null when there is none. A link still in
   * its handshake never hands out its channel: who is at the other end is not known yet.
   */
  binaryChannel(peer: MeshPeer): BinaryChannel | null {
    for (const ml of this.#links) {
      if (
        ml.phase === 'ready' &&
        ml.peer?.fingerprint === peer.fingerprint &&
        ml.link.room === peer.room &&
        ml.link.remoteId === peer.peerId
      ) {
        return ml.link.binaryChannel();
      }
    }
    return null;
  }

  /** Resolves once the member's link has drained its send buffer (or is gone). */
  whenDrained(peer: MeshPeer): Promise<void> {
    for (const ml of this.#links) {
      if (ml.peer === peer && ml.phase === 'ready') return ml.link.whenDrained();
    }
    return Promise.resolve();
  }

  /** Tries the signal server now (network back, page visible). */
  nudge(): void {
    this.#transport.nudge();
  }

  /**
   * Closes every authenticated link to the identity `fingerprint` (with `bye`), and to its
   * devices, e.g. when the person blocked them; whether they may link again is `admits`'s to say.
   * How many closed.
   */
  disconnect(fingerprint: Fingerprint): number {
    let closed = 0;
    for (const ml of [...this.#links]) {
      const peer = ml.peer;
      if (peer?.fingerprint !== fingerprint && peer?.root?.fingerprint !== fingerprint) continue;
      this.#sayByeAndClose(ml, 'disconnected by the app');
      closed++;
    }
    return closed;
  }

  /** Closes the authenticated links to `fingerprint` in one room (with `bye`). How many closed. */
  disconnectIn(room: RoomKey, fingerprint: Fingerprint): number {
    let closed = 0;
    for (const ml of [...this.#links]) {
      if (ml.link.room !== room || ml.peer?.fingerprint !== fingerprint) continue;
      this.#sayByeAndClose(ml, 'removed from the room');
      closed++;
    }
    return closed;
  }

  /** Says goodbye on every link (the page is going away; no time to wait for delivery). */
  sayGoodbye(): void {
    for (const ml of this.#links) if (ml.phase === 'ready') this.#sendFrame(ml, { type: 'bye' });
  }

  /** Closes everything. */
  stop(): void {
    this.#isStopped = true;
    this.sayGoodbye();
    for (const state of this.#rooms.values()) this.#clearTimers(state);
    this.#signalLost();
    this.#dialQueue = [];
    this.#transport.destroy();
  }

  #handleRoomSignal(signal: RoomSignal): void {
    switch (signal.type) {
      case 'peers': {
        const state = this.#rooms.get(signal.room);
        if (!state) return;
        state.present = new Set(signal.peers);
        // The joiner dials everyone listed; members never dial a joiner (DESIGN §3).
        for (const peerId of signal.peers) this.#ensureLink(signal.room, peerId);
        this.#answered(state);
        return;
      }
      case 'joined':
        this.#rooms.get(signal.room)?.present.add(signal.peer);
        return;
      case 'left': {
        // Only the signal socket is gone; a live data link stays until it falls silent (§7).
        const state = this.#rooms.get(signal.room);
        if (!state) return;
        state.present.delete(signal.peer);
        clearTimeout(state.redials.get(signal.peer));
        state.redials.delete(signal.peer);
        state.attempts.delete(signal.peer);
        return;
      }
      case 'full': {
        this.#handlers.onRoomRefused(signal.room, 'full');
        const state = this.#rooms.get(signal.room);
        if (state) this.#answered(state);
        if (!state || state.rejoin !== undefined) return;
        // Someone may leave; try again later rather than giving up on the room.
        state.rejoin = setTimeout(() => {
          state.rejoin = undefined;
          if (this.#rooms.get(signal.room) === state) this.#transport.joinRoom(signal.room);
        }, ROOM_FULL_RETRY_MS);
        return;
      }
      case 'error': {
        this.#handlers.onRoomRefused(signal.room, signal.reason);
        const state = signal.room ? this.#rooms.get(signal.room) : undefined;
        if (state) this.#answered(state);
        return;
      }
      default:
        assertNever(signal);
    }
  }

  /** The signal server answered a room's join (or it will not any more): its waiters go on. */
  #answered(state: RoomState): void {
    state.isAnswered = true;
    for (const resolve of state.answerWaiters.splice(0)) resolve();
  }

  /** The signal connection went down: no answer comes on it, so no one waits for one. */
  #signalLost(): void {
    for (const state of this.#rooms.values()) {
      state.isAnswered = false;
      for (const resolve of state.answerWaiters.splice(0)) resolve();
    }
  }

  #ensureLink(room: RoomKey, peerId: PeerId): void {
    if (this.#isStopped || !this.#rooms.has(room)) return;
    if (peerId === this.#transport.peerId) return;
    if (this.#hasLink(room, peerId)) return;
    if (this.#dialQueue.some((d) => d.room === room && d.peerId === peerId)) return;
    this.#dialQueue.push({ room, peerId });
    this.#pumpDials();
  }

  #hasLink(room: RoomKey, peerId: PeerId): boolean {
    for (const ml of this.#links) {
      if (ml.link.room === room && ml.link.remoteId === peerId && ml.phase !== 'closed')
        return true;
    }
    return false;
  }

  /**
   * Starts queued dials while fewer than MAX_CONCURRENT_DIALS are still opening: each dial sends
   * an offer and a burst of ICE candidates through the signal server, whose rate limit would
   * close our socket if we dialled a few full rooms at once.
   */
  #pumpDials(): void {
    let opening = 0;
    for (const ml of this.#links) if (ml.link.isDialer && ml.phase === 'opening') opening += 1;
    while (opening < MAX_CONCURRENT_DIALS && this.#dialQueue.length > 0) {
      const next = this.#dialQueue.shift();
      if (!next || !this.#rooms.has(next.room) || this.#hasLink(next.room, next.peerId)) continue;
      this.#adopt(this.#transport.dial(next.peerId, next.room));
      opening += 1;
    }
  }

  #adopt(link: Link): void {
    if (!this.#secretFor(link.room) || !this.#rooms.has(link.room)) {
      link.close('not in this room');
      return;
    }
    const ml = new MeshLink(link);
    this.#links.add(ml);
    link.setHandlers({
      onOpen: () => {
        ml.phase = 'hello';
        ml.lastHeardAt = Date.now();
        // The handshake gets its own full timeout once the channel is open (ICE may be slow).
        ml.handshakeTimer = setTimeout(() => {
          if (ml.phase !== 'ready') link.close('handshake timed out');
        }, DIAL_TIMEOUT_MS);
        this.#sendFrame(ml, { type: 'hello', protocol: PROTOCOL_VERSION, nonce: ml.nonce });
        this.#pumpDials();
      },
      onText: (text) => {
        ml.lastHeardAt = Date.now();
        // Handshake steps await WebCrypto and the app awaits storage: strictly one frame at a time.
        ml.chain = ml.chain
          .then(() => this.#handleText(ml, text))
          .catch((error: unknown) => {
            log.warn('frame handling failed; closing link', error);
            ml.link.close('internal error');
          });
      },
      onClose: (reason) => this.#handleClose(ml, reason),
    });
  }

  async #handleText(ml: MeshLink, text: string): Promise<void> {
    // A room we left says nothing more, even on a link still delivering its goodbye.
    if (ml.phase === 'closed' || !this.#rooms.has(ml.link.room)) return;
    const frame = parsePeerFrame(text);
    if (!frame) {
      // Malformed frames are dropped (the parser logged why); a peer that has not finished the
      // handshake gets no second chance.
      if (ml.phase !== 'ready') ml.link.close('malformed handshake frame');
      return;
    }
    if (ml.phase !== 'ready') {
      await this.#handleHandshake(ml, frame);
      return;
    }
    switch (frame.type) {
      case 'ping':
        this.#sendFrame(ml, { type: 'pong', t: frame.t });
        return;
      case 'pong':
        return;
      case 'bye':
        this.#forgetPresence(ml);
        ml.link.close('said goodbye');
        return;
      case 'hello':
      case 'auth':
      case 'identity':
        ml.link.close('handshake frame after the handshake');
        return;
      default:
        if (ml.peer) await this.#handlers.onFrame(ml.peer, frame);
    }
  }

  /** The handshake's next step (mesh-handshake.ts). */
  async #handleHandshake(ml: MeshLink, frame: ParsedPeerFrame): Promise<void> {
    await stepHandshake(ml, frame, {
      identity: this.#identity,
      secretFor: this.#secretFor,
      send: (frame) => this.#sendFrame(ml, frame),
      admits: (peer) => !this.#handlers.admits || this.#handlers.admits(peer),
      becomeReady: (peer) => this.#becomeReady(ml, peer),
    });
  }

  #becomeReady(ml: MeshLink, peer: MeshPeer): void {
    // Closed while the last proof was checked (or its room left): nobody may hear of it now.
    if (ml.phase === 'closed') return;
    clearTimeout(ml.handshakeTimer);
    ml.phase = 'ready';
    ml.peer = peer;
    this.#rooms.get(ml.link.room)?.attempts.delete(ml.link.remoteId);
    // Exactly one link per (room, peer).
    for (const other of this.#links) {
      if (
        other !== ml &&
        other.phase === 'ready' &&
        other.link.room === ml.link.room &&
        other.link.remoteId === ml.link.remoteId
      ) {
        const loser = this.#duplicateLoser(other, ml);
        loser.link.close('duplicate link');
        if (loser === ml) return;
      }
    }
    ml.pingTimer = setInterval(() => {
      if (Date.now() - ml.lastHeardAt > PEER_SILENCE_DEAD_MS) {
        ml.link.close('silent for too long');
        return;
      }
      this.#sendFrame(ml, { type: 'ping', t: Date.now() });
    }, PING_INTERVAL_MS);
    this.#handlers.onPeerReady(peer);
  }

  /**
   * Which of two ready links to the same peer to drop. An old link that has gone quiet is the one
   * (the peer restarted with the same ID and its old link just has not timed out yet). Otherwise,
   * when both sides dialled at once, keep the link dialled by the lower peer ID — both ends agree
   * on that; when the same side dialled both (a redial), keep the newer one.
   */
  #duplicateLoser(older: MeshLink, newer: MeshLink): MeshLink {
    if (Date.now() - older.lastHeardAt > PING_INTERVAL_MS) return older;
    if (older.link.isDialer === newer.link.isDialer) return older;
    const isLocalLower = newer.link.localId < newer.link.remoteId;
    return older.link.isDialer === isLocalLower ? newer : older;
  }

  #handleClose(ml: MeshLink, reason: string): void {
    const wasReady = ml.phase === 'ready';
    ml.phase = 'closed';
    clearTimeout(ml.handshakeTimer);
    clearInterval(ml.pingTimer);
    this.#links.delete(ml);
    log.info('link closed', ml.link.remoteId, reason);
    if (wasReady && ml.peer) this.#handlers.onPeerGone(ml.peer, reason);
    if (reason !== 'duplicate link') this.#maybeRedial(ml);
    this.#pumpDials();
  }

  /** The dialler redials a member the server still lists, with backoff (DESIGN §7). */
  #maybeRedial(ml: MeshLink): void {
    const { room, remoteId, isDialer } = ml.link;
    const state = this.#rooms.get(room);
    if (this.#isStopped || !isDialer || !state || !state.present.has(remoteId)) return;
    if (state.redials.has(remoteId)) return;
    const attempt = state.attempts.get(remoteId) ?? 0;
    state.attempts.set(remoteId, attempt + 1);
    const delay = backoffDelayMs(attempt, REDIAL_BACKOFF_MIN_MS, REDIAL_BACKOFF_MAX_MS);
    state.redials.set(
      remoteId,
      setTimeout(() => {
        state.redials.delete(remoteId);
        if (state.present.has(remoteId)) this.#ensureLink(room, remoteId);
      }, delay),
    );
  }

  #forgetPresence(ml: MeshLink): void {
    const state = this.#rooms.get(ml.link.room);
    state?.present.delete(ml.link.remoteId);
    state?.attempts.delete(ml.link.remoteId);
  }

  /** `bye`, then close once it had a moment to leave (closing at once would drop it). */
  #sayByeAndClose(ml: MeshLink, reason: string): void {
    if (ml.phase === 'ready') this.#sendFrame(ml, { type: 'bye' });
    setTimeout(() => ml.link.close(reason), BYE_FLUSH_MS);
  }

  #clearTimers(state: RoomState): void {
    for (const timer of state.redials.values()) clearTimeout(timer);
    state.redials.clear();
    clearTimeout(state.rejoin);
    state.rejoin = undefined;
  }

  #sendFrame(ml: MeshLink, frame: PeerFrame): boolean {
    return ml.link.send(encodePeerFrame(frame));
  }
}
