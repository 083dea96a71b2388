/**
 * FileStore: where shared files live on this device (DESIGN §9, §10), by content. One record per
 * file (its SHA-256) says which chunks are held and which conversations refer to it; the chunk
 * bytes are rows of their own. The same file in two conversations is stored once. The IndexedDB
 * adapter is storage/idb-files.ts; hashing and verifying are features/files/.
 */

/** What a `file` event says about the file: enough to lay out its chunks. */
export interface FileDescription {
  /** SHA-256 of the whole file, base64url (43 chars): the content address. */
  sha256: string;
  /** Bytes. */
  size: number;
  /** MIME type as the sender gave it. */
  mime: string;
  /** Bytes per chunk (the last one shorter). */
  chunkSize: number;
  /** ⌈size / chunkSize⌉. */
  chunkCount: number;
}

/** One stored file. */
export interface FileRecord extends FileDescription {
  /** The SHA-256 of every chunk in order (32 × chunkCount bytes), once known and checked. */
  manifest: ArrayBuffer | null;
  /** Bitmap of the chunks held (features/files/chunk-plan.ts). */
  have: Uint8Array;
  /** Bytes of the chunks held. */
  storedBytes: number;
  /** Conversations whose events refer to the file; empty once all of them deleted it. */
  convs: string[];
  /** When the record last changed (ms since the epoch). */
  updatedAt: number;
  /** When its chunks were deleted here ("Delete files"); cleared once a chunk is stored again. */
  removedAt?: number;
}

/** One chunk's bytes. */
export interface ChunkBytes {
  /** Chunk index. */
  index: number;
  /** Its bytes: exactly the chunk's length (a Blob is stored as it is, without a copy). */
  bytes: ArrayBuffer | Blob;
}

/** Bytes of a chunk given as an ArrayBuffer or a Blob. */
export function chunkBytesLength(bytes: ArrayBuffer | Blob): number {
  return bytes instanceof Blob ? bytes.size : bytes.byteLength;
}

/** The storage refused to store more (quota or full disk); nothing of that write was kept. */
export class StorageFullError extends Error {
  override readonly name = 'StorageFullError';

  /** `cause`: the browser's error. */
  constructor(cause?: unknown) {
    super(
      'Storage is full: this browser refused to store more file data. Free some space ' +
        '(delete files or conversations) and try again.',
      { cause },
    );
  }
}

/** Stored files by content hash. Writes are one transaction each: all or nothing. */
export interface FileStore {
  /** Creates the record of a file, or adds `conv` to its conversations; returns it. */
  describe(file: FileDescription, conv: string): Promise<FileRecord>;
  /** The record of a file, if stored. */
  get(sha256: string): Promise<FileRecord | undefined>;
  /** Keeps the file's manifest (checked by the caller against the event's root); returns the record. */
  setManifest(sha256: string, manifest: ArrayBuffer): Promise<FileRecord>;
  /** Stores chunks (checked by the caller) and marks them held; chunks already held are skipped. */
  putChunks(sha256: string, chunks: readonly ChunkBytes[]): Promise<FileRecord>;
  /** The bytes of a held chunk. */
  getChunk(sha256: string, index: number): Promise<ArrayBuffer | undefined>;
  /**
   * The bytes of chunks `from`…`to` (inclusive) in one read, by index from `from`; undefined
   * for a chunk not held. With `into`, a buffer at least as large as those chunks, they are read
   * into it where the platform can (it is detached; the chunks view what takes its place), so a
   * reader that reuses its buffers allocates none per read.
   */
  getChunks(
    sha256: string,
    from: number,
    to: number,
    into?: ArrayBuffer,
  ): Promise<(Uint8Array | undefined)[]>;
  /** Whether every chunk of the file is held. */
  isComplete(record: FileRecord): boolean;
  /** Per conversation, the bytes held of the files it refers to (a shared file counts in each). */
  usageByConversation(): Promise<Map<string, number>>;
  /**
   * Removes `conv` from its files; a file no other conversation refers to loses its chunks but
   * keeps its record and manifest, so it can be downloaded again. Returns the bytes freed.
   */
  deleteConversationFiles(conv: string): Promise<{ bytes: number; files: string[] }>;
  /** The chunks of a complete file in order, as Blobs (kept on disk); null when not complete. */
  chunkBlobs(sha256: string): Promise<Blob[] | null>;
  /** Deletes a file: record and chunks. */
  deleteFile(sha256: string): Promise<void>;
}

/** Whether every chunk of the file is held (the store adds each chunk's exact length once). */
export function isComplete(record: FileRecord): boolean {
  return record.storedBytes === record.size;
}
