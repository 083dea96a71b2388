import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openDB } from 'idb';
import { makeConversation } from '../testing/factories';
import { failPutsWhileRunning, quotaError, realPut, type Put } from '../testing/idb-failures';
import { StorageFullError, type FileDescription } from './file-store';
import { createIdbFileStore, openIdbFileStore, type IdbFileStore } from './idb-files';
import { MIGRATIONS, openParleyDb, type Db, type ParleyDb } from './idb-schema';

const NOW = 1_700_000_000_000;
const CHUNK = 16;

let dbName: string;
let db: Db;
let store: IdbFileStore;
const dbs: Db[] = [];

/** A file description with a 43-char fake content address. */
function makeFile(n: number, size = CHUNK * 2 + 5, chunkSize = CHUNK): FileDescription {
  return {
    sha256: `file${n}`.padEnd(43, 'A'),
    size,
    mime: 'application/octet-stream',
    chunkSize,
    chunkCount: Math.ceil(size / chunkSize),
  };
}

/** The bytes of chunk `index` of `file`, each byte its index + 1. */
function chunkOf(file: FileDescription, index: number): { index: number; bytes: ArrayBuffer } {
  const length = Math.min(file.chunkSize, file.size - index * file.chunkSize);
  return { index, bytes: new Uint8Array(length).fill(index + 1).buffer };
}

function allChunks(file: FileDescription): { index: number; bytes: ArrayBuffer }[] {
  return Array.from({ length: file.chunkCount }, (_, index) => chunkOf(file, index));
}

/** Whether this platform's Blob streams are byte streams (browsers, recent Node). */
function hasByteStreamBlobs(): boolean {
  try {
    void new Blob([]).stream().getReader({ mode: 'byob' }).cancel();
    return true;
  } catch {
    return false;
  }
}

function chunkRowCount(): Promise<number> {
  return db.count('blobs');
}

beforeEach(async () => {
  vi.spyOn(console, 'error').mockImplementation(() => undefined);
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  dbName = `parley-files-test-${crypto.randomUUID()}`;
  db = await openParleyDb(dbName);
  dbs.push(db);
  store = createIdbFileStore(db, { now: () => NOW });
});

afterEach(() => {
  for (const open of dbs.splice(0)) open.close();
  vi.restoreAllMocks();
});

describe('schema', () => {
  it('upgrades a v1 database, keeping its data, with a files store indexed by conversation', async () => {
    db.close();
    const oldName = `parley-files-v1-${crypto.randomUUID()}`;
    const v1 = await openDB<ParleyDb>(oldName, 1, {
      upgrade(database, _oldVersion, _newVersion, tx) {
        MIGRATIONS[0]!(database, tx);
      },
    });
    const conversation = makeConversation({ title: 'kept' });
    await v1.put('conversations', conversation);
    await v1.put('settings', { key: 'theme', value: 'dark' });
    v1.close();

    db = await openParleyDb(oldName);
    dbs.push(db);
    expect(db.version).toBe(MIGRATIONS.length);
    expect(await db.get('conversations', conversation.id)).toEqual(conversation);
    expect(await db.get('settings', 'theme')).toEqual({ key: 'theme', value: 'dark' });
    const files = db.transaction('files').store;
    expect(files.keyPath).toBe('sha256');
    expect(files.index('byConv').keyPath).toBe('convs');
    expect(files.index('byConv').multiEntry).toBe(true);

    store = createIdbFileStore(db, { now: () => NOW });
    const file = makeFile(1);
    await store.describe(file, 'room-a');
    expect((await store.putChunks(file.sha256, allChunks(file))).storedBytes).toBe(file.size);
  });

  it('opens a connection of its own that close() ends', async () => {
    const own = await openIdbFileStore({ name: dbName });
    const file = makeFile(1);
    await own.describe(file, 'room-a');
    own.close();
    expect(await store.get(file.sha256)).toMatchObject({ convs: ['room-a'] });
  });
});

