/**
 * Receiving a file's chunks (DESIGN §9 "Fetching"): a chunk is put together from its pieces (one
 * member, in order, exactly its length) in a buffer taken at its first piece and reused once
 * hashing and a Blob have copied it; the manifest is checked against the message's root and each
 * chunk against the manifest; verified chunks are stored in batches, and once every chunk is
 * stored the whole file is checked (whole-file-check.ts). Part of transfers.ts, which owns the
 * downloads and the members, and refuses a member that sends something wrong.
 */
import { createLogger } from '../../log';
import { MANIFEST_INDEX, type FilePiece } from '../../protocol/file-frames';
import { fromBase64Url } from '../../encoding';
import type { FileStore } from '../../storage/file-store';
import { countChunks, hasChunk, setChunk } from './chunk-plan';
import { equalBytes, isWanted, type Download, type PeerState } from './transfer-model';
import type { CheckedChunk, ChunkChecks } from './chunk-checks';

const log = createLogger('files');

/**
 * Verified chunks are stored once this many bytes of them wait (or every chunk is in, or
 * WRITE_DELAY_MS passed): each transaction also rewrites the file's record, so a transaction per
 * chunk made storing the slowest step once checking left the main thread.
 */
export const MIN_WRITE_BATCH_BYTES = 4 * 1024 * 1024;
/** The longest a verified chunk waits for others before it is stored. */
const WRITE_DELAY_MS = 100;

/** Spare chunk buffers kept for the next chunks, at most this many bytes of them. */
const MAX_SPARE_BUFFER_BYTES = 4 * 1024 * 1024;

/** What receiving chunks needs of transfers. */
export interface ChunkIntakePorts {
  store: Pick<FileStore, 'setManifest' | 'putChunks'>;
  /** The manifest's SHA-256 (TransfersDeps.digest, default WebCrypto). */
  digest: (bytes: Uint8Array) => Promise<Uint8Array>;
  /**
   * Starts checking the chunks of a download of `count` chunks and `size` bytes (with the whole
   * file's running hash when `isRunning`): chunk-checks.ts.
   */
  startChecks: (count: number, size: number, isRunning: boolean) => ChunkChecks;
  /** The download being fetched for `sha256`, if any. */
  downloadOf(sha256: string): Download | undefined;
  /** A member sent something wrong for a file: it is never asked for that file again. */
  refuse(download: Download, state: PeerState, index: number, what: string): void;
  /** Storing failed: the download stops, failed. */
  fail(download: Download, error: unknown): void;
  /** Asks holders for what is missing (a slot came free, or chunks were stored). */
  pump(download: Download): void;
  /** Tells the app the download's state. */
  report(download: Download): void;
  /** Every chunk is stored: checks the whole file (whole-file-check.ts). */
  checkWhole(download: Download): Promise<void>;
}

/** The chunks arriving for every download of one Transfers. */
export class ChunkIntake {
  #ports: ChunkIntakePorts;
  #store: Pick<FileStore, 'setManifest' | 'putChunks'>;
  #digest: (bytes: Uint8Array) => Promise<Uint8Array>;
  /** Chunk buffers free for the next chunks that arrive, by length (bounded). */
  #spare = new Map<number, Uint8Array<ArrayBuffer>[]>();
  #spareBytes = 0;

  constructor(ports: ChunkIntakePorts) {
    this.#ports = ports;
    this.#store = ports.store;
    this.#digest = ports.digest;
  }

  /** A piece of a chunk (or the manifest) a member sent. */
  piece(state: PeerState, piece: FilePiece): void {
    const download = this.#ports.downloadOf(piece.file);
    const flight = download?.inFlight.get(piece.index);
    if (!download || !flight || flight.peer !== state.peer.key) return;
    // A chunk asked again of the same member after it stalled: the pieces of the first answer
    // may still come before the second answer. A piece at offset 0 starts the chunk over, and
    // one that does not fit is the rest of the first answer, not a lie (the hash checks it all).
    if (flight.isRetry && piece.offset !== flight.received) {
      if (piece.offset !== 0) return;
      flight.received = 0;
    }
    // One member sends one chunk in order on an ordered channel: anything else is wrong.
    if (
      piece.offset !== flight.received ||
      flight.received + piece.payload.length > flight.length
    ) {
      this.#ports.refuse(download, state, piece.index, 'a piece out of place');
      return;
    }
    // The buffer is taken when the first piece comes, not when the chunk is asked for.
    flight.bytes ??=
      piece.index === MANIFEST_INDEX ? new Uint8Array(flight.length) : this.#buffer(flight.length);
    flight.bytes.set(piece.payload, flight.received);
    flight.received += piece.payload.length;
    if (flight.received < flight.length) return;
    const bytes = flight.bytes;
    clearTimeout(flight.timer);
    download.inFlight.delete(piece.index);
    state.load = Math.max(0, state.load - 1);
    download.landed.add(piece.index);
    const checked =
      piece.index === MANIFEST_INDEX
        ? this.#checkManifest(download, state, bytes)
        : this.#checkChunk(download, state, piece.index, bytes);
    // Whatever the check finds, the slot this chunk held is free: plan again at once (a chunk
    // dropped as already held once left its slot unused, and with every slot so, the download
    // stopped for good).
    void checked.then((isKept) => {
      if (!isKept) download.landed.delete(piece.index);
      this.#ports.pump(download);
    });
  }

