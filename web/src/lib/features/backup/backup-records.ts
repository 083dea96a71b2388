/**
 * The records of a backup file (backup-file.ts), checked one by one as they are read: a file
 * that passed the passphrase is still only as good as whoever made it, so every record must be
 * one the app can hold without tripping. Event signatures are not checked again here (they were
 * when first stored, and every member they reach checks them); their shape is, by the wire's own
 * schema.
 */
import * as v from 'valibot';
import { isBase64Url } from '../../encoding';
import { chatEventSchema } from '../../protocol/event-schema';
import {
  MAX_FILE_BYTES,
  MAX_FILE_CHUNK_BYTES,
  MAX_FILE_CHUNKS,
  MAX_MIME_CHARS,
} from '../../protocol/file-limits';
import {
  colorSchema,
  fingerprintSchema,
  hlcSchema,
  ownedRoomSecretSchema,
  roomKeySchema,
  roomSecretSchema,
  seqSchema,
  spkiSchema,
} from '../../protocol/formats';
import type { SnapshotRecord } from '../../storage/backup-store';

const MAX_TEXT = 10_000;
const MAX_LIST = 100_000;

const text = v.pipe(v.string(), v.maxLength(MAX_TEXT));
const time = v.pipe(v.number(), v.finite(), v.minValue(0));
const count = v.pipe(v.number(), v.safeInteger(), v.minValue(0));
const b64 = (maxChars: number) =>
  v.pipe(
    v.string(),
    v.maxLength(maxChars),
    v.check((s) => isBase64Url(s), 'expected base64url'),
  );
const sha256 = v.pipe(
  v.string(),
  v.check((s) => isBase64Url(s, 32), 'expected a SHA-256'),
);
const secret = v.union([roomSecretSchema, ownedRoomSecretSchema]);
const vector = v.record(fingerprintSchema, count);

/** Base64url characters of `bytes` bytes (no padding). */
function base64UrlChars(bytes: number): number {
  return Math.ceil((bytes * 4) / 3);
}

const memberSchema = v.looseObject({
  fingerprint: fingerprintSchema,
  spki: v.union([spkiSchema, v.literal('')]),
  name: text,
  color: v.union([colorSchema, v.literal('')]),
  lastSeenAt: time,
  profileHlc: v.optional(hlcSchema),
  root: v.optional(fingerprintSchema),
});

const conversationSchema = v.looseObject({
  id: roomKeySchema,
  kind: v.picklist(['room', 'direct']),
  contact: v.optional(fingerprintSchema),
  secret,
  title: text,
  topic: v.optional(text),
  metaHlc: v.optional(text),
  createdAt: time,
  lastActivityAt: time,
  lastPreview: text,
  unread: count,
  // The app finds a member by its key and reads the fingerprint from the record: one and the same.
  members: v.pipe(
    v.record(fingerprintSchema, memberSchema),
    v.check(
      (members) => Object.entries(members).every(([key, member]) => member.fingerprint === key),
      'members: keyed by their fingerprint',
    ),
  ),
  vector,
  clock: v.optional(hlcSchema),
  usage: v.optional(
    v.record(
      fingerprintSchema,
      v.looseObject({
        bytes: count,
        windows: v.pipe(v.array(v.tuple([v.number(), v.number()])), v.maxLength(MAX_LIST)),
      }),
    ),
  ),
  disputes: v.optional(
    v.record(fingerprintSchema, v.pipe(v.array(seqSchema), v.maxLength(MAX_LIST))),
  ),
  sentUpTo: v.optional(count),
  memberVectors: v.optional(v.record(fingerprintSchema, vector)),
  readMarkers: v.optional(v.record(fingerprintSchema, hlcSchema)),
  readUpTo: v.optional(hlcSchema),
  muted: v.optional(v.boolean()),
  archived: v.optional(v.boolean()),
  owner: v.optional(fingerprintSchema),
  movedTo: v.optional(
    v.looseObject({
      secret,
      removed: v.pipe(v.array(fingerprintSchema), v.maxLength(64)),
      sig: b64(128),
      ownerKey: spkiSchema,
    }),
  ),
  previous: v.optional(roomKeySchema),
  removedFromRoom: v.optional(v.boolean()),
});

const contactSchema = v.looseObject({
  fingerprint: fingerprintSchema,
  spki: spkiSchema,
  name: text,
  color: v.union([colorSchema, v.literal('')]),
  conv: roomKeySchema,
  addedAt: time,
  verified: v.optional(v.boolean()),
  blocked: v.optional(v.boolean()),
});

const tombstoneSchema = v.strictObject({
  conv: roomKeySchema,
  author: fingerprintSchema,
  seq: seqSchema,
  gone: v.picklist(['refused', 'deleted', 'disputed']),
});

