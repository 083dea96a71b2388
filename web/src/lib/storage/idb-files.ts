/**
 * FileStore on IndexedDB (DESIGN §10): a `files` record per file (by sha256, indexed by the
 * conversations referring to it) and its chunks as `blobs` rows keyed [sha256, index]. Part of
 * the IndexedDB adapter (storage/idb-*.ts). It stores; whether a chunk or manifest is genuine is
 * checked before it gets here (features/files/file-hashing.ts).
 *
 * Each write is one transaction holding only IndexedDB requests, so a failure (a full disk above
 * all, surfaced as StorageFullError) leaves nothing of it behind.
 */
import { byobReaderOf, fillFrom } from '../byte-streams';
import { createLogger } from '../log';
import {
  StorageFullError,
  chunkBytesLength,
  isComplete,
  type ChunkBytes,
  type FileDescription,
  type FileRecord,
  type FileStore,
} from './file-store';
import { DEFAULT_DB_NAME, openParleyDb, type Db } from './idb-schema';
import { inTx, requestAll, toStoreError } from './idb-tx';

const log = createLogger('files');

/** Options of the file store. */
export interface IdbFileStoreOptions {
  /** The clock for `updatedAt` (default Date.now). */
  now?: () => number;
}

/** Options of `openIdbFileStore`. */
export interface OpenIdbFileStoreOptions extends IdbFileStoreOptions {
  /** Database name (default 'parley'). */
  name?: string;
  /** Called after another tab asked to upgrade the schema and this connection closed itself. */
  onVersionChange?: () => void;
}

/** A file store over an open database (one the chat store shares, or its own). */
export function createIdbFileStore(db: Db, opts: IdbFileStoreOptions = {}): IdbFileStore {
  return new IdbFileStore(db, opts);
}

/** Opens (creating or upgrading) the database on a connection of its own; `close()` ends it. */
export async function openIdbFileStore(opts: OpenIdbFileStoreOptions = {}): Promise<IdbFileStore> {
  const db = await openParleyDb(opts.name ?? DEFAULT_DB_NAME, opts.onVersionChange);
  return new IdbFileStore(db, opts);
}

/** All chunk rows of one file: [sha256, any index]. */
function chunkRows(sha256: string): IDBKeyRange {
  // Arrays sort after numbers, so [sha256, []] is above every [sha256, index].
  return IDBKeyRange.bound([sha256], [sha256, []]);
}

/** Bytes of chunk `index` of the file: chunkSize, but the last chunk holds the rest. */
function chunkLength(file: FileDescription, index: number): number {
  return Math.min(file.chunkSize, file.size - index * file.chunkSize);
}

function isHeld(have: Uint8Array, index: number): boolean {
  return ((have[index >> 3] ?? 0) & (1 << (index & 7))) !== 0;
}

/**
 * A Blob's bytes: read into `into` (detached; the result views what takes its place) when it is
 * large enough and the Blob's stream takes a BYOB reader, else into a new buffer.
 */
async function readBlob(blob: Blob, into?: ArrayBuffer): Promise<Uint8Array> {
  // Not a byte stream on this platform: a new buffer, as without `into`.
  const reader = into && into.byteLength >= blob.size && blob.size > 0 ? byobReaderOf(blob) : null;
  if (!reader) return new Uint8Array(await blob.arrayBuffer());
  try {
    const { buffer, filled } = await fillFrom(reader, into!, blob.size);
    if (filled < blob.size) throw new Error(`read ${filled} of ${blob.size} B`);
    return new Uint8Array(buffer, 0, blob.size);
  } finally {
    void reader.cancel().catch(() => undefined);
  }
}

function checkDescription(file: FileDescription): void {
  const { size, chunkSize, chunkCount } = file;
  const isLaidOut =
    Number.isSafeInteger(size) &&
    size >= 0 &&
    Number.isSafeInteger(chunkSize) &&
    chunkSize > 0 &&
    chunkCount === Math.ceil(size / chunkSize);
  if (!isLaidOut) {
    throw new RangeError(`file ${file.sha256}: ${chunkCount} chunks of ${chunkSize} ≠ ${size} B`);
  }
}

