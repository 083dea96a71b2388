/**
 * The backup file (DESIGN §10 "Backup"): records in frames, each frame AES-256-GCM under a key
 * derived from the passphrase by PBKDF2-SHA-256 (600,000 iterations), so nothing in the file is
 * readable without the passphrase. Layout:
 *
 *   "PARLEYBK" · u32 header length · header JSON {format, kdf {name, iterations, salt}, iv,
 *   check, created} · frames: u32 ciphertext length · ciphertext
 *
 * `check` is the GCM tag of nothing under the key (its own IV and additional data, never a
 * frame's), so a wrong passphrase is told apart from a damaged first frame.
 *
 * A frame's plaintext is a JSON array of records. Its IV is the header's 8 random bytes and the
 * frame's index; its additional data binds the header, the index and whether it is the last, so
 * a changed header, frames swapped, dropped or a file cut short are all refused. The first record
 * is `meta`, the last `end` with the counts of every kind.
 */
import * as v from 'valibot';
import { fromBase64Url, isBase64Url, toBase64Url, utf8 } from '../../encoding';
import { backupRecordSchema, recordSequence, type BackupRecord } from './backup-records';

export type { BackupRecord };

/** The version of the file format this build writes and reads. */
export const BACKUP_FORMAT_VERSION = 1;
/** PBKDF2-SHA-256 iterations for a new backup. */
export const DEFAULT_KDF_ITERATIONS = 600_000;
/** Fewest iterations accepted when reading (no weaker file is made by Parley). */
export const MIN_KDF_ITERATIONS = 600_000;
/** Most iterations accepted when reading: a hostile file must not cost minutes. */
export const MAX_KDF_ITERATIONS = 10_000_000;

const MAGIC = utf8('PARLEYBK');
/** Longest header a reader takes (a real one is about 250 bytes). */
export const MAX_HEADER_BYTES = 4096;
/** Plaintext bytes a frame aims at; one record may make it larger, up to MAX_FRAME_BYTES. */
export const FRAME_TARGET_BYTES = 1 << 20;
/** Most plaintext bytes of one frame, for the writer and the reader alike. */
export const MAX_FRAME_BYTES = 16 << 20;
/** Most records one frame may hold. */
export const MAX_RECORDS_PER_FRAME = 100_000;
const TAG_BYTES = 16;
/**
 * Sealed bytes the writer keeps as separate parts before folding them into a Blob: the browser
 * may then move them out of the JS heap (Chromium pages large blobs to disk), so a backup with
 * files never has to sit in memory whole.
 */
const FOLD_BYTES = 32 << 20;

/** Why a file cannot be restored. */
export class BackupError extends Error {
  constructor(readonly code: 'not-a-backup' | 'wrong-passphrase' | 'damaged' | 'newer-version') {
    super(`backup: ${code}`);
    this.name = 'BackupError';
  }
}

/** How the key was derived. */
export interface KdfParams {
  name: 'PBKDF2-SHA-256';
  iterations: number;
  /** 16 random bytes, base64url. */
  salt: string;
}

const headerSchema = v.object({
  format: v.pipe(v.number(), v.integer(), v.minValue(1)),
  kdf: v.object({
    name: v.literal('PBKDF2-SHA-256'),
    iterations: v.pipe(
      v.number(),
      v.integer(),
      v.minValue(MIN_KDF_ITERATIONS),
      v.maxValue(MAX_KDF_ITERATIONS),
    ),
    salt: v.pipe(
      v.string(),
      v.check((s) => isBase64Url(s, 16)),
    ),
  }),
  iv: v.pipe(
    v.string(),
    v.check((s) => isBase64Url(s, 8)),
  ),
  /** The GCM tag of nothing under the key: tells a wrong passphrase from a damaged file. */
  check: v.pipe(
    v.string(),
    v.check((s) => isBase64Url(s, TAG_BYTES)),
  ),
  /** When the file was made (ms since epoch); informative only. */
  created: v.optional(v.pipe(v.number(), v.finite(), v.minValue(0))),
});

/** The frame index the key check uses (no frame has it). */
const CHECK_INDEX = 0xffffffff;
const CHECK_AAD = utf8('parley-backup-key-check');

