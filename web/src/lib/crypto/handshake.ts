/**
 * The connection handshake (DESIGN §4), in two stages so that nothing about us reaches a peer who
 * has not proven the room secret:
 * 1. Both sides send `hello {nonce}`, then `auth {mac}`: HMAC-SHA-256 over (role tag ‖
 *    transcript) with a key derived by HKDF from the room secret. The transcript binds the room,
 *    both peer ids, both nonces and the channel binding (both DTLS certificate fingerprints), so a
 *    signal server that relays the WebRTC offers through itself cannot pass the proofs along.
 * 2. Only after the remote's MAC checks, each side sends `identity {key, profile, sig}`: ECDSA
 *    over (role tag ‖ transcript ‖ key ‖ profile) with the identity key, proving the key holder is
 *    live on this very connection and fixing the profile it presented.
 * The role tag stops a side from reflecting the other's proof back; the MAC key is unrelated to
 * the room key the server sees.
 */
import { concatBytes, fromBase64Url, isBase64Url, toBase64Url, utf8 } from '../encoding';
import { signBytes, verifyBytes } from './identity';

/** Bytes of randomness in a handshake nonce. */
export const NONCE_BYTES = 32;

/** Shortest room/pair secret accepted as MAC key material (128 bits). */
const MIN_SECRET_BYTES = 16;
const MAC_BYTES = 32;
const TRANSCRIPT_LABEL = 'parley-auth-v1';
const MAC_SALT = utf8('parley-auth-mac-v1');
const MAC_INFO = utf8('hmac-sha-256 key');

/** Which end of the connection: the joiner dials, the member accepts (DESIGN §3). */
export type HandshakeRole = 'dialer' | 'acceptor';

/** One side's contribution to the transcript. */
export interface HandshakeSide {
  /** Its PeerJS peer id on this connection. */
  peerId: string;
  /** The nonce from its `hello`. */
  nonce: string;
}

/** What a side proves about itself in the `identity` frame. */
export interface IdentityClaim {
  /** The identity public key, base64url SPKI. */
  spki: string;
  /** The display profile it presents. */
  profile: { name: string; color: string };
}

/** A fresh handshake nonce: 32 random bytes as base64url. */
export function newNonce(): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(NONCE_BYTES)));
}

/**
 * The canonical transcript both sides prove: a JSON array of strings led by "parley-auth-v1".
 * `binding` is the link's channel binding (see `Link.channelBinding`).
 */
export function authTranscript(args: {
  roomKey: string;
  binding: string;
  dialer: HandshakeSide;
  acceptor: HandshakeSide;
}): Uint8Array<ArrayBuffer> {
  const { roomKey, binding, dialer, acceptor } = args;
  // JSON string escaping makes the field boundaries unambiguous whatever the values contain.
  return utf8(
    JSON.stringify([
      TRANSCRIPT_LABEL,
      roomKey,
      binding,
      dialer.peerId,
      dialer.nonce,
      acceptor.peerId,
      acceptor.nonce,
    ]),
  );
}

function roleTagged(role: HandshakeRole, transcript: Uint8Array): Uint8Array<ArrayBuffer> {
  // The transcript starts with '[', so "dialer\n" / "acceptor\n" cannot be confused with it.
  return concatBytes(utf8(`${role}\n`), transcript);
}

async function macKey(roomSecret: string, usage: 'sign' | 'verify'): Promise<CryptoKey> {
  if (!isBase64Url(roomSecret)) throw new TypeError('room secret is not base64url');
  const secret = fromBase64Url(roomSecret);
  if (secret.length < MIN_SECRET_BYTES) throw new TypeError('room secret too short');
  const ikm = await crypto.subtle.importKey('raw', secret, 'HKDF', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: MAC_SALT, info: MAC_INFO },
    ikm,
    { name: 'HMAC', hash: 'SHA-256', length: 256 },
    false,
    [usage],
  );
}

/** Our room proof (the `auth` frame's mac) for `role`, our own role. */
export async function proveRoom(args: {
  transcript: Uint8Array;
  role: HandshakeRole;
  roomSecret: string;
}): Promise<string> {
  const key = await macKey(args.roomSecret, 'sign');
  const mac = await crypto.subtle.sign('HMAC', key, roleTagged(args.role, args.transcript));
  return toBase64Url(new Uint8Array(mac));
}

/** Checks the remote's room proof; `role` is the REMOTE side's role. False, never a rejection. */
export async function checkRoom(args: {
  transcript: Uint8Array;
  role: HandshakeRole;
  roomSecret: string;
  mac: string;
}): Promise<boolean> {
  if (!isBase64Url(args.mac, MAC_BYTES)) return false;
  try {
    const key = await macKey(args.roomSecret, 'verify');
    return await crypto.subtle.verify(
      'HMAC',
      key,
      fromBase64Url(args.mac),
      roleTagged(args.role, args.transcript),
    );
  } catch {
    // A malformed secret means the proof cannot be accepted.
    return false;
  }
}

function identityMessage(
  role: HandshakeRole,
  transcript: Uint8Array,
  claim: IdentityClaim,
): Uint8Array<ArrayBuffer> {
  const { spki, profile } = claim;
  const claimed = utf8(`\n${JSON.stringify([spki, profile.name, profile.color])}`);
  return concatBytes(roleTagged(role, transcript), claimed);
}

/** Our identity proof (the `identity` frame's sig) for `role`, our own role. */
export async function proveIdentity(args: {
  transcript: Uint8Array;
  role: HandshakeRole;
  privateKey: CryptoKey;
  claim: IdentityClaim;
}): Promise<string> {
  return signBytes(args.privateKey, identityMessage(args.role, args.transcript, args.claim));
}

/**
 * Checks the remote's identity proof; `role` is the REMOTE side's role and `publicKey` the key
 * imported from its claim. False, never a rejection.
 */
export async function checkIdentity(args: {
  transcript: Uint8Array;
  role: HandshakeRole;
  publicKey: CryptoKey;
  claim: IdentityClaim;
  sig: string;
}): Promise<boolean> {
  if (!isBase64Url(args.sig)) return false;
  return verifyBytes(
    args.publicKey,
    args.sig,
    identityMessage(args.role, args.transcript, args.claim),
  );
}
