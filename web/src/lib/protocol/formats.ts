/**
 * Valibot schemas for the scalar formats shared by every channel (ids, keys, signatures, clocks).
 * Each one accepts exactly the canonical spelling the sender produces, nothing looser.
 */
import * as v from 'valibot';
import { isBase64Url } from '../encoding';
import { isHlcString } from '../domain/hlc';
import { isDisplayName } from './display-name';
import {
  FINGERPRINT_CHARS,
  MAX_NAME_CHARS,
  MAX_PEER_ID_CHARS,
  MAX_SPKI_CHARS,
  MAX_TEXT_CHARS,
} from './limits';

/** A base64url string that decodes to exactly `byteLength` bytes. */
export function base64UrlBytesSchema(byteLength: number, what: string) {
  return v.pipe(
    v.string(),
    v.check(
      (s) => isBase64Url(s, byteLength),
      `${what}: expected ${byteLength} bytes of base64url`,
    ),
  );
}

/** A room key / conversation id: base64url of a SHA-256 digest (43 chars). */
export const roomKeySchema = base64UrlBytesSchema(32, 'room key');

/** A call's ID: 16 random bytes, base64url (DESIGN §8). */
export const callIdSchema = base64UrlBytesSchema(16, 'call id');

/** A room or pair secret: 16 random bytes, base64url (the fragment of a room link). */
export const roomSecretSchema = base64UrlBytesSchema(16, 'room secret');

/** A room secret that commits to its owner (crypto/room-keys.ts `newOwnedRoomSecret`). */
export const ownedRoomSecretSchema = base64UrlBytesSchema(32, 'owned room secret');

/** An identity fingerprint: base32 of a SHA-256 digest (52 chars, last one A or Q). */
export const fingerprintSchema = v.pipe(
  v.string(),
  v.length(FINGERPRINT_CHARS),
  v.regex(/^[A-Z2-7]{51}[AQ]$/, 'fingerprint: expected base32 of 32 bytes'),
);

/** A public key as base64url SPKI (the key itself is checked when imported). */
export const spkiSchema = v.pipe(
  v.string(),
  v.minLength(1),
  v.maxLength(MAX_SPKI_CHARS),
  v.check((s) => isBase64Url(s), 'spki: expected base64url'),
);

/** A raw (IEEE P1363) ECDSA P-256 signature: 64 bytes as base64url. */
export const signatureSchema = base64UrlBytesSchema(64, 'signature');

/** A handshake nonce: 32 bytes as base64url. */
export const nonceSchema = base64UrlBytesSchema(32, 'nonce');

/** An HMAC-SHA-256 tag: 32 bytes as base64url. */
export const macSchema = base64UrlBytesSchema(32, 'mac');

/** An encoded hybrid logical clock, "MMMMMMMMMMMMMMM-CCCCC". */
export const hlcSchema = v.pipe(
  v.string(),
  v.check((s) => isHlcString(s), 'hlc: expected 15-5 digits'),
);

/** A per-author sequence number: 1, 2, 3, … */
export const seqSchema = v.pipe(v.number(), v.safeInteger(), v.minValue(1));

/** A display name (see {@link isDisplayName}). */
export const nameSchema = v.pipe(
  v.string(),
  v.check(isDisplayName, `name: expected 1–${MAX_NAME_CHARS} visible characters, trimmed`),
);

/** An avatar colour, "#rrggbb". */
export const colorSchema = v.pipe(
  v.string(),
  v.regex(/^#[0-9a-fA-F]{6}$/, 'color: expected #rrggbb'),
);

/** The text of a message. */
export const messageTextSchema = v.pipe(v.string(), v.maxLength(MAX_TEXT_CHARS));

/** A PeerJS peer id (same rule as peerjs's `util.validateId`). */
export const peerIdSchema = v.pipe(
  v.string(),
  v.maxLength(MAX_PEER_ID_CHARS),
  v.regex(/^[A-Za-z0-9]+(?:[ _-][A-Za-z0-9]+)*$/, 'peer id: invalid characters'),
);