/** The IndexedDB implementation of FileStore. */
export class IdbFileStore implements FileStore {
  readonly #db: Db;
  readonly #now: () => number;

  /** Wraps an open database; see `createIdbFileStore`. */
  constructor(db: Db, opts: IdbFileStoreOptions = {}) {
    this.#db = db;
    this.#now = opts.now ?? Date.now;
  }

  /** Closes the database connection (only for a store opened with `openIdbFileStore`). */
  close(): void {
    this.#db.close();
  }

  async describe(file: FileDescription, conv: string): Promise<FileRecord> {
    checkDescription(file);
    return this.#write('describe', ['files'], async (tx) => {
      const files = tx.objectStore('files');
      const known = await files.get(file.sha256);
      // A second description of the same content keeps the first layout: the content address
      // is the file, and the chunks already held are cut that way.
      if (known?.convs.includes(conv)) return known;
      const record: FileRecord = known
        ? { ...known, convs: [...known.convs, conv], updatedAt: this.#now() }
        : {
            sha256: file.sha256,
            size: file.size,
            mime: file.mime,
            chunkSize: file.chunkSize,
            chunkCount: file.chunkCount,
            manifest: null,
            have: new Uint8Array(Math.ceil(file.chunkCount / 8)),
            storedBytes: 0,
            convs: [conv],
            updatedAt: this.#now(),
          };
      await files.put(record);
      return record;
    });
  }

  async get(sha256: string): Promise<FileRecord | undefined> {
    return this.#db.get('files', sha256);
  }

  async setManifest(sha256: string, manifest: ArrayBuffer): Promise<FileRecord> {
    return this.#write('setManifest', ['files'], async (tx) => {
      const files = tx.objectStore('files');
      const record = await files.get(sha256);
      if (!record) throw new Error(`no file ${sha256}`);
      if (manifest.byteLength !== record.chunkCount * 32) {
        throw new RangeError(
          `a manifest of ${record.chunkCount} chunks has ${record.chunkCount * 32} B`,
        );
      }
      const updated = { ...record, manifest, updatedAt: this.#now() };
      await files.put(updated);
      return updated;
    });
  }

  async putChunks(sha256: string, chunks: readonly ChunkBytes[]): Promise<FileRecord> {
    // Relaxed durability (no flush to disk per commit): still all or nothing, and chunks lost
    // with the last commits before a power cut are simply fetched again; a flush per batch made
    // storing the slowest step of a download.
    return this.#write(
      'putChunks',
      ['files', 'blobs'],
      async (tx) => {
        const files = tx.objectStore('files');
        const record = await files.get(sha256);
        if (!record) throw new Error(`no file ${sha256}`);
        const have = new Uint8Array(record.have);
        let storedBytes = record.storedBytes;
        const fresh: ChunkBytes[] = [];
        for (const chunk of chunks) {
          const { index, bytes } = chunk;
          if (!Number.isInteger(index) || index < 0 || index >= record.chunkCount) {
            throw new RangeError(`chunk ${index} is outside file ${sha256}`);
          }
          const length = chunkBytesLength(bytes);
          if (length !== chunkLength(record, index)) {
            throw new RangeError(`chunk ${index} of ${sha256} has ${length} B`);
          }
          if (isHeld(have, index)) continue;
          have[index >> 3]! |= 1 << (index & 7);
          storedBytes += length;
          fresh.push(chunk);
        }
        if (fresh.length === 0) return record;
        const blobs = tx.objectStore('blobs');
        const { removedAt: _removed, ...kept } = record;
        const updated: FileRecord = { ...kept, have, storedBytes, updatedAt: this.#now() };
        const puts = fresh.map(
          ({ index, bytes }) =>
            () =>
              blobs.put({
                sha256,
                index,
                bytes: bytes instanceof Blob ? bytes : new Blob([bytes]),
              }),
        );
        await requestAll<unknown>([...puts, () => files.put(updated)]);
        return updated;
      },
      { durability: 'relaxed' },
    );
  }

  async getChunk(sha256: string, index: number): Promise<ArrayBuffer | undefined> {
    const row = await this.#db.get('blobs', [sha256, index]);
    return row ? await row.bytes.arrayBuffer() : undefined;
  }

  async getChunks(
    sha256: string,
    from: number,
    to: number,
    into?: ArrayBuffer,
  ): Promise<(Uint8Array | undefined)[]> {
    const chunks = new Array<Uint8Array | undefined>(Math.max(0, to - from + 1)).fill(undefined);
    if (to < from) return chunks;
    const rows = await this.#db.getAll('blobs', IDBKeyRange.bound([sha256, from], [sha256, to]));
    // One read of all their bytes: a transaction and a Blob read per chunk cost more than
    // the bytes on a busy machine.
    const bytes = await readBlob(new Blob(rows.map((row) => row.bytes)), into);
    let at = 0;
    for (const row of rows) {
      chunks[row.index - from] = bytes.subarray(at, at + row.bytes.size);
      at += row.bytes.size;
    }
    return chunks;
  }

  async chunkBlobs(sha256: string): Promise<Blob[] | null> {
    const tx = this.#db.transaction(['files', 'blobs']);
    const [record, rows] = await Promise.all([
      tx.objectStore('files').get(sha256),
      tx.objectStore('blobs').getAll(chunkRows(sha256)),
    ]);
    if (!record || !isComplete(record) || rows.length !== record.chunkCount) return null;
    return rows.map((row) => row.bytes);
  }

  isComplete(record: FileRecord): boolean {
    return isComplete(record);
  }

  async usageByConversation(): Promise<Map<string, number>> {
    const usage = new Map<string, number>();
    // A cursor, not getAll: each record carries its manifest (up to 64 KiB).
    let cursor = await this.#db.transaction('files').store.openCursor();
    while (cursor) {
      const { convs, storedBytes } = cursor.value;
      for (const conv of convs) usage.set(conv, (usage.get(conv) ?? 0) + storedBytes);
      cursor = await cursor.continue();
    }
    return usage;
  }

  async deleteConversationFiles(conv: string): Promise<{ bytes: number; files: string[] }> {
    return this.#write('deleteConversationFiles', ['files', 'blobs'], async (tx) => {
      const files = tx.objectStore('files');
      const blobs = tx.objectStore('blobs');
      const records = await files.index('byConv').getAll(conv);
      const now = this.#now();
      let freed = 0;
      const freedFiles: string[] = [];
      const requests: (() => Promise<unknown>)[] = [];
      for (const record of records) {
        const convs = record.convs.filter((c) => c !== conv);
        const isOrphan = convs.length === 0;
        if (isOrphan) {
          freed += record.storedBytes;
          if (record.storedBytes > 0) freedFiles.push(record.sha256);
          requests.push(() => blobs.delete(chunkRows(record.sha256)));
        }
        const updated: FileRecord = isOrphan
          ? {
              ...record,
              convs,
              have: new Uint8Array(record.have.length),
              storedBytes: 0,
              updatedAt: now,
              removedAt: now,
            }
          : { ...record, convs, updatedAt: now };
        requests.push(() => files.put(updated));
      }
      await requestAll(requests);
      return { bytes: freed, files: freedFiles };
    });
  }

  async deleteFile(sha256: string): Promise<void> {
    await this.#write('deleteFile', ['files', 'blobs'], async (tx) => {
      await requestAll<unknown>([
        () => tx.objectStore('blobs').delete(chunkRows(sha256)),
        () => tx.objectStore('files').delete(sha256),
      ]);
    });
  }

  /** Runs one read-write transaction; a full storage becomes StorageFullError. */
  async #write<Names extends ('files' | 'blobs')[], T>(
    what: string,
    names: Names,
    fn: Parameters<typeof inTx<Names, 'readwrite', T>>[3],
    options?: IDBTransactionOptions,
  ): Promise<T> {
    try {
      return await inTx(this.#db, names, 'readwrite', fn, options);
    } catch (error) {
      const storeError = toStoreError(error);
      if (storeError.kind !== 'quota') throw error;
      log.error(`${what} failed: storage is full:`, storeError.message);
      throw new StorageFullError(error);
    }
  }
}
