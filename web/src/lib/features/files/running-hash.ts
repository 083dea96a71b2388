/**
 * The whole file's SHA-256 while it arrives (DESIGN §9 "A false file message"): chunks checked
 * against the manifest are fed as they come; the next one in order is hashed at once, one that
 * comes early is held (as bytes up to MAX_HELD_BYTES, else as a Blob) until the chunks before it
 * came. When more are held
 * than MAX_HELD_CHUNKS, or a chunk never comes (it was stored before a reload), the running hash
 * gives up and the whole-file check reads the stored file back instead. Part of the chunk checks
 * (chunk-check-core.ts), in a Worker or here.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { toBase64Url } from '../../encoding';

/** Chunks held out of order before the running hash gives up. */
export const MAX_HELD_CHUNKS = 256;
/**
 * Bytes of early chunks held as bytes, at most; more are held as Blobs (read back when their
 * turn comes, which costs a read each: with two members sending, early chunks are the rule).
 */
export const MAX_HELD_BYTES = 16 * 1024 * 1024;

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
  /** Bytes of the early chunks held as bytes. */
  #heldBytes = 0;

  /** `count`: the file's chunks. */
  constructor(count: number) {
    this.#count = count;
  }

  /** Whether chunk `index` given as bytes now would be hashed at once (not kept). */
  takesNow(index: number): boolean {
    return !this.#isLost && index === this.#next && this.#pending === 0;
  }

  /** Whether chunk `index` of `length` bytes, given as bytes now, would be kept as they are. */
  holdsBytes(index: number, length: number): boolean {
    return (
      !this.#isLost &&
      index > this.#next &&
      index < this.#count &&
      !this.#held.has(index) &&
      this.#heldBytes + length <= MAX_HELD_BYTES
    );
  }

  /**
   * Chunk `index`, checked against the manifest by the caller. A chunk already taken in is
   * ignored (a second copy checked against the same manifest holds the same bytes).
   */
  add(index: number, chunk: Uint8Array | Blob): void {
    if (this.#isLost || index < this.#next || index >= this.#count || this.#held.has(index)) {
      return;
    }
    if (index > this.#next) {
      this.#held.set(index, chunk);
      if (chunk instanceof Uint8Array) this.#heldBytes += chunk.length;
      if (this.#held.size > MAX_HELD_CHUNKS) this.#lose();
      return;
    }
    this.#take(chunk);
    for (let held = this.#held.get(this.#next); held; held = this.#held.get(this.#next)) {
      this.#held.delete(this.#next);
      if (held instanceof Uint8Array) this.#heldBytes -= held.length;
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
      }
    });
  }

  #lose(): void {
    this.#isLost = true;
    this.#held.clear();
    this.#heldBytes = 0;
  }
}
