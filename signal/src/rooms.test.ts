import { afterEach, describe, expect, it } from 'vitest';
import { RedisRoomRegistry } from './redis-rooms.js';
import { InMemoryRoomRegistry, type RoomLimits, type RoomRegistry } from './rooms.js';
import { keysUnder, useTestRedis } from './testing/redis.js';
import { connectRedisFixture, type RedisFixture } from './testing/redis-backends.js';

const redis = useTestRedis();
const fixtures: RedisFixture[] = [];
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((fixture) => fixture.close()));
});

/** A registry and a way to make peers it will act for. */
interface Subject {
  registry: RoomRegistry;
  /** Makes the peers known (Redis: held by this node). */
  peers(...ids: string[]): Promise<void>;
}

const implementations: [string, (limits: RoomLimits) => Promise<Subject>][] = [
  [
    'InMemoryRoomRegistry',
    (limits) =>
      Promise.resolve({
        registry: new InMemoryRoomRegistry(limits),
        peers: () => Promise.resolve(),
      }),
  ],
  [
    'RedisRoomRegistry',
    async (limits) => {
      const fixture = await connectRedisFixture(redis().url);
      fixtures.push(fixture);
      return {
        registry: new RedisRoomRegistry(fixture.link, fixture.prefix, limits, fixture.nodeId),
        peers: async (...ids) => {
          for (const id of ids) await fixture.hold(id);
        },
      };
    },
  ],
];

describe.each(implementations)('%s (the RoomRegistry contract)', (_name, create) => {
  async function makeRegistry(limits: Partial<RoomLimits> = {}): Promise<RoomRegistry> {
    const subject = await create({ maxPeersPerRoom: 16, maxRoomsPerPeer: 32, ...limits });
    await subject.peers('a', 'b', 'c');
    return subject.registry;
  }

  it('returns the peers present before the joiner, in join order, never the joiner', async () => {
    const registry = await makeRegistry();
    expect(await registry.join('a', 'r')).toEqual({ status: 'ok', peers: [], isRejoin: false });
    expect(await registry.join('b', 'r')).toEqual({ status: 'ok', peers: ['a'], isRejoin: false });
    expect(await registry.join('c', 'r')).toEqual({
      status: 'ok',
      peers: ['a', 'b'],
      isRejoin: false,
    });
  });

  it('answers a re-join with the other members and flags it, without adding a duplicate', async () => {
    const registry = await makeRegistry();
    await registry.join('a', 'r');
    await registry.join('b', 'r');
    expect(await registry.join('a', 'r')).toEqual({ status: 'ok', peers: ['b'], isRejoin: true });
    expect(await registry.members('r')).toEqual(['a', 'b']);
  });

  it('refuses a joiner when the room is full and keeps no slot for it', async () => {
    const registry = await makeRegistry({ maxPeersPerRoom: 2 });
    await registry.join('a', 'r');
    await registry.join('b', 'r');
    expect(await registry.join('c', 'r')).toEqual({ status: 'full' });
    expect(await registry.members('r')).toEqual(['a', 'b']);
    expect(await registry.leaveAll('c')).toEqual([]);
    expect(await registry.counts()).toEqual({ rooms: 1, peers: 2 });
  });

  it('lets a re-join through even when the room is full', async () => {
    const registry = await makeRegistry({ maxPeersPerRoom: 2 });
    await registry.join('a', 'r');
    await registry.join('b', 'r');
    expect(await registry.join('b', 'r')).toMatchObject({ status: 'ok', isRejoin: true });
  });

  it('admits a new member once a slot frees up', async () => {
    const registry = await makeRegistry({ maxPeersPerRoom: 2 });
    await registry.join('a', 'r');
    await registry.join('b', 'r');
    await registry.leave('a', 'r');
    expect(await registry.join('c', 'r')).toEqual({ status: 'ok', peers: ['b'], isRejoin: false });
  });

  it('refuses a peer that is in too many rooms and does not create the room', async () => {
    const registry = await makeRegistry({ maxRoomsPerPeer: 2 });
    await registry.join('a', 'r1');
    await registry.join('a', 'r2');
    expect(await registry.join('a', 'r3')).toEqual({ status: 'too-many-rooms' });
    expect(await registry.members('r3')).toEqual([]);
    expect(await registry.counts()).toEqual({ rooms: 2, peers: 1 });
    expect(await registry.roomCountOf('a')).toBe(2);
    // Rooms it is already in still answer.
    expect(await registry.join('a', 'r1')).toMatchObject({ status: 'ok', isRejoin: true });
  });

  it('reports the remaining members on leave and deletes an emptied room', async () => {
    const registry = await makeRegistry();
    await registry.join('a', 'r');
    await registry.join('b', 'r');
    expect(await registry.leave('a', 'r')).toEqual({ room: 'r', remaining: ['b'] });
    expect(await registry.leave('b', 'r')).toEqual({ room: 'r', remaining: [] });
    expect(await registry.counts()).toEqual({ rooms: 0, peers: 0 });
  });

  it('returns null when leaving a room one is not in', async () => {
    const registry = await makeRegistry();
    await registry.join('a', 'r');
    expect(await registry.leave('b', 'r')).toBeNull();
    expect(await registry.leave('a', 'other')).toBeNull();
    expect(await registry.members('r')).toEqual(['a']);
  });

  it('leaves every room on leaveAll and tells who remains in each', async () => {
    const registry = await makeRegistry();
    await registry.join('a', 'r1');
    await registry.join('b', 'r1');
    await registry.join('a', 'r2');
    await registry.join('c', 'r3');
    const departures = await registry.leaveAll('a');
    expect(departures.sort((x, y) => x.room.localeCompare(y.room))).toEqual([
      { room: 'r1', remaining: ['b'] },
      { room: 'r2', remaining: [] },
    ]);
    expect(await registry.counts()).toEqual({ rooms: 2, peers: 2 });
    expect(await registry.leaveAll('a')).toEqual([]);
  });

  it('counts rooms and distinct peers', async () => {
    const registry = await makeRegistry();
    await registry.join('a', 'r1');
    await registry.join('a', 'r2');
    await registry.join('b', 'r2');
    expect(await registry.counts()).toEqual({ rooms: 2, peers: 2 });
  });

  it('admits exactly the cap when joins race', async () => {
    const subject = await create({ maxPeersPerRoom: 5, maxRoomsPerPeer: 32 });
    const ids = Array.from({ length: 20 }, (_, i) => `p${i}`);
    await subject.peers(...ids);
    const outcomes = await Promise.all(ids.map((id) => subject.registry.join(id, 'r')));
    expect(outcomes.filter((outcome) => outcome.status === 'ok')).toHaveLength(5);
    expect(outcomes.filter((outcome) => outcome.status === 'full')).toHaveLength(15);
    expect(await subject.registry.members('r')).toHaveLength(5);
  });
});