  /** A buffer of `length` bytes for a chunk: a spare one if there is one. */
  #buffer(length: number): Uint8Array<ArrayBuffer> {
    const spare = this.#spare.get(length)?.pop();
    if (!spare) return new Uint8Array(length);
    this.#spareBytes -= length;
    return spare;
  }

  /** A chunk buffer nothing refers to any more, kept for the next chunk (bounded). */
  #recycle(bytes: Uint8Array<ArrayBuffer>): void {
    if (this.#spareBytes + bytes.length > MAX_SPARE_BUFFER_BYTES) return;
    const list = this.#spare.get(bytes.length) ?? [];
    list.push(bytes);
    this.#spare.set(bytes.length, list);
    this.#spareBytes += bytes.length;
  }

  /** Checks the manifest against the event's root and keeps it; never kept as a chunk. */
  async #checkManifest(download: Download, state: PeerState, bytes: Uint8Array): Promise<false> {
    let hash: Uint8Array;
    try {
      hash = await this.#digest(bytes);
    } catch (error) {
      log.warn('hashing a manifest failed', error);
      return false;
    }
    if (download.manifest) return false;
    if (!equalBytes(hash, fromBase64Url(download.meta.root))) {
      this.#ports.refuse(download, state, MANIFEST_INDEX, 'a bad manifest');
      return false;
    }
    download.manifest = bytes;
    try {
      await this.#store.setManifest(download.meta.sha256, bytes.buffer as ArrayBuffer);
    } catch (error) {
      this.#ports.fail(download, error);
    }
    return false;
  }

  /**
   * Checks a chunk against the manifest (chunk-checks.ts: in a Worker for a large file, which
   * also makes its Blob and feeds the whole file's running hash); true when it is kept, to be
   * stored. Its buffer comes back with the answer and is reused: one buffer per member sending
   * and chunk being checked, not one per chunk waiting to be stored.
   */
  async #checkChunk(
    download: Download,
    state: PeerState,
    index: number,
    bytes: Uint8Array<ArrayBuffer>,
  ): Promise<boolean> {
    const expected = download.manifest?.subarray(index * 32, index * 32 + 32);
    if (!expected) return false;
    // The running hash starts only while nothing is stored or waiting to be: it must see every
    // chunk stored.
    download.checks ??= this.#ports.startChecks(
      download.count,
      download.meta.size,
      countChunks(download.have) === 0 && download.unwritten.length === 0,
    );
    let checked: CheckedChunk;
    const length = bytes.length;
    download.checkingBytes += length;
    try {
      checked = await download.checks.check(index, bytes, expected);
    } catch (error) {
      log.warn('checking a chunk failed', error);
      return false;
    } finally {
      download.checkingBytes -= length;
    }
    if (checked.bytes) this.#recycle(checked.bytes);
    if (!checked.blob) {
      this.#ports.refuse(download, state, index, 'a bad chunk');
      return false;
    }
    // Verified while no other chunk was on its way ('waiting' for a moment) still counts.
    if (!isWanted(download) || hasChunk(download.have, index)) return false;
    download.unwritten.push({ index, blob: checked.blob });
    download.unwrittenBytes += checked.blob.size;
    void this.write(download, true);
    return true;
  }

  /**
   * Stores verified chunks, a batch per transaction; with `isBatching`, only once a batch is
   * worth a transaction (MIN_WRITE_BATCH_BYTES, the last chunks, or after WRITE_DELAY_MS).
   */
  async write(download: Download, isBatching = false): Promise<void> {
    if (download.isWriting) return;
    download.isWriting = true;
    try {
      while (download.unwritten.length > 0 && isWanted(download)) {
        const isLast = countChunks(download.have) + download.unwritten.length >= download.count;
        if (isBatching && !isLast && download.unwrittenBytes < MIN_WRITE_BATCH_BYTES) {
          download.writeTimer ??= setTimeout(() => {
            download.writeTimer = undefined;
            void this.write(download);
          }, WRITE_DELAY_MS);
          return;
        }
        clearTimeout(download.writeTimer);
        download.writeTimer = undefined;
        const batch = download.unwritten.splice(0);
        const bytes = batch.reduce((sum, chunk) => sum + chunk.blob.size, 0);
        download.unwrittenBytes -= bytes;
        try {
          await this.#store.putChunks(
            download.meta.sha256,
            batch.map((chunk) => ({ index: chunk.index, bytes: chunk.blob })),
          );
        } catch (error) {
          this.#ports.fail(download, error);
          return;
        }
        for (const chunk of batch) {
          download.landed.delete(chunk.index);
          if (hasChunk(download.have, chunk.index)) continue;
          setChunk(download.have, chunk.index);
          download.doneBytes += chunk.blob.size;
        }
        if (countChunks(download.have) === download.count) {
          void this.#ports.checkWhole(download);
          return;
        }
        this.#ports.report(download);
        this.#ports.pump(download);
      }
    } finally {
      download.isWriting = false;
    }
  }
}
