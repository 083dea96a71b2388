/**
 * Backup and restore in IndexedDB (storage/backup-store.ts; DESIGN §10 "Backup"). Part of the
 * adapter; loaded when a backup is made or restored. Reading takes bounded batches, one
 * read-only transaction each and none held while the caller works, so a 100k history never sits
 * in memory and the app keeps writing meanwhile; the snapshot is therefore not one instant, and
 * the order (conversations before their events, a file's record before its chunks) is what
 * keeps it consistent: see `readSnapshot`.
 */
import { createLogger } from '../log';
import { fromBase64Url, toBase64Url } from '../encoding';
import type { BackupAccess, SnapshotCounts, SnapshotFile, SnapshotRecord } from './backup-store';
import { portableSetting } from './backup-store';
import type { StoredIdentity } from './chat-store';
import type { FileRecord } from './file-store';
import { DB_VERSION, DEFAULT_DB_NAME, openParleyDb, type Db, type ParleyDb } from './idb-schema';
import type { StoreNames } from 'idb';

const log = createLogger('backup');

/** Rows read per transaction. */
const BATCH = 500;
/** File records (each with a manifest of up to 64 KiB) read per transaction. */
const FILE_BATCH = 50;
/** Chunks (up to 4 MiB each, as Blobs until read) read per transaction. */
const CHUNK_BATCH = 16;
/** Records written per transaction, and the chunk bytes (base64url chars) that close one early. */
const WRITE_BATCH = 500;
const WRITE_BATCH_CHARS = 8 << 20;

type Copied = 'conversations' | 'events' | 'contacts' | 'settings' | 'files' | 'blobs';
const COPIED: Copied[] = ['conversations', 'events', 'contacts', 'settings', 'files', 'blobs'];

/** Every row of `store` in key order (within `range`), `batch` per read-only transaction. */
async function* rowsOf<S extends Copied>(
  db: Db,
  store: S,
  batch: number,
  range?: IDBKeyRange,
): AsyncGenerator<ParleyDb[S]['value']> {
  let after: IDBValidKey | undefined;
  for (;;) {
    const tx = db.transaction(store as StoreNames<ParleyDb>, 'readonly');
    const source = tx.objectStore(store);
    const from = after === undefined ? range : rangeAfter(after, range);
    const [rows, keys] = await Promise.all([
      source.getAll(from, batch),
      source.getAllKeys(from, batch),
    ]);
    await tx.done;
    if (rows.length === 0) return;
    after = keys[keys.length - 1];
    for (const row of rows) yield row;
    if (rows.length < batch) return;
  }
}

/** Keys above `after`, still inside `range`. */
function rangeAfter(after: IDBValidKey, range: IDBKeyRange | undefined): IDBKeyRange {
  return range && range.upper !== undefined
    ? IDBKeyRange.bound(after, range.upper, true, range.upperOpen)
    : IDBKeyRange.lowerBound(after, true);
}

/** All chunk rows of one file: [sha256, any index] (as idb-files.ts). */
function chunkRows(sha256: string): IDBKeyRange {
  // Arrays sort after numbers, so [sha256, []] is above every [sha256, index].
  return IDBKeyRange.bound([sha256], [sha256, []]);
}

/** Bytes of chunk `index`: chunkSize, but the last chunk holds the rest (as idb-files.ts). */
function chunkLength(file: { size: number; chunkSize: number }, index: number): number {
  return Math.min(file.chunkSize, file.size - index * file.chunkSize);
}

function portableFile(file: FileRecord): SnapshotFile {
  return {
    sha256: file.sha256,
    size: file.size,
    mime: file.mime,
    chunkSize: file.chunkSize,
    chunkCount: file.chunkCount,
    manifest: file.manifest ? toBase64Url(new Uint8Array(file.manifest)) : null,
    have: toBase64Url(file.have),
    storedBytes: file.storedBytes,
    convs: file.convs,
    updatedAt: file.updatedAt,
    ...(file.removedAt === undefined ? {} : { removedAt: file.removedAt }),
  };
}

/**
 * The records of a backup, in this order: conversations; contacts; settings (`portableSetting`);
 * events (tombstones too) of the conversations read, an event of a conversation made after they
 * were read left out; with `includeFiles`, each file record and then its chunks, a chunk that
 * does not fit the record as read (changed meanwhile) left out. A file record's bitmap and byte
 * count are as stored; a restore sets its own from the chunks it gets.
 */
