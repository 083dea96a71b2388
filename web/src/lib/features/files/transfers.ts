/**
 * Moving file chunks between members (DESIGN §9): asking who holds a file, fetching its manifest
 * and chunks from several members at once, checking every chunk against the signed manifest
 * before storing it. Serving what this browser holds is file-server.ts (it gets the members'
 * `ask`, `want` and `cancel`); the per-file state is transfer-model.ts; how many chunks each
 * holder is asked for, and which, is holder-windows.ts; putting chunks together from their pieces,
 * checking and storing them is chunk-intake.ts; the check that a file's bytes hash to its
 * message's SHA-256, with the other roots remembered, is whole-file-check.ts.
 *
 * Plain TypeScript over two ports: a FileStore (storage/file-store.ts) and each authenticated
 * member's binary channel (net/transport.ts). files.svelte.ts wires it to the app.
 */
import { createLogger } from '../../log';
import type { RoomKey } from '../../protocol/ids';
import {
  MANIFEST_INDEX,
  decodePiece,
  encodeFileFrame,
  parseFileFrame,
  type FileFrame,
} from '../../protocol/file-frames';
import type { FileStore } from '../../storage/file-store';
import { StorageFullError } from '../../storage/file-store';
import { chunkCountOf, chunkRange, clearChunk, decodeBitmap, fullBitmap } from './chunk-plan';
import { ChunkIntake } from './chunk-intake';
import { FileServer } from './file-server';
import { refillWindows } from './holder-windows';
import {
  CountingChannel,
  isWanted,
  newDownload,
  stateOf,
  type Download,
  type FileMeta,
  type PeerState,
  type TransferPeer,
  type TransferState,
  type TransferStatus,
} from './transfer-model';
import {
  checkWhole,
  givesWayToOtherRoot,
  hashWhole,
  type WholeFilePorts,
} from './whole-file-check';
import { startChunkChecks, type ChunkChecks } from './chunk-checks';

export { MAX_SERVE_QUEUE } from './file-server';
export {
  BYTES_IN_FLIGHT_PER_MEMBER,
  CHUNKS_IN_FLIGHT_PER_MEMBER,
  windowFor,
} from './holder-windows';
export type { FileMeta, TransferPeer, TransferState, TransferStatus } from './transfer-model';

const log = createLogger('files');

/** A chunk that has not arrived by then is asked of someone else. */
export const CHUNK_STALL_MS = 20_000;
/** How often a file nobody holds (or nobody answered for) is asked about again. */
export const REASK_MS = 10_000;
/** Control frames one member may send per second; more are dropped (each costs a storage read). */
export const MAX_CONTROL_FRAMES_PER_S = 256;
/**
 * Chunks that arrived and are being checked or wait to be stored, most bytes before asking for
 * more (so a Worker or storage slower than the link holds the link back, not memory).
 */
export const MAX_UNWRITTEN_BYTES = 16 * 1024 * 1024;

/** The dependencies of a Transfers. */
export interface TransfersDeps {
  store: FileStore;
  /** How long serving waits for a read from storage (file-server.ts READ_TIMEOUT_MS). */
  readTimeoutMs?: number;
  /** How long a full file channel may drain nothing (file-server.ts STUCK_CHANNEL_MS). */
  stuckMs?: number;
  /**
   * Whether a link whose file channel is stuck may be closed to be dialled again: not while the
   * signal server is unreachable (the chat on it still works, and no new link could be made).
   * Default: always.
   */
  canRelink?: () => boolean;
  /** A file changed state (progress, done, failed). */
  onState(file: string, state: TransferState): void;
  /**
   * A SHA-256 here: of a manifest, and of the chunks checked here (injectable for tests; default
   * WebCrypto; a chunk-check Worker always uses WebCrypto).
   */
  digest?: (bytes: Uint8Array) => Promise<Uint8Array>;
  /**
   * The SHA-256 (base64url) of a whole stored file (injectable for tests; default `hashFile`,
   * in a Worker from 8 MiB, reading the file as one stream).
   */
  wholeHash?: (file: Blob, chunkSize: number) => Promise<string>;
  /**
   * Starts checking a download's chunks, with the whole file's running hash when `isRunning`
   * (injectable for tests; default `startChunkChecks`: in a Worker from 8 MiB, else here with
   * `digest`).
   */
  startChecks?: (count: number, size: number, isRunning: boolean) => ChunkChecks;
}

const webDigest = async (bytes: Uint8Array): Promise<Uint8Array> =>
  new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));

