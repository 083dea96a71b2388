import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { useFakeWorker } from '../../testing/fake-worker';
import { toBase64Url } from '../../encoding';
import type { ChunkBytes, FileDescription } from '../../storage/file-store';
import { createIdbFileStore, type IdbFileStore } from '../../storage/idb-files';
import { openParleyDb, type Db } from '../../storage/idb-schema';
import { BASE_CHUNK_BYTES, MAX_FILE_BYTES, chunkCountOf } from './chunk-plan';
import { hashHere, type HashMessage, type HashRequest } from './file-hash-core';
import {
  FileChangedError,
  MIN_WORKER_HASH_BYTES,
  hashFile,
  storeFile,
  verifyChunk,
  verifyManifest,
} from './file-hashing';

// The reference is OpenSSL's SHA-256 (node:crypto); the web tsconfig has no Node types, so the
// module is named through a variable and typed here.
interface NodeHash {
  update(data: Uint8Array): NodeHash;
  digest(): Uint8Array;
}
const NODE_CRYPTO = 'node:crypto';
const { createHash } = (await import(/* @vite-ignore */ NODE_CRYPTO)) as {
  createHash: (algorithm: 'sha256') => NodeHash;
};

const KiB = 1024;

/** `size` deterministic, varied bytes. */
function bytesOf(size: number, seed = 1): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size);
  let x = seed * 2_654_435_761;
  for (let i = 0; i < size; i++) {
    x = (x * 1_103_515_245 + 12_345) >>> 0;
    bytes[i] = x >>> 24;
  }
  return bytes;
}

/** What hashFile must produce, computed with node:crypto. */
function reference(bytes: Uint8Array, chunkSize: number) {
  const hashes: Uint8Array[] = [];
  for (let start = 0; start < bytes.length; start += chunkSize) {
    hashes.push(
      createHash('sha256')
        .update(bytes.subarray(start, start + chunkSize))
        .digest(),
    );
  }
  const manifest = new Uint8Array(hashes.length * 32);
  hashes.forEach((hash, i) => manifest.set(hash, i * 32));
  return {
    sha256: toBase64Url(createHash('sha256').update(bytes).digest()),
    root: toBase64Url(createHash('sha256').update(manifest).digest()),
    manifest: manifest.buffer,
  };
}

