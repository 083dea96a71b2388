import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { useFakeWorker } from '../../testing/fake-worker';
import { toBase64Url } from '../../encoding';
import { MAX_HELD_CHUNKS, RunningHash } from './running-hash';
import { ChunkCheckCore, serveChunkChecks } from './chunk-check-core';
import { startChunkChecks } from './chunk-checks';
import { MIN_WORKER_HASH_BYTES } from './file-hashing';

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
    const running = new RunningHash(chunks.length);
    chunks.forEach((chunk, index) => running.add(index, chunk));
    expect(await running.digest()).toBe(sha256);
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
    const running = new RunningHash(count);
    for (let index = count - 1; index >= 0; index--) running.add(index, chunks[index]!);
    expect(await running.digest()).toBeNull();
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

/** The SHA-256 of `bytes`, as a manifest entry. */
const entry = (bytes: Uint8Array) => sha256(bytes);

describe('checking a download’s chunks', () => {
  it('makes a Blob of a chunk that matches its manifest entry and hands its buffer back', async () => {
    const { chunks } = fileOf(2);
    const core = new ChunkCheckCore(2, false);
    const bytes = chunks[1]!.slice();
    const checked = await core.check(1, bytes, entry(chunks[1]!));
    expect(checked.bytes).toBe(bytes);
    expect(new Uint8Array(await checked.blob!.arrayBuffer())).toEqual(chunks[1]);
  });

  it('refuses (no Blob) a chunk that does not match', async () => {
    const { chunks } = fileOf(2);
    const core = new ChunkCheckCore(2, true);
    const checked = await core.check(0, chunks[1]!.slice(), entry(chunks[0]!));
    expect(checked.blob).toBeNull();
    // Nothing false reached the running hash: it never saw chunk 0.
    expect(await core.digest()).toBeNull();
  });

  it('hashes the whole file from chunks checked in any order, the buffers reused meanwhile', async () => {
    const { chunks, sha256: whole } = fileOf(5);
    const checks = startChunkChecks(5, 5 * CHUNK, true);
    const buffer = new Uint8Array(CHUNK);
    for (const index of [0, 3, 1, 4, 2]) {
      const chunk = chunks[index]!;
      const bytes = new Uint8Array(buffer.buffer, 0, chunk.length).slice();
      bytes.set(chunk);
      const checked = await checks.check(index, bytes, entry(chunk));
      expect(checked.blob).not.toBeNull();
      // The next chunk in order was hashed and comes back; an early one is kept until its turn.
      expect(checked.bytes === null).toBe(index === 3 || index === 4);
      checked.bytes?.fill(0xee);
    }
    expect(await checks.digest()).toBe(whole);
  });

  it('has no whole-file hash when it did not start on an empty download, or was closed', async () => {
    const { chunks } = fileOf(2);
    const notRunning = startChunkChecks(2, 2 * CHUNK, false);
    const closed = startChunkChecks(2, 2 * CHUNK, true);
    for (const [index, chunk] of chunks.entries()) {
      await notRunning.check(index, chunk.slice(), entry(chunk));
      await closed.check(index, chunk.slice(), entry(chunk));
    }
    closed.close();
    expect(await notRunning.digest()).toBeNull();
    expect(await closed.digest()).toBeNull();
    await expect(closed.check(0, chunks[0]!.slice(), entry(chunks[0]!))).rejects.toThrow();
  });
});

type ErrorListener = (event: { message: string; preventDefault(): void }) => void;

/** A Worker running the real chunk-check code across a MessageChannel. */
class FakeWorker {
  static started = 0;
  static terminated = 0;
  static last: FakeWorker | null = null;
  #port: MessagePort;
  #onError: ErrorListener[] = [];

  constructor() {
    FakeWorker.started++;
    FakeWorker.last = this;
    const channel = new MessageChannel();
    serveChunkChecks(channel.port2);
    channel.port2.start();
    this.#port = channel.port1;
    this.#port.start();
  }

  addEventListener(type: string, listener: (event: MessageEvent) => void): void {
    if (type === 'message') this.#port.addEventListener('message', listener);
    else this.#onError.push(listener as unknown as ErrorListener);
  }

  postMessage(message: unknown, transfer: Transferable[] = []): void {
    this.#port.postMessage(message, transfer);
  }

  terminate(): void {
    FakeWorker.terminated++;
    this.#port.close();
  }

  /** The Worker dies (a script error). */
  crash(): void {
    for (const listener of this.#onError) listener({ message: 'boom', preventDefault: () => {} });
  }
}

describe('checking a large download’s chunks in a Worker', () => {
  const KiB256 = 256 * 1024;
  const count = Math.ceil(MIN_WORKER_HASH_BYTES / KiB256) + 1;
  /** `count` chunks of 256 KiB and the whole file's SHA-256. */
  const chunks = Array.from({ length: count }, (_, index) =>
    new Uint8Array(KiB256).map((_, i) => (i * 7 + index * 13) & 0xff),
  );
  const wholeHash = sha256.create();
  for (const chunk of chunks) wholeHash.update(chunk);
  const whole = toBase64Url(wholeHash.digest());

  useFakeWorker(FakeWorker);

  it('hands each chunk to the Worker, gets its Blob and buffer back, and the whole file’s hash', async () => {
    const checks = startChunkChecks(count, count * KiB256, true);
    expect(FakeWorker.started).toBe(1);
    // Chunk 2 comes early (its buffer stays with the running hash), then the rest in order.
    const order = [
      0,
      2,
      ...Array.from({ length: count }, (_, i) => i).filter((i) => i !== 0 && i !== 2),
    ];
    for (const index of order) {
      const bytes = chunks[index]!.slice();
      const checked = await checks.check(index, bytes, sha256(chunks[index]!));
      expect(bytes.length).toBe(0); // handed over
      expect(checked.blob?.size).toBe(KiB256);
      expect(checked.bytes === null).toBe(index === 2);
    }
    const stored = await checks.check(1, chunks[1]!.slice(), sha256(chunks[0]!));
    expect(stored.blob).toBeNull();
    expect(await checks.digest()).toBe(whole);
    expect(FakeWorker.terminated).toBe(1);
  });

  it('checks here once the Worker broke, and has no whole-file hash then (the file is read back)', async () => {
    const checks = startChunkChecks(count, count * KiB256, true);
    await checks.check(0, chunks[0]!.slice(), sha256(chunks[0]!));
    FakeWorker.last?.crash();
    const checked = await checks.check(1, chunks[1]!.slice(), sha256(chunks[1]!));
    expect(checked.blob?.size).toBe(KiB256);
    const bad = await checks.check(2, chunks[2]!.slice(), sha256(chunks[3]!));
    expect(bad.blob).toBeNull();
    expect(await checks.digest()).toBeNull();
    expect(FakeWorker.terminated).toBe(1);
  });
});
