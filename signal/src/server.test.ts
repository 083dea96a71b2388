import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  makeCandidate,
  makeOffer,
  makeRoomKey,
  peerUrl,
  startServer,
  useTestServers,
  type Frame,
} from './testing/harness.js';

useTestServers();

// ---------------------------------------------------------------------------------------------
// Rooms
// ---------------------------------------------------------------------------------------------

describe('rooms on the signalling socket', () => {
  it('answers a join with the peers present before and tells them who joined', async () => {
    const { connect } = await startServer();
    const [a, b, c] = await Promise.all([connect(), connect(), connect()]);
    const room = makeRoomKey();

    a.join(room);
    expect(await a.next('X-ROOM-PEERS')).toEqual({
      type: 'X-ROOM-PEERS',
      payload: { room, peers: [] },
    });
    b.join(room);
    expect(await b.next('X-ROOM-PEERS')).toEqual({
      type: 'X-ROOM-PEERS',
      payload: { room, peers: [a.id] },
    });
    expect(await a.next('X-ROOM-JOINED')).toEqual({
      type: 'X-ROOM-JOINED',
      payload: { room, peer: b.id },
    });
    c.join(room);
    expect((await c.next('X-ROOM-PEERS')).payload).toEqual({ room, peers: [a.id, b.id] });
    expect((await a.next('X-ROOM-JOINED')).payload).toEqual({ room, peer: c.id });
    expect((await b.next('X-ROOM-JOINED')).payload).toEqual({ room, peer: c.id });

    await c.barrier();
    expect(c.unread('X-ROOM-JOINED')).toEqual([]);
  });

  it('answers a re-join with PEERS again and pushes no second JOINED', async () => {
    const { connect } = await startServer();
    const [a, b] = await Promise.all([connect(), connect()]);
    const room = makeRoomKey();
    a.join(room);
    await a.next('X-ROOM-PEERS');
    b.join(room);
    await b.next('X-ROOM-PEERS');
    await a.next('X-ROOM-JOINED');

    b.join(room);
    expect((await b.next('X-ROOM-PEERS')).payload).toEqual({ room, peers: [a.id] });
    await b.barrier();
    await a.barrier();
    expect(a.unread('X-ROOM-JOINED')).toEqual([]);
  });

  it('tells the members when a peer leaves and forgets a room once it is empty', async () => {
    const { connect, counts } = await startServer();
    const [a, b] = await Promise.all([connect(), connect()]);
    const room = makeRoomKey();
    a.join(room);
    await a.next('X-ROOM-PEERS');
    b.join(room);
    await b.next('X-ROOM-PEERS');

    b.leave(room);
    expect(await a.next('X-ROOM-LEFT')).toEqual({
      type: 'X-ROOM-LEFT',
      payload: { room, peer: b.id },
    });
    expect((await counts()).rooms).toBe(1);

    // Leaving a room one is not in changes nothing and tells no one.
    b.leave(room);
    await b.barrier();
    await a.barrier();
    expect(a.unread('X-ROOM-LEFT')).toEqual([]);

    a.leave(room);
    await a.barrier();
    expect(await counts()).toMatchObject({ peers: 2, rooms: 0 });
  });

  it('answers FULL at the member cap, keeps no slot, and admits once a member leaves', async () => {
    const { connect, counts } = await startServer({ PARLEY_MAX_PEERS_PER_ROOM: '2' });
    const [a, b, c] = await Promise.all([connect(), connect(), connect()]);
    const room = makeRoomKey();
    a.join(room);
    await a.next('X-ROOM-PEERS');
    b.join(room);
    await b.next('X-ROOM-PEERS');
    await a.next('X-ROOM-JOINED');

    c.join(room);
    expect(await c.next('X-ROOM-FULL')).toEqual({ type: 'X-ROOM-FULL', payload: { room } });
    await c.barrier();
    await a.barrier();
    expect(a.unread('X-ROOM-JOINED')).toEqual([]);
    expect(c.unread('X-ROOM-PEERS')).toEqual([]);

    b.leave(room);
    await a.next('X-ROOM-LEFT');
    c.join(room);
    expect((await c.next('X-ROOM-PEERS')).payload).toEqual({ room, peers: [a.id] });
    expect((await a.next('X-ROOM-JOINED')).payload).toEqual({ room, peer: c.id });
    expect((await counts()).rooms).toBe(1);
  });

  it('refuses a room beyond the per-peer cap with too-many-rooms', async () => {
    const { connect, counts } = await startServer({ PARLEY_MAX_ROOMS_PER_PEER: '2' });
    const a = await connect();
    const [r1, r2, r3] = [makeRoomKey(), makeRoomKey(), makeRoomKey()];
    a.join(r1);
    a.join(r2);
    await a.next('X-ROOM-PEERS');
    await a.next('X-ROOM-PEERS');

    a.join(r3);
    expect(await a.next('X-ROOM-ERROR')).toEqual({
      type: 'X-ROOM-ERROR',
      payload: { room: r3, reason: 'too-many-rooms' },
    });
    expect((await counts()).rooms).toBe(2);
  });

  it('refuses a malformed room key with bad-room', async () => {
    const { connect, counts } = await startServer();
    const a = await connect();
    a.join('not-a-room-key');
    expect(await a.next('X-ROOM-ERROR')).toEqual({
      type: 'X-ROOM-ERROR',
      payload: { room: null, reason: 'bad-room' },
    });
    expect((await counts()).rooms).toBe(0);
  });

  it('leaves every room when the socket closes', async () => {
    const { connect, counts } = await startServer();
    const [a, b, c] = await Promise.all([connect(), connect(), connect()]);
    const [r1, r2] = [makeRoomKey(), makeRoomKey()];
    b.join(r1);
    await b.next('X-ROOM-PEERS');
    c.join(r2);
    await c.next('X-ROOM-PEERS');
    a.join(r1);
    a.join(r2);
    await a.next('X-ROOM-PEERS');
    await a.next('X-ROOM-PEERS');

    a.terminate();
    expect((await b.next('X-ROOM-LEFT')).payload).toEqual({ room: r1, peer: a.id });
    expect((await c.next('X-ROOM-LEFT')).payload).toEqual({ room: r2, peer: a.id });
    expect(await counts()).toMatchObject({ peers: 2, rooms: 2 });
  });

  it("leaves every room when PeerServer's alive timeout reaps a silent peer", async () => {
    const { connect, counts } = await startServer({ PARLEY_ALIVE_TIMEOUT_MS: '1000' });
    const [a, silent] = await Promise.all([connect(), connect()]);
    const heartbeat = setInterval(() => a.send({ type: 'HEARTBEAT' }), 100);
    try {
      const room = makeRoomKey();
      a.join(room);
      await a.next('X-ROOM-PEERS');
      silent.join(room);
      await silent.next('X-ROOM-PEERS');

      expect((await a.next('X-ROOM-LEFT')).payload).toEqual({ room, peer: silent.id });
      await silent.closed;
      expect(await counts()).toMatchObject({ peers: 1, rooms: 1 });
    } finally {
      clearInterval(heartbeat);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Robustness
// ---------------------------------------------------------------------------------------------

describe('robustness', () => {
  it('survives malformed frames without crashing or changing state', async () => {
    const { connect, counts } = await startServer();
    const [a, witness] = await Promise.all([connect(), connect()]);
    const room = makeRoomKey();
    witness.join(room);
    await witness.next('X-ROOM-PEERS');

    const ignored: (string | Buffer)[] = [
      'not json',
      '',
      'null',
      '42',
      '"X-ROOM-JOIN"',
      'true',
      '[]',
      JSON.stringify([{ type: 'X-ROOM-JOIN', payload: { room } }]),
      '{}',
      '{"type":5}',
      '{"type":null,"payload":{}}',
      '{"__proto__":{"type":"X-ROOM-JOIN"}}',
      JSON.stringify({ type: 'X-ROOM-BOGUS', payload: { room } }),
      JSON.stringify({ type: 'X-ROOM-PEERS', payload: { room, peers: ['x'] } }),
      JSON.stringify({ type: 'X-ROOM-JOINED', payload: { room, peer: 'x' } }),
      JSON.stringify({ type: 'OPEN' }),
      JSON.stringify({ type: 'OFFER' }),
      JSON.stringify({ type: 'ANSWER', dst: 5, payload: {} }),
      JSON.stringify({ type: 'CANDIDATE', dst: null }),
      JSON.stringify({ type: 'EXPIRE', dst: 'nobody' }),
      JSON.stringify({ type: 'LEAVE', dst: 'nobody' }),
      randomBytes(64),
    ];
    const badRoom: unknown[] = [
      { type: 'X-ROOM-JOIN' },
      { type: 'X-ROOM-JOIN', payload: null },
      { type: 'X-ROOM-JOIN', payload: 'room' },
      { type: 'X-ROOM-JOIN', payload: [] },
      { type: 'X-ROOM-JOIN', payload: { room: 42 } },
      { type: 'X-ROOM-JOIN', payload: { room: room.slice(1) } },
      { type: 'X-ROOM-JOIN', payload: { room: `${room}x` } },
      { type: 'X-ROOM-JOIN', payload: { room: `${room.slice(0, 42)}B` } },
      { type: 'X-ROOM-JOIN', payload: { room: 'x'.repeat(10_000) } },
      { type: 'X-ROOM-LEAVE', payload: { room: { toString: 'no' } } },
      { type: 'X-ROOM-LEAVE' },
    ];
    for (const frame of ignored) a.send(frame);
    for (const frame of badRoom) a.send(JSON.stringify(frame));
    await a.barrier();

    expect(a.unread('X-ROOM-ERROR')).toEqual(
      badRoom.map(() => ({ type: 'X-ROOM-ERROR', payload: { room: null, reason: 'bad-room' } })),
    );
    // Relayed types with no usable shape are refused with a reason; the other junk silently.
    expect(a.unread('X-RELAY-REFUSED')).toEqual(
      ['OFFER', 'ANSWER', 'CANDIDATE'].map(() => ({
        type: 'X-RELAY-REFUSED',
        payload: { dst: null, reason: 'invalid' },
      })),
    );
    expect(a.unread('X-ROOM-PEERS')).toEqual([]);
    await witness.barrier();
    expect(witness.unread('X-ROOM-JOINED')).toEqual([]);
    expect(await counts()).toMatchObject({ peers: 2, rooms: 1 });

    // The same socket still works.
    a.join(room);
    expect((await a.next('X-ROOM-PEERS')).payload).toEqual({ room, peers: [witness.id] });
  });

  it('answers signalling for an absent peer with EXPIRE once the expire timeout passes', async () => {
    const { connect } = await startServer({ PARLEY_EXPIRE_TIMEOUT_MS: '200' });
    const a = await connect();
    a.send(makeOffer('nobody-here'));
    a.send(makeCandidate('nobody-here'));
    expect(await a.next('EXPIRE')).toEqual({ type: 'EXPIRE', src: 'nobody-here', dst: a.id });
    // One EXPIRE per sender and destination, however many frames waited.
    await a.barrier();
    expect(a.unread('EXPIRE')).toEqual([]);
  });

  it('closes a socket that sends an oversize frame (1009) and keeps serving others', async () => {
    const { connect, counts } = await startServer({ PARLEY_MAX_PAYLOAD_BYTES: '4096' });
    const [a, b] = await Promise.all([connect(), connect()]);
    const room = makeRoomKey();
    a.join(room);
    await a.next('X-ROOM-PEERS');
    b.join(room);
    await b.next('X-ROOM-PEERS');

    b.send({ type: 'X-ROOM-JOIN', payload: { room, padding: 'x'.repeat(5_000) } });
    expect(await b.closed).toBe(1009);
    expect((await a.next('X-ROOM-LEFT')).payload).toEqual({ room, peer: b.id });
    expect(await counts()).toMatchObject({ peers: 1, rooms: 1 });
  });

  it('closes an abuser with 1008 and drops what it sent over the limit', async () => {
    const { connect } = await startServer({
      PARLEY_RATE_LIMIT_BURST: '10',
      PARLEY_RATE_LIMIT_PER_SEC: '0.001',
    });
    const [abuser, witness] = await Promise.all([connect(), connect()]);
    const [r1, r2] = [makeRoomKey(), makeRoomKey()];
    witness.join(r1);
    witness.join(r2);
    await witness.next('X-ROOM-PEERS');
    await witness.next('X-ROOM-PEERS');

    abuser.join(r1); // frame 1 of 10
    await witness.next('X-ROOM-JOINED');
    for (let i = 0; i < 9; i++) abuser.send({ type: 'HEARTBEAT' }); // frames 2–10
    abuser.join(r2); // over the limit: must never take effect
    for (let i = 0; i < 20; i++) abuser.send({ type: 'HEARTBEAT' });

    expect(await abuser.closed).toBe(1008);
    // LEFT for r1 comes from the disconnect, after anything the dropped join could have caused.
    expect((await witness.next('X-ROOM-LEFT')).payload).toEqual({ room: r1, peer: abuser.id });
    await witness.barrier();
    expect(witness.unread('X-ROOM-JOINED')).toEqual([]);
    expect(witness.unread('X-ROOM-LEFT')).toEqual([]);
  });

  it('lets a peer within its rate keep its socket', async () => {
    const { connect } = await startServer({
      PARLEY_RATE_LIMIT_BURST: '10',
      PARLEY_RATE_LIMIT_PER_SEC: '0.001',
    });
    const a = await connect();
    for (let i = 0; i < 8; i++) a.send({ type: 'HEARTBEAT' });
    await a.barrier(); // frame 9
    const room = makeRoomKey();
    a.join(room); // frame 10
    expect((await a.next('X-ROOM-PEERS')).payload).toEqual({ room, peers: [] });
  });
});

// ---------------------------------------------------------------------------------------------
// Sessions (OPEN)
// ---------------------------------------------------------------------------------------------

describe('sessions', () => {
  it('sends a new peer exactly one OPEN', async () => {
    const { connect } = await startServer();
    const a = await connect();
    await a.barrier();
    expect(a.unread('OPEN')).toEqual([]);
  });

  it('sends OPEN when the same ID and token re-attach, keeps its rooms and retires the old socket', async () => {
    const { connect } = await startServer();
    const [first, b] = await Promise.all([connect(), connect()]);
    const room = makeRoomKey();
    first.join(room);
    await first.next('X-ROOM-PEERS');
    b.join(room);
    await b.next('X-ROOM-PEERS');

    // peerjs#1289: without our OPEN this waits forever (connect() awaits OPEN).
    const second = await connect({ id: first.id, token: first.token });
    expect(await first.closed).toBe(4000);
    await second.barrier();
    expect(second.unread('OPEN')).toEqual([]);

    await b.barrier();
    expect(b.unread('X-ROOM-LEFT')).toEqual([]);
    const c = await connect();
    c.join(room);
    expect((await c.next('X-ROOM-PEERS')).payload).toEqual({ room, peers: [first.id, b.id] });
    expect((await second.next('X-ROOM-JOINED')).payload).toEqual({ room, peer: c.id });
  });

  it('sends exactly one OPEN to a peer reconnecting after it closed', async () => {
    const { connect } = await startServer();
    const first = await connect();
    await first.close();
    const second = await connect({ id: first.id, token: first.token });
    await second.barrier();
    expect(second.unread('OPEN')).toEqual([]);
  });

  it('refuses a taken ID with another token and leaves the holder in its rooms', async () => {
    const { port, connect, counts } = await startServer();
    const holder = await connect();
    const room = makeRoomKey();
    holder.join(room);
    await holder.next('X-ROOM-PEERS');

    const socket = new WebSocket(peerUrl(port, holder.id, 'another-token'));
    const reply = await new Promise<Frame>((resolve) => {
      socket.once('message', (data: Buffer) => resolve(JSON.parse(data.toString()) as Frame));
    });
    expect(reply.type).toBe('ID-TAKEN');
    await new Promise((resolve) => socket.once('close', resolve));
    expect(await counts()).toMatchObject({ peers: 1, rooms: 1 });
  });
});
