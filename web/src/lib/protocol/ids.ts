/**
 * The ids of Parley, branded (STYLE "Ids are branded"): a room key, an identity fingerprint, a
 * PeerJS peer id and a room secret are all strings, and mixing them up is a type error. The
 * schemas are the only definition; a value gets its brand by passing one (or, where Parley makes
 * the value itself, in the one function that makes it: crypto/room-keys.ts, crypto/identity.ts,
 * the transport).
 *
 * Pure and shared with the signal server: imports only valibot and the limits (`.js` specifiers
 * for its NodeNext build).
 */
import * as v from 'valibot';
import {
  BASE64URL_16_BYTES,
  BASE64URL_32_BYTES,
  FINGERPRINT_PATTERN,
  PEER_ID_PATTERN,
} from './id-formats.js';
import { FINGERPRINT_CHARS, MAX_PEER_ID_CHARS, ROOM_KEY_CHARS } from './limits.js';

/** A room key: base64url(SHA-256("parley-room-v1" ‖ secret)), never the secret itself; also a conversation's id. */
export const roomKeySchema = v.pipe(
  v.string(),
  v.length(ROOM_KEY_CHARS),
  v.regex(BASE64URL_32_BYTES, 'room key: expected base64url of 32 bytes'),
  v.brand('RoomKey'),
);

/** A room key that has passed {@link roomKeySchema}. */
export type RoomKey = v.InferOutput<typeof roomKeySchema>;

/** A PeerJS peer id (the rule of peerjs's `util.validateId`): a session's mailbox, never an identity. */
export const peerIdSchema = v.pipe(
  v.string(),
  v.maxLength(MAX_PEER_ID_CHARS),
  v.regex(PEER_ID_PATTERN, 'peer id: invalid characters'),
  v.brand('PeerId'),
);

/** A peer id that has passed {@link peerIdSchema}. */
export type PeerId = v.InferOutput<typeof peerIdSchema>;

/** An identity fingerprint: base32 of the SHA-256 of its public key (52 chars, last one A or Q). */
export const fingerprintSchema = v.pipe(
  v.string(),
  v.length(FINGERPRINT_CHARS),
  v.regex(FINGERPRINT_PATTERN, 'fingerprint: expected base32 of 32 bytes'),
  v.brand('Fingerprint'),
);

/** A fingerprint that has passed {@link fingerprintSchema}. */
export type Fingerprint = v.InferOutput<typeof fingerprintSchema>;

/**
 * A room or pair secret (the fragment of a room link): 16 random bytes, or 32 for a room whose
 * secret commits to its owner (crypto/room-keys.ts `newOwnedRoomSecret`), base64url.
 */
export const roomSecretSchema = v.pipe(
  v.string(),
  v.check(
    (s) => BASE64URL_16_BYTES.test(s) || BASE64URL_32_BYTES.test(s),
    'room secret: expected base64url of 16 or 32 bytes',
  ),
  v.brand('RoomSecret'),
);

/** A room secret that has passed {@link roomSecretSchema}. */
export type RoomSecret = v.InferOutput<typeof roomSecretSchema>;

/** A pair secret or a legacy room secret: exactly 16 bytes. */
export const shortRoomSecretSchema = v.pipe(
  v.string(),
  v.regex(BASE64URL_16_BYTES, 'room secret: expected base64url of 16 bytes'),
  v.brand('RoomSecret'),
);

/** A room secret that commits to its owner: exactly 32 bytes. */
export const ownedRoomSecretSchema = v.pipe(
  v.string(),
  v.regex(BASE64URL_32_BYTES, 'owned room secret: expected base64url of 32 bytes'),
  v.brand('RoomSecret'),
);
