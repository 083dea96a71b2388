import { describe, expect, it } from 'vitest';
import { RelayQueue } from './relay-queue.js';

const limits = { maxBytesPerSender: 100, maxBytesPerDestination: 150, maxBytesTotal: 250 };
const frame = (bytes: number): string => 'x'.repeat(bytes);

describe('RelayQueue', () => {
  it('holds frames per destination in order and hands them over once', () => {
    const queue = new RelayQueue(limits);
    expect(queue.enqueue('a', 'd', 'one', 0)).toBe(true);
    expect(queue.enqueue('b', 'd', 'two', 1)).toBe(true);
    expect(queue.takeFor('d').map((queued) => queued.data)).toEqual(['one', 'two']);
    expect(queue.takeFor('d')).toEqual([]);
    expect([queue.totalBytes, queue.frameCount]).toEqual([0, 0]);
  });

  it('refuses what would pass the per-sender, per-destination or total bound', () => {
    const queue = new RelayQueue(limits);
    expect(queue.enqueue('a', 'd1', frame(60), 0)).toBe(true);
    expect(queue.enqueue('a', 'd2', frame(41), 0)).toBe(false); // a: 101 > 100
    expect(queue.enqueue('b', 'd1', frame(91), 0)).toBe(false); // d1: 151 > 150
    expect(queue.enqueue('b', 'd1', frame(90), 0)).toBe(true);
    expect(queue.enqueue('c', 'd3', frame(100), 0)).toBe(true); // total 250
    expect(queue.enqueue('e', 'd4', frame(1), 0)).toBe(false); // total 251 > 250
    expect(queue.totalBytes).toBe(250);
    queue.takeFor('d1');
    expect(queue.enqueue('a', 'd2', frame(100), 0)).toBe(true); // a's share is free again
  });

  it('expires a destination whose oldest frame is too old, reporting each pair once', () => {
    const queue = new RelayQueue(limits);
    queue.enqueue('a', 'd', 'x', 0);
    queue.enqueue('a', 'd', 'y', 50);
    queue.enqueue('b', 'd', 'z', 60);
    queue.enqueue('a', 'fresh', 'w', 90);
    expect(queue.expire(99, 100)).toEqual([]);
    expect(queue.expire(100, 100)).toEqual([
      { src: 'a', dst: 'd' },
      { src: 'b', dst: 'd' },
    ]);
    expect(queue.frameCount).toBe(1);
  });

  it('drops what a sender queued when it goes', () => {
    const queue = new RelayQueue(limits);
    queue.enqueue('a', 'd', frame(10), 0);
    queue.enqueue('b', 'd', frame(20), 0);
    queue.enqueue('a', 'e', frame(30), 0);
    queue.dropFrom('a');
    expect(queue.totalBytes).toBe(20);
    expect(queue.takeFor('d').map((queued) => queued.src)).toEqual(['b']);
    expect(queue.takeFor('e')).toEqual([]);
  });
});
