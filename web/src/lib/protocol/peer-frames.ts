/**
 * The peer data channel (DESIGN §4, §6): JSON text frames, one discriminated union on `type`, and
 * the one parser every received frame goes through.
 *
 * Schema first: the valibot schemas below are the only definition of every frame; the types are
 * inferred from them. Adding a frame type means one more entry in `peerFrameSchema` (and a
 * handler in the feature that owns it: web/src/lib/parley.ts will not compile without one). A
 * frame type this build does not know is dropped with a warning, never fatal to the link.
 */
import * as v from 'valibot';
import { createLogger } from '../log';
import { describeIssues, fitsFrameBytes, utf8ByteLength } from './parse-helpers';
import { chatEventSchema } from './event-schema';
import type { StoredEvent, Unverified } from './events';
import {
  callIdSchema,
  colorSchema,
  fingerprintSchema,
  hlcSchema,
  macSchema,
  nameSchema,
  nonceSchema,
  ownedRoomSecretSchema,
  roomSecretSchema,
  seqSchema,
  signatureSchema,
  spkiSchema,
} from './formats';
import {
  MAX_BATCH_EVENTS,
  MAX_CHAIN_AUTHORS,
  MAX_DEVICE_CHAIN,
  MAX_FRAME_BYTES,
  MAX_REMOVED_MEMBERS,
  MAX_VECTOR_AUTHORS,
  PROTOCOL_VERSION,
} from './limits';

export { MAX_REMOVED_MEMBERS };

const log = createLogger('protocol');

const timestampSchema = v.pipe(v.number(), v.finite());
/** Author fingerprint → highest contiguous seq the sender holds. */
const vectorSchema = v.pipe(
  v.record(fingerprintSchema, seqSchema),
  v.maxEntries(MAX_VECTOR_AUTHORS),
);

/**
 * Per author, the digest of the sender's chain of that author's events (domain/equivocation.ts):
 * `${seq}:${22 base64url chars}`. Optional: older builds send none and ignore it.
 */
const chainsSchema = v.optional(
  v.pipe(
    v.record(fingerprintSchema, v.pipe(v.string(), v.regex(/^[1-9]\d{0,14}:[\w-]{22}$/))),
    v.maxEntries(MAX_CHAIN_AUTHORS),
  ),
);

/** One link of a device chain (crypto/device.ts). */
const deviceLinkSchema = v.object({
  issuer: spkiSchema,
  device: spkiSchema,
  at: timestampSchema,
  sig: signatureSchema,
});

/** How a peer presents itself: display name (at most MAX_NAME_CHARS) and avatar colour. */
const profileSchema = v.object({ name: nameSchema, color: colorSchema });

/** Voice only, or voice and video. */
const callMediaSchema = v.picklist(['audio', 'video']);

/** The handshake (DESIGN §4) and the link's own upkeep; the mesh handles these itself. */
const linkFrameSchemas = [
  /**
   * First frame on a new connection, sent by both sides: the sender's protocol version and a
   * fresh nonce. Nothing about who we are: names and keys go only to a peer that proved the room
   * secret.
   */
  v.object({ type: v.literal('hello'), protocol: v.literal(PROTOCOL_VERSION), nonce: nonceSchema }),
  /** Proof of the room secret: an HMAC over the handshake transcript (crypto/handshake.ts). */
  v.object({ type: v.literal('auth'), mac: macSchema }),
  /** Sent once the peer's `auth` checked: our key, profile and a signature over the transcript. */
  v.object({
    type: v.literal('identity'),
    key: spkiSchema,
    profile: profileSchema,
    sig: signatureSchema,
    /**
     * When the key is a device of an identity (restored from a backup, DESIGN §4 "Devices"):
     * the links from the identity to it. Builds without devices ignore it.
     */
    devices: v.optional(
      v.pipe(v.array(deviceLinkSchema), v.minLength(1), v.maxLength(MAX_DEVICE_CHAIN)),
    ),
  }),
  /** Liveness probe; answered with `pong` carrying the same `t` (the sender's ms timestamp). */
  v.object({ type: v.literal('ping'), t: timestampSchema }),
  /** Answer to `ping`. */
  v.object({ type: v.literal('pong'), t: timestampSchema }),
  /** The sender is closing the connection on purpose (e.g. on `pagehide`); do not redial at once. */
  v.object({ type: v.literal('bye') }),
] as const;