const fileSchema = v.pipe(
  v.object({
    sha256,
    size: v.pipe(count, v.maxValue(MAX_FILE_BYTES)),
    mime: v.pipe(v.string(), v.maxLength(MAX_MIME_CHARS)),
    chunkSize: v.pipe(count, v.minValue(1), v.maxValue(MAX_FILE_CHUNK_BYTES)),
    chunkCount: v.pipe(count, v.maxValue(MAX_FILE_CHUNKS)),
    manifest: v.nullable(b64(base64UrlChars(MAX_FILE_CHUNKS * 32))),
    have: b64(base64UrlChars(MAX_FILE_CHUNKS / 8)),
    storedBytes: count,
    convs: v.pipe(v.array(roomKeySchema), v.maxLength(MAX_LIST)),
    updatedAt: time,
    removedAt: v.optional(time),
  }),
  v.check((f) => f.chunkCount === Math.ceil(f.size / f.chunkSize), 'chunk count'),
  // The file store reads the manifest as 32 bytes a chunk and the bitmap as a bit a chunk.
  v.check(
    (f) => f.manifest === null || f.manifest.length === base64UrlChars(f.chunkCount * 32),
    'manifest: 32 bytes a chunk',
  ),
  v.check(
    (f) => f.have.length === base64UrlChars(Math.ceil(f.chunkCount / 8)),
    'have: a bit a chunk',
  ),
  v.check((f) => f.storedBytes <= f.size, 'storedBytes'),
);

/** One record of the store (conversation, event, contact, setting, file, chunk). */
const snapshotSchemas = [
  v.object({ t: v.literal('conversation'), value: conversationSchema }),
  v.object({ t: v.literal('event'), value: v.union([tombstoneSchema, chatEventSchema]) }),
  v.object({ t: v.literal('contact'), value: contactSchema }),
  v.object({
    t: v.literal('setting'),
    value: v.object({
      key: v.pipe(v.string(), v.minLength(1), v.maxLength(256)),
      value: v.unknown(),
    }),
  }),
  v.object({ t: v.literal('file'), value: fileSchema }),
  v.object({
    t: v.literal('chunk'),
    sha256,
    index: v.pipe(count, v.maxValue(MAX_FILE_CHUNKS - 1)),
    bytes: b64(base64UrlChars(MAX_FILE_CHUNK_BYTES)),
  }),
] as const;

/** Every record kind of a backup file. */
export const backupRecordSchema = v.variant('t', [
  /** Always first: what made the file, and the identity (backup-identity.ts checks it). */
  v.object({
    t: v.literal('meta'),
    app: v.literal('parley'),
    created: time,
    schema: count,
    identity: v.unknown(),
  }),
  ...snapshotSchemas,
  /** Always last: how many records of each kind came before it. */
  v.object({ t: v.literal('end'), counts: v.record(v.string(), count) }),
]);

/** Bytes a chunk of `file` holds: chunkSize, but the last one the rest. */
export function chunkLength(file: { size: number; chunkSize: number }, index: number): number {
  return Math.min(file.chunkSize, file.size - index * file.chunkSize);
}

/** Bytes of a canonical base64url string (checked by the schema). */
function decodedLength(chars: number): number {
  return Math.floor((chars * 3) / 4);
}

/**
 * What holds between records, beyond each one's shape: a chunk comes after its file's record,
 * inside the file, of the chunk's exact length, and only once. (A restore then sets the bitmap
 * and byte count from the chunks it wrote, never from the record's word.) One small entry per
 * file is kept: a bitmap of at most MAX_FILE_CHUNKS bits.
 */
export function recordSequence(): { accepts(record: BackupRecord): boolean } {
  const files = new Map<
    string,
    { size: number; chunkSize: number; chunkCount: number; seen: Uint8Array }
  >();
  return {
    accepts(record) {
      if (record.t === 'file') {
        if (files.has(record.value.sha256)) return false;
        const { size, chunkSize, chunkCount } = record.value;
        files.set(record.value.sha256, {
          size,
          chunkSize,
          chunkCount,
          seen: new Uint8Array(Math.ceil(chunkCount / 8)),
        });
        return true;
      }
      if (record.t !== 'chunk') return true;
      const file = files.get(record.sha256);
      if (!file || record.index >= file.chunkCount) return false;
      if (decodedLength(record.bytes.length) !== chunkLength(file, record.index)) return false;
      const bit = 1 << (record.index & 7);
      const byte = record.index >> 3;
      if ((file.seen[byte]! & bit) !== 0) return false;
      file.seen[byte]! |= bit;
      return true;
    },
  };
}

/** A record of the meta or end kind. */
type FrameRecord =
  | { t: 'meta'; app: 'parley'; created: number; schema: number; identity: unknown }
  | { t: 'end'; counts: Record<string, number> };

/**
 * A record of a backup file. The schema's output is structurally a snapshot record; events come
 * out marked unverified by the wire schema and are taken as stored (see the module comment).
 */
export type BackupRecord = SnapshotRecord | FrameRecord;
