/**
 * Hashing a file chunk by chunk in the thread it runs in (DESIGN §9): each chunk's SHA-256 by
 * WebCrypto, the whole file's by @noble/hashes (WebCrypto cannot stream), the file read as one
 * stream into one chunk-sized buffer (chunk-reader.ts). One chunk is in memory, never the file.
 * Shared by the main thread and the Worker (file-hash-worker.ts), with the messages they
 * exchange.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { toBase64Url } from '../../encoding';
import { CHUNK_HASH_BYTES, chunkCountOf } from './chunk-plan';
import { readChunks } from './chunk-reader';

/** What hashing a file yields. */
export interface FileHashes {
  /** SHA-256 of the whole file, base64url: its content address. */
  sha256: string;
  /** SHA-256 of the manifest, base64url: what the `file` event signs for the chunks. */
  root: string;
  /** The SHA-256 of every chunk in order (32 × chunk count bytes). */
  manifest: ArrayBuffer;
}

/** How to hash. */
export interface HashOptions {
  /** Bytes per chunk (chunk-plan.ts `chunkSizeFor`). */
  chunkSize: number;
  /** Called after each chunk with the bytes hashed so far. */
  onProgress?: (doneBytes: number) => void;
  /** Stops hashing; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** The one request a hashing Worker answers. */
export interface HashRequest {
  /** The file (a Blob is cloned by reference, not copied). */
  blob: Blob;
  /** Bytes per chunk. */
  chunkSize: number;
}

/** What a hashing Worker posts: progress, then the hashes or what went wrong. */
export type HashMessage =
  | { type: 'progress'; doneBytes: number }
  | { type: 'done'; hashes: FileHashes }
  | { type: 'error'; name: string; message: string };

/** Whether `data` (from a Worker, so same origin) is a message in the expected shape. */
export function isHashMessage(data: unknown): data is HashMessage {
  if (typeof data !== 'object' || data === null || !('type' in data)) return false;
  const message = data as Partial<Record<string, unknown>>;
  switch (message.type) {
    case 'progress':
      return typeof message.doneBytes === 'number';
    case 'done':
      return typeof message.hashes === 'object' && message.hashes !== null;
    case 'error':
      return typeof message.name === 'string' && typeof message.message === 'string';
    default:
      return false;
  }
}

async function digest(bytes: ArrayBuffer | Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
}

/** The root of a manifest: base64url SHA-256 over the concatenated chunk hashes. */
export async function rootOf(manifest: ArrayBuffer): Promise<string> {
  return toBase64Url(await digest(manifest));
}

/**
 * Hashes `blob` here. `pause`, awaited after each chunk, lets the main thread give the page a
 * turn; a Worker needs none.
 */
export async function hashHere(
  blob: Blob,
  { chunkSize, onProgress, signal }: HashOptions,
  pause?: () => Promise<void>,
): Promise<FileHashes> {
  signal?.throwIfAborted();
  const count = chunkCountOf(blob.size, chunkSize);
  const manifest = new Uint8Array(count * CHUNK_HASH_BYTES);
  const whole = sha256.create();
  let index = 0;
  for await (const bytes of readChunks(blob, chunkSize)) {
    signal?.throwIfAborted();
    // WebCrypto hashes the chunk on its own threads while noble hashes it here; both are done
    // with its buffer before the next chunk is read into it.
    const chunkHash = digest(bytes);
    whole.update(bytes);
    manifest.set(await chunkHash, index * CHUNK_HASH_BYTES);
    index++;
    onProgress?.(Math.min(blob.size, index * chunkSize));
    await pause?.();
  }
  if (index !== count) throw new Error(`read ${index} of ${count} chunks`);
  return {
    sha256: toBase64Url(whole.digest()),
    root: await rootOf(manifest.buffer),
    manifest: manifest.buffer,
  };
}
