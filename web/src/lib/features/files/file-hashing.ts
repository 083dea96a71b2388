/**
 * Hashing, storing and checking a file's chunks (DESIGN §9). A file is read lazily, slice by
 * slice (`blob.slice(a, b).arrayBuffer()`), never whole. A large file is hashed in a Worker
 * (file-hash-worker.ts); a small one, or any when a Worker cannot run, here, giving the page a
 * turn between slices.
 */
import { createLogger } from '../../log';
import type { ChunkBytes, FileRecord, FileStore } from '../../storage/file-store';
import { CHUNK_HASH_BYTES, hasChunk } from './chunk-plan';
import { readChunks } from './chunk-reader';
import {
  hashHere,
  isHashMessage,
  rootOf,
  type FileHashes,
  type HashOptions,
  type HashRequest,
} from './file-hash-core';

export { rootOf, type FileHashes, type HashOptions } from './file-hash-core';

const log = createLogger('files');

/** Smaller files are hashed here: starting a Worker would cost about as much. */
export const MIN_WORKER_HASH_BYTES = 8 * 1024 * 1024;

/** Bytes of chunks stored per transaction by `storeFile`. */
export const STORE_BATCH_BYTES = 4 * 1024 * 1024;

/** Hashing here gives the page a turn at least this often. */
const MAX_BUSY_MS = 40;

/** Set once a Worker could not start or died: every file is hashed here from then on. */
let isWorkerBroken = false;

/** The chunks of a file no longer match its manifest: it changed after it was hashed. */
export class FileChangedError extends Error {
  override readonly name = 'FileChangedError';

  /** `index`: the first chunk that differs. */
  constructor(readonly index: number) {
    super(`The file changed after it was chosen (chunk ${index} differs); choose it again.`);
  }
}

/** Calls `onProgress` only with values above the last one. */
function monotone(onProgress?: (doneBytes: number) => void): (doneBytes: number) => void {
  let last = -1;
  return (doneBytes) => {
    if (doneBytes <= last) return;
    last = doneBytes;
    onProgress?.(doneBytes);
  };
}

/** A pause that yields to the page once MAX_BUSY_MS of work went by without one. */
function pacer(): () => Promise<void> {
  let since = performance.now();
  return async () => {
    if (performance.now() - since < MAX_BUSY_MS) return;
    await new Promise((resolve) => setTimeout(resolve, 0));
    since = performance.now();
  };
}

/** Why a Worker failed (not the file): the caller hashes here instead. */
class WorkerFailure extends Error {}

