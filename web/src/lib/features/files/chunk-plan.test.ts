import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { propertyParams } from '../../testing/property';
import {
  BASE_CHUNK_BYTES,
  MAX_CHUNKS_PER_FILE,
  MAX_FILE_BYTES,
  chunkCountOf,
  chunkRange,
  chunkSizeFor,
  countChunks,
  decodeBitmap,
  encodeBitmap,
  hasChunk,
  isShareableSize,
  manifestBytesOf,
  missingChunks,
  newBitmap,
  setChunk,
} from './chunk-plan';

const FC = propertyParams(20_260_516, 500);
const MiB = 1024 * 1024;
const size = fc.integer({ min: 0, max: MAX_FILE_BYTES });

describe('chunk sizes', () => {
  it.each([
    [0, BASE_CHUNK_BYTES, 0],
    [1, BASE_CHUNK_BYTES, 1],
    [BASE_CHUNK_BYTES, BASE_CHUNK_BYTES, 1],
    [BASE_CHUNK_BYTES + 1, BASE_CHUNK_BYTES, 2],
    [512 * MiB, BASE_CHUNK_BYTES, 2048],
    [512 * MiB + 1, 512 * 1024, 1025],
    [2048 * MiB, MiB, 2048],
    [MAX_FILE_BYTES, 2 * MiB, 2048],
  ])('cuts %i bytes into chunks of %i, %i of them', (bytes, chunkSize, count) => {
    expect(chunkSizeFor(bytes)).toBe(chunkSize);
    expect(chunkCountOf(bytes, chunkSize)).toBe(count);
  });

  it('refuses a file over 4 GiB or a size that is not a byte count', () => {
    expect(() => chunkSizeFor(MAX_FILE_BYTES + 1)).toThrow(RangeError);
    expect(() => chunkSizeFor(-1)).toThrow(RangeError);
    expect(() => chunkSizeFor(1.5)).toThrow(RangeError);
    expect(isShareableSize(MAX_FILE_BYTES)).toBe(true);
    expect(isShareableSize(MAX_FILE_BYTES + 1)).toBe(false);
    expect(isShareableSize(Number.NaN)).toBe(false);
  });

  it('picks the smallest power-of-two multiple of 256 KiB with at most 2,048 chunks', () => {
    fc.assert(
      fc.property(size, (bytes) => {
        const chunkSize = chunkSizeFor(bytes);
        const count = chunkCountOf(bytes, chunkSize);
        expect(count).toBeLessThanOrEqual(MAX_CHUNKS_PER_FILE);
        expect(manifestBytesOf(count)).toBeLessThanOrEqual(64 * 1024);
        expect(Number.isInteger(Math.log2(chunkSize / BASE_CHUNK_BYTES))).toBe(true);
        if (chunkSize > BASE_CHUNK_BYTES) {
          expect(Math.ceil(bytes / (chunkSize / 2))).toBeGreaterThan(MAX_CHUNKS_PER_FILE);
        }
      }),
      FC,
    );
  }, 60_000);

  it('ranges tile the file exactly, every chunk full but the last', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 7, max: 700 }),
        (bytes, chunkSize) => {
          const count = chunkCountOf(bytes, chunkSize);
          let next = 0;
          for (let index = 0; index < count; index++) {
            const { start, end } = chunkRange(bytes, chunkSize, index);
            expect(start).toBe(next);
            expect(end - start).toBe(index < count - 1 ? chunkSize : bytes - start);
            expect(end - start).toBeGreaterThan(0);
            next = end;
          }
          expect(next).toBe(bytes);
          expect(() => chunkRange(bytes, chunkSize, count)).toThrow(RangeError);
          expect(() => chunkRange(bytes, chunkSize, -1)).toThrow(RangeError);
        },
      ),
      FC,
    );
  }, 60_000);
});

describe('bitmaps', () => {
  const holding = fc
    .integer({ min: 0, max: 300 })
    .chain((count) =>
      fc.tuple(
        fc.constant(count),
        count === 0
          ? fc.constant<number[]>([])
          : fc.array(fc.integer({ min: 0, max: count - 1 }), { maxLength: count * 2 }),
      ),
    );

  it('holds exactly the chunks set, and setting twice says so', () => {
    fc.assert(
      fc.property(holding, ([count, indexes]) => {
        const bitmap = newBitmap(count);
        expect(bitmap.length).toBe(Math.ceil(count / 8));
        const held = new Set<number>();
        for (const index of indexes) {
          expect(setChunk(bitmap, index)).toBe(!held.has(index));
          held.add(index);
        }
        expect(countChunks(bitmap)).toBe(held.size);
        const missing = missingChunks(bitmap, count);
        const expected = [...Array(count).keys()].filter((i) => !held.has(i));
        expect(missing).toEqual(expected);
        expect(missingChunks(bitmap, count, 3)).toEqual(expected.slice(0, 3));
        for (let index = 0; index < count; index++) {
          expect(hasChunk(bitmap, index)).toBe(held.has(index));
        }
      }),
      FC,
    );
  }, 60_000);

  it('round-trips through base64url', () => {
    fc.assert(
      fc.property(holding, ([count, indexes]) => {
        const bitmap = newBitmap(count);
        for (const index of indexes) setChunk(bitmap, index);
        expect(decodeBitmap(encodeBitmap(bitmap), count)).toEqual(bitmap);
      }),
      FC,
    );
  }, 60_000);

  it('refuses an encoding of the wrong length, with bits past the count, or not base64url', () => {
    const bitmap = newBitmap(10);
    setChunk(bitmap, 9);
    expect(decodeBitmap(encodeBitmap(bitmap), 10)).toEqual(bitmap);
    expect(decodeBitmap(encodeBitmap(bitmap), 17)).toBeNull();
    expect(decodeBitmap(encodeBitmap(bitmap), 9)).toBeNull();
    expect(decodeBitmap(encodeBitmap(new Uint8Array([0, 0b100])), 10)).toBeNull();
    expect(decodeBitmap('a+', 1)).toBeNull();
    expect(decodeBitmap('', 0)).toEqual(new Uint8Array(0));
  });

  it('refuses a chunk outside the bitmap and answers false for one outside', () => {
    const bitmap = newBitmap(8);
    expect(() => setChunk(bitmap, 8)).toThrow(RangeError);
    expect(() => setChunk(bitmap, -1)).toThrow(RangeError);
    expect(hasChunk(bitmap, 8)).toBe(false);
    expect(hasChunk(bitmap, -1)).toBe(false);
  });

  it('skips full bytes when listing missing chunks', () => {
    const bitmap = newBitmap(20);
    for (let index = 0; index < 20; index++) if (index !== 17) setChunk(bitmap, index);
    expect(missingChunks(bitmap, 20)).toEqual([17]);
    expect(countChunks(bitmap)).toBe(19);
  });
});
