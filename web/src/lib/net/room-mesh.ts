/**
 * The mesh of authenticated data connections for every room this tab is in (DESIGN §3, §4, §7):
 * dialling the peers a room lists, the hello/auth handshake, ping and silence detection,
 * duplicate-link tie-break and redial. It hands the app only frames from authenticated peers.
 */
import {
  DIAL_TIMEOUT_MS,
  PEER_SILENCE_DEAD_MS,
  PING_INTERVAL_MS,
  REDIAL_BACKOFF_MAX_MS,
  REDIAL_BACKOFF_MIN_MS,
} from '../config';
import { authTranscript, checkAuth, newNonce, proveAuth } from '../crypto/handshake';
import type { HandshakeSide } from '../crypto/handshake';
import { fingerprintOf, importPublicKey } from '../crypto/identity';
import { createLogger } from '../log';
import { assertNever } from '../protocol/assert-never';
import { PROTOCOL_VERSION } from '../protocol/events';
import { encodePeerFrame, parsePeerFrame } from '../protocol/peer-frames';
import type { ParsedPeerFrame, PeerFrame } from '../protocol/peer-frames';
import { backoffDelayMs } from './backoff';
import type { Link, RoomSignal, SignalStatus, Transport } from './transport';

const log = createLogger('mesh');

/** Who we are on the wire. */
export interface MeshIdentity {
  /** ECDSA P-256 signing key (non-extractable). */
  privateKey: CryptoKey;
  /** base64url SPKI of the public key. */
  spki: string;
  /** base32 SHA-256 of the SPKI. */
  fingerprint: string;
  /** Display name and avatar colour sent in `hello`. */
  profile: { name: string; color: string };
}

/** An authenticated remote member on one link. */
export interface MeshPeer {
  /** The remote peer's session ID. */
  peerId: string;
  /** The room the link belongs to. */
  room: string;
  /** The remote identity's fingerprint (proven by the handshake). */
  fingerprint: string;
  /** The remote identity's public key (base64url SPKI). */
  spki: string;
  /** The profile the remote sent in its hello. */
  profile: { name: string; color: string };
}

/** Frames that reach the app: everything after the handshake except the mesh's own. */
export type AppFrame = Exclude<
  ParsedPeerFrame,
  { type: 'hello' } | { type: 'auth' } | { type: 'ping' } | { type: 'pong' } | { type: 'bye' }
>;

/** What the mesh reports. */
export interface MeshHandlers {
  /** A member passed the handshake on a link and may now exchange frames. */
  onPeerReady(peer: MeshPeer): void;
  /** An authenticated link closed. */
  onPeerGone(peer: MeshPeer, reason: string): void;
  /** An app frame from an authenticated member. */
  onFrame(peer: MeshPeer, frame: AppFrame): void;
  /** Signal server state. */
  onStatus(status: SignalStatus): void;
  /** The signal server refused a room: 'full', or its error reason (bad key, too many rooms). */
  onRoomRefused(room: string | null, reason: string): void;
}

type LinkPhase = 'opening' | 'handshaking' | 'ready' | 'closed';

interface RemoteHello {
  spki: string;
  fingerprint: string;
  publicKey: CryptoKey;
  nonce: string;
  profile: { name: string; color: string };
}

/** One link and its handshake/liveness state. */
class MeshLink {
  phase: LinkPhase = 'opening';
  readonly nonce = newNonce();
  remote: RemoteHello | null = null;
  isAuthSent = false;
  isRemoteAuthed = false;
  peer: MeshPeer | null = null;
  lastHeardAt = Date.now();
  chain: Promise<void> = Promise.resolve();
  handshakeTimer: ReturnType<typeof setTimeout> | undefined;
  pingTimer: ReturnType<typeof setInterval> | undefined;

  constructor(readonly link: Link) {}
}

/** Room membership and redial state as the signal server told us. */
interface RoomState {
  /** Peers the server says are in the room (joiners dial these; DESIGN §3). */
  present: Set<string>;
  /** Redial attempts per remote peer. */
  attempts: Map<string, number>;
  /** Pending redial timers per remote peer. */
  redials: Map<string, ReturnType<typeof setTimeout>>;
}

/** Owns every data connection of this tab; one per (room, remote peer) once settled. */
export class RoomMesh {
  #transport: Transport;
  #identity: MeshIdentity;
  #secretFor: (room: string) => string | undefined;
  #handlers: MeshHandlers;
  #rooms = new Map<string, RoomState>();
  #links = new Set<MeshLink>();
  #isStopped = false;

