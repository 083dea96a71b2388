/**
 * Room secrets and the opaque room keys derived from them (DESIGN §3, §5). The secret lives only
 * in the URL fragment and on this device; the signal server sees the key, which is also the
 * conversation id.
 */
import { concatBytes, fromBase64Url, isBase64Url, toBase64Url, utf8 } from '../encoding';
import { isRoomKey, isRoomSecret } from '../protocol/id-formats';
import type { Fingerprint, RoomKey, RoomSecret } from '../protocol/ids';

export { isRoomKey, isRoomSecret };

/** Bytes of entropy in a room secret (128 bits). */
export const ROOM_SECRET_BYTES = 16;

const ROOM_KEY_LABEL = utf8('parley-room-v1');

/** A fresh random room secret: 16 bytes as base64url (22 chars). */
export function newRoomSecret(): RoomSecret {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(ROOM_SECRET_BYTES))) as RoomSecret;
}

/** Bytes of a room secret that commits to its owner: 16 random, then 16 of commitment. */
export const OWNED_ROOM_SECRET_BYTES = 32;

const OWNER_LABEL = utf8('parley-room-owner-v1');

/**
 * A fresh room secret that names its owner (DESIGN §5): 16 random bytes r, then the first 16
 * bytes of SHA-256("parley-room-owner-v1" ‖ r ‖ owner). A link naming anyone else as the owner
 * fails `isOwnedBy`, and changing the secret is a different room.
 */
export async function newOwnedRoomSecret(owner: Fingerprint): Promise<RoomSecret> {
  const random = crypto.getRandomValues(new Uint8Array(ROOM_SECRET_BYTES));
  return toBase64Url(concatBytes(random, await ownerCommitment(random, owner))) as RoomSecret;
}

/** True when `secret` is an owned room secret whose commitment names `owner`. */
export async function isOwnedBy(secret: string, owner: string): Promise<boolean> {
  if (!isBase64Url(secret, OWNED_ROOM_SECRET_BYTES)) return false;
  const bytes = fromBase64Url(secret);
  const expected = await ownerCommitment(bytes.slice(0, ROOM_SECRET_BYTES), owner);
  const actual = bytes.slice(ROOM_SECRET_BYTES);
  return expected.every((byte, i) => byte === actual[i]);
}

async function ownerCommitment(random: Uint8Array, owner: string): Promise<Uint8Array> {
  const digest = await crypto.subtle.digest(
    'SHA-256',
    concatBytes(OWNER_LABEL, random, utf8(owner)),
  );
  return new Uint8Array(digest).slice(0, OWNED_ROOM_SECRET_BYTES - ROOM_SECRET_BYTES);
}

/**
 * base64url(SHA-256("parley-room-v1" ‖ secret bytes)), 43 chars, for 16- and 32-byte secrets
 * alike; rejects a malformed secret.
 */
export async function roomKeyFromSecret(secret: RoomSecret): Promise<RoomKey> {
  if (!isRoomSecret(secret)) throw new TypeError('not a room secret');
  const digest = await crypto.subtle.digest(
    'SHA-256',
    concatBytes(ROOM_KEY_LABEL, fromBase64Url(secret)),
  );
  return toBase64Url(new Uint8Array(digest)) as RoomKey;
}

/**
 * The bytes a room owner signs to move the room `from` to a new secret without the `removed`
 * members (DESIGN §5): UTF-8 JSON of ["parley-room-move-v1", from, secret, removed sorted].
 */
export function roomMoveBytes(
  from: RoomKey,
  secret: RoomSecret,
  removed: readonly Fingerprint[],
): Uint8Array<ArrayBuffer> {
  return utf8(JSON.stringify(['parley-room-move-v1', from, secret, [...removed].sort()]));
}
