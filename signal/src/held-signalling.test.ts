import { afterEach, describe, expect, it } from 'vitest';
import {
  InMemoryHeldSignalling,
  type HeldSignalling,
  type RelayQueueLimits,
} from './relay-queue.js';
import { RedisHeldSignalling } from './redis-relay.js';
import { keysUnder, useTestRedis } from './testing/redis.js';
import { connectRedisFixture, type RedisFixture } from './testing/redis-backends.js';

const redis = useTestRedis();
const fixtures: RedisFixture[] = [];
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((fixture) => fixture.close()));
});

const limits: RelayQueueLimits = {
  maxBytesPerSender: 100,
  maxBytesPerDestination: 150,
  maxBytesTotal: 250,
};
const frame = (bytes: number): string => 'x'.repeat(bytes);

const implementations: [string, () => Promise<HeldSignalling>][] = [
  ['InMemoryHeldSignalling', () => Promise.resolve(new InMemoryHeldSignalling(limits))],
  [
    'RedisHeldSignalling',
    async () => {
      const fixture = await connectRedisFixture(redis().url);
      fixtures.push(fixture);
      return new RedisHeldSignalling(fixture.link, fixture.prefix, limits);
    },
  ],
];

describe.each(implementations)('%s (the held-signalling contract)', (_name, create) => {
  const hold = (held: HeldSignalling, src: string, dst: string, data: string, nowMs = 0) =>
    held.forward(src, dst, data, nowMs, true);

  it('holds frames per destination in order and hands them over once', async () => {
    const held = await create();
    expect(await hold(held, 'a', 'd', 'one')).toBe('queued');
    expect(await hold(held, 'b', 'd', 'two', 1)).toBe('queued');
    expect(await held.takeFor('d')).toEqual(['one', 'two']);
    expect(await held.takeFor('d')).toEqual([]);
    expect(await held.stats()).toEqual({ bytes: 0, frames: 0 });
  });

  it('refuses what would pass the per-sender, per-destination or total bound', async () => {
    const held = await create();
    expect(await hold(held, 'a', 'd1', frame(60))).toBe('queued');
    expect(await hold(held, 'a', 'd2', frame(41))).toBe('queue-full'); // a: 101 > 100
    expect(await hold(held, 'b', 'd1', frame(91))).toBe('queue-full'); // d1: 151 > 150
    expect(await hold(held, 'b', 'd1', frame(90))).toBe('queued');
    expect(await hold(held, 'c', 'd3', frame(100))).toBe('queued'); // total 250
    expect(await hold(held, 'e', 'd4', frame(1))).toBe('queue-full'); // total 251 > 250
    expect(await held.stats()).toEqual({ bytes: 250, frames: 3 });
    await held.takeFor('d1');
    expect(await hold(held, 'a', 'd2', frame(100))).toBe('queued'); // a's share is free again
  });

  it('drops a frame for an absent peer when holding is not asked for', async () => {
    const held = await create();
    expect(await held.forward('a', 'd', 'x', 0, false)).toBe('absent');
    expect(await held.stats()).toEqual({ bytes: 0, frames: 0 });
  });

  it('expires a destination whose oldest frame is too old, reporting each pair once', async () => {
    const held = await create();
    await hold(held, 'a', 'd', 'x', 0);
    await hold(held, 'a', 'd', 'y', 50);
    await hold(held, 'b', 'd', 'z', 60);
    await hold(held, 'a', 'fresh', 'w', 90);
    expect(await held.expire(99, 100)).toEqual([]);
    expect(await held.expire(100, 100)).toEqual([
      { src: 'a', dst: 'd' },
      { src: 'b', dst: 'd' },
    ]);
    expect((await held.stats()).frames).toBe(1);
    expect(await held.takeFor('fresh')).toEqual(['w']);
  });

  it('drops what a sender queued when it goes, keeping the others in order', async () => {
    const held = await create();
    await hold(held, 'a', 'd', frame(10), 0);
    await hold(held, 'b', 'd', frame(20), 5);
    await hold(held, 'a', 'e', frame(30), 0);
    await held.dropFrom('a');
    expect(await held.stats()).toEqual({ bytes: 20, frames: 1 });
    // d's oldest frame is now b's (t = 5): not expired at 104, expired at 105.
    expect(await held.expire(104, 100)).toEqual([]);
    expect(await held.expire(105, 100)).toEqual([{ src: 'b', dst: 'd' }]);
    expect(await held.takeFor('e')).toEqual([]);
  });
});

describe('RedisHeldSignalling', () => {
  it('leaves no key behind once every queue is taken', async () => {
    const fixture = await connectRedisFixture(redis().url);
    fixtures.push(fixture);
    const held = new RedisHeldSignalling(fixture.link, fixture.prefix, limits);
    await held.forward('a', 'd', 'one', 0, true);
    await held.forward('b', 'e', 'two', 0, true);
    await held.takeFor('d');
    await held.dropFrom('b');
    expect(await keysUnder(redis().client, fixture.prefix)).toEqual([]);
  });

  it('routes to the node holding the destination instead of holding it', async () => {
    const fixture = await connectRedisFixture(redis().url);
    fixtures.push(fixture);
    const held = new RedisHeldSignalling(fixture.link, fixture.prefix, limits);
    await fixture.hold('d');
    // The holder must be alive for a frame to be routed to it.
    await redis().client.set(`${fixture.prefix}node:${fixture.nodeId}:alive`, '1', 'PX', 10_000);
    const subscriber = redis().client.duplicate();
    const received = new Promise<string>((resolve) => {
      subscriber.on('message', (_channel, message: string) => resolve(message));
    });
    await subscriber.subscribe(`${fixture.prefix}node:${fixture.nodeId}`);
    expect(await held.forward('a', 'd', '{"type":"OFFER"}', 0, true)).toBe('routed');
    expect(JSON.parse(await received)).toEqual({ k: 'f', to: ['d'], d: '{"type":"OFFER"}' });
    expect(await held.stats()).toEqual({ bytes: 0, frames: 0 });
    subscriber.disconnect();
  });
});