describe('RedisRoomRegistry', () => {
  it('acts only for peers its node holds', async () => {
    const fixture = await connectRedisFixture(redis().url);
    fixtures.push(fixture);
    const limits = { maxPeersPerRoom: 16, maxRoomsPerPeer: 32 };
    const registry = new RedisRoomRegistry(fixture.link, fixture.prefix, limits, fixture.nodeId);
    const other = new RedisRoomRegistry(fixture.link, fixture.prefix, limits, 'node-b');
    await fixture.hold('a');
    expect(await other.join('a', 'r')).toEqual({ status: 'gone' });
    expect(await registry.join('a', 'r')).toMatchObject({ status: 'ok' });
    expect(await other.leaveAll('a')).toEqual([]);
    expect(await registry.members('r')).toEqual(['a']);
  });

  it('leaves no room, membership or counter behind once everyone has left', async () => {
    const fixture = await connectRedisFixture(redis().url);
    fixtures.push(fixture);
    const registry = new RedisRoomRegistry(
      fixture.link,
      fixture.prefix,
      { maxPeersPerRoom: 16, maxRoomsPerPeer: 32 },
      fixture.nodeId,
    );
    await fixture.hold('a');
    await fixture.hold('b');
    await registry.join('a', 'r1');
    await registry.join('b', 'r1');
    await registry.join('b', 'r2');
    await registry.leaveAll('a');
    await registry.leave('b', 'r1');
    await registry.leave('b', 'r2');
    const { prefix } = fixture;
    // Only the two claims remain (the directory's, not the registry's).
    expect(await keysUnder(redis().client, prefix)).toEqual([
      `${prefix}node:node-a:peers`,
      `${prefix}peer:a`,
      `${prefix}peer:b`,
    ]);
  });
});
