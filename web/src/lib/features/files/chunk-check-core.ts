/**
 * Checking a download's chunks (DESIGN §9 "Fetching"): each chunk's SHA-256 against its manifest
 * entry, the Blob it is stored as, and the whole file's running SHA-256 (running-hash.ts). Runs in
 * a Worker for a large file (chunk-check-worker.ts; chunk-checks.ts posts it the chunks), so the
 * page's main thread only puts pieces together, or here. Each chunk is hashed as soon as it
 * comes; the rest of its check waits for the chunks before it, so the running hash sees them in
 * the order they came.
 */
import { RunningHash } from './running-hash';
import { equalBytes } from './transfer-model';

/** A chunk checked: its Blob (null: it does not match its manifest entry) and its buffer back. */
export interface CheckedChunk {
  /** What is stored; null when the bytes do not hash to the expected SHA-256. */
  blob: Blob | null;
  /** The chunk's buffer, free again (a Worker hands it back); null: the running hash keeps it. */
  bytes: Uint8Array<ArrayBuffer> | null;
}

/** What the main thread posts to a chunk-check Worker. */
export type ChunkCheckRequest =
  /** Check the chunks of a file of `count` chunks; with `isRunning`, hash the whole file too. */
  | { type: 'start'; count: number; isRunning: boolean }
  /** Check chunk `index` (its bytes, handed over) against `expected`; answered by `id`. */
  | {
      type: 'check';
      id: number;
      index: number;
      bytes: Uint8Array<ArrayBuffer>;
      expected: Uint8Array<ArrayBuffer>;
    }
  /** Answer with the whole file's SHA-256 (every chunk was checked). */
  | { type: 'digest' };

/** What a chunk-check Worker posts. */
export type ChunkCheckMessage =
  /** Chunk `id` checked: its Blob (null: no match, or `error`: it could not be hashed). */
  | {
      type: 'checked';
      id: number;
      blob: Blob | null;
      bytes: Uint8Array<ArrayBuffer> | null;
      error?: string;
    }
  /** The whole file's SHA-256 (base64url), or null when the running hash gave up. */
  | { type: 'digest'; sha256: string | null };

/** Whether `data` (from a Worker, so same origin) is a message in the expected shape. */
export function isChunkCheckMessage(data: unknown): data is ChunkCheckMessage {
  if (typeof data !== 'object' || data === null || !('type' in data)) return false;
  const message = data as Partial<Record<string, unknown>>;
  if (message.type === 'checked') {
    return (
      typeof message.id === 'number' &&
      (message.bytes instanceof Uint8Array || message.bytes === null)
    );
  }
  if (message.type === 'digest') {
    return typeof message.sha256 === 'string' || message.sha256 === null;
  }
  return false;
}

/** A chunk's SHA-256 by WebCrypto. */
export async function webDigest(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
}

/** The chunk checks of one download, in the thread they run in. */
export class ChunkCheckCore {
  #running: RunningHash | null;
  #digest: (bytes: Uint8Array<ArrayBuffer>) => Promise<Uint8Array>;
  #queue: Promise<unknown> = Promise.resolve();

  /**
   * `count`: the file's chunks; `isRunning`: hash the whole file too (only when every chunk to
   * be stored will be checked here); `digest`: a chunk's SHA-256.
   */
  constructor(
    count: number,
    isRunning: boolean,
    digest: (bytes: Uint8Array<ArrayBuffer>) => Promise<Uint8Array> = webDigest,
  ) {
    this.#running = isRunning ? new RunningHash(count) : null;
    this.#digest = digest;
  }

  /**
   * Checks chunk `index` against `expected` (after the chunks checked before it); a chunk that
   * matches becomes a Blob and is fed to the running hash. Rejects when it cannot be hashed.
   */
  check(
    index: number,
    bytes: Uint8Array<ArrayBuffer>,
    expected: Uint8Array,
  ): Promise<CheckedChunk> {
    // Hashed at once (WebCrypto reads the bytes now, on its own threads); compared, made a
    // Blob and fed to the running hash in the order the chunks came.
    let hashing: Promise<Uint8Array>;
    try {
      hashing = this.#digest(bytes);
    } catch (error) {
      hashing = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    // Its failure is the check's (below), not an unhandled rejection meanwhile.
    hashing.catch(() => undefined);
    const checked = this.#queue.then(async () => {
      const hash = await hashing;
      if (!equalBytes(hash, expected)) return { blob: null, bytes };
      const blob = new Blob([bytes]);
      const running = this.#running;
      // The next chunk in order is hashed now, before its buffer is handed back; an early one
      // is kept as it is (bounded), or read back from its Blob when its turn comes.
      if (running?.holdsBytes(index, bytes.length)) {
        running.add(index, bytes);
        return { blob, bytes: null };
      }
      running?.add(index, running.takesNow(index) ? bytes : blob);
      return { blob, bytes };
    });
    this.#queue = checked.catch(() => undefined);
    return checked;
  }

  /** The whole file's SHA-256 once every chunk was checked; null when there is none. */
  async digest(): Promise<string | null> {
    await this.#queue;
    return (await this.#running?.digest()) ?? null;
  }
}

/** Where a chunk-check Worker listens and answers: its global scope, or a MessagePort in tests. */
export interface ChunkCheckPort {
  addEventListener(
    type: 'message',
    listener: (event: MessageEvent<ChunkCheckRequest>) => void,
  ): void;
  postMessage(message: ChunkCheckMessage, transfer: Transferable[]): void;
}

/** Answers the chunk-check requests that come to `port` (what a chunk-check Worker runs). */
export function serveChunkChecks(port: ChunkCheckPort): void {
  let core: ChunkCheckCore | null = null;
  port.addEventListener('message', (event) => {
    const request = event.data;
    switch (request.type) {
      case 'start':
        core = new ChunkCheckCore(request.count, request.isRunning);
        return;
      case 'check': {
        const { id, index, bytes, expected } = request;
        const checking = core
          ? core.check(index, bytes, expected)
          : Promise.reject(new Error('not started'));
        void checking.then(
          // A buffer the running hash keeps stays here; the page takes a new one.
          (checked) =>
            port.postMessage(
              { type: 'checked', id, blob: checked.blob, bytes: checked.bytes },
              checked.bytes ? [checked.bytes.buffer] : [],
            ),
          (error: unknown) =>
            port.postMessage({ type: 'checked', id, blob: null, bytes, error: String(error) }, [
              bytes.buffer,
            ]),
        );
        return;
      }
      case 'digest':
        void (core?.digest() ?? Promise.resolve(null)).then((sha256) =>
          port.postMessage({ type: 'digest', sha256 }, []),
        );
        return;
    }
  });
}
