import { describe, expect, it } from 'vitest';
import { rowChunker, type RowChunk } from './row-chunks';

interface Row {
  key: string;
}

const rowsOf = (from: number, to: number): Row[] =>
  Array.from({ length: to - from + 1 }, (_, i) => ({ key: `r${String(from + i)}` }));

const keysOf = (chunks: RowChunk<Row>[]): string[][] =>
  chunks.map((chunk) => chunk.rows.map((row) => row.key));

/** Every row once, in order. */
function expectAllRows(chunks: RowChunk<Row>[], rows: Row[]): void {
  expect(chunks.flatMap((chunk) => chunk.rows)).toEqual(rows);
}

describe('rowChunker', () => {
  it('chunks rows by size, and a new row at the end fills the last chunk, then starts one', () => {
    const chunker = rowChunker<Row>(3);
    let rows = rowsOf(1, 7);
    const first = chunker(rows);
    expect(keysOf(first)).toEqual([['r1', 'r2', 'r3'], ['r4', 'r5', 'r6'], ['r7']]);
    rows = [...rows, ...rowsOf(8, 8)];
    const second = chunker(rows);
    expectAllRows(second, rows);
    // The full chunks are the same objects (not drawn again); the last one took the new row.
    expect(second[0]).toBe(first[0]);
    expect(second[1]).toBe(first[1]);
    expect(second[2]?.key).toBe(first[2]?.key);
    expect(keysOf(second)[2]).toEqual(['r7', 'r8']);
    rows = [...rows, ...rowsOf(9, 10)];
    const third = chunker(rows);
    expect(keysOf(third)).toEqual([
      ['r1', 'r2', 'r3'],
      ['r4', 'r5', 'r6'],
      ['r7', 'r8', 'r9'],
      ['r10'],
    ]);
    expect(third[3]?.key).not.toBe(third[2]?.key);
  });

  it('returns the same chunks when nothing changed, and keeps keys when the oldest rows leave', () => {
    const chunker = rowChunker<Row>(3);
    const rows = rowsOf(1, 7);
    const first = chunker(rows);
    expect(chunker([...rows])).toEqual(first);
    expect(chunker([...rows])[1]).toBe(first[1]);
    const trimmed = chunker(rows.slice(4));
    expect(keysOf(trimmed)).toEqual([['r5', 'r6'], ['r7']]);
    expect(trimmed.map((chunk) => chunk.key)).toEqual(first.slice(1).map((chunk) => chunk.key));
    expect(trimmed[1]).toBe(first[2]);
  });

  it('gives an older page chunks of its own, leaving the chunks below it alone', () => {
    const chunker = rowChunker<Row>(3);
    const newer = rowsOf(5, 9);
    const first = chunker(newer);
    const rows = [...rowsOf(1, 4), ...newer];
    const second = chunker(rows);
    expectAllRows(second, rows);
    expect(second.slice(-2)).toEqual(first);
    expect(second.at(-2)).toBe(first[0]);
    expect(keysOf(second).slice(0, 2)).toEqual([['r1', 'r2', 'r3'], ['r4']]);
  });

  it('puts a late row into its chunk, or between full chunks into one of its own', () => {
    const chunker = rowChunker<Row>(3);
    const [r1, r2, r3, r4, r5, r6] = rowsOf(1, 6) as [Row, Row, Row, Row, Row, Row];
    const first = chunker([r1, r3, r4, r5]);
    // r2 comes in between two rows of the first chunk: it joins it (which may grow past size).
    const inside = chunker([r1, r2, r3, r4, r5]);
    expect(keysOf(inside)).toEqual([['r1', 'r2', 'r3', 'r4'], ['r5']]);
    expect(inside.map((chunk) => chunk.key)).toEqual(first.map((chunk) => chunk.key));
    expect(inside[1]).toBe(first[1]);
    // Between two chunks, after a full one: a chunk of its own; the others stay as they were.
    const two = rowChunker<Row>(2);
    const before = two([r1, r2, r4, r5]);
    const between = two([r1, r2, r3, r4, r5]);
    expect(keysOf(between)).toEqual([['r1', 'r2'], ['r3'], ['r4', 'r5']]);
    expect(between[0]).toBe(before[0]);
    expect(between[2]).toBe(before[1]);
    // After a chunk with room: it joins that chunk.
    const roomy = rowChunker<Row>(3);
    roomy([r1, r2, r3, r5]);
    roomy([r2, r3, r5]);
    expect(keysOf(roomy([r2, r3, r4, r5, r6]))).toEqual([
      ['r2', 'r3', 'r4'],
      ['r5', 'r6'],
    ]);
  });

  it('keeps every row once and in order when the log is re-sorted', () => {
    const chunker = rowChunker<Row>(2);
    const rows = rowsOf(1, 6);
    chunker(rows);
    const shuffled = [rows[4], rows[0], rows[5], rows[1], rows[2], rows[3]] as Row[];
    const chunks = chunker(shuffled);
    expectAllRows(chunks, shuffled);
    expect(new Set(chunks.map((chunk) => chunk.key)).size).toBe(chunks.length);
    expect(chunker([])).toEqual([]);
  });
});