function hashInWorker(file: Blob, { chunkSize, onProgress, signal }: HashOptions) {
  return new Promise<FileHashes>((resolve, reject) => {
    const worker = new Worker(new URL('./file-hash-worker.ts', import.meta.url), {
      type: 'module',
    });
    const onAbort = () => {
      const reason: unknown = signal?.reason;
      finish(() =>
        reject(reason instanceof Error ? reason : new DOMException('Aborted', 'AbortError')),
      );
    };
    const finish = (settle: () => void) => {
      worker.terminate();
      signal?.removeEventListener('abort', onAbort);
      settle();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.addEventListener('message', (event: MessageEvent<unknown>) => {
      const message = event.data;
      if (!isHashMessage(message)) return;
      if (message.type === 'progress') onProgress?.(message.doneBytes);
      else if (message.type === 'done') finish(() => resolve(message.hashes));
      else {
        const error = new Error(message.message);
        error.name = message.name;
        finish(() => reject(error));
      }
    });
    worker.addEventListener('error', (event) => {
      event.preventDefault();
      finish(() => reject(new WorkerFailure(`file hash worker: ${event.message}`)));
    });
    worker.postMessage({ blob: file, chunkSize } satisfies HashRequest);
  });
}

/**
 * Hashes a file: its SHA-256 (the content address), the SHA-256 of each chunk (the manifest)
 * and the manifest's root, all base64url. Progress never goes back; an abort rejects with the
 * signal's reason. Throws a RangeError for a file over MAX_FILE_BYTES.
 */
export async function hashFile(file: Blob, opts: HashOptions): Promise<FileHashes> {
  opts.signal?.throwIfAborted();
  const options = { ...opts, onProgress: monotone(opts.onProgress) };
  if (file.size >= MIN_WORKER_HASH_BYTES && !isWorkerBroken && typeof Worker !== 'undefined') {
    try {
      return await hashInWorker(file, options);
    } catch (error) {
      if (!(error instanceof WorkerFailure)) throw error;
      log.warn('hashing in a Worker failed; hashing here from now on', error);
      isWorkerBroken = true;
    }
  }
  return hashHere(file, options, pacer());
}

/** Whether `bytes` are chunk `index` of the file whose manifest this is. */
export async function verifyChunk(
  manifest: ArrayBuffer,
  index: number,
  bytes: ArrayBuffer | Uint8Array<ArrayBuffer>,
): Promise<boolean> {
  const start = index * CHUNK_HASH_BYTES;
  if (!Number.isInteger(index) || index < 0 || start + CHUNK_HASH_BYTES > manifest.byteLength) {
    return false;
  }
  const expected = new Uint8Array(manifest, start, CHUNK_HASH_BYTES);
  const actual = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return actual.every((byte, i) => byte === expected[i]);
}

/** Whether a manifest (e.g. fetched from a peer) has `chunkCount` hashes and the event's root. */
export async function verifyManifest(
  manifest: ArrayBuffer,
  root: string,
  chunkCount: number,
): Promise<boolean> {
  return manifest.byteLength === chunkCount * CHUNK_HASH_BYTES && (await rootOf(manifest)) === root;
}

/** Which stored file `storeFile` fills, and how it is cut. */
export interface StoreTarget {
  /** The file's content address (described in the store first). */
  sha256: string;
  /** Bytes per chunk: must be the record's. */
  chunkSize: number;
  /** The chunk hashes from `hashFile`: kept if the record has none, and each chunk is checked. */
  manifest?: ArrayBuffer;
}

/** How `storeFile` runs. */
export interface StoreFileOptions {
  /** Called with the bytes held so far (never going back). */
  onProgress?: (storedBytes: number) => void;
  /** Stops storing between batches; what was stored stays. */
  signal?: AbortSignal;
  /** Bytes per transaction (default STORE_BATCH_BYTES). */
  batchBytes?: number;
}

/**
 * Stores every chunk of `file` the store does not hold yet, a few MiB per transaction, and
 * returns the record. With a manifest, each chunk is checked first (FileChangedError if the
 * file changed since hashing). Throws StorageFullError when storage is full: the batches before
 * stay stored, so a later call resumes.
 */
export async function storeFile(
  file: Blob,
  store: FileStore,
  target: StoreTarget,
  opts: StoreFileOptions = {},
): Promise<FileRecord> {
  const { sha256, chunkSize } = target;
  const { signal, batchBytes = STORE_BATCH_BYTES } = opts;
  const onProgress = monotone(opts.onProgress);
  signal?.throwIfAborted();
  let record = await store.get(sha256);
  if (!record) throw new Error(`file ${sha256} is not described in the store`);
  if (record.size !== file.size || record.chunkSize !== chunkSize) {
    throw new RangeError(
      `file ${sha256} is stored as ${record.size} B in ${record.chunkSize} B chunks`,
    );
  }
  if (target.manifest && !record.manifest) {
    record = await store.setManifest(sha256, target.manifest);
  }
  const manifest = target.manifest ?? record.manifest;
  onProgress(record.storedBytes);
  let batch: ChunkBytes[] = [];
  let pending = 0;
  const flush = async () => {
    record = await store.putChunks(sha256, batch);
    batch = [];
    pending = 0;
    onProgress(record.storedBytes);
  };
  // Held whole (the same file attached again): nothing to read.
  if (store.isComplete(record)) return record;
  // The file is read as one stream (chunk-reader.ts); chunks held already are read and skipped.
  const held = record.have;
  let index = 0;
  for await (const bytes of readChunks(file, chunkSize)) {
    signal?.throwIfAborted();
    const at = index++;
    if (hasChunk(held, at)) continue;
    if (manifest && !(await verifyChunk(manifest, at, bytes))) throw new FileChangedError(at);
    // A Blob of its own now: the stream's buffer is read into again for the next chunk.
    batch.push({ index: at, bytes: new Blob([bytes]) });
    pending += bytes.byteLength;
    if (pending >= batchBytes) await flush();
  }
  if (batch.length > 0) await flush();
  return record;
}