/** Sync (DESIGN §6): the messaging feature's frames. */
const syncFrameSchemas = [
  /**
   * A batch of durable events (at most MAX_BATCH_EVENTS), with the public keys (fingerprint →
   * SPKI) needed to verify (some of) their authors.
   */
  v.object({
    type: v.literal('events'),
    events: v.pipe(v.array(chatEventSchema), v.maxLength(MAX_BATCH_EVENTS)),
    keys: v.pipe(v.record(fingerprintSchema, spkiSchema), v.maxEntries(MAX_BATCH_EVENTS)),
  }),
  /**
   * "Here is what I have": the sender's version vector of the link's conversation. Sent when a
   * link becomes ready and whenever the sender sees a gap; answered with what the sender lacks.
   */
  v.object({ type: v.literal('sync'), vector: vectorSchema, chains: chainsSchema }),
  /**
   * "This is what I have now", after new events were stored. A receiver that lacks something
   * answers with `sync`.
   */
  v.object({ type: v.literal('have'), vector: vectorSchema, chains: chainsSchema }),
] as const;

/** Ephemeral frames of receipts and typing (never stored). */
const presenceFrameSchemas = [
  /** Read receipt: the sender saw the link's conversation up to this clock (its read marker). */
  v.object({ type: v.literal('read'), hlc: hlcSchema }),
  /** The sender is typing in the link's conversation (at most once per TYPING_SEND_INTERVAL_MS). */
  v.object({ type: v.literal('typing') }),
] as const;

/** Contacts (DESIGN §5): asked and answered over the authenticated room link. */
const contactFrameSchemas = [
  /** The sender asks the link's member to become contacts. */
  v.object({ type: v.literal('contact-request') }),
  /** Yes: the pair secret of the two's direct chat, chosen by the accepting side. */
  v.object({ type: v.literal('contact-accept'), secret: roomSecretSchema }),
  /** No to a contact request. */
  v.object({ type: v.literal('contact-decline') }),
] as const;

/** Room moves (DESIGN §5): removing a member. */
const moveFrameSchemas = [
  /**
   * The room moves to `secret` without the `removed` members; `sig` is the owner's signature
   * over `roomMoveBytes(room, secret, removed)`, `ownerKey` the owner's SPKI for members who
   * never met the owner (its hash must be the owner).
   */
  v.object({
    type: v.literal('room-move'),
    secret: v.union([roomSecretSchema, ownedRoomSecretSchema]),
    removed: v.pipe(v.array(fingerprintSchema), v.minLength(1), v.maxLength(MAX_REMOVED_MEMBERS)),
    sig: signatureSchema,
    ownerKey: spkiSchema,
  }),
  /** The room's owner removed the receiver; it keeps its history and stops joining. */
  v.object({ type: v.literal('room-removed') }),
] as const;

/** Call control (DESIGN §8): ephemeral, on the authenticated link, never stored. */
const callFrameSchemas = [
  /**
   * Asks the link's member to join a call. `group` false: a 1:1 call that rings; `group` true: a
   * room call in progress, joined with `call-accept` (no ringing).
   */
  v.object({
    type: v.literal('call-invite'),
    callId: callIdSchema,
    media: callMediaSchema,
    group: v.boolean(),
  }),
  /** The callee's device is ringing. */
  v.object({ type: v.literal('call-ringing'), callId: callIdSchema }),
  /** The sender takes part in the call (answered a 1:1 call, or joined a room call). */
  v.object({ type: v.literal('call-accept'), callId: callIdSchema }),
  /** The callee declined. */
  v.object({ type: v.literal('call-decline'), callId: callIdSchema }),
  /** The caller gave up before it was answered (or its ring timed out). */
  v.object({ type: v.literal('call-cancel'), callId: callIdSchema }),
  /** The callee is in another call. */
  v.object({ type: v.literal('call-busy'), callId: callIdSchema }),
  /**
   * The sender left the call; `closing` when its page is going away (it cannot write the call
   * log itself, DESIGN §8).
   */
  v.object({ type: v.literal('call-hangup'), callId: callIdSchema, closing: v.boolean() }),
  /** The sender's microphone, camera and screen-share state, shown to the others. */
  v.object({
    type: v.literal('call-media'),
    callId: callIdSchema,
    audio: v.boolean(),
    video: v.boolean(),
    screen: v.boolean(),
  }),
] as const;

/** Schema of every data-channel frame (unknown fields are stripped, unknown types rejected). */
export const peerFrameSchema = v.variant('type', [
  ...linkFrameSchemas,
  ...syncFrameSchemas,
  ...presenceFrameSchemas,
  ...contactFrameSchemas,
  ...moveFrameSchemas,
  ...callFrameSchemas,
]);

/** A frame as the schema defines it (its events not yet branded verified or not). */
type WireFrame = v.InferOutput<typeof peerFrameSchema>;

/** How a peer presents itself. */
export type Profile = v.InferOutput<typeof profileSchema>;

/** What a call carries: voice only, or voice and video. */
export type CallMedia = v.InferOutput<typeof callMediaSchema>;

/** The data-channel union, with its events as checked as `E` says. */
export type PeerFrameOf<E> =
  | Exclude<WireFrame, { type: 'events' }>
  | (Omit<Extract<WireFrame, { type: 'events' }>, 'events'> & { events: E[] });

