/**
 * The connection handshake (DESIGN §4). Both sides send `hello {key, nonce}`, then `auth` with:
 * - sig: ECDSA over (role tag ‖ transcript) with the identity key, proving the key holder is live
 *   on this very connection (the transcript binds both nonces and both peer ids);
 * - mac: HMAC-SHA-256 over (role tag ‖ transcript) keyed from the room secret, proving membership.
 * The role tag stops a side from reflecting the other's proof back; the MAC key is derived with
 * HKDF under its own label, so it is unrelated to the room key the server sees.
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
  /** The identity public key (base64url SPKI) from its `hello`. */
  spki: string;
}

/** A handshake proof as carried in the `auth` frame. */
export interface AuthProof {
  /** base64url ECDSA signature. */
  sig: string;
  /** base64url HMAC-SHA-256 tag. */
  mac: string;
}

/** A fresh handshake nonce: 32 random bytes as base64url. */
export function newNonce(): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(NONCE_BYTES)));
}

/** The canonical transcript both sides sign: a JSON array of strings led by "parley-auth-v1". */
export function authTranscript(args: {
  roomKey: string;
  dialer: HandshakeSide;
  acceptor: HandshakeSide;
}): Uint8Array<ArrayBuffer> {
  const { roomKey, dialer, acceptor } = args;
  // JSON string escaping makes the field boundaries unambiguous whatever the values contain.
  return utf8(
    JSON.stringify([
      TRANSCRIPT_LABEL,
      roomKey,
      dialer.peerId,
      dialer.nonce,
      dialer.spki,
      acceptor.peerId,
      acceptor.nonce,
      acceptor.spki,
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

/** Our `auth` proof for `role` (our own role); rejects only on a malformed room secret. */
export async function proveAuth(args: {
  transcript: Uint8Array;
  role: HandshakeRole;
  privateKey: CryptoKey;
  roomSecret: string;
}): Promise<AuthProof> {
  const message = roleTagged(args.role, args.transcript);
  const key = await macKey(args.roomSecret, 'sign');
  const [sig, mac] = await Promise.all([
    signBytes(args.privateKey, message),
    crypto.subtle.sign('HMAC', key, message),
  ]);
  return { sig, mac: toBase64Url(new Uint8Array(mac)) };
}

/**
 * Checks the remote side's proof; `role` is the REMOTE side's role and `publicKey` the key from
 * its `hello`. False (never a rejection) unless both the signature and the MAC are valid.
 */
export async function checkAuth(args: {
  transcript: Uint8Array;
  role: HandshakeRole;
  publicKey: CryptoKey;
  roomSecret: string;
  proof: AuthProof;
}): Promise<boolean> {
  const { proof } = args;
  if (typeof proof !== 'object' || proof === null) return false;
  if (!isBase64Url(proof.sig) || !isBase64Url(proof.mac, MAC_BYTES)) return false;
  const message = roleTagged(args.role, args.transcript);
  try {
    const key = await macKey(args.roomSecret, 'verify');
    const [isMacValid, isSigValid] = await Promise.all([
      crypto.subtle.verify('HMAC', key, fromBase64Url(proof.mac), message),
      verifyBytes(args.publicKey, proof.sig, message),
    ]);
    return isMacValid && isSigValid;
  } catch {
    // A malformed secret or an unusable key means the proof cannot be accepted.
    return false;
  }
}