async function keyCheck(key: CryptoKey, ivPrefix: Uint8Array): Promise<string> {
  const tag = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv: frameIv(ivPrefix, CHECK_INDEX), additionalData: CHECK_AAD },
    key,
    new Uint8Array(0),
  );
  return toBase64Url(new Uint8Array(tag));
}

/** Derives the AES-256-GCM key (non-extractable) from a passphrase. */
export async function deriveBackupKey(passphrase: string, kdf: KdfParams): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey(
    'raw',
    utf8(passphrase.normalize('NFC')),
    'PBKDF2',
    false,
    ['deriveKey'],
  );
  return crypto.subtle.deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt: fromBase64Url(kdf.salt), iterations: kdf.iterations },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

function u32(n: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, n);
  return bytes;
}

function frameIv(prefix: Uint8Array, index: number): Uint8Array<ArrayBuffer> {
  const iv = new Uint8Array(12);
  iv.set(prefix, 0);
  new DataView(iv.buffer).setUint32(8, index);
  return iv;
}

function frameAad(header: Uint8Array, index: number, isLast: boolean): Uint8Array<ArrayBuffer> {
  const aad = new Uint8Array(header.length + 5);
  aad.set(header, 0);
  new DataView(aad.buffer).setUint32(header.length, index);
  aad[header.length + 4] = isLast ? 1 : 0;
  return aad;
}

/**
 * Encrypts `records` (the `meta` record first; `end` is added here) into a backup file. The
 * Blob is made of its frames, never one allocation of the whole.
 */
export async function writeBackup(
  records: AsyncIterable<BackupRecord> | Iterable<BackupRecord>,
  passphrase: string,
  options: { iterations?: number; onProgress?: (bytes: number) => void } = {},
): Promise<Blob> {
  const kdf: KdfParams = {
    name: 'PBKDF2-SHA-256',
    iterations: options.iterations ?? DEFAULT_KDF_ITERATIONS,
    salt: toBase64Url(crypto.getRandomValues(new Uint8Array(16))),
  };
  const ivPrefix = crypto.getRandomValues(new Uint8Array(8));
  const key = await deriveBackupKey(passphrase, kdf);
  const header = utf8(
    JSON.stringify({
      format: BACKUP_FORMAT_VERSION,
      kdf,
      iv: toBase64Url(ivPrefix),
      check: await keyCheck(key, ivPrefix),
      created: Date.now(),
    }),
  );
  if (header.length > MAX_HEADER_BYTES) throw new RangeError('backup header too long');
  const folded: Blob[] = [];
  let parts: BlobPart[] = [MAGIC, u32(header.length), header];
  let partBytes = 0;
  let index = 0;
  let written = 0;
  let batch: string[] = [];
  let batchBytes = 0;
  const counts: Record<string, number> = {};

  const seal = async (isLast: boolean): Promise<void> => {
    const plain = utf8(`[${batch.join(',')}]`);
    // What the reader would refuse is never written: fail now, not at restore.
    if (plain.length > MAX_FRAME_BYTES) throw new RangeError('a backup record is too large');
    const sealed = new Uint8Array(
      await crypto.subtle.encrypt(
        {
          name: 'AES-GCM',
          iv: frameIv(ivPrefix, index),
          additionalData: frameAad(header, index, isLast),
        },
        key,
        plain,
      ),
    );
    parts.push(u32(sealed.length), sealed);
    written += sealed.length + 4;
    partBytes += sealed.length + 4;
    if (partBytes >= FOLD_BYTES) {
      folded.push(new Blob(parts));
      parts = [];
      partBytes = 0;
    }
    options.onProgress?.(written);
    index++;
    batch = [];
    batchBytes = 0;
  };

  for await (const record of records) {
    const json = JSON.stringify(record);
    // UTF-16 units: at most a third of the UTF-8 bytes short, far inside MAX_FRAME_BYTES.
    const isFull = batchBytes + json.length > FRAME_TARGET_BYTES;
    if ((isFull || batch.length >= MAX_RECORDS_PER_FRAME) && batch.length > 0) await seal(false);
    batch.push(json);
    batchBytes += json.length;
    counts[record.t] = (counts[record.t] ?? 0) + 1;
  }
  // The end record closes the last frame; alone when that frame would be too full or too long.
  if (batch.length >= MAX_RECORDS_PER_FRAME) await seal(false);
  batch.push(JSON.stringify({ t: 'end', counts } satisfies BackupRecord));
  await seal(true);
  return new Blob([...folded, ...parts], { type: 'application/octet-stream' });
}