describe('hashing a file', () => {
  it.each([
    ['an empty file', 0, BASE_CHUNK_BYTES],
    ['1 byte', 1, BASE_CHUNK_BYTES],
    ['exactly one chunk', BASE_CHUNK_BYTES, BASE_CHUNK_BYTES],
    ['one chunk and a byte', BASE_CHUNK_BYTES + 1, BASE_CHUNK_BYTES],
    ['several chunks and a part', 5 * BASE_CHUNK_BYTES + 123, BASE_CHUNK_BYTES],
    ['many small chunks', 10_000, 1000],
  ])('hashes %s as node:crypto does', async (_what, size, chunkSize) => {
    const bytes = bytesOf(size);
    const hashes = await hashFile(new Blob([bytes]), { chunkSize });
    expect(hashes).toEqual(reference(bytes, chunkSize));
    expect(hashes.sha256).toHaveLength(43);
    expect(hashes.manifest.byteLength).toBe(32 * chunkCountOf(size, chunkSize));
  });

  it('reads the file as one stream into a chunk-sized buffer, never whole', async () => {
    const blob = new Blob([bytesOf(10 * KiB)]);
    const stream = vi.spyOn(blob, 'stream');
    const slice = vi.spyOn(blob, 'slice');
    const arrayBuffer = vi.spyOn(blob, 'arrayBuffer');
    await hashFile(blob, { chunkSize: KiB });
    expect(stream).toHaveBeenCalledTimes(1);
    expect(slice).not.toHaveBeenCalled();
    expect(arrayBuffer).not.toHaveBeenCalled();
  });

  it('reads a slice per chunk where a file’s stream is not a byte stream, hashing the same', async () => {
    const bytes = bytesOf(5 * KiB + 7);
    const blob = new Blob([bytes]);
    vi.spyOn(blob, 'stream').mockImplementation(
      () => new ReadableStream<Uint8Array<ArrayBuffer>>(),
    );
    const slice = vi.spyOn(blob, 'slice');
    expect(await hashFile(blob, { chunkSize: KiB })).toEqual(reference(bytes, KiB));
    expect(slice.mock.calls.map(([start, end]) => [start, end])).toEqual(
      [0, 1, 2, 3, 4, 5].map((i) => [i * KiB, (i + 1) * KiB]),
    );
  });

  it('fails when the file turns out shorter than its size (changed on disk)', async () => {
    const blob = new Blob([bytesOf(3 * KiB)]);
    const short = new Blob([bytesOf(2 * KiB)]);
    vi.spyOn(blob, 'stream').mockImplementation(() => short.stream());
    await expect(hashFile(blob, { chunkSize: KiB })).rejects.toThrow(/ended at 2048 of 3072 B/);
  });

  it('reports progress after every chunk, rising to the size', async () => {
    const progress: number[] = [];
    await hashFile(new Blob([bytesOf(5_500)]), {
      chunkSize: 1000,
      onProgress: (done) => progress.push(done),
    });
    expect(progress).toEqual([1000, 2000, 3000, 4000, 5000, 5500]);
  });

  it('stops when aborted, rejecting with the reason', async () => {
    const controller = new AbortController();
    const progress: number[] = [];
    const hashing = hashFile(new Blob([bytesOf(10_000)]), {
      chunkSize: 1000,
      signal: controller.signal,
      onProgress: (done) => {
        progress.push(done);
        if (done === 3000) controller.abort();
      },
    });
    await expect(hashing).rejects.toHaveProperty('name', 'AbortError');
    expect(progress).toEqual([1000, 2000, 3000]);
    await expect(
      hashFile(new Blob([bytesOf(10)]), { chunkSize: 1000, signal: controller.signal }),
    ).rejects.toHaveProperty('name', 'AbortError');
  });

  it('refuses a file over 4 GiB', async () => {
    const huge = { size: MAX_FILE_BYTES + 1 } as Blob;
    await expect(hashFile(huge, { chunkSize: 4 * 1024 * KiB })).rejects.toThrow(RangeError);
  });
});

describe('checking chunks and manifests', () => {
  const bytes = bytesOf(2500);
  const { manifest, root } = reference(bytes, 1000);
  const chunk = (index: number) => bytes.slice(index * 1000, (index + 1) * 1000).buffer;

  it('accepts a chunk that matches its manifest entry, and nothing else', async () => {
    expect(await verifyChunk(manifest, 0, chunk(0))).toBe(true);
    expect(await verifyChunk(manifest, 2, chunk(2))).toBe(true);
    expect(await verifyChunk(manifest, 1, chunk(0))).toBe(false);
    const changed = new Uint8Array(chunk(1));
    changed[500]! ^= 1;
    expect(await verifyChunk(manifest, 1, changed.buffer)).toBe(false);
    expect(await verifyChunk(manifest, 3, chunk(0))).toBe(false);
    expect(await verifyChunk(manifest, -1, chunk(0))).toBe(false);
  });

  it('accepts a manifest with the root and chunk count of the event', async () => {
    expect(await verifyManifest(manifest, root, 3)).toBe(true);
    expect(await verifyManifest(manifest, root, 2)).toBe(false);
    const other = reference(bytesOf(2500, 2), 1000);
    expect(await verifyManifest(other.manifest, root, 3)).toBe(false);
  });
});

