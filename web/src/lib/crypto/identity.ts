/**
 * Identity keys (DESIGN §4): an ECDSA P-256 key pair per browser profile, its fingerprint and
 * safety numbers. Pure WebCrypto; persisting the keys is storage/'s job.
 */
import { base32, concatBytes, fromBase64Url, isBase64Url, toBase64Url, utf8 } from '../encoding';
import type { Fingerprint } from '../protocol/ids';

const KEY_ALGORITHM: EcKeyImportParams = { name: 'ECDSA', namedCurve: 'P-256' };
const SIGN_ALGORITHM: EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };
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

/** Signs `bytes` (ECDSA P-256, SHA-256); the base64url of the raw 64-byte r‖s signature. */
export async function signBytes(
  privateKey: CryptoKey,
  bytes: Uint8Array<ArrayBuffer>,
): Promise<string> {
  return toBase64Url(new Uint8Array(await crypto.subtle.sign(SIGN_ALGORITHM, privateKey, bytes)));
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

const SAFETY_LABEL = utf8('parley-safety-v1');

/** 30 digits for one fingerprint: six 5-digit groups from SHA-512(label ‖ fingerprint). */
async function safetyDigits(fingerprint: string): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest('SHA-512', concatBytes(SAFETY_LABEL, utf8(fingerprint))),
  );
  let digits = '';
  for (let chunk = 0; chunk < 6; chunk++) {
    let n = 0;
    for (let i = 0; i < 5; i++) n = n * 256 + digest[chunk * 5 + i]!;
    digits += String(n % 100_000).padStart(5, '0');
  }
  return digits;
}

/**
 * The safety number two people compare to verify each other: 60 digits in groups of 5, the same
 * whichever side computes it (each half belongs to one person, lower half first, as in Signal).
 */
export async function safetyNumber(fpA: string, fpB: string): Promise<string> {
  const halves = [await safetyDigits(fpA), await safetyDigits(fpB)].sort();
  return halves.join('').replace(/(\d{5})(?=\d)/g, '$1 ');
}