async function bytesOf(file: Blob, start: number, length: number): Promise<Uint8Array> {
  if (start + length > file.size) throw new BackupError('damaged');
  return new Uint8Array(await file.slice(start, start + length).arrayBuffer());
}

function readU32(bytes: Uint8Array): number {
  return new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0);
}

/**
 * Reads a backup's records in order, each checked. Rejects with a BackupError: 'not-a-backup'
 * (no Parley header), 'newer-version', 'wrong-passphrase' (the first frame does not open),
 * 'damaged' (any later frame, record, length or count that does not hold, or a file cut short).
 */
export async function* readBackup(
  file: Blob,
  passphrase: string,
  options: { onProgress?: (done: number, total: number) => void } = {},
): AsyncGenerator<BackupRecord> {
  if (file.size < MAGIC.length + 4) throw new BackupError('not-a-backup');
  const start = await bytesOf(file, 0, MAGIC.length + 4);
  if (!MAGIC.every((byte, i) => start[i] === byte)) throw new BackupError('not-a-backup');
  const headerLength = readU32(start.subarray(MAGIC.length));
  if (headerLength === 0 || headerLength > MAX_HEADER_BYTES) throw new BackupError('not-a-backup');
  const header = await bytesOf(file, MAGIC.length + 4, headerLength).catch(() => {
    throw new BackupError('not-a-backup');
  });
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(header));
  } catch {
    throw new BackupError('not-a-backup');
  }
  const format = (raw as { format?: unknown } | null)?.format;
  if (typeof format === 'number' && format > BACKUP_FORMAT_VERSION) {
    throw new BackupError('newer-version');
  }
  const parsed = v.safeParse(headerSchema, raw);
  if (!parsed.success) throw new BackupError(format === undefined ? 'not-a-backup' : 'damaged');
  const key = await deriveBackupKey(passphrase, parsed.output.kdf);
  const ivPrefix = fromBase64Url(parsed.output.iv);
  if ((await keyCheck(key, ivPrefix)) !== parsed.output.check) {
    throw new BackupError('wrong-passphrase');
  }

  let offset = MAGIC.length + 4 + headerLength;
  let index = 0;
  let isFirst = true;
  const counts: Record<string, number> = {};
  const sequence = recordSequence();
  let ended = false;
  while (!ended) {
    if (offset + 4 > file.size) throw new BackupError('damaged');
    const length = readU32(await bytesOf(file, offset, 4));
    if (length <= TAG_BYTES || length > MAX_FRAME_BYTES + TAG_BYTES) {
      throw new BackupError('damaged');
    }
    const sealed = await bytesOf(file, offset + 4, length);
    offset += 4 + length;
    const isLast = offset === file.size;
    let plain: ArrayBuffer;
    try {
      plain = await crypto.subtle.decrypt(
        {
          name: 'AES-GCM',
          iv: frameIv(ivPrefix, index),
          additionalData: frameAad(header, index, isLast),
        },
        key,
        sealed as Uint8Array<ArrayBuffer>,
      );
    } catch {
      throw new BackupError('damaged');
    }
    let batch: unknown;
    try {
      batch = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(plain));
    } catch {
      throw new BackupError('damaged');
    }
    if (!Array.isArray(batch) || batch.length > MAX_RECORDS_PER_FRAME) {
      throw new BackupError('damaged');
    }
    for (const item of batch) {
      const record = v.safeParse(backupRecordSchema, item);
      if (!record.success) throw new BackupError('damaged');
      const value = record.output;
      // `meta` first and once; nothing after `end`, which closes the last frame.
      if ((value.t === 'meta') !== (isFirst && counts.meta === undefined)) {
        throw new BackupError('damaged');
      }
      if (ended || !sequence.accepts(value)) throw new BackupError('damaged');
      if (value.t === 'end') {
        if (!isLast || counts.meta !== 1 || !sameCounts(value.counts, counts)) {
          throw new BackupError('damaged');
        }
        ended = true;
      } else {
        counts[value.t] = (counts[value.t] ?? 0) + 1;
      }
      yield value;
    }
    isFirst = false;
    index++;
    options.onProgress?.(offset, file.size);
    if (isLast && !ended) throw new BackupError('damaged');
  }
}

function sameCounts(a: Record<string, number>, b: Record<string, number>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}
