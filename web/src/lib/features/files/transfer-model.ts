/**
 * What transfers.ts keeps per file it fetches (DESIGN §9) and per member, and the types the app
 * sees of it: where a file stands, who holds which chunks, what is on its way, checked or waiting
 * to be stored. Plain data and pure helpers.
 */
import type { BinaryChannel, BinaryChannelHandlers } from '../../net/transport';
import type { RoomKey } from '../../protocol/ids';
import type { FileRecord } from '../../storage/file-store';
import { chunkCountOf, countChunks, newBitmap } from './chunk-plan';
import type { ChunkChecks } from './chunk-checks';

/** What a file event says about a file (the parts transfers need). */
export interface FileMeta {
  sha256: string;
  size: number;
  mime: string;
  chunkSize: number;
  root: string;
}

/** Where a file stands on this device. */
export type TransferStatus =
  /** Not held and not being fetched (larger than auto-download, cancelled, or removed). */
  | 'idle'
  /** Wanted, but no linked member holds what is missing. */
  | 'waiting'
  /** Chunks are arriving. */
  | 'fetching'
  /** Every chunk is here. */
  | 'done'
  /** Stopped by an error (see `error`). */
  | 'failed';

/** A file's progress as the interface shows it. */
export interface TransferState {
  status: TransferStatus;
  /** Bytes stored here. */
  doneBytes: number;
  totalBytes: number;
  /** Why it failed. */
  /**
   * Why it failed: the disk is full, storage failed, or the bytes (each chunk as its message's
   * manifest says) do not hash to the message's SHA-256 — a false file message; nothing was kept.
   */
  error?: 'storage-full' | 'storage' | 'mismatch';
}

/** A linked member's file channel. */
export interface TransferPeer {
  /** Unique per link: `${room} ${peerId}`. */
  key: string;
  room: RoomKey;
  channel: BinaryChannel;
}

/**
 * A member's file channel counting the bytes handed to it, so what has left its send buffer is
 * known (`drained`) even while more is being added (file-server.ts: a stuck channel). Every send
 * on the channel goes through it.
 */
export class CountingChannel implements BinaryChannel {
  /** Bytes handed to the channel (file frames are ASCII: characters are bytes). */
  #sent = 0;

  constructor(private readonly inner: BinaryChannel) {}

  get isOpen(): boolean {
    return this.inner.isOpen;
  }

  get bufferedAmount(): number {
    return this.inner.bufferedAmount;
  }

  /** Bytes that have left the send buffer so far. */
  get drained(): number {
    return this.#sent - this.inner.bufferedAmount;
  }

  setHandlers(handlers: BinaryChannelHandlers): void {
    this.inner.setHandlers(handlers);
  }

  send(data: ArrayBuffer | string): boolean {
    const isSent = this.inner.send(data);
    if (isSent) this.#sent += typeof data === 'string' ? data.length : data.byteLength;
    return isSent;
  }

  close(): void {
    this.inner.close();
  }

  closeLink(reason: string): void {
    this.inner.closeLink(reason);
  }
}

/** A linked member as transfers.ts and file-server.ts use it: its channel counts what it sends. */
export interface CountedPeer extends TransferPeer {
  channel: CountingChannel;
}

/** What transfers.ts keeps per linked member. */
export interface PeerState {
  peer: CountedPeer;
  /** Chunks we asked of it and await. */
  load: number;
  /** Control frames counted in the current second, and when it began. */
  frames: { count: number; since: number };
}

export interface Holder {
  hasManifest: boolean;
  /** null: holds every chunk. */
  bits: Uint8Array | null;
}

export interface InFlight {
  peer: string;
  /** Asked of this member again after it stalled (see ChunkIntake.piece, chunk-intake.ts). */
  isRetry: boolean;
  /** The chunk's (or manifest's) length. */
  length: number;
  /** Where its pieces are put together; taken when the first piece arrives. */
  bytes: Uint8Array<ArrayBuffer> | null;
  received: number;
  timer: ReturnType<typeof setTimeout>;
}

export interface Download {
  meta: FileMeta;
  rooms: Set<RoomKey>;
  /**
   * Other messages' descriptions of the same SHA-256 with another root, seen while this one was
   * fetched: one of them is fetched if this one turns out false (by root, bounded).
   */
  others: Map<string, { conv: RoomKey; meta: FileMeta }>;
  count: number;
  manifest: Uint8Array | null;
  have: Uint8Array;
  doneBytes: number;
  holders: Map<string, Holder>;
  /** Members that sent a bad chunk or manifest: never asked for this file again. */
  bad: Set<string>;
  inFlight: Map<number, InFlight>;
  /** Checked chunks waiting to be stored, as Blobs (their bytes are out of the JS heap). */
  unwritten: { index: number; blob: Blob }[];
  unwrittenBytes: number;
  /** Bytes of chunks handed to the chunk checks and not answered yet (a Worker may lag). */
  checkingBytes: number;
  /**
   * Chunks that arrived whole and are not stored yet (their hash being checked, waiting to be
   * stored, or being stored): never asked for again meanwhile.
   */
  landed: Set<number>;
  /** Chunks that stalled, and of whom they were asked then. */
  stalledAt: Map<number, string>;
  isWriting: boolean;
  /** Stores a small batch of verified chunks if no more came meanwhile (chunk-intake.ts). */
  writeTimer?: ReturnType<typeof setTimeout>;
  /**
   * Where its chunks are checked (chunk-checks.ts), with the whole file's running SHA-256 when
   * they started on an empty download; started with the first chunk, ended when the download
   * stops or its whole-file check takes the digest.
   */
  checks?: ChunkChecks;
  status: TransferStatus;
  error?: TransferState['error'];
}

/** A download's state from what the store holds of its file. */
export function newDownload(meta: FileMeta, conv: RoomKey, record: FileRecord): Download {
  const count = chunkCountOf(meta.size, meta.chunkSize);
  const have = record.have.length >= Math.ceil(count / 8) ? record.have : newBitmap(count);
  const isDone = record.storedBytes >= meta.size && countChunks(have) === count;
  return {
    meta,
    rooms: new Set([conv]),
    others: new Map(),
    count,
    manifest: record.manifest ? new Uint8Array(record.manifest) : null,
    have,
    doneBytes: record.storedBytes,
    holders: new Map(),
    bad: new Set(),
    inFlight: new Map(),
    unwritten: [],
    unwrittenBytes: 0,
    checkingBytes: 0,
    landed: new Set(),
    stalledAt: new Map(),
    isWriting: false,
    status: isDone ? 'done' : 'waiting',
  };
}

/** Still being fetched (not stopped, failed or done). */
export function isWanted(download: Download): boolean {
  return download.status === 'fetching' || download.status === 'waiting';
}

export function stateOf(download: Download): TransferState {
  return {
    status: download.status,
    doneBytes: download.doneBytes,
    totalBytes: download.meta.size,
    ...(download.error ? { error: download.error } : {}),
  };
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