describe('storing a file', () => {
  const CHUNK = 1000;
  const bytes = bytesOf(10_500);
  const file = new Blob([bytes]);
  const { sha256, manifest } = reference(bytes, CHUNK);
  const description: FileDescription = {
    sha256,
    size: bytes.length,
    mime: 'application/octet-stream',
    chunkSize: CHUNK,
    chunkCount: 11,
  };
  let db: Db;
  let store: IdbFileStore;

  beforeEach(async () => {
    db = await openParleyDb(`parley-hash-test-${crypto.randomUUID()}`);
    store = createIdbFileStore(db);
    await store.describe(description, 'room-a');
  });

  afterEach(() => {
    db.close();
    vi.restoreAllMocks();
  });

  async function storedBytes(): Promise<Uint8Array> {
    const out = new Uint8Array(bytes.length);
    for (let index = 0; index < description.chunkCount; index++) {
      out.set(new Uint8Array((await store.getChunk(sha256, index))!), index * CHUNK);
    }
    return out;
  }

  it('stores every chunk in batches, keeping the manifest, with rising progress', async () => {
    const putChunks = vi.spyOn(store, 'putChunks');
    const stream = vi.spyOn(file, 'stream');
    const slice = vi.spyOn(file, 'slice');
    const progress: number[] = [];
    const record = await storeFile(
      file,
      store,
      { sha256, chunkSize: CHUNK, manifest },
      { batchBytes: 4 * CHUNK, onProgress: (done) => progress.push(done) },
    );
    expect(store.isComplete(record)).toBe(true);
    expect(record.manifest).toEqual(manifest);
    expect(await storedBytes()).toEqual(bytes);
    expect(putChunks.mock.calls.map(([, chunks]) => chunks.length)).toEqual([4, 4, 3]);
    expect(progress).toEqual([0, 4000, 8000, 10_500]);
    // Read as one stream, each chunk stored as a Blob of its own (the stream's buffer is reused).
    expect(stream).toHaveBeenCalledTimes(1);
    expect(slice).not.toHaveBeenCalled();
    const stored = putChunks.mock.calls.flatMap(([, chunks]) => chunks.map((c) => c.bytes));
    expect(stored.every((chunk) => chunk instanceof Blob)).toBe(true);
  });

  it('does not read a file it holds whole again', async () => {
    await storeFile(file, store, { sha256, chunkSize: CHUNK, manifest });
    const stream = vi.spyOn(file, 'stream');
    const putChunks = vi.spyOn(store, 'putChunks');
    const record = await storeFile(file, store, { sha256, chunkSize: CHUNK, manifest });
    expect(store.isComplete(record)).toBe(true);
    expect(stream).not.toHaveBeenCalled();
    expect(putChunks).not.toHaveBeenCalled();
  });

  it('stores only the chunks not held yet', async () => {
    await store.putChunks(sha256, [{ index: 3, bytes: bytes.slice(3000, 4000).buffer }]);
    const putChunks = vi.spyOn(store, 'putChunks');
    const progress: number[] = [];
    await storeFile(
      file,
      store,
      { sha256, chunkSize: CHUNK },
      { onProgress: (d) => progress.push(d) },
    );
    const indexes = putChunks.mock.calls.flatMap(([, chunks]) =>
      chunks.map((c: ChunkBytes) => c.index),
    );
    expect(indexes).toEqual([0, 1, 2, 4, 5, 6, 7, 8, 9, 10]);
    expect(progress).toEqual([1000, 10_500]);
    expect(await storedBytes()).toEqual(bytes);
  });

  it('stops at a chunk that no longer matches the manifest, keeping the batches before', async () => {
    const changed = bytes.slice();
    changed[6500]! ^= 1;
    const storing = storeFile(
      new Blob([changed]),
      store,
      { sha256, chunkSize: CHUNK, manifest },
      { batchBytes: 2 * CHUNK },
    );
    await expect(storing).rejects.toBeInstanceOf(FileChangedError);
    await expect(storing).rejects.toHaveProperty('index', 6);
    expect((await store.get(sha256))?.storedBytes).toBe(6 * CHUNK);
  });

  it('stops between batches when aborted; a later call resumes', async () => {
    const controller = new AbortController();
    const storing = storeFile(
      file,
      store,
      { sha256, chunkSize: CHUNK },
      {
        batchBytes: 3 * CHUNK,
        signal: controller.signal,
        onProgress: (done) => {
          if (done >= 3000) controller.abort();
        },
      },
    );
    await expect(storing).rejects.toHaveProperty('name', 'AbortError');
    expect((await store.get(sha256))?.storedBytes).toBe(3 * CHUNK);
    const record = await storeFile(file, store, { sha256, chunkSize: CHUNK });
    expect(store.isComplete(record)).toBe(true);
    expect(await storedBytes()).toEqual(bytes);
  });

  it('refuses a file that is not described, or cut differently', async () => {
    await expect(
      storeFile(file, store, { sha256: 'x'.repeat(43), chunkSize: CHUNK }),
    ).rejects.toThrow(/not described/);
    await expect(storeFile(file, store, { sha256, chunkSize: 2 * CHUNK })).rejects.toThrow(
      RangeError,
    );
  });
});

