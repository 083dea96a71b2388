import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { toBase64Url } from '../../encoding';
import { MAX_HELD_CHUNKS, RunningHash } from './running-hash';
import { startWholeHash } from './whole-hash';

const CHUNK = 1000;

/** `count` chunks of CHUNK varied bytes (the last one shorter), and the whole file's SHA-256. */
function fileOf(count: number) {
  const chunks = Array.from({ length: count }, (_, index) =>
    new Uint8Array(index === count - 1 ? CHUNK - 7 : CHUNK).map((_, i) => (i * 13 + index) & 0xff),
  );
  const whole = new Uint8Array(chunks.reduce((sum, c) => sum + c.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    whole.set(chunk, at);
    at += chunk.length;
  }
  return { chunks, sha256: toBase64Url(sha256(whole)) };
}

describe('the running hash of a file', () => {
  it('hashes chunks fed in order to the whole file’s SHA-256', async () => {
    const { chunks, sha256 } = fileOf(5);
    const done: number[] = [];
    const running = new RunningHash(chunks.length, (bytes) => done.push(bytes));
    chunks.forEach((chunk, index) => running.add(index, chunk));
    expect(await running.digest()).toBe(sha256);
    expect(done).toEqual(chunks.map((c) => c.length));
  });

  it('holds chunks that come early and hashes them in order once the gap fills', async () => {
    const { chunks, sha256 } = fileOf(6);
    const running = new RunningHash(chunks.length);
    for (const index of [3, 4, 1, 2, 5]) running.add(index, new Blob([chunks[index]!]));
    running.add(0, chunks[0]!);
    expect(await running.digest()).toBe(sha256);
  });

  it('ignores a second copy of a chunk', async () => {
    const { chunks, sha256 } = fileOf(3);
    const running = new RunningHash(chunks.length);
    running.add(0, chunks[0]!);
    running.add(0, chunks[0]!);
    running.add(2, new Blob([chunks[2]!]));
    running.add(2, new Blob([chunks[2]!]));
    running.add(1, chunks[1]!);
    expect(await running.digest()).toBe(sha256);
  });

  it('gives up (null) when a chunk never came, as after a reload', async () => {
    const { chunks } = fileOf(4);
    const running = new RunningHash(chunks.length);
    for (const index of [1, 2, 3]) running.add(index, chunks[index]!);
    expect(await running.digest()).toBeNull();
  });

  it('gives up (null) when more chunks come early than it holds', async () => {
    const count = MAX_HELD_CHUNKS + 3;
    const { chunks } = fileOf(count);
    const done: number[] = [];
    const running = new RunningHash(count, (bytes) => done.push(bytes));
    for (let index = count - 1; index >= 0; index--) running.add(index, chunks[index]!);
    expect(await running.digest()).toBeNull();
    // Every chunk given as bytes is let go, hashed or not.
    expect(done).toHaveLength(count);
  });

  it('tells a false file from the true one', async () => {
    const { chunks, sha256 } = fileOf(3);
    const running = new RunningHash(chunks.length);
    const forged = chunks[1]!.slice();
    forged[10] = forged[10]! ^ 1;
    running.add(0, chunks[0]!);
    running.add(1, forged);
    running.add(2, chunks[2]!);
    const digest = await running.digest();
    expect(digest).not.toBeNull();
    expect(digest).not.toBe(sha256);
  });
});

describe('a running hash of a download here (no Worker)', () => {
  it('copies the bytes of the next chunk (the caller reuses its buffer) and reads early ones from their Blobs', async () => {
    const { chunks, sha256 } = fileOf(4);
    const run = startWholeHash(chunks.length, 4 * CHUNK);
    const buffer = new Uint8Array(CHUNK);
    const feed = (index: number) => {
      const chunk = chunks[index]!;
      const bytes = buffer.subarray(0, chunk.length);
      bytes.set(chunk);
      run.add(index, bytes, new Blob([chunk]));
      buffer.fill(0xee);
    };
    for (const index of [0, 2, 3, 1]) feed(index);
    expect(await run.digest()).toBe(sha256);
  });

  it('answers null once closed', async () => {
    const { chunks } = fileOf(2);
    const run = startWholeHash(chunks.length, 2 * CHUNK);
    run.add(0, chunks[0]!, new Blob([chunks[0]!]));
    run.close();
    run.add(1, chunks[1]!, new Blob([chunks[1]!]));
    expect(await run.digest()).toBeNull();
  });
});
