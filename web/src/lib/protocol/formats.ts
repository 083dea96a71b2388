/**
 * Valibot schemas for the scalar formats shared by every channel (ids, keys, signatures, clocks).
 * Each one accepts exactly the canonical spelling the sender produces, nothing looser.
 */
import * as v from 'valibot';
import {
  fingerprintSchema,
  ownedRoomSecretSchema,
  peerIdSchema,
  roomKeySchema,
  shortRoomSecretSchema,
} from './ids';

/** The ids (ids.ts), for the schemas built from them. */
export { fingerprintSchema, ownedRoomSecretSchema, peerIdSchema, roomKeySchema };
/** A pair secret (or a room secret of the first builds): 16 random bytes, base64url. */
export const roomSecretSchema = shortRoomSecretSchema;
import { isBase64Url } from '../encoding';
import { isHlcString } from '../domain/hlc';
import { isDisplayName } from './display-name';
import { MAX_NAME_CHARS, MAX_SPKI_CHARS, MAX_TEXT_CHARS } from './limits';

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

/** A call's ID: 16 random bytes, base64url (DESIGN §8). */
export const callIdSchema = base64UrlBytesSchema(16, 'call id');

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