/** Fetches and serves file chunks over every linked member's file channel. */
export class Transfers {
  #store: FileStore;
  #deps: TransfersDeps;
  /** What the whole-file check needs of this (whole-file-check.ts). */
  #wholeFile: WholeFilePorts;
  /** Pieces put together, checked and stored (chunk-intake.ts). */
  #intake: ChunkIntake;
  #peers = new Map<string, PeerState>();
  /** Answers members' asks and wants from the store. */
  #server: FileServer;
  #downloads = new Map<string, Download>();
  #tickTimer: ReturnType<typeof setInterval> | undefined;
  #isStopped = false;

  constructor(deps: TransfersDeps) {
    this.#store = deps.store;
    this.#deps = deps;
    this.#server = new FileServer(deps.store, deps);
    this.#wholeFile = {
      store: deps.store,
      wholeHash: deps.wholeHash ?? hashWhole,
      downloadOf: (sha256) => this.#downloads.get(sha256),
      fail: (download, error) => this.#fail(download, error),
      report: (download) => this.#report(download),
      stop: (download, status, error) => this.#stopDownload(download, status, error),
      fetchInstead: (sha256, conv, meta) => {
        this.#downloads.delete(sha256);
        return this.fetch(conv, meta);
      },
    };
    const digest = deps.digest ?? webDigest;
    this.#intake = new ChunkIntake({
      store: deps.store,
      digest,
      startChecks:
        deps.startChecks ??
        ((count, size, isRunning) => startChunkChecks(count, size, isRunning, digest)),
      downloadOf: (sha256) => this.#downloads.get(sha256),
      refuse: (download, state, index, what) => this.#refuse(download, state, index, what),
      fail: (download, error) => this.#fail(download, error),
      pump: (download) => this.#pump(download),
      report: (download) => this.#report(download),
      checkWhole: (download) => checkWhole(download, this.#wholeFile),
    });
  }

  /** A member linked: listen on its file channel, and ask it about every file we want. */
  addPeer(linked: TransferPeer): void {
    if (this.#isStopped) return;
    this.removePeer(linked.key);
    // Every send to the member goes through this channel: the server reads what has drained.
    const peer = { ...linked, channel: new CountingChannel(linked.channel) };
    const state: PeerState = {
      peer,
      load: 0,
      frames: { count: 0, since: 0 },
    };
    this.#peers.set(peer.key, state);
    this.#server.add(peer);
    peer.channel.setHandlers({
      onOpen: () => {
        for (const download of this.#downloads.values()) {
          if (download.rooms.has(peer.room) && download.status !== 'done') {
            this.#send(state, { t: 'ask', f: download.meta.sha256 });
          }
        }
      },
      onMessage: (data) => this.#handleMessage(state, data),
      onDrain: () => this.#server.drained(peer.key),
      onClose: () => this.removePeer(peer.key),
    });
  }

  /** A member's link closed: what it was sending is asked of others. */
  removePeer(key: string): void {
    const state = this.#peers.get(key);
    if (!state) return;
    this.#peers.delete(key);
    this.#server.remove(key);
    for (const download of this.#downloads.values()) {
      download.holders.delete(key);
      for (const [index, flight] of download.inFlight) {
        if (flight.peer !== key) continue;
        clearTimeout(flight.timer);
        download.inFlight.delete(index);
      }
      this.#pump(download);
    }
  }

  /**
   * Fetches a file (resuming from what is stored) for a conversation; a no-op when it is held or
   * already being fetched.
   */
  async fetch(conv: RoomKey, meta: FileMeta): Promise<void> {
    if (this.#isStopped) return;
    let known = this.#downloads.get(meta.sha256);
    if (known && known.meta.root !== meta.root && known.status !== 'done') {
      // Another message describes the same SHA-256 with other chunks: at most one of them is
      // true. One that is not being fetched gives way; else it is tried if this one is false.
      if (!givesWayToOtherRoot(known, conv, meta)) return;
      this.#downloads.delete(meta.sha256);
      known = undefined;
    }
    if (known) {
      known.rooms.add(conv);
      if (known.status === 'idle' || known.status === 'failed') {
        known.status = 'waiting';
        delete known.error;
        this.#askAll(known);
        this.#startTicking();
        // Checked chunks a stop left unstored are stored now (they are not asked for again).
        void this.#intake.write(known);
        this.#pump(known);
      }
      return;
    }
    const record = await this.#store.describe(
      {
        sha256: meta.sha256,
        size: meta.size,
        mime: meta.mime,
        chunkSize: meta.chunkSize,
        chunkCount: chunkCountOf(meta.size, meta.chunkSize),
      },
      conv,
    );
    if (this.#downloads.has(meta.sha256)) return this.fetch(conv, meta);
    const download = newDownload(meta, conv, record);
    this.#downloads.set(meta.sha256, download);
    if (download.status === 'done') {
      this.#report(download);
      return;
    }
    download.status = 'waiting';
    this.#report(download);
    this.#askAll(download);
    this.#startTicking();
  }

  /** Stops fetching a file (what is stored stays, to resume later). */
  cancel(file: string): void {
    const download = this.#downloads.get(file);
    if (!download || download.status === 'done') return;
    this.#stopDownload(download, 'idle');
  }

  /** Forgets a file's progress (after its chunks were deleted here). */
  forget(file: string): void {
    const download = this.#downloads.get(file);
    if (download) this.#stopDownload(download, 'idle');
    this.#downloads.delete(file);
  }

  /** The state of a file being (or last) fetched here. */
  stateOf(file: string): TransferState | undefined {
    const download = this.#downloads.get(file);
    return download && stateOf(download);
  }

  /** Stops everything (the network went down). */
  stop(): void {
    this.#isStopped = true;
    clearInterval(this.#tickTimer);
    for (const download of this.#downloads.values()) {
      for (const flight of download.inFlight.values()) clearTimeout(flight.timer);
      download.inFlight.clear();
      download.checks?.close();
      download.checks = undefined;
    }
    for (const key of [...this.#peers.keys()]) this.removePeer(key);
  }

  #stopDownload(download: Download, status: TransferStatus, error?: TransferState['error']): void {
    const asked = new Set<string>();
    for (const [index, flight] of download.inFlight) {
      clearTimeout(flight.timer);
      asked.add(flight.peer);
      // Its answer may still be on its way when the chunk is asked of this member again.
      download.stalledAt.set(index, flight.peer);
      const state = this.#peers.get(flight.peer);
      if (state) state.load = Math.max(0, state.load - 1);
    }
    download.inFlight.clear();
    // A stopped download's checks end (with its running hash: resumed, it is read back).
    download.checks?.close();
    download.checks = undefined;
    for (const key of asked) {
      const state = this.#peers.get(key);
      if (state) this.#send(state, { t: 'cancel', f: download.meta.sha256 });
    }
    download.status = status;
    if (error) download.error = error;
    this.#report(download);
  }

  #askAll(download: Download): void {
    for (const state of this.#peers.values()) {
      if (download.rooms.has(state.peer.room) && !download.bad.has(state.peer.key)) {
        this.#send(state, { t: 'ask', f: download.meta.sha256 });
      }
    }
  }

  /**
   * While any file is wanted: every REASK_MS, ask again about the files nobody holds, and plan
   * every download again (a safety net: nothing may leave a download with a free slot unused).
   */
  #startTicking(): void {
    if (this.#tickTimer !== undefined) return;
    this.#tickTimer = setInterval(() => {
      let isWanting = false;
      for (const download of this.#downloads.values()) {
        if (!isWanted(download)) continue;
        isWanting = true;
        if (download.status === 'waiting') this.#askAll(download);
        this.#pump(download);
      }
      if (!isWanting) {
        clearInterval(this.#tickTimer);
        this.#tickTimer = undefined;
      }
    }, REASK_MS);
  }

  #handleMessage(state: PeerState, data: ArrayBuffer | string): void {
    if (typeof data === 'string') {
      const now = Date.now();
      const window = state.frames;
      if (now - window.since >= 1000) {
        window.since = now;
        window.count = 0;
      }
      if (++window.count > MAX_CONTROL_FRAMES_PER_S) {
        if (window.count === MAX_CONTROL_FRAMES_PER_S + 1)
          log.warn('a member sends too many file frames; dropping');
        return;
      }
      const frame = parseFileFrame(data);
      if (frame) this.#handleFrame(state, frame);
      return;
    }
    const piece = decodePiece(data);
    if (piece) this.#intake.piece(state, piece);
  }

  #handleFrame(state: PeerState, frame: FileFrame): void {
    switch (frame.t) {
      case 'ask':
      case 'want':
      case 'cancel':
        this.#server.handle(state.peer.key, frame);
        return;
      case 'have':
        this.#handleHave(state, frame);
        return;
      case 'none':
        this.#handleNone(state, frame.f, frame.i);
        return;
    }
  }

  // ---- fetching ----

  #handleHave(state: PeerState, frame: FileFrame & { t: 'have' }): void {
    const download = this.#downloads.get(frame.f);
    if (!download || !download.rooms.has(state.peer.room) || download.bad.has(state.peer.key)) {
      return;
    }
    if (!frame.m && !frame.all && !frame.bits) {
      download.holders.delete(state.peer.key);
    } else {
      let bits: Uint8Array | null = null;
      if (!frame.all) {
        bits = decodeBitmap(frame.bits ?? '', download.count);
        if (!bits) return;
      }
      download.holders.set(state.peer.key, { hasManifest: frame.m, bits });
    }
    this.#pump(download);
  }

  #handleNone(state: PeerState, file: string, indices: readonly number[]): void {
    const download = this.#downloads.get(file);
    if (!download) return;
    const holder = download.holders.get(state.peer.key);
    for (const index of indices) {
      const flight = download.inFlight.get(index);
      if (flight?.peer === state.peer.key) {
        clearTimeout(flight.timer);
        download.inFlight.delete(index);
        state.load = Math.max(0, state.load - 1);
      }
      if (!holder) continue;
      if (index === MANIFEST_INDEX) holder.hasManifest = false;
      else {
        holder.bits ??= fullBitmap(download.count);
        clearChunk(holder.bits, index);
      }
    }
    this.#pump(download);
  }

  #fail(download: Download, error: unknown): void {
    log.warn('storing a file failed', error);
    download.unwritten = [];
    download.unwrittenBytes = 0;
    download.landed.clear();
    this.#stopDownload(
      download,
      'failed',
      error instanceof StorageFullError ? 'storage-full' : 'storage',
    );
  }

  /** A member sent something wrong for a file: never ask it for that file again. */
  #refuse(download: Download, state: PeerState, index: number, what: string): void {
    log.warn(`member sent ${what} of a file; not asking it again`);
    const flight = download.inFlight.get(index);
    if (flight?.peer === state.peer.key) {
      clearTimeout(flight.timer);
      download.inFlight.delete(index);
      state.load = Math.max(0, state.load - 1);
    }
    download.bad.add(state.peer.key);
    download.holders.delete(state.peer.key);
    for (const [other, otherFlight] of download.inFlight) {
      if (otherFlight.peer !== state.peer.key) continue;
      clearTimeout(otherFlight.timer);
      download.inFlight.delete(other);
      state.load = Math.max(0, state.load - 1);
    }
    this.#send(state, { t: 'cancel', f: download.meta.sha256 });
    this.#pump(download);
  }

  /** Asks holders for what is missing, up to each one's share of the window. */
  #pump(download: Download): void {
    if (download.status !== 'waiting' && download.status !== 'fetching') return;
    if (download.unwrittenBytes + download.checkingBytes > MAX_UNWRITTEN_BYTES) return;
    const holders = [...download.holders].filter(([key]) => this.#peers.has(key));
    if (!download.manifest) {
      if (download.inFlight.has(MANIFEST_INDEX)) return;
      const holder = holders.find(([, h]) => h.hasManifest);
      if (holder) {
        this.#ask(download, holder[0], [MANIFEST_INDEX]);
        this.#setStatus(download, 'fetching');
      } else this.#setStatus(download, 'waiting');
      return;
    }
    const isAsked = refillWindows(download, holders, this.#peers, (key, wanted) =>
      this.#ask(download, key, wanted),
    );
    this.#setStatus(download, isAsked || download.unwritten.length > 0 ? 'fetching' : 'waiting');
  }

  #ask(download: Download, key: string, indices: number[]): void {
    const state = this.#peers.get(key);
    if (!state) return;
    for (const index of indices) {
      const length =
        index === MANIFEST_INDEX
          ? download.count * 32
          : chunkRange(download.meta.size, download.meta.chunkSize, index).end -
            chunkRange(download.meta.size, download.meta.chunkSize, index).start;
      const timer = setTimeout(() => this.#stalled(download, key, index), CHUNK_STALL_MS);
      download.inFlight.set(index, {
        peer: key,
        isRetry: download.stalledAt.get(index) === key,
        length,
        bytes: null,
        received: 0,
        timer,
      });
      state.load++;
    }
    this.#send(state, { t: 'want', f: download.meta.sha256, i: indices });
  }

  #stalled(download: Download, key: string, index: number): void {
    const flight = download.inFlight.get(index);
    if (flight?.peer !== key) return;
    download.inFlight.delete(index);
    download.stalledAt.set(index, key);
    const state = this.#peers.get(key);
    if (state) state.load = Math.max(0, state.load - 1);
    // A member that stalls is asked again only after the others had their turn.
    const holder = download.holders.get(key);
    if (holder) {
      download.holders.delete(key);
      download.holders.set(key, holder);
    }
    this.#pump(download);
  }

  #setStatus(download: Download, status: TransferStatus): void {
    if (download.status === status) return;
    download.status = status;
    this.#report(download);
  }

  #report(download: Download): void {
    this.#deps.onState(download.meta.sha256, stateOf(download));
  }

  #send(state: PeerState, frame: FileFrame): void {
    state.peer.channel.send(encodeFileFrame(frame));
  }
}
