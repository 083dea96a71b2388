/**
 * Issue 12, items 1–4: what hostile clients did to the stock PeerServer, each as it was attacked,
 * against the real server and real sockets. Every test here failed on the server before the fix.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { redact } from './log.js';
import {
  counterValue,
  eventually,
  makeCandidate,
  makeId,
  makeOffer,
  makeRoomKey,
  peerUrl,
  refusedStatus,
  startServer,
  useTestServers,
  type Frame,
  type TestPeer,
} from './testing/harness.js';

useTestServers();

/** An OFFER whose payload is nested `levels` deep (issue 12: 5,000 levels, 10 KB). */
function deepOffer(dst: string, levels = 5_000): string {
  const payload = `${'['.repeat(levels)}${']'.repeat(levels)}`;
  return `{"type":"OFFER","dst":${JSON.stringify(dst)},"payload":${payload}}`;
}

/** Two members of one room, and a witness in it. */
async function roomOfThree(connect: () => Promise<TestPeer>) {
  const [attacker, victim, witness] = await Promise.all([connect(), connect(), connect()]);
  const room = makeRoomKey();
  for (const peer of [witness, victim, attacker]) {
    peer.join(room);
    await peer.next('X-ROOM-PEERS');
  }
  return { attacker, victim, witness };
}

// ---------------------------------------------------------------------------------------------
// 1. One room member can keep another unreachable
// ---------------------------------------------------------------------------------------------

describe('a relayed payload', () => {
  it('nested 5,000 levels deep never reaches the victim nor closes its socket', async () => {
    const { connect, metricsText } = await startServer();
    const { attacker, victim, witness } = await roomOfThree(connect);

    attacker.send(deepOffer(victim.id));
    expect((await attacker.next('X-RELAY-REFUSED')).payload).toEqual({
      dst: null,
      reason: 'too-deep',
    });

    // The victim is still there, still reachable, and still in the room.
    await victim.barrier();
    expect(victim.isOpen).toBe(true);
    attacker.send(makeCandidate(victim.id, 'dc_after'));
    expect((await victim.next('CANDIDATE')).payload).toMatchObject({ connectionId: 'dc_after' });
    await witness.barrier();
    expect(witness.unread('X-ROOM-LEFT')).toEqual([]);
    expect(victim.unread('OFFER')).toEqual([]);
    const text = await metricsText();
    expect(counterValue(text, 'parley_signal_frames_refused_total', { reason: 'too-deep' })).toBe(
      1,
    );
  });

  it('queued for an absent victim never kills its reconnect, and its ID stays its own', async () => {
    const { port, connect } = await startServer();
    const { attacker, victim, witness } = await roomOfThree(connect);
    victim.terminate();
    await witness.next('X-ROOM-LEFT');

    attacker.send(deepOffer(victim.id));
    await attacker.next('X-RELAY-REFUSED');
    const honest = makeOffer(victim.id);
    attacker.send(honest);
    // While it is away, nobody else may take its ID.
    expect(await refusedStatus(peerUrl(port, victim.id, 'someone-else'))).toBe(409);

    const back = await connect({ id: victim.id, token: victim.token });
    const delivered = await back.next('OFFER');
    expect(delivered).toEqual({ ...honest, src: attacker.id });
    await back.barrier();
    expect(back.isOpen).toBe(true);
    expect(back.unread('OFFER')).toEqual([]);
  });

  it('is refused, naming the destination, when PeerJS would never send its shape', async () => {
    const { connect } = await startServer();
    const { attacker, victim } = await roomOfThree(connect);
    const offer = makeOffer(victim.id);
    const bad: object[] = [
      makeOffer(victim.id, { payload: { serialization: 'evil' } }), // crashes PeerJS's `new`
      makeOffer(victim.id, { payload: { sdp: { type: 'answer', sdp: 'v=0' } } }),
      makeOffer(victim.id, { payload: { sdp: 'v=0' } }),
      makeOffer(victim.id, { payload: { connectionId: '' } }),
      makeOffer(victim.id, { payload: { connectionId: 'x'.repeat(65) } }),
      makeOffer(victim.id, { payload: { metadata: { a: { b: { c: { d: { e: 1 } } } } } } }),
      makeOffer(victim.id, { payload: { type: 'file' } }),
      { ...offer, payload: null },
      { type: 'ANSWER', dst: victim.id, payload: { sdp: { type: 'offer', sdp: '' } } },
      { ...makeCandidate(victim.id), payload: { candidate: { candidate: 42 } } },
      { ...makeCandidate(victim.id), payload: { candidate: 'x'.repeat(2_000) } },
    ];
    for (const frame of bad) attacker.send(frame);
    for (let i = 0; i < bad.length; i++) {
      expect((await attacker.next('X-RELAY-REFUSED')).payload).toEqual({
        dst: victim.id,
        reason: 'invalid',
      });
    }
    await victim.barrier();
    expect([...victim.unread('OFFER'), ...victim.unread('ANSWER')]).toEqual([]);
    expect(victim.unread('CANDIDATE')).toEqual([]);
  });

  it('travels with only the fields PeerJS defines, and with the real sender as src', async () => {
    const { connect } = await startServer();
    const { attacker, victim } = await roomOfThree(connect);
    const offer = makeOffer(victim.id) as Frame & { payload: Record<string, unknown> };
    attacker.send({
      ...offer,
      src: victim.id, // spoofing is pointless: the server sets src
      extra: 'top level',
      payload: { ...offer.payload, extra: { deep: [1, 2, 3] } },
    });
    expect(await victim.next('OFFER')).toEqual({ ...offer, src: attacker.id });
  });
});

