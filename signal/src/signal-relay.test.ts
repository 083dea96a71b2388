import { describe, expect, it } from 'vitest';
import type { RelayFrame } from '../../web/src/lib/protocol/room-frames.js';
import { createLogger } from './log.js';
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
    queue: { maxBytesPerSender: 10_000, maxBytesPerDestination: 10_000, maxBytesTotal: 10_000 },
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

  it('queues for an absent peer and delivers when it connects', () => {
    const endpoints = new Map<string, FakeEndpoint>();
    const relay = makeRelay(endpoints);
    expect(relay.relay('a', frameTo('b'), 0)).toEqual({ status: 'queued' });
    expect(relay.stats().queuedFrames).toBe(1);
    const b = new FakeEndpoint();
    endpoints.set('b', b);
    expect(relay.flushTo('b')).toBe(1);
    expect(b.sent).toHaveLength(1);
    expect(relay.stats()).toEqual({ queuedBytes: 0, queuedFrames: 0 });
  });

  it('tells the sender EXPIRE, once, when the peer never comes', () => {
    const a = new FakeEndpoint();
    const relay = makeRelay(new Map([['a', a]]));
    relay.relay('a', frameTo('b'), 0);
    relay.relay('a', frameTo('b'), 10);
    relay.expire(99);
    expect(a.sent).toEqual([]);
    relay.expire(100);
    expect(a.sent.map((data) => JSON.parse(data) as unknown)).toEqual([
      { type: 'EXPIRE', src: 'b', dst: 'a' },
    ]);
  });
});