export async function* readSnapshot(
  db: Db,
  options: { includeFiles: boolean },
): AsyncGenerator<SnapshotRecord> {
  const conversations = new Set<string>();
  for await (const value of rowsOf(db, 'conversations', BATCH)) {
    conversations.add(value.id);
    yield { t: 'conversation', value };
  }
  for await (const value of rowsOf(db, 'contacts', BATCH)) yield { t: 'contact', value };
  for await (const row of rowsOf(db, 'settings', BATCH)) {
    const value = portableSetting(row);
    if (value) yield { t: 'setting', value };
  }
  for await (const value of rowsOf(db, 'events', BATCH)) {
    if (conversations.has(value.conv)) yield { t: 'event', value };
  }
  if (!options.includeFiles) return;
  for await (const file of rowsOf(db, 'files', FILE_BATCH)) {
    yield { t: 'file', value: portableFile(file) };
    for await (const chunk of rowsOf(db, 'blobs', CHUNK_BATCH, chunkRows(file.sha256))) {
      const fits =
        chunk.sha256 === file.sha256 &&
        chunk.index < file.chunkCount &&
        chunk.bytes.size === chunkLength(file, chunk.index);
      if (!fits) {
        log.warn(`chunk ${chunk.index} of ${file.sha256} does not fit its file; left out`);
        continue;
      }
      const bytes = new Uint8Array(await chunk.bytes.arrayBuffer());
      yield { t: 'chunk', sha256: chunk.sha256, index: chunk.index, bytes: toBase64Url(bytes) };
    }
  }
}

/**
 * True when the database holds no identity and no conversation: nothing a restore would
 * overwrite. (Rows without an identity are what a restore cut short leaves: `writeSnapshot`
 * clears them first.)
 */
export async function isEmptyForRestore(db: Db): Promise<boolean> {
  const tx = db.transaction(['identity', 'conversations'], 'readonly');
  const counts = await Promise.all([
    tx.objectStore('identity').count(),
    tx.objectStore('conversations').count(),
  ]);
  await tx.done;
  return counts.every((n) => n === 0);
}

/** Empties `stores`; used around a restore, so failures are logged, not thrown over the cause. */
async function clearStores(db: Db, stores: Copied[]): Promise<void> {
  const tx = db.transaction(stores, 'readwrite');
  await Promise.all([...stores.map((name) => tx.objectStore(name).clear()), tx.done]);
}

/** A restored file as far as its chunks go: the bitmap and bytes the chunks written make. */
interface FileTally {
  size: number;
  chunkSize: number;
  chunkCount: number;
  have: Uint8Array;
  storedBytes: number;
}

/**
 * Writes `records` (as `readSnapshot` yields them) into a database without an identity (it
 * throws before writing anything otherwise), then `identity` last with the search index emptied
 * (the indexer then builds it from the events, as for any store without a saved build
 * position). It first clears what a restore cut short may have left (every copied store but
 * `settings`, whose rows the backup's overwrite: a choice made at onboarding stays unless the
 * backup has its own). On a failure midway it empties what it writes and rethrows; a restore cut
 * short harder than that (the tab closed) leaves rows but no identity, so the app starts at
 * onboarding and the next restore starts clean. Deleting the database before retrying is as
 * good.
 *
 * Device settings and the device fields of `appSettings` are dropped again here
 * (`portableSetting`). A file record is written as holding nothing; each chunk then sets its
 * bit and bytes, so the record never claims a chunk that is not there. A chunk before its
 * file's record, outside it, of the wrong length or written twice is an error (the reader
 * refuses such a file before a restore starts; this is the last line).
 */
