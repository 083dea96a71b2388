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
  base64UrlBytesSchema,
  fingerprintSchema,
  hlcSchema,
  messageTextSchema,
  nameSchema,
  roomKeySchema,
  seqSchema,
  signatureSchema,
} from './formats';
import { isKnownKind } from './event-kinds';
import type { JsonValue } from './events';
import {
  MAX_CALL_DURATION_S,
  MAX_EVENT_KIND_CHARS,
  MAX_FUTURE_BODY_BYTES,
  MAX_FUTURE_BODY_DEPTH,
  MAX_REACTION_CHARS,
  MAX_TOPIC_CHARS,
  PROTOCOL_VERSION,
} from './limits';
import {
  MAX_FILE_BYTES,
  MAX_FILE_CHUNK_BYTES,
  MAX_FILE_CHUNKS,
  MAX_FILE_NAME_CHARS,
  MAX_IMAGE_SIDE_PX,
  MAX_MIME_CHARS,
  MAX_PREVIEW_CHARS,
  MAX_VOICE_MS,
  MIN_FILE_CHUNK_BYTES,
} from './file-limits';

/** Points at one event of the same conversation: its author and their seq. */
export const eventRefSchema = v.object({ author: fingerprintSchema, seq: seqSchema });

/** A pixel size of an image or preview. */
const pixelsSchema = v.pipe(
  v.number(),
  v.safeInteger(),
  v.minValue(1),
  v.maxValue(MAX_IMAGE_SIDE_PX),
);

/**
 * A file's name as peers send it: text, never a path. Control characters, path separators and
 * names the file system treats specially are refused (the receiver saves it under this name).
 */
const fileNameSchema = v.pipe(
  v.string(),
  v.minLength(1),
  v.maxLength(MAX_FILE_NAME_CHARS),
  v.check(
    // eslint-disable-next-line no-control-regex -- control characters are what it refuses
    (name) => !/[\u0000-\u001f\u007f/\\]/.test(name) && name !== '.' && name !== '..',
    'name: expected a file name without path separators or control characters',
  ),
);

/** A `file` event's body (DESIGN §9): what the file is and how to check every chunk of it. */
const fileBodySchema = v.pipe(
  v.object({
    name: fileNameSchema,
    size: v.pipe(v.number(), v.safeInteger(), v.minValue(0), v.maxValue(MAX_FILE_BYTES)),
    /** A MIME type as the sender's browser named it ('' when it did not). */
    mime: v.pipe(
      v.string(),
      v.maxLength(MAX_MIME_CHARS),
      v.regex(/^(?:[\w.+-]+\/[\w.+-]+)?$/, 'mime: expected type/subtype'),
    ),
    /** SHA-256 of the whole file: its content address. */
    sha256: base64UrlBytesSchema(32, 'sha256'),
    /** Bytes per chunk (a power of two); the last chunk may be shorter. */
    chunkSize: v.pipe(
      v.number(),
      v.safeInteger(),
      v.minValue(MIN_FILE_CHUNK_BYTES),
      v.maxValue(MAX_FILE_CHUNK_BYTES),
      v.check((n) => (n & (n - 1)) === 0, 'chunkSize: expected a power of two'),
    ),
    /** SHA-256 over the chunk hashes (32 bytes each, in order): checks the manifest. */
    root: base64UrlBytesSchema(32, 'root'),
    /** A small picture the sender made, shown before the file arrives. */
    preview: v.optional(
      v.object({
        mime: v.picklist(['image/webp', 'image/jpeg', 'image/png']),
        data: v.pipe(
          v.string(),
          v.maxLength(MAX_PREVIEW_CHARS),
          v.regex(/^[A-Za-z0-9+/]*={0,2}$/, 'preview: expected base64'),
        ),
        width: pixelsSchema,
        height: pixelsSchema,
      }),
    ),
    /** Set for an image the viewer shows inline: its size in pixels. */
    image: v.optional(v.object({ width: pixelsSchema, height: pixelsSchema })),
    /** Set for a voice message: its length. */
    voice: v.optional(
      v.object({
        durationMs: v.pipe(v.number(), v.safeInteger(), v.minValue(0), v.maxValue(MAX_VOICE_MS)),
      }),
    ),
    replyTo: v.optional(eventRefSchema),
  }),
  v.check(
    (body) => Math.ceil(body.size / body.chunkSize) <= MAX_FILE_CHUNKS,
    `file: expected at most ${MAX_FILE_CHUNKS} chunks`,
  ),
);

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
  /** A file, image or voice message: its description; the bytes move on the file channel. */
  file: fileBodySchema,
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