/**
 * A stand-in for a module Worker in Node: it answers like file-hash-worker.ts, asynchronously;
 * `broken` makes it fail to start, as a blocked or missing worker script does.
 */
class FakeWorker extends EventTarget {
  static started = 0;
  static terminated = 0;
  static broken = false;

  constructor() {
    super();
    FakeWorker.started++;
  }

  postMessage({ blob, chunkSize }: HashRequest): void {
    if (FakeWorker.broken) {
      setTimeout(() => this.dispatchEvent(Object.assign(new Event('error'), { message: 'x' })));
      return;
    }
    const post = (message: HashMessage) =>
      setTimeout(() => this.dispatchEvent(new MessageEvent('message', { data: message })));
    void hashHere(blob, {
      chunkSize,
      onProgress: (doneBytes) => post({ type: 'progress', doneBytes }),
    }).then((hashes) => post({ type: 'done', hashes }));
  }

  terminate(): void {
    FakeWorker.terminated++;
  }
}

// Last: a Worker that fails to start makes the module hash here for good.
describe('hashing in a Worker', () => {
  const bytes = bytesOf(MIN_WORKER_HASH_BYTES + 5);
  const chunkSize = BASE_CHUNK_BYTES;

  useFakeWorker(FakeWorker);

  it('hashes a large file in a Worker, passing its progress on, then ends it', async () => {
    const progress: number[] = [];
    const hashes = await hashFile(new Blob([bytes]), {
      chunkSize,
      onProgress: (done) => progress.push(done),
    });
    expect(hashes).toEqual(reference(bytes, chunkSize));
    expect(FakeWorker.started).toBe(1);
    expect(FakeWorker.terminated).toBe(1);
    expect(progress.at(-1)).toBe(bytes.length);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
  });

  it('hashes a small file here', async () => {
    await hashFile(new Blob([bytesOf(1000)]), { chunkSize });
    expect(FakeWorker.started).toBe(0);
  });

  it('ends the Worker when aborted', async () => {
    const controller = new AbortController();
    const hashing = hashFile(new Blob([bytes]), { chunkSize, signal: controller.signal });
    controller.abort();
    await expect(hashing).rejects.toHaveProperty('name', 'AbortError');
    expect(FakeWorker.terminated).toBe(1);
  });

  it('hashes here when the Worker cannot start, and from then on', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    FakeWorker.broken = true;
    expect(await hashFile(new Blob([bytes]), { chunkSize })).toEqual(reference(bytes, chunkSize));
    expect(warn).toHaveBeenCalledOnce();
    expect(await hashFile(new Blob([bytes]), { chunkSize })).toEqual(reference(bytes, chunkSize));
    expect(FakeWorker.started).toBe(1);
  });
});
