/**
 * Serving files to members (DESIGN §9): answering `ask` with what this browser holds, queueing
 * `want`s (bounded), and sending the chunks in order, reading the next while this one drains,
 * paced by the channel. Only members of a room that references a file learn anything about it.
 * Part of transfers.ts, which owns the members' channels and hands it their serving frames.
 */
import { createLogger } from '../../log';
import { BINARY_HIGH_WATER_BYTES } from '../../net/transport';
import type { RoomKey } from '../../protocol/ids';
import {
  MANIFEST_INDEX,
  MAX_PIECE_BYTES,
  PIECE_HEADER_BYTES,
  encodeFileFrame,
  encodePiece,
  fileHashBytes,
  type FileFrame,
} from '../../protocol/file-frames';
import type { FileRecord, FileStore } from '../../storage/file-store';
import { chunkRange, countChunks, encodeBitmap, hasChunk } from './chunk-plan';
import type { CountedPeer } from './transfer-model';

const log = createLogger('files');

/** Requests one member may queue with us; more are answered `none`. */
export const MAX_SERVE_QUEUE = 64;
/** How often a sender waiting for its channel to drain looks at it again without an event. */
const DRAIN_CHECK_MS = 250;
/**
 * Bytes of chunks read from storage ahead of the one being sent (a run more may start below it):
 * reads overlap, and each takes tens of ms on a busy machine, so sending never waits for one.
 */
const READ_AHEAD_BYTES = 4 * 1024 * 1024;
/** Bytes of consecutive chunks read in one go (one transaction, one Blob read). */
const READ_BATCH_BYTES = 1024 * 1024;
/**
 * A read from storage that has not settled by then is given up: its chunks are answered `none`
 * (the asker asks again) and serving goes on. Without it, one read that never settles would
 * stop this member serving anyone until the page reloads.
 */
export const READ_TIMEOUT_MS = 15_000;
/**
 * A member's file channel that has drained nothing for this long while full, though its link is
 * up, is stuck (seen once in a 256 MiB transfer: the JSON channel kept answering pings, so the
 * link was never replaced): the link is closed and dialled again, and the download resumes.
 */
export const STUCK_CHANNEL_MS = 20_000;

/** A chunk asked for, read from storage (null: not held any more, or unreadable). */
interface Job {
  file: string;
  index: number;
  bytes: Uint8Array | null;
  /** Its bytes were sent (or skipped): the read buffer may be reused once its run's are. */
  done?: () => void;
}

/** A chunk asked for and its length. */
interface Wanted {
  file: string;
  index: number;
  length: number;
}

interface Served {
  peer: CountedPeer;
  /** What it asked of us, in order. */
  queue: Wanted[];
  isServing: boolean;
  drainWaiters: (() => void)[];
}

/** Answers members' asks and wants from a FileStore. */
export class FileServer {
  #store: FileStore;
  #members = new Map<string, Served>();
  /** One full piece, reused for every full piece sent (the channel copies what it sends). */
  #piece = new ArrayBuffer(PIECE_HEADER_BYTES + MAX_PIECE_BYTES);
  /**
   * Read buffers (READ_BATCH_BYTES) whose chunks were sent, for the next reads: serving a large
   * file allocates none per read, so no garbage ArrayBuffers pile up until a collection (they
   * did: tens of MiB at the sender). Kept while anything is served.
   */
  #spare: ArrayBuffer[] = [];
  /** Members being served now. */
  #serving = 0;

  #readTimeoutMs: number;
  #stuckMs: number;
  #canRelink: () => boolean;

  /**
   * Time limits: READ_TIMEOUT_MS and STUCK_CHANNEL_MS (tests pass less); `canRelink`: whether a
   * stuck member's link may be closed to be dialled again now.
   */
  constructor(
    store: FileStore,
    {
      readTimeoutMs = READ_TIMEOUT_MS,
      stuckMs = STUCK_CHANNEL_MS,
      canRelink = () => true,
    }: { readTimeoutMs?: number; stuckMs?: number; canRelink?: () => boolean } = {},
  ) {
    this.#store = store;
    this.#readTimeoutMs = readTimeoutMs;
    this.#stuckMs = stuckMs;
    this.#canRelink = canRelink;
  }

  /** A member linked. */
  add(peer: CountedPeer): void {
    this.remove(peer.key);
    this.#members.set(peer.key, { peer, queue: [], isServing: false, drainWaiters: [] });
  }

  /** A member's link closed: what it asked for is dropped. */
  remove(key: string): void {
    const state = this.#members.get(key);
    if (!state) return;
    this.#members.delete(key);
    state.queue = [];
    for (const wake of state.drainWaiters.splice(0)) wake();
  }