// ---------------------------------------------------------------------------------------------
// 2. Four anonymous sockets can stall the server
// ---------------------------------------------------------------------------------------------

describe('signalling for absent peers', () => {
  it('is refused beyond the signalling frame limit, and the socket stays', async () => {
    const { connect, counts } = await startServer();
    const a = await connect();
    a.send(makeOffer('absent-peer', { sdp: 'v'.repeat(20_000) }));
    expect((await a.next('X-RELAY-REFUSED')).payload).toEqual({ dst: null, reason: 'too-large' });
    await a.barrier();
    expect(a.isOpen).toBe(true);
    expect((await counts()).relayQueueBytes).toBe(0);
  });

  it('is bounded per sender and in all, and what was queued is delivered', async () => {
    const { connect, counts } = await startServer({ PARLEY_RELAY_QUEUE_MAX_BYTES: '100000' });
    const [a, b] = await Promise.all([connect(), connect()]);
    const target = makeId();
    const bytes = queuedBytes(a, target);
    const send = async (sender: TestPeer, count: number): Promise<Frame[]> => {
      for (let i = 0; i < count; i++) sender.send(makeOffer(target, { sdp: PADDING }));
      await sender.barrier();
      return sender.unread('X-RELAY-REFUSED');
    };
    // 64 KiB per sender: a fills its share, and 3 more are refused.
    const perSender = Math.floor(65_536 / bytes);
    const refusedA = await send(a, perSender + 3);
    expect(refusedA).toHaveLength(3);
    expect(refusedA[0]?.payload).toEqual({ dst: target, reason: 'queue-full' });
    // 100,000 bytes in all: b fits in what is left, then 2 more are refused.
    const fitB = Math.floor((100_000 - perSender * bytes) / bytes);
    expect(fitB).toBeLessThan(perSender);
    expect(await send(b, fitB + 2)).toHaveLength(2);
    expect((await counts()).relayQueueBytes).toBe((perSender + fitB) * bytes);

    const late = await connect({ id: target });
    for (let i = 0; i < perSender + fitB; i++) await late.next('OFFER');
    await late.barrier();
    expect(late.unread('OFFER')).toEqual([]);
    expect((await counts()).relayQueueBytes).toBe(0);
  });

  it('is bounded per destination, whoever sends it', async () => {
    const { connect } = await startServer();
    const senders = await Promise.all([connect(), connect(), connect()]);
    const target = makeId();
    for (const sender of senders) {
      for (let i = 0; i < 5; i++) sender.send(makeOffer(target, { sdp: PADDING }));
    }
    await Promise.all(senders.map((sender) => sender.barrier()));
    // 128 KiB for one destination, from all three.
    const fit = Math.floor(131_072 / queuedBytes(senders[0], target));
    expect(fit).toBeLessThan(15);
    const refused = senders.flatMap((sender) => sender.unread('X-RELAY-REFUSED'));
    expect(refused).toHaveLength(15 - fit);
  });

  it('is dropped when its sender goes', async () => {
    const { connect, counts } = await startServer();
    const [leaving, staying] = await Promise.all([connect(), connect()]);
    leaving.send(makeOffer(makeId(), { sdp: PADDING }));
    staying.send(makeOffer(makeId(), { sdp: PADDING }));
    await Promise.all([leaving.barrier(), staying.barrier()]);
    const both = (await counts()).relayQueueBytes;
    await leaving.close();
    await eventually(async () => (await counts()).relayQueueBytes === both / 2);
  });
});

/** SDP padding that makes an offer about 9 kB. */
const PADDING = 'v'.repeat(9_000);

/** What one padded offer from `sender` to `dst` costs in the queue: its text as relayed. */
function queuedBytes(sender: TestPeer, dst: string): number {
  const { payload } = makeOffer(dst, { sdp: PADDING });
  return JSON.stringify({ type: 'OFFER', src: sender.id, dst, payload }).length;
}

