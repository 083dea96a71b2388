/**
 * Room secrets and the opaque room keys derived from them (DESIGN §3, §5). The secret lives only
 * in the URL fragment and on this device; the signal server sees the key, which is also the
 * conversation id.
 */
import { concatBytes, fromBase64Url, isBase64Url, toBase64Url, utf8 } from '../encoding';

/** Bytes of entropy in a room secret (128 bits). */
export const ROOM_SECRET_BYTES = 16;

const ROOM_KEY_LABEL = utf8('parley-room-v1');

/** A fresh random room secret: 16 bytes as base64url (22 chars). */
export function newRoomSecret(): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(ROOM_SECRET_BYTES)));
}

/** True when `s` is a well-formed room secret (22-char canonical base64url of 16 bytes). */
export function isRoomSecret(s: unknown): s is string {
  return isBase64Url(s, ROOM_SECRET_BYTES);
}

/** True when `s` is a well-formed room key (43-char base64url of a SHA-256 digest). */
export function isRoomKey(s: unknown): s is string {
  return isBase64Url(s, 32);
}

/** base64url(SHA-256("parley-room-v1" ‖ secret bytes)), 43 chars; rejects a malformed secret. */
export async function roomKeyFromSecret(secret: string): Promise<string> {
  if (!isRoomSecret(secret)) throw new TypeError('not a room secret');
  const digest = await crypto.subtle.digest(
    'SHA-256',
    concatBytes(ROOM_KEY_LABEL, fromBase64Url(secret)),
  );
  return toBase64Url(new Uint8Array(digest));
}

/**
 * The bytes a room owner signs to move the room `from` to a new secret without the `removed`
 * members (DESIGN §5): UTF-8 JSON of ["parley-room-move-v1", from, secret, removed sorted].
 */
export function roomMoveBytes(
  from: string,
  secret: string,
  removed: readonly string[],
): Uint8Array<ArrayBuffer> {
  return utf8(JSON.stringify(['parley-room-move-v1', from, secret, [...removed].sort()]));
}
