/**
 * Identity keys (DESIGN §4): an ECDSA P-256 key pair per browser profile and its fingerprint
 * (safety numbers: safety-number.ts). Pure WebCrypto; persisting the keys is storage/'s job.
 */
import { base32, fromBase64Url, isBase64Url, toBase64Url } from '../encoding';
import type { Fingerprint } from '../protocol/ids';
import { SIGN_ALGORITHM } from './sign';

export { signBytes } from './sign';

const KEY_ALGORITHM: EcKeyImportParams = { name: 'ECDSA', namedCurve: 'P-256' };
const SIGNATURE_BYTES = 64;

/** This browser profile's signing identity. */
export interface IdentityKeys {
  /** Non-extractable ECDSA P-256 private key (can sign, can be stored in IndexedDB, never exported). */
  privateKey: CryptoKey;
  /** The matching public key. */
  publicKey: CryptoKey;
  /** The public key as base64url SPKI, as sent in `hello`. */
  spki: string;
  /** base32(SHA-256(SPKI)), 52 chars: the identity's stable name. */
  fingerprint: Fingerprint;
}

/** Makes a new identity: ECDSA P-256, private key non-extractable. */
export async function createIdentityKeys(): Promise<IdentityKeys> {
  const pair = await crypto.subtle.generateKey(KEY_ALGORITHM, false, ['sign', 'verify']);
  const spki = toBase64Url(new Uint8Array(await crypto.subtle.exportKey('spki', pair.publicKey)));
  return {
    privateKey: pair.privateKey,
    publicKey: pair.publicKey,
    spki,
    fingerprint: await fingerprintOf(spki),
  };
}

/** base32(SHA-256(SPKI bytes)), 52 chars; rejects when `spki` is not base64url. */
export async function fingerprintOf(spki: string): Promise<Fingerprint> {
  const digest = await crypto.subtle.digest('SHA-256', fromBase64Url(spki));
  return base32(new Uint8Array(digest)) as Fingerprint;
}

/** Imports a base64url SPKI ECDSA P-256 public key for verifying; rejects when it is not one. */
export async function importPublicKey(spki: string): Promise<CryptoKey> {
  return crypto.subtle.importKey('spki', fromBase64Url(spki), KEY_ALGORITHM, true, ['verify']);
}

/** Checks a `signBytes` signature; false (never a rejection) on a bad, malformed or foreign signature. */
export async function verifyBytes(
  publicKey: CryptoKey,
  sig: string,
  bytes: Uint8Array<ArrayBuffer>,
): Promise<boolean> {
  if (!isBase64Url(sig, SIGNATURE_BYTES)) return false;
  try {
    return await crypto.subtle.verify(SIGN_ALGORITHM, publicKey, fromBase64Url(sig), bytes);
  } catch {
    // Wrong key type or usage: for a verifier that is simply "not valid".
    return false;
  }
}