describe('describing files', () => {
  it('creates a record with nothing held', async () => {
    const file = makeFile(1);
    const record = await store.describe(file, 'room-a');
    expect(record).toEqual({
      ...file,
      manifest: null,
      have: new Uint8Array(1),
      storedBytes: 0,
      convs: ['room-a'],
      updatedAt: NOW,
    });
    expect(await store.get(file.sha256)).toEqual(record);
    expect(await store.get(makeFile(2).sha256)).toBeUndefined();
  });

  it('adds another conversation once, keeping the first layout', async () => {
    const file = makeFile(1);
    await store.describe(file, 'room-a');
    await store.describe({ ...file, chunkSize: 64, chunkCount: 1 }, 'room-b');
    const record = await store.describe(file, 'room-b');
    expect(record.convs).toEqual(['room-a', 'room-b']);
    expect(record.chunkSize).toBe(CHUNK);
  });

  it('refuses a layout that does not add up', async () => {
    await expect(store.describe({ ...makeFile(1), chunkCount: 7 }, 'room-a')).rejects.toThrow(
      RangeError,
    );
    await expect(store.describe({ ...makeFile(1), chunkSize: 0 }, 'room-a')).rejects.toThrow(
      RangeError,
    );
  });

  it('describes an empty file as complete', async () => {
    const file = makeFile(1, 0);
    const record = await store.describe(file, 'room-a');
    expect(record.chunkCount).toBe(0);
    expect(store.isComplete(record)).toBe(true);
  });
});

describe('chunks', () => {
  it('stores chunks, marks them held and reads them back', async () => {
    const file = makeFile(1);
    await store.describe(file, 'room-a');
    const afterOne = await store.putChunks(file.sha256, [chunkOf(file, 1)]);
    expect(afterOne.have).toEqual(new Uint8Array([0b010]));
    expect(afterOne.storedBytes).toBe(CHUNK);
    expect(store.isComplete(afterOne)).toBe(false);
    expect(new Uint8Array((await store.getChunk(file.sha256, 1))!)).toEqual(
      new Uint8Array(CHUNK).fill(2),
    );
    expect(await store.getChunk(file.sha256, 0)).toBeUndefined();

    const complete = await store.putChunks(file.sha256, allChunks(file));
    expect(complete.have).toEqual(new Uint8Array([0b111]));
    expect(complete.storedBytes).toBe(file.size);
    expect(store.isComplete(complete)).toBe(true);
    expect(await store.get(file.sha256)).toEqual(complete);
    expect(new Uint8Array((await store.getChunk(file.sha256, 2))!)).toEqual(
      new Uint8Array(5).fill(3),
    );
  });

  it('reads a range of chunks in one go, none for those not held', async () => {
    const file = makeFile(1);
    await store.describe(file, 'room-a');
    await store.putChunks(file.sha256, [chunkOf(file, 1), chunkOf(file, 2)]);
    const [first, second, third] = await store.getChunks(file.sha256, 0, 2);
    expect(first).toBeUndefined();
    expect(second).toEqual(new Uint8Array(CHUNK).fill(2));
    expect(third).toEqual(new Uint8Array(5).fill(3));
    expect(await store.getChunks(file.sha256, 2, 1)).toEqual([]);
  });

  it('reads a range into a buffer it is given when it fits, else into a new one', async () => {
    const file = makeFile(1);
    await store.describe(file, 'room-a');
    await store.putChunks(file.sha256, allChunks(file));
    const into = new ArrayBuffer(4 * CHUNK);
    const [first, second, third] = await store.getChunks(file.sha256, 0, 2, into);
    expect(second?.buffer).toBe(first?.buffer);
    if (hasByteStreamBlobs()) {
      // Read into it: it is detached, and the chunks view the buffer that took its place.
      expect(into.byteLength).toBe(0);
      expect(first?.buffer.byteLength).toBe(4 * CHUNK);
    } else {
      // A platform whose Blob streams take no BYOB reader reads into a new buffer.
      expect(into.byteLength).toBe(4 * CHUNK);
    }
    expect(first).toEqual(new Uint8Array(CHUNK).fill(1));
    expect(second).toEqual(new Uint8Array(CHUNK).fill(2));
    expect(third).toEqual(new Uint8Array(5).fill(3));

    const small = new ArrayBuffer(CHUNK);
    const [again] = await store.getChunks(file.sha256, 0, 2, small);
    expect(small.byteLength).toBe(CHUNK);
    expect(again).toEqual(new Uint8Array(CHUNK).fill(1));
  });

  it('ignores chunks already held, also twice in one call', async () => {
    const file = makeFile(1);
    await store.describe(file, 'room-a');
    await store.putChunks(file.sha256, [chunkOf(file, 0)]);
    const again = await store.putChunks(file.sha256, [
      { index: 0, bytes: new Uint8Array(CHUNK).fill(9).buffer },
      chunkOf(file, 1),
      chunkOf(file, 1),
    ]);
    expect(again.storedBytes).toBe(2 * CHUNK);
    expect(new Uint8Array((await store.getChunk(file.sha256, 0))!)[0]).toBe(1);
    expect(await chunkRowCount()).toBe(2);
  });

  it('refuses a chunk of the wrong length or index, or of an unknown file, storing nothing', async () => {
    const file = makeFile(1);
    await store.describe(file, 'room-a');
    const short = { index: 0, bytes: new ArrayBuffer(CHUNK - 1) };
    await expect(store.putChunks(file.sha256, [chunkOf(file, 1), short])).rejects.toThrow(
      RangeError,
    );
    await expect(
      store.putChunks(file.sha256, [{ index: 3, bytes: new ArrayBuffer(CHUNK) }]),
    ).rejects.toThrow(RangeError);
    await expect(store.putChunks(makeFile(2).sha256, [chunkOf(file, 0)])).rejects.toThrow(
      /no file/,
    );
    expect(await chunkRowCount()).toBe(0);
    expect((await store.get(file.sha256))?.storedBytes).toBe(0);
  });

  it('keeps a manifest of the right length', async () => {
    const file = makeFile(1);
    await store.describe(file, 'room-a');
    const manifest = new Uint8Array(32 * file.chunkCount).fill(7).buffer;
    expect((await store.setManifest(file.sha256, manifest)).manifest).toEqual(manifest);
    expect((await store.get(file.sha256))?.manifest).toEqual(manifest);
    await expect(store.setManifest(file.sha256, new ArrayBuffer(32))).rejects.toThrow(RangeError);
    await expect(store.setManifest(makeFile(2).sha256, manifest)).rejects.toThrow(/no file/);
  });
});

