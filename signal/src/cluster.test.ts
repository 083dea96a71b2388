import { afterEach, describe, expect, it } from 'vitest';
import { NODE_SWEEP_MS, NODE_TTL_MS } from './config.js';
import { createLogger } from './log.js';
import { RedisLink } from './redis-link.js';
import { RedisPeerDirectory } from './redis-peers.js';
import { RedisRoomRegistry } from './redis-rooms.js';
import {
  counterValue,
  eventually,
  gaugeValue,
  makeOffer,
  makeRoomKey,
  peerUrl,
  refusedStatus,
  startServer,
  useTestServers,
  type Started,
} from './testing/harness.js';
import {
  keysUnder,
  makePrefix,
  startRedisServer,
  stopRedisServer,
  useTestRedis,
} from './testing/redis.js';

/**
 * Scale-out (DESIGN §3): two signal servers in this process sharing a real redis-server, each
 * holding its own sockets, acting as one service.
 */

useTestServers();
const redis = useTestRedis();
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Two nodes on one Redis (a fresh prefix: a service of their own). */
async function twoNodes(env: Record<string, string> = {}): Promise<[Started, Started, string]> {
  const prefix = makePrefix();
  const nodeEnv = { REDIS_URL: redis().url, PARLEY_REDIS_PREFIX: prefix, ...env };
  const one = await startServer(nodeEnv);
  const two = await startServer(nodeEnv);
  return [one, two, prefix];
}

describe('two nodes on Redis', () => {
  it('meet in a room across nodes and relay signalling both ways', async () => {
    const [one, two] = await twoNodes();
    const a = await one.connect();
    const b = await two.connect();
    const room = makeRoomKey();

    a.join(room);
    expect((await a.next('X-ROOM-PEERS')).payload).toEqual({ room, peers: [] });
    b.join(room);
    expect((await b.next('X-ROOM-PEERS')).payload).toEqual({ room, peers: [a.id] });
    expect((await a.next('X-ROOM-JOINED')).payload).toEqual({ room, peer: b.id });

    b.send(makeOffer(a.id));
    expect(await a.next('OFFER')).toMatchObject({ type: 'OFFER', src: b.id, dst: a.id });
    a.send(makeOffer(b.id));
    expect(await b.next('OFFER')).toMatchObject({ src: a.id, dst: b.id });

    b.leave(room);
    expect((await a.next('X-ROOM-LEFT')).payload).toEqual({ room, peer: b.id });
    const text = await one.metricsText();
    expect(
      counterValue(text, 'parley_signal_cross_node_total', {
        direction: 'in',
        outcome: 'delivered',
      }),
    ).toBeGreaterThanOrEqual(3);
    expect(
      counterValue(text, 'parley_signal_frames_relayed_total', {
        type: 'OFFER',
        outcome: 'routed',
      }),
    ).toBe(1);
    // Per node: only Alice joined through node one.
    expect(counterValue(text, 'parley_signal_room_joins_total', { result: 'joined' })).toBe(1);
    expect(gaugeValue(text, 'parley_signal_redis_up')).toBe(1);
    // The heartbeat at start measured one round trip at least.
    expect(gaugeValue(text, 'parley_signal_redis_round_trip_seconds_count')).toBeGreaterThan(0);
    expect(gaugeValue(text, 'parley_signal_rooms')).toBe(1);
  });

  it('refuses an ID held on one node to another token on the other', async () => {
    const [one, two] = await twoNodes();
    const a = await one.connect();
    expect(await refusedStatus(peerUrl(two.port, a.id, 'another-token'))).toBe(409);
    expect(
      counterValue(await two.metricsText(), 'parley_signal_sockets_refused_total', {
        reason: 'id-taken',
      }),
    ).toBe(1);
    expect(a.isOpen).toBe(true);
  });

  it('moves a peer that reconnects to the other node with its token, keeping its rooms', async () => {
    const [one, two] = await twoNodes();
    const a = await one.connect();
    const b = await one.connect();
    const room = makeRoomKey();
    a.join(room);
    await a.next('X-ROOM-PEERS');
    b.join(room);
    await b.next('X-ROOM-PEERS');
    await a.next('X-ROOM-JOINED');

    const moved = await two.connect({ id: b.id, token: b.token });
    expect(await b.closed).toBe(4000);
    moved.join(room);
    expect((await moved.next('X-ROOM-PEERS')).payload).toEqual({ room, peers: [a.id] });
    moved.send(makeOffer(a.id));
    expect(await a.next('OFFER')).toMatchObject({ src: b.id });
    await a.barrier();
    expect(a.unread('X-ROOM-LEFT')).toEqual([]);
  });

  it('holds signalling for a peer that is nowhere and delivers it when it attaches to either node', async () => {
    const [one, two] = await twoNodes();
    const a = await one.connect();
    const absentId = `peer-absent-${Date.now()}`;
    a.send(makeOffer(absentId));
    await eventually(async () => (await two.counts()).relayQueueBytes > 0);
    const late = await two.connect({ id: absentId });
    expect(await late.next('OFFER')).toMatchObject({ src: a.id, dst: absentId });
    expect((await one.counts()).relayQueueBytes).toBe(0);
  });

  it('tells the members on a node when a node shuts down, and leaves Redis empty of rooms', async () => {
    const [one, two, prefix] = await twoNodes({
      PARLEY_LOG_LEVEL: process.env.DBG ? 'debug' : 'silent',
    });
    const a = await one.connect();
    const b = await two.connect();
    const room = makeRoomKey();
    a.join(room);
    await a.next('X-ROOM-PEERS');
    b.join(room);
    await b.next('X-ROOM-PEERS');

    await two.server.close();
    expect((await a.next('X-ROOM-LEFT')).payload).toEqual({ room, peer: b.id });
    await a.close();
    await eventually(async () => (await one.counts()).rooms === 0);
    const keys = await keysUnder(redis().client, prefix);
    // What stays: the two IDs reserved for their tokens (they lapse), and live node one's key.
    expect(keys.filter((key) => !/:peer:[^:]+$/.test(key))).toEqual(
      keys.filter((key) => /:node:[^:]+:alive$/.test(key) || key.endsWith(':nodes')),
    );
    for (const id of [a.id, b.id]) {
      expect(await redis().client.hget(`${prefix}peer:${id}`, 'node')).toBe('');
      expect(await redis().client.pttl(`${prefix}peer:${id}`)).toBeGreaterThan(0);
    }
  });

  it('takes the peers of a dead node out of their rooms and tells the members', async () => {
    const [one, , prefix] = await twoNodes();
    const a = await one.connect();
    const room = makeRoomKey();
    a.join(room);
    await a.next('X-ROOM-PEERS');

    // A node that joined the service, holds a peer in the room, and then stopped beating.
    const link = new RedisLink({
      url: redis().url,
      nodeId: 'ghost',
      log: createLogger('test', 'silent'),
      onReadyChange: () => undefined,
    });
    cleanups.push(() => link.close());
    await link.start(`${prefix}node:ghost`, () => undefined, 5_000);
    const directory = new RedisPeerDirectory(link, {
      prefix,
      nodeId: 'ghost',
      claimTtlMs: 60_000,
      reservationMs: 60_000,
    });
    const limits = { maxPeersPerRoom: 16, maxRoomsPerPeer: 32 };
    await redis().client.set(`${prefix}node:ghost:alive`, '1', 'PX', 200);
    await redis().client.sadd(`${prefix}nodes`, 'ghost');
    expect(await directory.claim('peer-ghost', 'token')).toBe('ok');
    const ghostRooms = new RedisRoomRegistry(link, prefix, limits, 'ghost');
    expect(await ghostRooms.join('peer-ghost', room)).toMatchObject({ status: 'ok' });

    const left = await a.next('X-ROOM-LEFT', () => true, NODE_TTL_MS + NODE_SWEEP_MS * 2);
    expect(left.payload).toEqual({ room, peer: 'peer-ghost' });
    expect(await redis().client.sismember(`${prefix}nodes`, 'ghost')).toBe(0);
    expect(await redis().client.hget(`${prefix}peer:peer-ghost`, 'node')).toBe('');
  }, 30_000);
});

