import { describe, expect, it } from 'vitest';
import { createLogger } from './log.js';
import { reconnectDelayMs, RedisLink } from './redis-link.js';
import { HEARTBEAT } from './redis-scripts.js';
import { freePort, makePrefix, startRedisServer, stopRedisServer } from './testing/redis.js';

describe('reconnectDelayMs', () => {
  it('doubles from 100 ms up to 5 s, with jitter in the upper half', () => {
    expect(reconnectDelayMs(1, () => 0)).toBe(50);
    expect(reconnectDelayMs(1, () => 1)).toBe(100);
    expect(reconnectDelayMs(3, () => 1)).toBe(400);
    expect(reconnectDelayMs(30, () => 1)).toBe(5_000);
    expect(reconnectDelayMs(30, () => 0)).toBe(2_500);
  });
});

describe('RedisLink', () => {
  it('starts not ready when Redis is not there yet, and becomes ready when it comes', async () => {
    const port = await freePort();
    const changes: boolean[] = [];
    const link = new RedisLink({
      url: `redis://127.0.0.1:${port}`,
      nodeId: 'late',
      log: createLogger('test', 'silent'),
      onReadyChange: (isReady) => changes.push(isReady),
    });
    await link.start(`${makePrefix()}node:late`, () => undefined, 200);
    expect(link.isReady).toBe(false);
    await expect(link.run(HEARTBEAT, ['p:', 'late', 1_000])).rejects.toThrow();
    const redis = await startRedisServer(port);
    try {
      await expect.poll(() => link.isReady, { timeout: 15_000 }).toBe(true);
      expect(changes).toEqual([true]);
      expect(await link.run(HEARTBEAT, ['p:', 'late', 1_000])).toBe(0);
    } finally {
      await link.close();
      await stopRedisServer(redis.process);
    }
  }, 30_000);
});