describe('files in several conversations', () => {
  it('stores the same file once and counts it in each conversation', async () => {
    const shared = makeFile(1);
    const own = makeFile(2, 40);
    await store.describe(shared, 'room-a');
    await store.putChunks(shared.sha256, allChunks(shared));
    await store.describe(shared, 'room-b');
    await store.putChunks(shared.sha256, allChunks(shared));
    await store.describe(own, 'room-b');
    await store.putChunks(own.sha256, [chunkOf(own, 0)]);
    expect(await chunkRowCount()).toBe(shared.chunkCount + 1);
    expect(await store.usageByConversation()).toEqual(
      new Map([
        ['room-a', shared.size],
        ['room-b', shared.size + CHUNK],
      ]),
    );
  });

  it('deleting a conversation keeps the chunks another one still uses', async () => {
    const file = makeFile(1);
    await store.describe(file, 'room-a');
    await store.describe(file, 'room-b');
    await store.putChunks(file.sha256, allChunks(file));
    expect(await store.deleteConversationFiles('room-a')).toEqual({ bytes: 0, files: [] });
    const record = await store.get(file.sha256);
    expect(record?.convs).toEqual(['room-b']);
    expect(record && store.isComplete(record)).toBe(true);
    expect(await chunkRowCount()).toBe(file.chunkCount);
    expect(await store.usageByConversation()).toEqual(new Map([['room-b', file.size]]));
  });

  it('deleting the last conversation of a file drops its chunks, keeping record and manifest', async () => {
    const file = makeFile(1);
    const next = makeFile(11); // sorts right after file 1's chunk rows
    const manifest = new Uint8Array(32 * file.chunkCount).fill(7).buffer;
    await store.describe(file, 'room-a');
    await store.setManifest(file.sha256, manifest);
    await store.putChunks(file.sha256, allChunks(file));
    await store.describe(next, 'room-b');
    await store.putChunks(next.sha256, [chunkOf(next, 0)]);

    expect(await store.deleteConversationFiles('room-a')).toEqual({
      bytes: file.size,
      files: [file.sha256],
    });
    const record = await store.get(file.sha256);
    expect(record).toMatchObject({ convs: [], storedBytes: 0, manifest });
    expect(record?.have).toEqual(new Uint8Array(1));
    expect(await store.getChunk(file.sha256, 0)).toBeUndefined();
    expect(await chunkRowCount()).toBe(1);
    expect(await store.usageByConversation()).toEqual(new Map([['room-b', CHUNK]]));

    // Seen again (e.g. a forwarded copy): it can be fetched again without the manifest.
    const again = await store.describe(file, 'room-c');
    expect(again).toMatchObject({ convs: ['room-c'], manifest });
    expect((await store.putChunks(file.sha256, allChunks(file))).storedBytes).toBe(file.size);
  });

  it('deletes one file, record and chunks, leaving the others', async () => {
    const file = makeFile(1);
    const next = makeFile(11);
    for (const f of [file, next]) {
      await store.describe(f, 'room-a');
      await store.putChunks(f.sha256, allChunks(f));
    }
    await store.deleteFile(file.sha256);
    expect(await store.get(file.sha256)).toBeUndefined();
    expect(await chunkRowCount()).toBe(next.chunkCount);
    expect(await store.usageByConversation()).toEqual(new Map([['room-a', next.size]]));
  });
});

