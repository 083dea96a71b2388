/**
 * Where a download's chunks are checked (DESIGN §9 "Fetching", "A false file message"): in a
 * Worker for a large file (chunk-check-worker.ts), so the page's main thread only puts pieces
 * together while the Worker hashes each chunk, makes its Blob and keeps the whole file's running
 * SHA-256; here for a small file, or when no Worker can be had. A chunk's buffer is handed to the
 * Worker and comes back with the answer, to be reused.
 */
import { createLogger } from '../../log';
import {
  ChunkCheckCore,
  isChunkCheckMessage,
  webDigest,
  type CheckedChunk,
  type ChunkCheckRequest,
} from './chunk-check-core';
import { MIN_WORKER_HASH_BYTES } from './file-hashing';

export type { CheckedChunk } from './chunk-check-core';

const log = createLogger('files');

/** Chunk-check Workers at once (one per large download); more downloads check here. */
const MAX_WORKERS = 2;

let workers = 0;

/** The checks of one download's chunks. */
export interface ChunkChecks {
  /**
   * Checks chunk `index` against `expected` (its manifest entry); `bytes` are handed over and
   * come back in the answer. Rejects when the chunk cannot be hashed (the checks ended or broke).
   */
  check(index: number, bytes: Uint8Array<ArrayBuffer>, expected: Uint8Array): Promise<CheckedChunk>;
  /**
   * The SHA-256 (base64url) of the whole file from the chunks checked, in order; null when that
   * cannot cover the file (not started on an empty download, a chunk missing, too many early, a
   * Worker that broke): then the stored file is read back. Ends the checks.
   */
  digest(): Promise<string | null>;
  /** Ends the checks (the download stopped); checks still running reject. */
  close(): void;
}

/** Checks here, on the thread that asks. */
class HereChecks implements ChunkChecks {
  #core: ChunkCheckCore | null;

  constructor(core: ChunkCheckCore) {
    this.#core = core;
  }

  check(index: number, bytes: Uint8Array<ArrayBuffer>, expected: Uint8Array) {
    if (!this.#core) return Promise.reject(new Error('the chunk checks ended'));
    return this.#core.check(index, bytes, expected);
  }

  async digest(): Promise<string | null> {
    const core = this.#core;
    this.#core = null;
    return core ? core.digest() : null;
  }

  close(): void {
    this.#core = null;
  }
}

/** Checks in a Worker; here (without the running hash) once it broke. */
class WorkerChecks implements ChunkChecks {
  #worker: Worker | null;
  #count: number;
  #digestPort: (bytes: Uint8Array<ArrayBuffer>) => Promise<Uint8Array>;
  #nextId = 0;
  #pending = new Map<number, { resolve(c: CheckedChunk): void; reject(e: Error): void }>();
  #answer: ((sha256: string | null) => void) | null = null;
  /** Set once the Worker broke: later chunks are checked here. */
  #here: HereChecks | null = null;

  constructor(
    count: number,
    isRunning: boolean,
    digest: (bytes: Uint8Array<ArrayBuffer>) => Promise<Uint8Array>,
  ) {
    this.#count = count;
    this.#digestPort = digest;
    const worker = new Worker(new URL('./chunk-check-worker.ts', import.meta.url), {
      type: 'module',
    });
    workers++;
    this.#worker = worker;
    worker.addEventListener('message', (event: MessageEvent<unknown>) => {
      const message = event.data;
      if (!isChunkCheckMessage(message)) return;
      if (message.type === 'digest') {
        this.#end(message.sha256);
        return;
      }
      const pending = this.#pending.get(message.id);
      this.#pending.delete(message.id);
      if (message.error !== undefined) pending?.reject(new Error(message.error));
      else pending?.resolve({ blob: message.blob, bytes: message.bytes });
    });
    worker.addEventListener('error', (event) => {
      event.preventDefault();
      log.warn('the chunk-check worker failed; checking here', event.message);
      this.#here = new HereChecks(new ChunkCheckCore(this.#count, false, this.#digestPort));
      this.#end(null);
    });
    this.#post({ type: 'start', count, isRunning });
  }

  check(index: number, bytes: Uint8Array<ArrayBuffer>, expected: Uint8Array) {
    if (this.#here) return this.#here.check(index, bytes, expected);
    if (!this.#worker) return Promise.reject(new Error('the chunk checks ended'));
    const id = this.#nextId++;
    return new Promise<CheckedChunk>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      // `expected` is a view of the manifest: post a copy of its 32 bytes, not the manifest.
      const request = { type: 'check', id, index, bytes, expected: expected.slice() } as const;
      this.#post(request, [bytes.buffer]);
    });
  }

  digest(): Promise<string | null> {
    if (!this.#worker) return Promise.resolve(null);
    return new Promise((resolve) => {
      this.#answer = resolve;
      this.#post({ type: 'digest' });
    });
  }

  close(): void {
    this.#end(null);
    this.#here?.close();
  }

  /** Ends the Worker: checks still running reject, a digest asked for is answered `sha256`. */
  #end(sha256: string | null): void {
    if (this.#worker) {
      this.#worker.terminate();
      this.#worker = null;
      workers--;
    }
    for (const pending of this.#pending.values())
      pending.reject(new Error('the chunk checks ended'));
    this.#pending.clear();
    const answer = this.#answer;
    this.#answer = null;
    answer?.(sha256);
  }

  #post(request: ChunkCheckRequest, transfer: Transferable[] = []): void {
    this.#worker?.postMessage(request, transfer);
  }
}

/**
 * Starts checking the chunks of a download of `count` chunks and `size` bytes; with `isRunning`
 * (nothing of it stored or waiting to be stored) the whole file is hashed as they come. In a
 * Worker from MIN_WORKER_HASH_BYTES while fewer than MAX_WORKERS run, else here (a large file
 * then without the running hash: it is read back at the end instead). `digest` hashes a chunk
 * here (default WebCrypto; the Worker always uses WebCrypto).
 */
export function startChunkChecks(
  count: number,
  size: number,
  isRunning: boolean,
  digest: (bytes: Uint8Array<ArrayBuffer>) => Promise<Uint8Array> = webDigest,
): ChunkChecks {
  const isLarge = size >= MIN_WORKER_HASH_BYTES;
  if (isLarge && typeof Worker !== 'undefined' && workers < MAX_WORKERS) {
    try {
      return new WorkerChecks(count, isRunning, digest);
    } catch (error) {
      log.warn('could not start a chunk-check worker; checking here', error);
    }
  }
  return new HereChecks(new ChunkCheckCore(count, isRunning && !isLarge, digest));
}
