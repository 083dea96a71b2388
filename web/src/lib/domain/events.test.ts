import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createIdentityKeys, type IdentityKeys } from '../crypto/identity';
import type { ChatEvent, UnsignedEvent, Unverified } from '../protocol/events';
import {
  canonicalEventBytes,
  canonicalJson,
  compareEvents,
  eventKey,
  eventPreview,
  MAX_PREVIEW_CHARS,
  signEvent,
} from './events';
import { verifyEvent } from './verify-event';
import {
  fakeFingerprint,
  makeEvent,
  makeSignedEvent,
  makeUnsignedEvent,
} from '../testing/factories';
import { propertyParams } from '../testing/property';

const asReceived = (e: ChatEvent) => e as unknown as Unverified<ChatEvent>;

let alice: IdentityKeys;
let bob: IdentityKeys;
beforeAll(async () => {
  [alice, bob] = await Promise.all([createIdentityKeys(), createIdentityKeys()]);
});

describe('canonicalJson', () => {
  it('sorts object keys at every level and ignores insertion order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 0, y: null }], c: 'x' }, 1: true })).toBe(
      '{"1":true,"a":{"c":"x","d":[1,{"y":null,"z":0}]},"b":1}',
    );
  });

  it('refuses values JSON cannot represent', () => {
    expect(() => canonicalJson(Number.NaN)).toThrow(TypeError);
    expect(() => canonicalJson(() => 1)).toThrow(TypeError);
  });
});

describe('canonicalEventBytes', () => {
  it('is the labelled JSON array in fixed field order', () => {
    const e = makeUnsignedEvent({ text: 'hi "you"' });
    expect(new TextDecoder().decode(canonicalEventBytes(e))).toBe(
      JSON.stringify(['parley-event-v1', 1, e.conv, e.author, e.seq, e.hlc, 'text', e.body]),
    );
  });

  it('does not depend on property order or on extra fields', () => {
    const e = makeUnsignedEvent();
    const shuffled = {
      body: e.body,
      kind: e.kind,
      hlc: e.hlc,
      seq: e.seq,
      author: e.author,
      conv: e.conv,
      v: e.v,
      extra: 1,
    } as UnsignedEvent;
    expect(canonicalEventBytes(shuffled)).toEqual(canonicalEventBytes(e));
  });

  it('differs whenever a signed field differs (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 50 }), fc.string({ maxLength: 50 }), (a, b) => {
        fc.pre(a !== b);
        const left = canonicalEventBytes(makeUnsignedEvent({ text: a }));
        const right = canonicalEventBytes(makeUnsignedEvent({ text: b }));
        expect(left).not.toEqual(right);
      }),
      propertyParams(11, 1000),
    );
  }, 60_000);
});

describe('signEvent / verifyEvent', () => {
  it('verifies an event signed by its author', async () => {
    const signed = await makeSignedEvent(alice, { text: 'hello' });
    expect(await verifyEvent(asReceived(signed), alice.spki)).toEqual(signed);
  });

  it('rejects an event whose author is not the key holder', async () => {
    const signed = await makeSignedEvent(alice);
    expect(await verifyEvent(asReceived(signed), bob.spki)).toBeNull();
    // Bob signs an event claiming to be Alice.
    const forged = await signEvent(
      makeUnsignedEvent({ author: alice.fingerprint }),
      bob.privateKey,
    );
    expect(await verifyEvent(asReceived(forged), alice.spki)).toBeNull();
    expect(await verifyEvent(asReceived(forged), bob.spki)).toBeNull();
  });

  it.each([
    ['text', { body: { text: 'changed' } }],
    ['seq', { seq: 2 }],
    ['hlc', { hlc: '001700000000009-00000' }],
    ['conv', { conv: 'B'.repeat(42) + 'A' }],
  ])('rejects an event whose %s was altered', async (_what, change) => {
    const signed = await makeSignedEvent(alice);
    expect(
      await verifyEvent(asReceived({ ...signed, ...change } as ChatEvent), alice.spki),
    ).toBeNull();
  });

  it('rejects a malformed key or signature without throwing', async () => {
    const signed = await makeSignedEvent(alice);
    expect(await verifyEvent(asReceived(signed), 'AAAA')).toBeNull();
    expect(await verifyEvent(asReceived({ ...signed, sig: 'x' }), alice.spki)).toBeNull();
  });

  it('returns only the signed fields', async () => {
    const signed = await makeSignedEvent(alice);
    const withExtra = { ...signed, extra: 'ignored' };
    const verified = await verifyEvent(asReceived(withExtra), alice.spki);
    expect(verified).not.toHaveProperty('extra');
  });

  it('keeps an unverified event out of places that want a verified one', () => {
    const received = asReceived(makeEvent());
    // @ts-expect-error an Unverified<ChatEvent> is not a ChatEvent
    const verified: ChatEvent = received;
    expect(verified).toBe(received);
  });
});

describe('compareEvents / eventKey', () => {
  it('orders by hlc, then author, then seq', () => {
    const a = fakeFingerprint(1);
    const b = fakeFingerprint(2);
    const events = [
      makeEvent({ author: b, seq: 1, hlc: 5 }),
      makeEvent({ author: a, seq: 2, hlc: 5 }),
      makeEvent({ author: a, seq: 1, hlc: 9 }),
      makeEvent({ author: a, seq: 3, hlc: 1 }),
      makeEvent({ author: a, seq: 1, hlc: 5 }),
    ];
    const order = [...events]
      .sort(compareEvents)
      .map((e) => `${e.author === a ? 'a' : 'b'}${e.seq}`);
    expect(order).toEqual(['a3', 'a1', 'a2', 'b1', 'a1']);
  });

  it('keys events by conv/author/seq', () => {
    const e = makeEvent({ seq: 4 });
    expect(eventKey(e)).toBe(`${e.conv}/${e.author}/4`);
  });
});

describe('eventPreview', () => {
  it('collapses whitespace and shortens long text', () => {
    expect(eventPreview({ kind: 'text', body: { text: '  hi\n\nthere\t' } })).toBe('hi there');
    const long = eventPreview({ kind: 'text', body: { text: 'x'.repeat(500) } });
    expect(long).toHaveLength(MAX_PREVIEW_CHARS);
    expect(long.endsWith('…')).toBe(true);
  });
});