describe('a full disk', () => {
  it('surfaces a QuotaExceededError thrown by a put as StorageFullError, keeping nothing of the write', async () => {
    const file = makeFile(1);
    await store.describe(file, 'room-a');
    await store.putChunks(file.sha256, [chunkOf(file, 0)]);
    const put = vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (
      this: IDBObjectStore,
      ...args: Parameters<Put>
    ) {
      if (this.name === 'files') throw quotaError();
      return realPut.apply(this, args);
    });
    const failed = store.putChunks(file.sha256, allChunks(file));
    await expect(failed).rejects.toBeInstanceOf(StorageFullError);
    await expect(failed).rejects.toThrow(/Storage is full/);
    put.mockRestore();
    expect(await store.get(file.sha256)).toMatchObject({ storedBytes: CHUNK });
    expect(await chunkRowCount()).toBe(1);
  });

  it('surfaces a transaction aborted by QuotaExceededError as StorageFullError, rolled back', async () => {
    const file = makeFile(1);
    await store.describe(file, 'room-a');
    const put = failPutsWhileRunning('blobs', 1);
    const failed = store.putChunks(file.sha256, allChunks(file));
    await expect(failed).rejects.toBeInstanceOf(StorageFullError);
    await expect(failed).rejects.toHaveProperty('cause.name', 'QuotaExceededError');
    put.mockRestore();
    expect(await chunkRowCount()).toBe(0);
    expect(await store.get(file.sha256)).toMatchObject({ storedBytes: 0, have: new Uint8Array(1) });
    expect((await store.putChunks(file.sha256, allChunks(file))).storedBytes).toBe(file.size);
  });

  it('counts a full-disk UnknownError as full, and lets other errors through as they are', async () => {
    const file = makeFile(1);
    await store.describe(file, 'room-a');
    const put = vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(() => {
      throw new DOMException('Encountered full disk while opening backing store', 'UnknownError');
    });
    await expect(store.describe(file, 'room-b')).rejects.toBeInstanceOf(StorageFullError);
    put.mockImplementation(() => {
      throw new DOMException('Internal error', 'UnknownError');
    });
    const other = store.describe(file, 'room-b');
    await expect(other).rejects.not.toBeInstanceOf(StorageFullError);
    await expect(other).rejects.toHaveProperty('name', 'UnknownError');
  });
});
