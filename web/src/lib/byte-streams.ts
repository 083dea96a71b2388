/**
 * Reading byte streams into buffers the caller reuses (a Blob's stream with a BYOB reader): the
 * file store reading a run of chunks into a spare buffer (storage/idb-files.ts), and hashing and
 * storing a file chunk by chunk (features/files/chunk-reader.ts).
 */

/** A BYOB reader of `blob`'s stream, or null where that stream is not a byte stream. */
export function byobReaderOf(blob: Blob): ReadableStreamBYOBReader | null {
  try {
    return blob.stream().getReader({ mode: 'byob' });
  } catch {
    return null;
  }
}

/**
 * Reads up to `length` bytes from `reader` into `buffer` from its start. The buffer passed is
 * handed over to the stream: the bytes are in the returned `buffer`; `filled` is short only when
 * the stream ended first.
 */
export async function fillFrom(
  reader: ReadableStreamBYOBReader,
  buffer: ArrayBuffer,
  length: number,
): Promise<{ buffer: ArrayBuffer; filled: number }> {
  let filled = 0;
  while (filled < length) {
    const { value, done } = await reader.read(new Uint8Array(buffer, filled, length - filled));
    if (value) buffer = value.buffer;
    if (done || !value || value.byteLength === 0) break;
    filled += value.byteLength;
  }
  return { buffer, filled };
}