describe('a node that loses Redis', () => {
  it('says so in /readyz, keeps relaying between its own peers and recovers', async () => {
    const started = await startRedisServer();
    let server = started.process;
    cleanups.push(() => stopRedisServer(server));
    const port = new URL(started.url).port;
    const prefix = makePrefix();
    const node = await startServer({ REDIS_URL: started.url, PARLEY_REDIS_PREFIX: prefix });
    const readiness = async (): Promise<number> => (await fetch(`${node.base}/readyz`)).status;
    expect(await readiness()).toBe(200);
    const a = await node.connect();
    const b = await node.connect();

    await stopRedisServer(server);
    await eventually(async () => (await readiness()) === 503);
    expect(await (await fetch(`${node.base}/readyz`)).json()).toEqual({
      status: 'redis-unavailable',
    });
    expect((await fetch(`${node.base}/healthz`)).status).toBe(200);
    a.send(makeOffer(b.id));
    expect(await b.next('OFFER')).toMatchObject({ src: a.id });
    expect(await refusedStatus(peerUrl(node.port, 'peer-new', 'token'))).toBe(503);

    server = (await startRedisServer(Number(port))).process;
    await eventually(async () => (await readiness()) === 200, 15_000);
    // This Redis lost everything: the node resets its sockets so its peers re-join.
    await expect(a.closed).resolves.toBe(1012);
    const c = await node.connect();
    expect(c.isOpen).toBe(true);
  }, 30_000);
});