export async function writeSnapshot(
  db: Db,
  records: AsyncIterable<SnapshotRecord>,
  identity: StoredIdentity,
): Promise<SnapshotCounts> {
  if ((await db.count('identity')) > 0) throw new Error('restore: this browser has an identity');
  await clearStores(
    db,
    COPIED.filter((name) => name !== 'settings'),
  );
  const counts: Record<string, number> = {};
  const files = new Map<string, FileTally>();
  let batch: SnapshotRecord[] = [];
  let batchChars = 0;

  /** Checks a chunk against its file and counts it in; throws when it does not fit. */
  const tally = (record: Extract<SnapshotRecord, { t: 'chunk' }>, length: number): void => {
    const file = files.get(record.sha256);
    const bit = 1 << (record.index & 7);
    const byte = record.index >> 3;
    const isFitting =
      file !== undefined &&
      record.index < file.chunkCount &&
      length === chunkLength(file, record.index) &&
      ((file.have[byte] ?? 0) & bit) === 0;
    if (!file || !isFitting) {
      throw new Error(`restore: chunk ${record.index} of ${record.sha256} does not fit`);
    }
    file.have[byte]! |= bit;
    file.storedBytes += length;
  };

  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const rows = batch;
    batch = [];
    batchChars = 0;
    // Everything that can be refused is refused before the transaction opens (a throw inside
    // it would let the requests already made commit).
    const touched = new Set<string>();
    const puts: (() => Promise<unknown>)[] = [];
    for (const record of rows) {
      switch (record.t) {
        case 'conversation':
          puts.push(() => tx.objectStore('conversations').put(record.value));
          break;
        case 'event':
          puts.push(() => tx.objectStore('events').put(record.value));
          break;
        case 'contact':
          puts.push(() => tx.objectStore('contacts').put(record.value));
          break;
        case 'setting': {
          const value = portableSetting(record.value);
          if (!value) continue;
          puts.push(() => tx.objectStore('settings').put(value));
          break;
        }
        case 'file': {
          const file = record.value;
          if (files.has(file.sha256)) throw new Error(`restore: file ${file.sha256} twice`);
          const have = new Uint8Array(Math.ceil(file.chunkCount / 8));
          // Only the layout is kept: the manifest (up to 64 KiB a file) goes to the store.
          const { size, chunkSize, chunkCount } = file;
          files.set(file.sha256, { size, chunkSize, chunkCount, have, storedBytes: 0 });
          // Held: nothing yet; a chunk below sets its bit. `removedAt` stays until one does.
          const stored: FileRecord = {
            ...file,
            manifest: file.manifest === null ? null : fromBase64Url(file.manifest).buffer,
            have: new Uint8Array(have.length),
            storedBytes: 0,
          };
          puts.push(() => tx.objectStore('files').put(stored));
          break;
        }
        case 'chunk': {
          const bytes = fromBase64Url(record.bytes);
          tally(record, bytes.length);
          touched.add(record.sha256);
          const row = { sha256: record.sha256, index: record.index, bytes: new Blob([bytes]) };
          puts.push(() => tx.objectStore('blobs').put(row));
          break;
        }
      }
      counts[record.t] = (counts[record.t] ?? 0) + 1;
    }
    // The file records this batch's chunks belong to: their bitmap and bytes as now held.
    for (const sha256 of touched) {
      const { have, storedBytes } = files.get(sha256)!;
      const held = { have: new Uint8Array(have), storedBytes };
      puts.push(async () => {
        const files = tx.objectStore('files');
        const record = await files.get(sha256);
        if (!record) throw new Error(`restore: file ${sha256} missing`);
        const { removedAt: _removed, ...kept } = record;
        return files.put({ ...kept, ...held });
      });
    }
    const tx = db.transaction(COPIED, 'readwrite', { durability: 'relaxed' });
    await Promise.all([...puts.map((put) => put()), tx.done]);
  };

  try {
    for await (const record of records) {
      batch.push(record);
      batchChars += record.t === 'chunk' ? record.bytes.length : 512;
      if (batch.length >= WRITE_BATCH || batchChars >= WRITE_BATCH_CHARS) await flush();
    }
    await flush();
  } catch (error) {
    // Leave the store as empty as it was: a later restore or a new identity starts clean.
    await clearStores(db, COPIED).catch((clearing: unknown) =>
      log.error('emptying the store after a failed restore failed', clearing),
    );
    throw error;
  }
  // Last: until the identity is there, the app starts at onboarding (Restore can run again).
  // The search index goes in the same commit: an index state left from before (or written by a
  // page still running) would say "built" over a history it never read.
  const tx = db.transaction(
    ['identity', 'searchDocs', 'searchPostings', 'searchState'],
    'readwrite',
  );
  await Promise.all([
    tx.objectStore('searchDocs').clear(),
    tx.objectStore('searchPostings').clear(),
    tx.objectStore('searchState').clear(),
    tx.objectStore('identity').put(identity),
    tx.done,
  ]);
  return { counts };
}

/** The store's backup side over an open database. */
export function idbBackupAccess(db: Db): BackupAccess {
  return {
    schemaVersion: DB_VERSION,
    readSnapshot: (options) => readSnapshot(db, options),
    writeSnapshot: (records, identity) => writeSnapshot(db, records, identity),
    isEmptyForRestore: () => isEmptyForRestore(db),
  };
}

/**
 * Opens the backup side on a connection of its own to the database `name` (like the file store
 * and the search index): backup and restore load only when used, and the first screen carries
 * nothing of them. `close()` ends the connection.
 */
export async function openIdbBackup(
  name: string = DEFAULT_DB_NAME,
): Promise<BackupAccess & { close(): void }> {
  const db = await openParleyDb(name);
  return { ...idbBackupAccess(db), close: () => db.close() };
}