  /** A member's channel drained below its low-water mark. */
  drained(key: string): void {
    for (const wake of this.#members.get(key)?.drainWaiters.splice(0) ?? []) wake();
  }

  /** A serving frame from a member. */
  handle(key: string, frame: FileFrame & { t: 'ask' | 'want' | 'cancel' }): void {
    const state = this.#members.get(key);
    if (!state) return;
    // A store that fails (closed under the page, a broken disk) answers nothing; the asker's
    // stall timer asks someone else.
    const failed = (error: unknown): void => log.warn('answering a file frame failed', error);
    if (frame.t === 'ask') this.#answerAsk(state, frame.f).catch(failed);
    else if (frame.t === 'want') this.#queueWants(state, frame.f, frame.i).catch(failed);
    else state.queue = state.queue.filter((job) => job.file !== frame.f);
  }

  /** A file's record, if this browser may serve it to a member of `room`. */
  async #servable(file: string, room: RoomKey): Promise<FileRecord | undefined> {
    const record = await this.#store.get(file);
    // Only members of a room that holds the file learn we hold it (no probing across rooms).
    return record && record.convs.includes(room) ? record : undefined;
  }

  async #answerAsk(state: Served, file: string): Promise<void> {
    const record = await this.#servable(file, state.peer.room);
    if (!record) {
      this.#send(state, { t: 'have', f: file, m: false, all: false });
      return;
    }
    const isAll = countChunks(record.have) === record.chunkCount;
    this.#send(state, {
      t: 'have',
      f: file,
      m: record.manifest !== null,
      all: isAll,
      ...(isAll ? {} : { bits: encodeBitmap(record.have) }),
    });
  }

  async #queueWants(state: Served, file: string, indices: readonly number[]): Promise<void> {
    const record = await this.#servable(file, state.peer.room);
    const refused: number[] = [];
    for (const index of indices) {
      const isHeld =
        record &&
        (index === MANIFEST_INDEX
          ? record.manifest !== null
          : index < record.chunkCount && hasChunk(record.have, index));
      if (!isHeld || state.queue.length >= MAX_SERVE_QUEUE) {
        refused.push(index);
        continue;
      }
      const { start, end } =
        index === MANIFEST_INDEX
          ? { start: 0, end: record.chunkCount * 32 }
          : chunkRange(record.size, record.chunkSize, index);
      state.queue.push({ file, index, length: end - start });
    }
    if (refused.length > 0) this.#send(state, { t: 'none', f: file, i: refused });
    void this.#serve(state);
  }

  /** Sends what a member asked for, in order, reading the next chunk while this one drains. */
  async #serve(state: Served): Promise<void> {
    if (state.isServing) return;
    state.isServing = true;
    this.#serving++;
    try {
      // Reads started ahead, in order; wants that came while this waited for the channel to
      // drain are read too (a `#serve` call for them returned at once, seeing this loop run).
      const reads: { read: Promise<Job>; length: number }[] = [];
      let readBytes = 0;
      const readAhead = () => {
        // Whole runs (up to READ_BATCH_BYTES each) while less than READ_AHEAD_BYTES are read.
        while (readBytes < READ_AHEAD_BYTES) {
          const run = this.#takeRun(state);
          if (!run) return;
          const jobs = this.#read(run);
          run.forEach((wanted, i) => reads.push({ read: jobs[i]!, length: wanted.length }));
          readBytes += run.reduce((sum, wanted) => sum + wanted.length, 0);
        }
      };
      readAhead();
      while (reads.length > 0 && this.#members.get(state.peer.key) === state) {
        const next = reads.shift()!;
        const job = await next.read;
        readBytes -= next.length;
        readAhead();
        if (!job.bytes) {
          job.done?.();
          this.#send(state, { t: 'none', f: job.file, i: [job.index] });
          continue;
        }
        const hash = fileHashBytes(job.file);
        for (let offset = 0; offset < job.bytes.length || offset === 0; offset += MAX_PIECE_BYTES) {
          const payload = job.bytes.subarray(offset, offset + MAX_PIECE_BYTES);
          const piece = encodePiece(hash, job.index, offset, payload, this.#piece);
          if (!state.peer.channel.send(piece)) return;
          if (job.bytes.length === 0) break;
        }
        job.done?.();
        await this.#whenDrained(state);
        readAhead();
      }
    } catch (error) {
      log.warn('serving a file failed', error);
    } finally {
      state.isServing = false;
      if (--this.#serving === 0) this.#spare = [];
      // Asked for more while the last job was on its way: serve that too.
      if (state.queue.length > 0 && this.#members.get(state.peer.key) === state) {
        void this.#serve(state);
      }
    }
  }

  /**
   * Resolves once the member's channel is below its high-water mark, or the member is gone:
   * paced by `bufferedamountlow`, and looked at again every DRAIN_CHECK_MS in case that event
   * never comes (then the member would never be served again). A channel that drained nothing
   * for #stuckMs (what has drained, not what is buffered: other frames may be added meanwhile)
   * has its link closed, and the member is served no more.
   */
  async #whenDrained(state: Served): Promise<void> {
    const channel = state.peer.channel;
    let drained = -Infinity;
    let drainedAt = Date.now();
    while (
      channel.bufferedAmount > BINARY_HIGH_WATER_BYTES &&
      this.#members.get(state.peer.key) === state
    ) {
      const drainedNow = channel.drained;
      if (drainedNow > drained) {
        [drained, drainedAt] = [drainedNow, Date.now()];
      } else if (Date.now() - drainedAt >= this.#stuckMs) {
        // While the signal server is unreachable no new link could be made: the chat on this
        // one still works, so it stays, and the channel is looked at again later.
        drainedAt = Date.now();
        if (this.#canRelink()) {
          this.remove(state.peer.key);
          channel.closeLink(`file channel drained nothing for ${this.#stuckMs} ms`);
          return;
        }
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, DRAIN_CHECK_MS);
        state.drainWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /**
   * The next wanted chunks to read together: the first in the queue, and those right after it of
   * the same file, up to READ_BATCH_BYTES.
   */
  #takeRun(state: Served): Wanted[] | null {
    const first = state.queue.shift();
    if (!first) return null;
    const run = [first];
    let bytes = first.length;
    for (let next = state.queue[0]; next; next = state.queue[0]) {
      const isNext =
        first.index !== MANIFEST_INDEX &&
        next.file === first.file &&
        next.index === run[run.length - 1]!.index + 1;
      if (!isNext || bytes + next.length > READ_BATCH_BYTES) break;
      run.push(state.queue.shift()!);
      bytes += next.length;
    }
    return run;
  }

  /** Reads a run of wanted chunks from storage, in one read: a job per chunk. */
  #read(run: readonly Wanted[]): Promise<Job>[] {
    const { file, index } = run[0]!;
    const failed = (error: unknown): null => {
      log.warn('reading a chunk failed', error);
      return null;
    };
    if (index === MANIFEST_INDEX) {
      const manifest = settleWithin(this.#store.get(file), this.#readTimeoutMs).then(
        (record) => (record?.manifest ? new Uint8Array(record.manifest) : null),
        failed,
      );
      return [manifest.then((bytes) => ({ file, index, bytes }))];
    }
    const bytes = run.reduce((sum, wanted) => sum + wanted.length, 0);
    const chunks = settleWithin(
      this.#store.getChunks(file, index, run[run.length - 1]!.index, this.#readBuffer(bytes)),
      this.#readTimeoutMs,
    ).catch((error: unknown) => (failed(error), []));
    // The run's buffer is reused once every chunk of it was sent (encodePiece copied them).
    let left = run.length;
    const release = (read: (Uint8Array | undefined)[]): void => {
      const buffer = read.find((chunk) => chunk)?.buffer;
      if (--left > 0 || !(buffer instanceof ArrayBuffer)) return;
      if (buffer.byteLength === READ_BATCH_BYTES) this.#spare.push(buffer);
    };
    return run.map((wanted, i) =>
      chunks.then((read) => ({
        file,
        index: wanted.index,
        bytes: read[i] ?? null,
        done: () => release(read),
      })),
    );
  }

  /**
   * A buffer to read a run of `bytes` into: a spare one, else a new one; none for a run that
   * would leave much of it empty (read ahead counts a run's bytes, not its buffer's: scattered
   * single chunks must not each hold a whole batch) or does not fit (chunks over 1 MiB, files
   * over 2 GiB: a buffer of their own size, as before).
   */
  #readBuffer(bytes: number): ArrayBuffer | undefined {
    if (bytes < (READ_BATCH_BYTES * 3) / 4 || bytes > READ_BATCH_BYTES) return undefined;
    return this.#spare.pop() ?? new ArrayBuffer(READ_BATCH_BYTES);
  }

  #send(state: Served, frame: FileFrame): void {
    state.peer.channel.send(encodeFileFrame(frame));
  }
}

/** `promise`, or a rejection once `ms` passed without it settling. */
function settleWithin<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`storage did not answer within ${ms} ms`)), ms);
  });
  // What it answers late is not wanted; its failure is not news.
  promise.catch(() => undefined);
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
