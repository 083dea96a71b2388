import { describe, expect, it } from 'vitest';
import type { RelayFrame } from '../../web/src/lib/protocol/room-frames.js';
import { createLogger } from './log.js';
import { InMemoryHeldSignalling } from './relay-queue.js';
import { SignalRelay, type RelayEndpoint } from './signal-relay.js';
import { makeCandidate } from './testing/harness.js';

/** A socket that records what it is sent, or fails as told. */
class FakeEndpoint implements RelayEndpoint {
  sent: string[] = [];
  bufferedAmount = 0;
  isBroken = false;
  isClosed = false;

  send(data: string): void {
    if (this.isBroken) throw new Error('write after end');
    this.sent.push(data);
  }
}

function makeRelay(endpoints: Map<string, FakeEndpoint>) {
  return new SignalRelay({
    held: new InMemoryHeldSignalling({
      maxBytesPerSender: 10_000,
      maxBytesPerDestination: 10_000,
      maxBytesTotal: 10_000,
    }),
    maxSendBufferBytes: 1_000,
    expireTimeoutMs: 100,
    endpointOf: (peerId) => endpoints.get(peerId) ?? null,
    log: createLogger('test', 'silent'),
  });
}

const frameTo = (dst: string): RelayFrame => makeCandidate(dst) as RelayFrame;

describe('SignalRelay', () => {
  it('delivers to a connected peer with the sender as src', () => {
    const b = new FakeEndpoint();
    const relay = makeRelay(new Map([['b', b]]));
    expect(relay.relay('a', frameTo('b'), 0)).toEqual({ status: 'delivered' });
    expect(JSON.parse(b.sent[0] ?? '')).toMatchObject({ type: 'CANDIDATE', src: 'a', dst: 'b' });
  });

  it('refuses, and never closes, a destination that is not reading or whose send fails', () => {
    const b = new FakeEndpoint();
    const relay = makeRelay(new Map([['b', b]]));
    b.bufferedAmount = 999;
    expect(relay.relay('a', frameTo('b'), 0)).toEqual({ status: 'refused', reason: 'busy' });
    b.bufferedAmount = 0;
    b.isBroken = true;
    expect(relay.relay('a', frameTo('b'), 0)).toEqual({ status: 'refused', reason: 'busy' });
    expect(b.isClosed).toBe(false);
  });

  it('queues for an absent peer and delivers when it connects, before anything newer', async () => {
    const endpoints = new Map<string, FakeEndpoint>();
    const relay = makeRelay(endpoints);
    expect(await relay.relay('a', frameTo('b'), 0)).toEqual({ status: 'queued' });
    expect((await relay.stats()).queuedFrames).toBe(1);
    const b = new FakeEndpoint();
    endpoints.set('b', b);
    const flushed = relay.flushTo('b');
    const newer = relay.relay('c', frameTo('b'), 1);
    expect(await flushed).toBe(1);
    expect(await newer).toEqual({ status: 'delivered' });
    expect(b.sent.map((data) => (JSON.parse(data) as { src: string }).src)).toEqual(['a', 'c']);
    expect(await relay.stats()).toEqual({ queuedBytes: 0, queuedFrames: 0 });
  });

  it('tells the sender EXPIRE, once, when the peer never comes', async () => {
    const a = new FakeEndpoint();
    const relay = makeRelay(new Map([['a', a]]));
    await relay.relay('a', frameTo('b'), 0);
    await relay.relay('a', frameTo('b'), 10);
    await relay.expire(99);
    expect(a.sent).toEqual([]);
    await relay.expire(100);
    expect(a.sent.map((data) => JSON.parse(data) as unknown)).toEqual([
      { type: 'EXPIRE', src: 'b', dst: 'a' },
    ]);
  });
});