/** An event of a kind this build knows, its body checked to the letter. */
const knownEventSchema = v.variant('kind', [
  v.object({ ...envelopeEntries, kind: v.literal('text'), body: bodies.text }),
  v.object({ ...envelopeEntries, kind: v.literal('reaction'), body: bodies.reaction }),
  v.object({ ...envelopeEntries, kind: v.literal('edit'), body: bodies.edit }),
  v.object({ ...envelopeEntries, kind: v.literal('delete'), body: bodies.delete }),
  v.object({ ...envelopeEntries, kind: v.literal('room-meta'), body: bodies['room-meta'] }),
  v.object({ ...envelopeEntries, kind: v.literal('profile'), body: bodies.profile }),
  v.object({ ...envelopeEntries, kind: v.literal('call-log'), body: bodies['call-log'] }),
  v.object({ ...envelopeEntries, kind: v.literal('file'), body: bodies.file }),
]);

/**
 * Whether `value` (parsed JSON) nests at most MAX_FUTURE_BODY_DEPTH deep and is at most
 * MAX_FUTURE_BODY_BYTES as JSON. Walks iteratively, so a hostile depth cannot blow the stack.
 */
export function isBoundedJson(value: unknown): value is JsonValue {
  let bytes = 0;
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const current = item.value;
    if (current === null || typeof current === 'boolean') bytes += 5;
    else if (typeof current === 'number') {
      if (!Number.isFinite(current)) return false;
      bytes += 24;
    } else if (typeof current === 'string') bytes += 2 + current.length * 3;
    else if (typeof current === 'object') {
      if (item.depth >= MAX_FUTURE_BODY_DEPTH) return false;
      const depth = item.depth + 1;
      if (Array.isArray(current)) {
        bytes += 2 + current.length;
        for (const inner of current as unknown[]) stack.push({ value: inner, depth });
      } else {
        const entries = Object.entries(current as Record<string, unknown>);
        bytes += 2 + entries.length;
        for (const [key, inner] of entries) {
          bytes += 3 + key.length * 3;
          stack.push({ value: inner, depth });
        }
      }
    } else return false;
    if (bytes > MAX_FUTURE_BODY_BYTES) return false;
  }
  return true;
}

/**
 * An event of a kind this build does not know (a newer build wrote it): its envelope is checked
 * as strictly as any, its body only for size and depth, and it is kept whole (the signature
 * covers it). A known kind with a malformed body is not this: it is refused.
 */
const futureEventSchema = v.object({
  ...envelopeEntries,
  kind: v.pipe(
    v.string(),
    v.maxLength(MAX_EVENT_KIND_CHARS),
    v.regex(/^[a-z][a-z0-9-]*$/, 'kind: expected lowercase words and dashes'),
    v.check((kind) => !isKnownKind(kind), 'kind: a known kind with a malformed body'),
  ),
  body: v.custom<JsonValue>(
    isBoundedJson,
    `body: expected JSON within ${MAX_FUTURE_BODY_BYTES} bytes and ${MAX_FUTURE_BODY_DEPTH} levels`,
  ),
});

/**
 * Schema of one event on the wire: a kind this build knows, or one a newer build wrote. Unknown
 * fields are stripped: the signature covers exactly the envelope and the whole body, so stripping
 * never makes a forged event pass verification.
 */
export const chatEventSchema = v.union([knownEventSchema, futureEventSchema]);
