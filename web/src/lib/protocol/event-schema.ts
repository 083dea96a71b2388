/**
 * The wire schema of a durable event (DESIGN §6), for the peer-frame validator. Apart from the
 * types in events.ts so that code which only needs the types and limits (the store, the session,
 * the first screen) does not load the schema library.
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
  type UnsignedEvent,
} from './events';

const envelopeEntries = {
  v: v.literal(PROTOCOL_VERSION),
  conv: roomKeySchema,
  author: fingerprintSchema,
  seq: seqSchema,
  hlc: hlcSchema,
  sig: signatureSchema,
};

/**
 * Schema of one event on the wire. Unknown fields are stripped: the signature covers exactly the
 * known fields (and the whole body), so stripping never makes a forged event pass verification.
 */
const eventRefSchema = v.object({ author: fingerprintSchema, seq: seqSchema });

export const chatEventSchema = v.variant('kind', [
  v.object({
    ...envelopeEntries,
    kind: v.literal('text'),
    body: v.object({ text: messageTextSchema, replyTo: v.optional(eventRefSchema) }),
  }),
  v.object({
    ...envelopeEntries,
    kind: v.literal('reaction'),
    body: v.object({
      target: eventRefSchema,
      emoji: v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_REACTION_CHARS)),
      on: v.boolean(),
    }),
  }),
  v.object({
    ...envelopeEntries,
    kind: v.literal('edit'),
    body: v.object({ target: eventRefSchema, text: messageTextSchema }),
  }),
  v.object({
    ...envelopeEntries,
    kind: v.literal('delete'),
    body: v.object({ target: eventRefSchema }),
  }),
  v.object({
    ...envelopeEntries,
    kind: v.literal('room-meta'),
    body: v.object({
      name: nameSchema,
      topic: v.pipe(v.string(), v.maxLength(MAX_TOPIC_CHARS)),
    }),
  }),
  v.object({
    ...envelopeEntries,
    kind: v.literal('profile'),
    body: v.object({ name: nameSchema, color: colorSchema }),
  }),
  v.object({
    ...envelopeEntries,
    kind: v.literal('call-log'),
    body: v.object({
      callId: callIdSchema,
      media: v.picklist(['audio', 'video']),
      outcome: v.picklist(['answered', 'missed', 'declined', 'cancelled', 'busy']),
      durationS: v.pipe(
        v.number(),
        v.safeInteger(),
        v.minValue(0),
        v.maxValue(MAX_CALL_DURATION_S),
      ),
      group: v.boolean(),
    }),
  }),
]) satisfies v.GenericSchema<unknown, UnsignedEvent & { sig: string }>;
