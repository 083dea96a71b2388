/**
 * How a file is cut into chunks (DESIGN §9, §10) and the bitmap of the chunks held: pure, shared
 * by hashing, storage and the transfer engine. A chunk is `[index × chunkSize, + chunkSize)` of
 * the file, the last one shorter; its SHA-256 is entry `index` of the manifest.
 */
import { fromBase64Url, toBase64Url } from '../../encoding';

/** The smallest chunk size; doubled until a file has at most MAX_CHUNKS_PER_FILE chunks. */
export const BASE_CHUNK_BYTES = 256 * 1024;

/** Most chunks a file is cut into (so a manifest is at most 64 KiB). */
export const MAX_CHUNKS_PER_FILE = 2048;

/** Largest file that can be shared (4 GiB, so chunks of at most 2 MiB). */
export const MAX_FILE_BYTES = 4 * 1024 * 1024 * 1024;

/** Bytes of one chunk hash in a manifest (SHA-256). */
export const CHUNK_HASH_BYTES = 32;

/** A byte range `[start, end)` of a file. */
export interface ByteRange {
  /** First byte. */
  start: number;
  /** One past the last byte. */
  end: number;
}

function assertSize(size: number): void {
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`bad file size ${size}`);
  if (size > MAX_FILE_BYTES) {
    throw new RangeError(`file of ${size} bytes is over the ${MAX_FILE_BYTES}-byte limit`);
  }
}

function assertChunkSize(chunkSize: number): void {
  if (!Number.isSafeInteger(chunkSize) || chunkSize <= 0) {
    throw new RangeError(`bad chunk size ${chunkSize}`);
  }
}

/** True when a file of `size` bytes may be shared (a whole number of bytes up to MAX_FILE_BYTES). */
export function isShareableSize(size: number): boolean {
  return Number.isSafeInteger(size) && size >= 0 && size <= MAX_FILE_BYTES;
}

/** The chunk size of a file of `size` bytes; throws a RangeError above MAX_FILE_BYTES. */
export function chunkSizeFor(size: number): number {
  assertSize(size);
  let chunkSize = BASE_CHUNK_BYTES;
  while (Math.ceil(size / chunkSize) > MAX_CHUNKS_PER_FILE) chunkSize *= 2;
  return chunkSize;
}

/** How many chunks a file of `size` bytes has (0 for an empty file). */
export function chunkCountOf(size: number, chunkSize: number): number {
  assertSize(size);
  assertChunkSize(chunkSize);
  return Math.ceil(size / chunkSize);
}

/** The bytes of chunk `index`; throws a RangeError for an index outside the file. */
export function chunkRange(size: number, chunkSize: number, index: number): ByteRange {
  const count = chunkCountOf(size, chunkSize);
  if (!Number.isInteger(index) || index < 0 || index >= count) {
    throw new RangeError(`chunk ${index} is outside a file of ${count} chunks`);
  }
  const start = index * chunkSize;
  return { start, end: Math.min(size, start + chunkSize) };
}

/** Bytes of a manifest of `chunkCount` chunk hashes. */
export function manifestBytesOf(chunkCount: number): number {
  return chunkCount * CHUNK_HASH_BYTES;
}

// Bitmaps: chunk i is bit (i % 8), least significant first, of byte ⌊i / 8⌋; bits past the
// chunk count are always 0, so one set of chunks has one encoding.

/** A bitmap of `count` chunks, none held. */
export function newBitmap(count: number): Uint8Array<ArrayBuffer> {
  if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`bad chunk count ${count}`);
  return new Uint8Array(Math.ceil(count / 8));
}

/** Whether chunk `index` is held (false outside the bitmap). */
export function hasChunk(bitmap: Uint8Array, index: number): boolean {
  const byte = bitmap[index >> 3];
  return (
    Number.isInteger(index) && index >= 0 && byte !== undefined && (byte & (1 << (index & 7))) !== 0
  );
}

/** Marks chunk `index` held, in place; returns false when it already was. */
export function setChunk(bitmap: Uint8Array, index: number): boolean {
  if (!Number.isInteger(index) || index < 0 || index >= bitmap.length * 8) {
    throw new RangeError(`chunk ${index} is outside a bitmap of ${bitmap.length} bytes`);
  }
  const mask = 1 << (index & 7);
  const byte = bitmap[index >> 3]!;
  if ((byte & mask) !== 0) return false;
  bitmap[index >> 3] = byte | mask;
  return true;
}

/** Marks chunk `index` as not held. */
export function clearChunk(bitmap: Uint8Array, index: number): void {
  if (index >= 0 && index < bitmap.length * 8)
    bitmap[index >> 3] = bitmap[index >> 3]! & ~(1 << (index & 7));
}

/** A bitmap with each of `count` chunks held. */
export function fullBitmap(count: number): Uint8Array<ArrayBuffer> {
  const bitmap = newBitmap(count);
  for (let i = 0; i < count; i++) setChunk(bitmap, i);
  return bitmap;
}

/** How many chunks the bitmap holds. */
export function countChunks(bitmap: Uint8Array): number {
  let count = 0;
  for (let byte of bitmap) {
    while (byte !== 0) {
      byte &= byte - 1;
      count++;
    }
  }
  return count;
}

/** The chunks of `0 … count - 1` not held, ascending, at most `limit` of them. */
export function missingChunks(bitmap: Uint8Array, count: number, limit = Infinity): number[] {
  const missing: number[] = [];
  for (let index = 0; index < count && missing.length < limit; index++) {
    // Skip whole bytes that are full.
    if ((index & 7) === 0 && bitmap[index >> 3] === 0xff && index + 8 <= count) {
      index += 7;
      continue;
    }
    if (!hasChunk(bitmap, index)) missing.push(index);
  }
  return missing;
}

/** The bitmap as unpadded base64url (for the wire). */
export function encodeBitmap(bitmap: Uint8Array): string {
  return toBase64Url(bitmap);
}

/**
 * Decodes a bitmap of `count` chunks from base64url; null unless it is canonical, of exactly
 * ⌈count / 8⌉ bytes, with no bit set past `count`.
 */
export function decodeBitmap(encoded: string, count: number): Uint8Array<ArrayBuffer> | null {
  let bitmap: Uint8Array<ArrayBuffer>;
  try {
    bitmap = fromBase64Url(encoded);
  } catch {
    // Not base64url: an invalid bitmap, which the caller handles as such.
    return null;
  }
  if (bitmap.length !== Math.ceil(count / 8)) return null;
  const spare = bitmap.length * 8 - count;
  if (spare > 0 && bitmap[bitmap.length - 1]! >> (8 - spare) !== 0) return null;
  return bitmap;
}
