/**
 * Backup and restore in IndexedDB (storage/backup-store.ts; DESIGN §10 "Backup"). Part of the
 * adapter; loaded when a backup is made or restored.
 */
import { fromBase64Url, toBase64Url } from '../encoding';
import type { BackupAccess, SnapshotFile, SnapshotRecord } from './backup-store';
import { isDeviceSetting } from './backup-store';
import type { StoredIdentity } from './chat-store';
import type { FileRecord } from './file-store';
import { DB_VERSION, DEFAULT_DB_NAME, openParleyDb, type Db, type ParleyDb } from './idb-schema';
import type { StoreNames } from 'idb';

/** Rows read per transaction. */
const BATCH = 500;
/** Chunks (up to a few hundred KiB each) read per transaction. */
const CHUNK_BATCH = 16;

type Copied = 'conversations' | 'events' | 'contacts' | 'settings' | 'files' | 'blobs';

/** Every row of `store` in key order, `batch` per read-only transaction. */
async function* rowsOf<S extends Copied>(
  db: Db,
  store: S,
  batch: number,
): AsyncGenerator<ParleyDb[S]['value']> {
  let after: IDBValidKey | undefined;
  for (;;) {
    const range = after === undefined ? undefined : IDBKeyRange.lowerBound(after, true);
    const tx = db.transaction(store as StoreNames<ParleyDb>, 'readonly');
    const source = tx.objectStore(store);
    const [rows, keys] = await Promise.all([
      source.getAll(range, batch),
      source.getAllKeys(range, batch),
    ]);
    await tx.done;
    if (rows.length === 0) return;
    after = keys[keys.length - 1];
    for (const row of rows) yield row;
    if (rows.length < batch) return;
  }
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

function storedFile(file: SnapshotFile): FileRecord {
  return {
    ...file,
    manifest: file.manifest === null ? null : fromBase64Url(file.manifest).buffer,
    have: fromBase64Url(file.have),
  };
}

async function* readSnapshot(
  db: Db,
  options: { includeFiles: boolean },
): AsyncGenerator<SnapshotRecord> {
  for await (const value of rowsOf(db, 'conversations', BATCH)) yield { t: 'conversation', value };
  for await (const value of rowsOf(db, 'contacts', BATCH)) yield { t: 'contact', value };
  for await (const value of rowsOf(db, 'settings', BATCH)) {
    if (!isDeviceSetting(value.key)) yield { t: 'setting', value };
  }
  for await (const value of rowsOf(db, 'events', BATCH)) yield { t: 'event', value };
  if (!options.includeFiles) return;
  for await (const file of rowsOf(db, 'files', BATCH))
    yield { t: 'file', value: portableFile(file) };
  for await (const chunk of rowsOf(db, 'blobs', CHUNK_BATCH)) {
    const bytes = new Uint8Array(await chunk.bytes.arrayBuffer());
    yield { t: 'chunk', sha256: chunk.sha256, index: chunk.index, bytes: toBase64Url(bytes) };
  }
}

async function writeSnapshot(
  db: Db,
  records: AsyncIterable<SnapshotRecord>,
  identity: StoredIdentity,
): Promise<void> {
  const stores: Copied[] = ['conversations', 'events', 'contacts', 'settings', 'files', 'blobs'];
  let batch: SnapshotRecord[] = [];
  let batchBytes = 0;
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const rows = batch;
    batch = [];
    batchBytes = 0;
    const tx = db.transaction(stores, 'readwrite', { durability: 'relaxed' });
    const writes: Promise<unknown>[] = rows.map((record) => {
      switch (record.t) {
        case 'conversation':
          return tx.objectStore('conversations').put(record.value);
        case 'event':
          return tx.objectStore('events').put(record.value);
        case 'contact':
          return tx.objectStore('contacts').put(record.value);
        case 'setting':
          return tx.objectStore('settings').put(record.value);
        case 'file':
          return tx.objectStore('files').put(storedFile(record.value));
        case 'chunk':
          return tx.objectStore('blobs').put({
            sha256: record.sha256,
            index: record.index,
            bytes: new Blob([fromBase64Url(record.bytes)]),
          });
      }
    });
    await Promise.all([...writes, tx.done]);
  };
  try {
    for await (const record of records) {
      batch.push(record);
      batchBytes += record.t === 'chunk' ? record.bytes.length : 512;
      if (batch.length >= BATCH || batchBytes >= 8 << 20) await flush();
    }
    await flush();
  } catch (error) {
    // Leave the store as empty as it was: a later restore or a new identity starts clean.
    const tx = db.transaction(stores, 'readwrite');
    await Promise.all([...stores.map((name) => tx.objectStore(name).clear()), tx.done]).catch(
      () => undefined,
    );
    throw error;
  }
  // Last: until the identity is there, the app starts at onboarding (Restore can run again).
  await db.put('identity', identity);
}

/** The store's backup side over an open database. */
export function idbBackupAccess(db: Db): BackupAccess {
  return {
    schemaVersion: DB_VERSION,
    readSnapshot: (options) => readSnapshot(db, options),
    writeSnapshot: (records, identity) => writeSnapshot(db, records, identity),
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