  constructor(args: {
    transport: Transport;
    identity: MeshIdentity;
    secretFor: (room: string) => string | undefined;
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
      onStatus: (status) => this.#handlers.onStatus(status),
      onRoomSignal: (signal) => this.#handleRoomSignal(signal),
      onIncoming: (link) => this.#adopt(link),
    });
  }

  /** Joins a room whose secret `secretFor` knows. */
  join(room: string): void {
    if (!this.#rooms.has(room)) {
      this.#rooms.set(room, { present: new Set(), attempts: new Map(), redials: new Map() });
    }
    this.#transport.joinRoom(room);
  }

  /** Leaves a room, saying goodbye on its links. */
  leave(room: string): void {
    const state = this.#rooms.get(room);
    if (!state) return;
    for (const timer of state.redials.values()) clearTimeout(timer);
    this.#rooms.delete(room);
    for (const ml of [...this.#links]) {
      if (ml.link.room === room) {
        this.#sendFrame(ml, { type: 'bye' });
        ml.link.close('left the room');
      }
    }
    this.#transport.leaveRoom(room);
  }

  /** Updates the profile sent in future hellos. */
  setProfile(profile: { name: string; color: string }): void {
    this.#identity = { ...this.#identity, profile };
  }

  /** Authenticated members currently linked in a room. */
  peersIn(room: string): MeshPeer[] {
    const peers: MeshPeer[] = [];
    for (const ml of this.#links) {
      if (ml.phase === 'ready' && ml.peer && ml.link.room === room) peers.push(ml.peer);
    }
    return peers;
  }

  /** Sends a frame to every authenticated member of a room; returns how many got it. */
  broadcast(room: string, frame: PeerFrame): number {
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

  /** Tries the signal server now (network back, page visible). */
  nudge(): void {
    this.#transport.nudge();
  }

  /** Says goodbye on every link (page is going away). */
  sayGoodbye(): void {
    for (const ml of this.#links) if (ml.phase === 'ready') this.#sendFrame(ml, { type: 'bye' });
  }

  /** Closes everything. */
  stop(): void {
    this.#isStopped = true;
    this.sayGoodbye();
    for (const state of this.#rooms.values()) {
      for (const timer of state.redials.values()) clearTimeout(timer);
    }
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
        return;
      }
      case 'joined':
        this.#rooms.get(signal.room)?.present.add(signal.peer);
        return;
      case 'left': {
        // Only the signal socket is gone; a live data link stays until it falls silent (§7).
        const state = this.#rooms.get(signal.room);
        state?.present.delete(signal.peer);
        const timer = state?.redials.get(signal.peer);
        if (timer !== undefined) clearTimeout(timer);
        state?.redials.delete(signal.peer);
        return;
      }
      case 'full':
        this.#handlers.onRoomRefused(signal.room, 'full');
        return;
      case 'error':
        this.#handlers.onRoomRefused(signal.room, signal.reason);
        return;
      default:
        assertNever(signal);
    }
  }

  #ensureLink(room: string, peerId: string): void {
    if (this.#isStopped || !this.#rooms.has(room)) return;
    if (peerId === this.#transport.peerId) return;
    for (const ml of this.#links) {
      if (ml.link.room === room && ml.link.remoteId === peerId && ml.phase !== 'closed') return;
    }
    this.#adopt(this.#transport.dial(peerId, room));
  }

  #adopt(link: Link): void {
    if (!this.#secretFor(link.room) || !this.#rooms.has(link.room)) {
      link.close('not in this room');
      return;
    }
    const ml = new MeshLink(link);
    this.#links.add(ml);
    ml.handshakeTimer = setTimeout(() => {
      if (ml.phase !== 'ready') link.close('handshake timed out');
    }, DIAL_TIMEOUT_MS);
    link.setHandlers({
      onOpen: () => {
        ml.phase = 'handshaking';
        ml.lastHeardAt = Date.now();
        this.#sendFrame(ml, {
          type: 'hello',
          protocol: PROTOCOL_VERSION,
          key: this.#identity.spki,
          profile: this.#identity.profile,
          nonce: ml.nonce,
        });
      },
      onText: (text) => {
        ml.lastHeardAt = Date.now();
        // Handshake steps await WebCrypto; keep each link's frames strictly in order.
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
    if (ml.phase === 'closed') return;
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
        ml.link.close('handshake frame after the handshake');
        return;
      default:
        if (ml.peer) this.#handlers.onFrame(ml.peer, frame);
    }
  }

  async #handleHandshake(ml: MeshLink, frame: ParsedPeerFrame): Promise<void> {
    const secret = this.#secretFor(ml.link.room);
    if (!secret) {
      ml.link.close('no secret for room');
      return;
    }
    if (frame.type === 'hello' && !ml.remote) {
      if (frame.protocol !== PROTOCOL_VERSION) {
        ml.link.close(`unsupported protocol ${String(frame.protocol)}`);
        return;
      }
      const publicKey = await importPublicKey(frame.key).catch(() => null);
      if (!publicKey) {
        ml.link.close('unusable public key');
        return;
      }
      ml.remote = {
        spki: frame.key,
        fingerprint: await fingerprintOf(frame.key),
        publicKey,
        nonce: frame.nonce,
        profile: frame.profile,
      };
      const proof = await proveAuth({
        transcript: this.#transcript(ml),
        role: ml.link.isDialer ? 'dialer' : 'acceptor',
        privateKey: this.#identity.privateKey,
        roomSecret: secret,
      });
      if (ml.phase === 'closed') return;
      this.#sendFrame(ml, { type: 'auth', sig: proof.sig, mac: proof.mac });
      ml.isAuthSent = true;
    } else if (frame.type === 'auth' && ml.remote && !ml.isRemoteAuthed) {
      const isValid = await checkAuth({
        transcript: this.#transcript(ml),
        role: ml.link.isDialer ? 'acceptor' : 'dialer',
        publicKey: ml.remote.publicKey,
        roomSecret: secret,
        proof: { sig: frame.sig, mac: frame.mac },
      });
      if (!isValid) {
        // Wrong room secret or a key it cannot prove: it sees nothing more (DESIGN §4).
        log.warn('a peer failed the room handshake; disconnecting', ml.link.remoteId);
        ml.link.close('authentication failed');
        return;
      }
      ml.isRemoteAuthed = true;
    } else {
      ml.link.close(`unexpected ${frame.type} during the handshake`);
      return;
    }
    if (ml.isAuthSent && ml.isRemoteAuthed && ml.remote) this.#becomeReady(ml, ml.remote);
  }

  #transcript(ml: MeshLink): Uint8Array {
    const remote = ml.remote;
    if (!remote) throw new Error('transcript before hello');
    const localId = this.#transport.peerId ?? '';
    const local: HandshakeSide = { peerId: localId, nonce: ml.nonce, spki: this.#identity.spki };
    const other: HandshakeSide = {
      peerId: ml.link.remoteId,
      nonce: remote.nonce,
      spki: remote.spki,
    };
    return authTranscript({
      roomKey: ml.link.room,
      dialer: ml.link.isDialer ? local : other,
      acceptor: ml.link.isDialer ? other : local,
    });
  }

  #becomeReady(ml: MeshLink, remote: RemoteHello): void {
    clearTimeout(ml.handshakeTimer);
    ml.phase = 'ready';
    ml.peer = {
      peerId: ml.link.remoteId,
      room: ml.link.room,
      fingerprint: remote.fingerprint,
      spki: remote.spki,
      profile: remote.profile,
    };
    this.#rooms.get(ml.link.room)?.attempts.delete(ml.link.remoteId);
    // Exactly one link per (room, peer): on a duplicate, keep the one dialled by the lower peer
    // ID, or the newer one when the same side dialled both (a redial).
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
    this.#handlers.onPeerReady(ml.peer);
  }

  #duplicateLoser(older: MeshLink, newer: MeshLink): MeshLink {
    if (older.link.isDialer === newer.link.isDialer) return older;
    const localId = this.#transport.peerId ?? '';
    const remoteId = newer.link.remoteId;
    const lowerIsLocal = localId < remoteId;
    // Keep the link dialled by the lower ID; drop the other.
    const keepDialerIsLocal = lowerIsLocal;
    return older.link.isDialer === keepDialerIsLocal ? newer : older;
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
    this.#rooms.get(ml.link.room)?.present.delete(ml.link.remoteId);
  }

  #sendFrame(ml: MeshLink, frame: PeerFrame): boolean {
    return ml.link.send(encodePeerFrame(frame));
  }
}
