/**
 * Hashing a download's whole file while its chunks arrive (DESIGN §9 "A false file message"), so
 * the whole-file check ends with the last chunk instead of reading the file back: a RunningHash
 * (running-hash.ts) in a Worker for a large file, here for a small one. The next chunk in order
 * is posted as a copy of its bytes, one that came early as its Blob (a handle: the Worker reads it
 * when its turn comes), and so is any chunk while the Worker is behind by MAX_QUEUED_BYTES.
 */
import { createLogger } from '../../log';
import { MIN_WORKER_HASH_BYTES } from './file-hashing';
import {
  MAX_HELD_CHUNKS,
  RunningHash,
  isRunningHashMessage,
  type RunningHashRequest,
} from './running-hash';

const log = createLogger('files');

/** Bytes posted to a Worker and not hashed yet, at most; more chunks go as Blobs. */
const MAX_QUEUED_BYTES = 8 * 1024 * 1024;
/** Running-hash Workers at once (one per large download); more downloads are checked by reading. */
const MAX_WORKERS = 2;

let workers = 0;

/** The whole file's SHA-256, computed while its chunks arrive. */
export interface WholeHashRun {
  /**
   * Chunk `index`, checked against the manifest and about to be stored as `blob` (`bytes` are its
   * bytes, read now and not kept: the caller reuses them).
   */
  add(index: number, bytes: Uint8Array, blob: Blob): void;
  /**
   * The SHA-256 (base64url) of every chunk in order; null when it gave up (a chunk never came,
   * too many came early, the Worker failed): then the stored file is read back. Ends the run.
   */
  digest(): Promise<string | null>;
  /** Ends the run (the download stopped). */
  close(): void;
}

/** Which chunks went where, on the main thread: the next in order, and those that came early. */
class Feed {
  #next = 0;
  #early = new Set<number>();

  /** More came early than a RunningHash holds: it gave up. */
  get isLost(): boolean {
    return this.#early.size > MAX_HELD_CHUNKS;
  }

  /** Whether `index` is the next chunk in order (then it and the early ones after it are taken). */
  isNext(index: number): boolean {
    if (index !== this.#next) {
      if (index > this.#next && !this.isLost) this.#early.add(index);
      return false;
    }
    this.#next++;
    while (this.#early.delete(this.#next)) this.#next++;
    return true;
  }
}

/** A run in a Worker. */
class WorkerRun implements WholeHashRun {
  #worker: Worker | null;
  #feed = new Feed();
  #queuedBytes = 0;
  #isBroken = false;
  #answer: ((sha256: string | null) => void) | null = null;

  constructor(count: number) {
    this.#worker = new Worker(new URL('./running-hash-worker.ts', import.meta.url), {
      type: 'module',
    });
    workers++;
    this.#worker.addEventListener('message', (event: MessageEvent<unknown>) => {
      const message = event.data;
      if (!isRunningHashMessage(message)) return;
      if (message.type === 'done') this.#queuedBytes -= message.bytes;
      else this.#finish(message.sha256);
    });
    this.#worker.addEventListener('error', (event) => {
      event.preventDefault();
      log.warn('running hash worker failed; the file will be read back', event.message);
      this.#isBroken = true;
      this.#finish(null);
    });
    this.#post({ type: 'start', count });
  }

  add(index: number, bytes: Uint8Array, blob: Blob): void {
    if (!this.#worker || this.#isBroken || this.#feed.isLost) return;
    if (this.#feed.isNext(index) && this.#queuedBytes + bytes.length <= MAX_QUEUED_BYTES) {
      const copy = bytes.slice();
      this.#queuedBytes += copy.length;
      this.#post({ type: 'chunk', index, chunk: copy }, [copy.buffer]);
    } else {
      this.#post({ type: 'chunk', index, chunk: blob });
    }
  }

  digest(): Promise<string | null> {
    if (!this.#worker || this.#isBroken || this.#feed.isLost) {
      this.close();
      return Promise.resolve(null);
    }
    return new Promise((resolve) => {
      this.#answer = resolve;
      this.#post({ type: 'digest' });
    });
  }

  close(): void {
    this.#finish(null);
  }

  #finish(sha256: string | null): void {
    if (this.#worker) {
      this.#worker.terminate();
      this.#worker = null;
      workers--;
    }
    const answer = this.#answer;
    this.#answer = null;
    answer?.(sha256);
  }

  #post(request: RunningHashRequest, transfer: Transferable[] = []): void {
    this.#worker?.postMessage(request, transfer);
  }
}

/** A run here (a small file, or no Worker to be had). */
class HereRun implements WholeHashRun {
  #hash: RunningHash | null;
  #feed = new Feed();

  constructor(count: number) {
    this.#hash = new RunningHash(count);
  }

  add(index: number, bytes: Uint8Array, blob: Blob): void {
    this.#hash?.add(index, this.#feed.isNext(index) ? bytes.slice() : blob);
  }

  async digest(): Promise<string | null> {
    const hash = this.#hash;
    this.#hash = null;
    return hash ? hash.digest() : null;
  }

  close(): void {
    this.#hash = null;
  }
}

/** A run that gives up at once: the stored file is read back. */
const NO_RUN: WholeHashRun = {
  add: () => undefined,
  digest: () => Promise.resolve(null),
  close: () => undefined,
};

/**
 * Starts hashing a file of `count` chunks and `size` bytes as its chunks arrive: in a Worker
 * from MIN_WORKER_HASH_BYTES (none when MAX_WORKERS are busy: that file is read back), else here.
 */
export function startWholeHash(count: number, size: number): WholeHashRun {
  if (size < MIN_WORKER_HASH_BYTES || typeof Worker === 'undefined') return new HereRun(count);
  if (workers >= MAX_WORKERS) return NO_RUN;
  try {
    return new WorkerRun(count);
  } catch (error) {
    log.warn('could not start a running hash worker; the file will be read back', error);
    return NO_RUN;
  }
}
