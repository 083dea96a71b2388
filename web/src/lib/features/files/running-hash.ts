/**
 * The whole file's SHA-256 while it arrives (DESIGN §9 "A false file message"): chunks checked
 * against the manifest are fed as they come; the next one in order is hashed at once, one that
 * comes early is held (as a Blob, bounded) until the chunks before it came. When more are held
 * than MAX_HELD_CHUNKS, or a chunk never comes (it was stored before a reload), the running hash
 * gives up and the whole-file check reads the stored file back instead. Shared by the main thread
 * and the Worker (running-hash-worker.ts), with the messages they exchange.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { toBase64Url } from '../../encoding';

/** Chunks held out of order before the running hash gives up (Blob handles, not bytes). */
export const MAX_HELD_CHUNKS = 256;

/** What the main thread posts to a running-hash Worker. */
export type RunningHashRequest =
  /** Start hashing a file of `count` chunks. */
  | { type: 'start'; count: number }
  /** Chunk `index`, checked against the manifest: its bytes (in order) or its Blob (early). */
  | { type: 'chunk'; index: number; chunk: Uint8Array | Blob }
  /** Every chunk was fed: answer with the SHA-256. */
  | { type: 'digest' };

/** What a running-hash Worker posts. */
export type RunningHashMessage =
  /** A chunk sent as bytes is no longer needed (hashed, or dropped). */
  | { type: 'done'; bytes: number }
  /** The SHA-256 (base64url) of the chunks in order, or null when the hash gave up. */
  | { type: 'digest'; sha256: string | null };

/** Whether `data` (from a Worker, so same origin) is a message in the expected shape. */
export function isRunningHashMessage(data: unknown): data is RunningHashMessage {
  if (typeof data !== 'object' || data === null || !('type' in data)) return false;
  const message = data as Partial<Record<string, unknown>>;
  if (message.type === 'done') return typeof message.bytes === 'number';
  if (message.type === 'digest') {
    return typeof message.sha256 === 'string' || message.sha256 === null;
  }
  return false;
}

/** The SHA-256 of a file's chunks fed in any order, hashed in order. */
export class RunningHash {
  readonly #count: number;
  /** The next chunk in order not yet taken in. */
  #next = 0;
  /** Chunks that came early, by index. */
  #held = new Map<number, Uint8Array | Blob>();
  #hash = sha256.create();
  #isLost = false;
  /** Hashing in order: a held Blob is read before the chunks after it are hashed. */
  #work: Promise<void> = Promise.resolve();
  /** Chunks waiting in #work. */
  #pending = 0;
  /** Called once per chunk given as bytes when they are no longer needed, with their length. */
  #onDone: ((bytes: number) => void) | undefined;

  /** `count`: the file's chunks; `onDone`: see #onDone. */
  constructor(count: number, onDone?: (bytes: number) => void) {
    this.#count = count;
    this.#onDone = onDone;
  }

  /**
   * Chunk `index`, checked against the manifest by the caller. A chunk already taken in is
   * ignored (a second copy checked against the same manifest holds the same bytes).
   */
  add(index: number, chunk: Uint8Array | Blob): void {
    if (this.#isLost || index < this.#next || index >= this.#count || this.#held.has(index)) {
      this.#done(chunk);
      return;
    }
    if (index > this.#next) {
      this.#held.set(index, chunk);
      if (this.#held.size > MAX_HELD_CHUNKS) this.#lose();
      return;
    }
    this.#take(chunk);
    for (let held = this.#held.get(this.#next); held; held = this.#held.get(this.#next)) {
      this.#held.delete(this.#next);
      this.#take(held);
    }
  }

  /** The SHA-256 (base64url) of every chunk in order, or null when it gave up or one is missing. */
  async digest(): Promise<string | null> {
    await this.#work;
    if (this.#isLost || this.#next < this.#count) return null;
    return toBase64Url(this.#hash.digest());
  }

  /** Takes the next chunk in order in: hashed now, or after the held Blobs before it are read. */
  #take(chunk: Uint8Array | Blob): void {
    this.#next++;
    if (chunk instanceof Uint8Array && this.#pending === 0) {
      this.#hash.update(chunk);
      this.#done(chunk);
      return;
    }
    this.#pending++;
    this.#work = this.#work.then(async () => {
      try {
        if (this.#isLost) return;
        const bytes = chunk instanceof Blob ? new Uint8Array(await chunk.arrayBuffer()) : chunk;
        this.#hash.update(bytes);
      } catch {
        // A held Blob that cannot be read back: the whole-file check reads the stored file.
        this.#lose();
      } finally {
        this.#pending--;
        this.#done(chunk);
      }
    });
  }

  #done(chunk: Uint8Array | Blob): void {
    if (chunk instanceof Uint8Array) this.#onDone?.(chunk.length);
  }

  #lose(): void {
    this.#isLost = true;
    for (const chunk of this.#held.values()) this.#done(chunk);
    this.#held.clear();
  }
}
