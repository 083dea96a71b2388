/**
 * One data link of the mesh and its handshake (DESIGN §4): hello → auth (proof of the room
 * secret, bound to this very connection) → identity (key and profile, revealed only to a peer
 * that proved the secret). The mesh (room-mesh.ts) owns the links; this module runs their steps.
 */
import {
  authTranscript,
  checkIdentity,
  checkRoom,
  newNonce,
  proveIdentity,
  proveRoom,
  type HandshakeRole,
} from '../crypto/handshake';
import { verifyDeviceChain } from '../crypto/device';
import { fingerprintOf, importPublicKey } from '../crypto/identity';
import { createLogger } from '../log';
import type { ParsedPeerFrame, PeerFrame } from '../protocol/peer-frames';
import type { MeshIdentity, MeshPeer } from './room-mesh';
import type { Link } from './transport';
import type { RoomKey } from '../protocol/ids';

const log = createLogger('mesh');

/** Where a link is in its life. */
export type LinkPhase = 'opening' | 'hello' | 'room-proven' | 'ready' | 'closed';

/** One link and its handshake/liveness state. */
export class MeshLink {
  phase: LinkPhase = 'opening';
  readonly nonce = newNonce();
  remoteNonce: string | null = null;
  transcript: Uint8Array | null = null;
  isRoomProofSent = false;
  isRemoteRoomProven = false;
  peer: MeshPeer | null = null;
  lastHeardAt = Date.now();
  chain: Promise<void> = Promise.resolve();
  handshakeTimer: ReturnType<typeof setTimeout> | undefined;
  pingTimer: ReturnType<typeof setInterval> | undefined;

  constructor(readonly link: Link) {}

  get role(): HandshakeRole {
    return this.link.isDialer ? 'dialer' : 'acceptor';
  }

  get remoteRole(): HandshakeRole {
    return this.link.isDialer ? 'acceptor' : 'dialer';
  }
}

/** What a handshake step needs of the mesh. */
export interface HandshakeContext {
  /** Who we are on the wire. */
  identity: MeshIdentity;
  /** The secret of a room we are in. */
  secretFor(room: RoomKey): string | undefined;
  /** Sends a frame on this link. */
  send(frame: PeerFrame): void;
  /** Whether the proven member may use the link. */
  admits(peer: MeshPeer): boolean;
  /** The member is authenticated and admitted. */
  becomeReady(peer: MeshPeer): void;
}

/**
 * hello → auth (room proof) → identity (who we are). We reveal our key and name only after the
 * remote proved the room secret on this very connection (DESIGN §4).
 */
export async function stepHandshake(
  ml: MeshLink,
  frame: ParsedPeerFrame,
  ctx: HandshakeContext,
): Promise<void> {
  const secret = ctx.secretFor(ml.link.room);
  if (!secret) {
    ml.link.close('no secret for room');
    return;
  }
  if (frame.type === 'hello' && ml.remoteNonce === null) {
    const binding = ml.link.channelBinding();
    if (!binding) {
      ml.link.close('no channel binding');
      return;
    }
    ml.remoteNonce = frame.nonce;
    const local = { peerId: ml.link.localId, nonce: ml.nonce };
    const remote = { peerId: ml.link.remoteId, nonce: frame.nonce };
    ml.transcript = authTranscript({
      roomKey: ml.link.room,
      binding,
      dialer: ml.link.isDialer ? local : remote,
      acceptor: ml.link.isDialer ? remote : local,
    });
    const mac = await proveRoom({ transcript: ml.transcript, role: ml.role, roomSecret: secret });
    if (ml.phase === 'closed') return;
    ctx.send({ type: 'auth', mac });
    ml.isRoomProofSent = true;
    await maybeRevealIdentity(ml, ctx);
    return;
  }
  if (frame.type === 'auth' && ml.transcript && !ml.isRemoteRoomProven) {
    const isValid = await checkRoom({
      transcript: ml.transcript,
      role: ml.remoteRole,
      roomSecret: secret,
      mac: frame.mac,
    });
    if (!isValid) {
      // Wrong room secret, or a relay in the middle: it learns nothing about us (DESIGN §4).
      log.warn('a peer failed the room proof; disconnecting', ml.link.remoteId);
      ml.link.close('authentication failed');
      return;
    }
    ml.isRemoteRoomProven = true;
    await maybeRevealIdentity(ml, ctx);
    return;
  }
  if (frame.type === 'identity' && ml.transcript && ml.phase === 'room-proven') {
    const publicKey = await importPublicKey(frame.key).catch(() => null);
    const claim = { spki: frame.key, profile: frame.profile };
    const isValid =
      publicKey !== null &&
      (await checkIdentity({
        transcript: ml.transcript,
        role: ml.remoteRole,
        publicKey,
        claim,
        sig: frame.sig,
      }));
    if (!isValid) {
      log.warn('a peer failed the identity proof; disconnecting', ml.link.remoteId);
      ml.link.close('identity proof failed');
      return;
    }
    // A device of an identity (DESIGN §4 "Devices") shows the links that lead to it; a chain
    // that does not hold is a lie about who it is.
    const root = frame.devices ? await verifyDeviceChain(frame.devices, frame.key) : null;
    if (frame.devices && !root) {
      log.warn('a peer failed the device proof; disconnecting', ml.link.remoteId);
      ml.link.close('device proof failed');
      return;
    }
    const peer: MeshPeer = {
      peerId: ml.link.remoteId,
      room: ml.link.room,
      fingerprint: await fingerprintOf(frame.key),
      spki: frame.key,
      profile: frame.profile,
      ...(root ? { root } : {}),
    };
    if (!ctx.admits(peer)) {
      log.warn('refused a member this room does not admit', ml.link.remoteId);
      ml.link.close('not admitted');
      return;
    }
    ctx.becomeReady(peer);
    return;
  }
  ml.link.close(`unexpected ${frame.type} during the handshake`);
}

async function maybeRevealIdentity(ml: MeshLink, ctx: HandshakeContext): Promise<void> {
  if (!ml.isRoomProofSent || !ml.isRemoteRoomProven || !ml.transcript) return;
  if (ml.phase !== 'hello') return;
  ml.phase = 'room-proven';
  const { spki, profile, privateKey, devices } = ctx.identity;
  const sig = await proveIdentity({
    transcript: ml.transcript,
    role: ml.role,
    privateKey,
    claim: { spki, profile },
  });
  if (ml.phase === 'room-proven') {
    ctx.send({
      type: 'identity',
      key: spki,
      profile,
      sig,
      ...(devices ? { devices: [...devices] } : {}),
    });
  }
}
