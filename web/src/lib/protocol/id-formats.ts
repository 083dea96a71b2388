/**
 * How each id is spelled (protocol/ids.ts brands them), as patterns and type guards that need no
 * schema library, so the first screen can tell an id from any other string.
 */
import type { Fingerprint, PeerId, RoomKey, RoomSecret } from './ids.js';
import { FINGERPRINT_CHARS, MAX_PEER_ID_CHARS } from './limits.js';

/**
 * base64url (no padding) of 32 bytes: 43 characters, and because 43 × 6 = 258 bits, the last
 * character carries only 4 data bits, so a canonical encoding ends in one of the 16 characters
 * whose low 2 bits are zero. Rejecting the other 48 keeps one spelling per value.
 */
export const BASE64URL_32_BYTES = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;

/** base64url of 16 bytes: 22 characters, the last carrying 2 data bits (low 4 bits zero). */
export const BASE64URL_16_BYTES = /^[A-Za-z0-9_-]{21}[AQgw]$/;

/** base32 of 32 bytes (52 characters, the last carrying 1 data bit: A or Q). */
export const FINGERPRINT_PATTERN = new RegExp(`^[A-Z2-7]{${FINGERPRINT_CHARS - 1}}[AQ]$`);

/** The rule of peerjs's `util.validateId`. */
export const PEER_ID_PATTERN = /^[A-Za-z0-9]+(?:[ _-][A-Za-z0-9]+)*$/;

/** True for a room key (base64url of 32 bytes). */
export function isRoomKey(value: unknown): value is RoomKey {
  return typeof value === 'string' && BASE64URL_32_BYTES.test(value);
}

/** True for an identity fingerprint. */
export function isFingerprint(value: unknown): value is Fingerprint {
  return typeof value === 'string' && FINGERPRINT_PATTERN.test(value);
}

/** True for a PeerJS peer id. */
export function isPeerId(value: unknown): value is PeerId {
  return (
    typeof value === 'string' && value.length <= MAX_PEER_ID_CHARS && PEER_ID_PATTERN.test(value)
  );
}

/** True for a room or pair secret: base64url of 16 bytes, or of 32 for an owned room secret. */
export function isRoomSecret(value: unknown): value is RoomSecret {
  return (
    typeof value === 'string' && (BASE64URL_16_BYTES.test(value) || BASE64URL_32_BYTES.test(value))
  );
}
