/**
 * The wire schema of a durable event (DESIGN §6): the only definition of the event types, which
 * events.ts infers from it with `import type` (so code that needs only the types and limits — the
 * store, the features, the first screen — does not load the schema library).
 *
 * A new kind is one more body schema here plus one more member of `knownEventSchema`; exhaustive
 * switches over `kind` then point at every place that must handle it.
 */
import * as v from 'valibot';
import {
  callIdSchema,
  colorSchema,
  fingerprintSchema,
  hlcSchema,
  messageTextSchema,
  nameSchema,
  roomKeySchema,
  seqSchema,
  signatureSchema,
} from './formats';
import {
  MAX_CALL_DURATION_S,
  MAX_REACTION_CHARS,
  MAX_TOPIC_CHARS,
  PROTOCOL_VERSION,
} from './limits';

/** Points at one event of the same conversation: its author and their seq. */
export const eventRefSchema = v.object({ author: fingerprintSchema, seq: seqSchema });

/** The bodies of the kinds this build understands, by kind. */
export const eventBodySchemas = {
  /** A text message (at most MAX_TEXT_CHARS, always rendered as text), maybe answering another. */
  text: v.object({ text: messageTextSchema, replyTo: v.optional(eventRefSchema) }),
  /** An emoji put on (`on`) or taken off a message; the latest per author wins. */
  reaction: v.object({
    target: eventRefSchema,
    emoji: v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_REACTION_CHARS)),
    on: v.boolean(),
  }),
  /** The new text of one of the author's own messages; the latest wins. */
  edit: v.object({ target: eventRefSchema, text: messageTextSchema }),
  /** One of the author's own messages is gone for everyone (a tombstone). */
  delete: v.object({ target: eventRefSchema }),
  /** A room's name and topic ('' for none), set by any member; the latest in display order holds. */
  'room-meta': v.object({
    name: nameSchema,
    topic: v.pipe(v.string(), v.maxLength(MAX_TOPIC_CHARS)),
  }),
  /**
   * The author's display name and avatar colour, told to every conversation they are in so
   * members who never linked to them learn it too (DESIGN §4); the latest by clock holds.
   */
  profile: v.object({ name: nameSchema, color: colorSchema }),
  /**
   * One line per call (DESIGN §8): its ID, voice or video, how it ended, the seconds from answer
   * to end (0 unless answered), and whether it was a room call.
   */
  'call-log': v.object({
    callId: callIdSchema,
    media: v.picklist(['audio', 'video']),
    outcome: v.picklist(['answered', 'missed', 'declined', 'cancelled', 'busy']),
    durationS: v.pipe(v.number(), v.safeInteger(), v.minValue(0), v.maxValue(MAX_CALL_DURATION_S)),
    group: v.boolean(),
  }),
} as const;

const envelopeEntries = {
  /** Event format version. */
  v: v.literal(PROTOCOL_VERSION),
  /** Conversation id: the 43-char room key. */
  conv: roomKeySchema,
  /** Author's identity fingerprint. */
  author: fingerprintSchema,
  /** Per author per conversation: 1, 2, 3, … without gaps. */
  seq: seqSchema,
  /** Encoded hybrid logical clock (chat/hlc.ts); display order is (hlc, author, seq). */
  hlc: hlcSchema,
  /** base64url raw ECDSA P-256 signature over `canonicalEventBytes` (chat/events.ts). */
  sig: signatureSchema,
};

const bodies = eventBodySchemas;

/**
 * Schema of one event on the wire. Unknown fields are stripped: the signature covers exactly the
 * known fields (and the whole body), so stripping never makes a forged event pass verification.
 */
export const chatEventSchema = v.variant('kind', [
  v.object({ ...envelopeEntries, kind: v.literal('text'), body: bodies.text }),
  v.object({ ...envelopeEntries, kind: v.literal('reaction'), body: bodies.reaction }),
  v.object({ ...envelopeEntries, kind: v.literal('edit'), body: bodies.edit }),
  v.object({ ...envelopeEntries, kind: v.literal('delete'), body: bodies.delete }),
  v.object({ ...envelopeEntries, kind: v.literal('room-meta'), body: bodies['room-meta'] }),
  v.object({ ...envelopeEntries, kind: v.literal('profile'), body: bodies.profile }),
  v.object({ ...envelopeEntries, kind: v.literal('call-log'), body: bodies['call-log'] }),
]);
