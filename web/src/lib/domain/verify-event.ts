/**
 * Verifying received events (DESIGN §6): each against its author's public key, imported and
 * fingerprinted once per key. Used by the sync engine and its Worker (loaded with the network),
 * not by the first screen.
 */
import { fingerprintOf, importPublicKey, verifyBytes } from '../crypto/identity';
import type { StoredEvent, Unverified } from '../protocol/events';
import type { Fingerprint } from '../protocol/ids';
import { canonicalEventBytes } from './events';

interface KnownKey {
  fingerprint: Fingerprint;
  publicKey: CryptoKey;
}

const KEY_CACHE_LIMIT = 256;
const keyCache = new Map<string, Promise<KnownKey | null>>();

/** Imports and fingerprints an SPKI once; null when it is not a usable P-256 key. */
function knownKey(spki: string): Promise<KnownKey | null> {
  let entry = keyCache.get(spki);
  if (!entry) {
    entry = Promise.all([fingerprintOf(spki), importPublicKey(spki)]).then(
      ([fingerprint, publicKey]) => ({ fingerprint, publicKey }),
      () => null,
    );
    if (keyCache.size >= KEY_CACHE_LIMIT) {
      const oldest = keyCache.keys().next();
      if (!oldest.done) keyCache.delete(oldest.value);
    }
    keyCache.set(spki, entry);
  }
  return entry;
}

/**
 * Verifies a received event against its author's public key: the key's fingerprint must be the
 * event's `author` and the signature must cover the event. The verified event (a fresh object
 * with only the signed fields and the signature), or null. Events of kinds this build does not
 * know are verified the same way (their body as signed).
 */
export async function verifyEvent(
  e: Unverified<StoredEvent>,
  spki: string,
): Promise<StoredEvent | null> {
  const key = await knownKey(spki);
  if (!key || key.fingerprint !== e.author) return null;
  const verified = signedCopy(e);
  const { sig, ...unsigned } = verified;
  const isValid = await verifyBytes(key.publicKey, sig, canonicalEventBytes(unsigned));
  return isValid ? verified : null;
}

/**
 * A fresh object with only the signed fields of `e` and its signature: what a verified event is
 * stored as (see `verifyEvent`; also built from a verdict reached elsewhere, in a Worker).
 */
export function signedCopy(e: Unverified<StoredEvent>): StoredEvent {
  const { v, conv, author, seq, hlc, kind, body, sig } = e;
  return { v, conv, author, seq, hlc, kind, body, sig };
}