describe('byte rate limits', () => {
  it('close a socket that sends more bytes than its budget', async () => {
    const { connect, metricsText } = await startServer({
      PARLEY_RATE_LIMIT_BURST_BYTES: '20000',
      PARLEY_RATE_LIMIT_BYTES_PER_SEC: '1',
    });
    const a = await connect();
    for (let i = 0; i < 3; i++) a.send(makeOffer(makeId(), { sdp: 'v'.repeat(8_000) }));
    expect(await a.closed).toBe(1008);
    const text = await metricsText();
    expect(counterValue(text, 'parley_signal_rate_limited_total', { limit: 'bytes' })).toBe(1);
  });

  it('are shared by all sockets of one address, so fresh sockets do not reset them', async () => {
    const { connect, metricsText } = await startServer({
      PARLEY_RATE_LIMIT_BURST_BYTES_PER_IP: '30000',
      PARLEY_RATE_LIMIT_BYTES_PER_SEC_PER_IP: '1',
    });
    const first = await connect();
    for (let i = 0; i < 2; i++) first.send(makeOffer(makeId(), { sdp: 'v'.repeat(9_000) }));
    await first.barrier();
    const second = await connect();
    for (let i = 0; i < 2; i++) second.send(makeOffer(makeId(), { sdp: 'v'.repeat(9_000) }));
    expect(await second.closed).toBe(1008);
    const text = await metricsText();
    expect(counterValue(text, 'parley_signal_rate_limited_total', { limit: 'bytes-per-ip' })).toBe(
      1,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// 3. A few addresses can lock every new user out
// ---------------------------------------------------------------------------------------------

describe('at the connection limit', () => {
  it('an idle socket makes room for a newcomer, and members keep theirs', async () => {
    const { connect, metricsText } = await startServer({
      PARLEY_MAX_CONNECTIONS: '3',
      PARLEY_IDLE_SOCKET_MS: '0',
    });
    const idle = await connect();
    const [m1, m2] = await Promise.all([connect(), connect()]);
    const room = makeRoomKey();
    for (const member of [m1, m2]) {
      member.join(room);
      await member.next('X-ROOM-PEERS');
    }

    const newcomer = await connect();
    expect(await idle.closed).toBe(4001);
    expect(newcomer.isOpen && m1.isOpen && m2.isOpen).toBe(true);
    await m1.barrier();
    expect(await metricsText()).toMatch(/^parley_signal_sockets_evicted_total 1$/m);
  });

  it('the address holding the most gives one up to a new address, not to itself', async () => {
    const { port, connect } = await startServer({
      PARLEY_MAX_CONNECTIONS: '4',
      PARLEY_PROXIED: 'true',
    });
    const from = (address: string) => ({ headers: { 'X-Forwarded-For': address } });
    const room = makeRoomKey();
    const heavy = await Promise.all([1, 2, 3].map(() => connect(from('198.51.100.1'))));
    const light = await connect(from('198.51.100.2'));
    for (const peer of [...heavy, light]) {
      peer.join(room);
      await peer.next('X-ROOM-PEERS');
    }
    // The heavy address's least recently active socket goes: the first, which joined first.
    const newcomer = await connect(from('203.0.113.7'));
    expect(await heavy[0]?.closed).toBe(4001);
    expect(newcomer.isOpen && light.isOpen).toBe(true);

    // The heavy address now holds 2: it cannot take a slot back from anyone.
    const url = peerUrl(port, makeId(), randomUUID());
    expect(await refusedStatus(url, { 'X-Forwarded-For': '198.51.100.1' })).toBe(503);
    // A client-supplied entry left of our proxy's does not make a new address.
    expect(await refusedStatus(url, { 'X-Forwarded-For': '192.0.2.1, 198.51.100.1' })).toBe(503);
  });
});

// ---------------------------------------------------------------------------------------------
// 4. TURN credentials for anyone
// ---------------------------------------------------------------------------------------------

describe('TURN credentials', () => {
  const ice = {
    PARLEY_STUN_URLS: 'stun:stun.example:3478',
    PARLEY_TURN_URLS: 'turn:turn.example:3478',
    PARLEY_TURN_SECRET: 'shh',
    PARLEY_TURN_TTL_S: '600',
  };

  it('come only on a live signalling session, right after OPEN, tagged with it', async () => {
    const { base, connect } = await startServer(ice);
    expect((await fetch(`${base}/ice`)).status).toBe(404);

    const before = Math.floor(Date.now() / 1000);
    const a = await connect();
    const frame = await a.next('X-ICE');
    const [stun, turn] = (frame.payload as { iceServers: Record<string, unknown>[] }).iceServers;
    expect(stun).toEqual({ urls: ['stun:stun.example:3478'] });
    expect(turn?.urls).toEqual(['turn:turn.example:3478']);
    const [expiry, tag] = String(turn?.username).split(':');
    expect(tag).toBe(redact(a.id));
    expect(Number(expiry)).toBeGreaterThanOrEqual(before + 600);
    expect(Number(expiry)).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + 600);
    expect(turn?.credential).toBe(
      createHmac('sha1', 'shh').update(String(turn?.username)).digest('base64'),
    );
  });

  it('come again, fresh, when the session re-attaches', async () => {
    const { connect } = await startServer(ice);
    const first = await connect();
    await first.next('X-ICE');
    const second = await connect({ id: first.id, token: first.token });
    expect((await second.next('X-ICE')).type).toBe('X-ICE');
  });

  it('are not sent when no ICE server is configured', async () => {
    const { connect } = await startServer();
    const a = await connect();
    await a.barrier();
    expect(a.unread('X-ICE')).toEqual([]);
  });
});