/** A frame we send (relayed events may be of kinds this build does not know). */
export type PeerFrame = PeerFrameOf<StoredEvent>;

/** A frame as received and parsed: its events still need `verifyEvent`. */
export type ParsedPeerFrame = PeerFrameOf<Unverified<StoredEvent>>;

/** The `type` tags of the data channel. */
export type PeerFrameType = PeerFrame['type'];

/** One frame type of the union. */
export type FrameOf<T extends PeerFrameType, E = StoredEvent> = Extract<
  PeerFrameOf<E>,
  { type: T }
>;

/** A batch of durable events with their authors' keys. */
export type EventsFrame<E = StoredEvent> = FrameOf<'events', E>;
/** The sender's version vector (ask for what it lacks). */
export type SyncFrame = FrameOf<'sync'>;
/** The sender's version vector after storing new events. */
export type HaveFrame = FrameOf<'have'>;
/** Every call-control frame. */
export type CallFrame = FrameOf<(typeof callFrameSchemas)[number]['entries']['type']['literal']>;

/**
 * Parses one received data-channel frame (a JSON string). Returns null, with a warning, for
 * anything that is not a valid frame within the protocol limits; never throws.
 */
export function parsePeerFrame(raw: unknown): ParsedPeerFrame | null {
  if (typeof raw !== 'string') {
    log.warn('dropped peer frame: not a string but', typeof raw);
    return null;
  }
  if (!fitsFrameBytes(raw)) {
    log.warn(`dropped peer frame: larger than ${MAX_FRAME_BYTES} bytes`);
    return null;
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    log.warn('dropped peer frame: not JSON');
    return null;
  }
  const result = v.safeParse(peerFrameSchema, json);
  if (!result.success) {
    log.warn('dropped peer frame:', describeIssues(result.issues));
    return null;
  }
  // The schema checked every format and limit; the events are branded unverified here.
  return result.output as ParsedPeerFrame;
}

/** Serialises a frame for the data channel. */
export function encodePeerFrame(frame: PeerFrame): string {
  return JSON.stringify(frame);
}

/**
 * Packs events into as few `events` frames as possible, in the given order, each within
 * MAX_BATCH_EVENTS and MAX_FRAME_BYTES, each carrying only the keys of its own authors. An event
 * too large for any frame (impossible within MAX_TEXT_CHARS) is skipped with an error logged.
 */
export function splitEventsIntoFrames(
  events: readonly StoredEvent[],
  keys: Readonly<Record<string, string>>,
): EventsFrame[] {
  // `{"type":"events","events":[…],"keys":{…}}`: sizes add up exactly as JSON.stringify writes it.
  const emptyFrameBytes = utf8ByteLength(encodePeerFrame({ type: 'events', events: [], keys: {} }));
  const keyEntryBytes = (author: string): number => {
    const spki = keys[author];
    return spki === undefined
      ? 0
      : utf8ByteLength(`${JSON.stringify(author)}:${JSON.stringify(spki)}`);
  };

  const frames: EventsFrame[] = [];
  let batch: StoredEvent[] = [];
  let batchKeys: Record<string, string> = {};
  let eventBytes = 0;
  let keysBytes = 0;
  let keyCount = 0;

  const frameBytes = (extraEvent: number, extraKey: number, addsKey: boolean): number => {
    const n = batch.length + 1;
    const k = keyCount + (addsKey ? 1 : 0);
    return (
      emptyFrameBytes +
      eventBytes +
      extraEvent +
      (n - 1) +
      keysBytes +
      extraKey +
      Math.max(0, k - 1)
    );
  };
  const flush = (): void => {
    if (batch.length > 0) frames.push({ type: 'events', events: batch, keys: batchKeys });
    batch = [];
    batchKeys = {};
    eventBytes = 0;
    keysBytes = 0;
    keyCount = 0;
  };

  for (const event of events) {
    const size = utf8ByteLength(JSON.stringify(event));
    for (let attempt = 0; attempt < 2; attempt++) {
      const addsKey = keys[event.author] !== undefined && !Object.hasOwn(batchKeys, event.author);
      const keySize = addsKey ? keyEntryBytes(event.author) : 0;
      const fits =
        batch.length < MAX_BATCH_EVENTS && frameBytes(size, keySize, addsKey) <= MAX_FRAME_BYTES;
      if (fits) {
        batch.push(event);
        eventBytes += size;
        if (addsKey) {
          batchKeys[event.author] = keys[event.author]!;
          keysBytes += keySize;
          keyCount++;
        }
        break;
      }
      if (batch.length === 0) {
        log.error('event too large for any frame, not sent:', event.conv, event.author, event.seq);
        break;
      }
      flush();
    }
  }
  flush();
  return frames;
}
