import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  deliveryOf,
  isReadBy,
  laterMarker,
  mergeDeliveryUpdates,
  withDelivery,
  withReadUpTo,
  type DeliveryFacts,
} from './delivery';
import { encodeHlc } from './hlc';
import { makeConversation } from '../testing/factories';
import type { VersionVector } from './version-vector';
import { propertyParams } from '../testing/property';
import type { Fingerprint } from '../protocol/ids';

const ME = 'me' as Fingerprint;
const BOB = 'bob' as Fingerprint;
const CAROL = 'carol' as Fingerprint;
const hlcAt = (ms: number, c = 0): string => encodeHlc({ ms, c });

function makeFacts(o: Partial<DeliveryFacts> = {}): DeliveryFacts {
  return { sentUpTo: 0, memberVectors: {}, readMarkers: {}, members: [BOB, CAROL], ...o };
}

const event = (seq: number, ms = 1_000 + seq) => ({ author: ME, seq, hlc: hlcAt(ms) });

describe('deliveryOf', () => {
  it('is pending until the message was handed to a link', () => {
    expect(deliveryOf(event(3), makeFacts({ sentUpTo: 2 }))).toEqual({
      state: 'pending',
      deliveredTo: 0,
      readBy: 0,
      of: 2,
    });
  });

  it('is sent once handed to a link and nobody reported having it', () => {
    const facts = makeFacts({ sentUpTo: 3, memberVectors: { [BOB]: { [ME]: 2 } } });
    expect(deliveryOf(event(3), facts).state).toBe('sent');
    expect(deliveryOf(event(2), facts).state).toBe('delivered');
  });

  it('is delivered to each member whose vector covers it, even if never marked sent', () => {
    const facts = makeFacts({ memberVectors: { [BOB]: { [ME]: 5 }, [CAROL]: { [ME]: 4 } } });
    expect(deliveryOf(event(5), facts)).toEqual({
      state: 'delivered',
      deliveredTo: 1,
      readBy: 0,
      of: 2,
    });
    expect(deliveryOf(event(4), facts).deliveredTo).toBe(2);
  });

  it('is read once a member’s read marker reaches its clock, and counts the reader as a recipient', () => {
    const facts = makeFacts({ sentUpTo: 5, readMarkers: { [CAROL]: hlcAt(1_004) } });
    expect(deliveryOf(event(4), facts)).toEqual({
      state: 'read',
      deliveredTo: 1,
      readBy: 1,
      of: 2,
    });
    expect(deliveryOf(event(5), facts).state).toBe('sent');
  });

  it('compares read markers by clock, counter included', () => {
    const e = { author: ME, seq: 1, hlc: hlcAt(2_000, 3) };
    expect(deliveryOf(e, makeFacts({ readMarkers: { [BOB]: hlcAt(2_000, 2) } })).state).toBe(
      'pending',
    );
    expect(deliveryOf(e, makeFacts({ readMarkers: { [BOB]: hlcAt(2_000, 3) } })).state).toBe(
      'read',
    );
    expect(deliveryOf(e, makeFacts({ readMarkers: { [BOB]: hlcAt(1_999_999) } })).state).toBe(
      'read',
    );
  });

  it('ignores the author, duplicates and strangers who are not members', () => {
    const facts = makeFacts({
      members: [BOB, BOB, ME],
      memberVectors: { [ME]: { [ME]: 9 }, mallory: { [ME]: 9 } },
      readMarkers: { [ME]: hlcAt(9_999), mallory: hlcAt(9_999) },
    });
    expect(deliveryOf(event(1), facts)).toEqual({
      state: 'pending',
      deliveredTo: 0,
      readBy: 0,
      of: 1,
    });
  });

  it('never counts more recipients than members, and each state implies the ones before', () => {
    const members = ['a', 'b', 'c'];
    const perMember = fc.record(
      {
        covered: fc.integer({ min: 0, max: 6 }),
        markerMs: fc.option(fc.integer({ min: 0, max: 6 })),
      },
      { requiredKeys: ['covered'] },
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 0, max: 6 }),
        fc.array(perMember, { minLength: 3, maxLength: 3 }),
        (seq, sentUpTo, known) => {
          const memberVectors: Record<string, VersionVector> = {};
          const readMarkers: Record<string, string> = {};
          known.forEach((k, i) => {
            const member = members[i] ?? '';
            memberVectors[member] = { [ME]: k.covered };
            if (typeof k.markerMs === 'number') readMarkers[member] = hlcAt(k.markerMs);
          });
          const facts = makeFacts({ members, sentUpTo, memberVectors, readMarkers });
          const d = deliveryOf({ author: ME, seq, hlc: hlcAt(seq) }, facts);
          expect(d.of).toBe(3);
          expect(d.readBy).toBeLessThanOrEqual(d.deliveredTo);
          expect(d.deliveredTo).toBeLessThanOrEqual(d.of);
          const expected =
            d.readBy > 0
              ? 'read'
              : d.deliveredTo > 0
                ? 'delivered'
                : seq <= sentUpTo
                  ? 'sent'
                  : 'pending';
          expect(d.state).toBe(expected);
        },
      ),
      propertyParams(20261122, 2_000),
    );
  }, 60_000);
});

describe('read markers', () => {
  it('passes an event at or before the marker only', () => {
    expect(isReadBy(undefined, hlcAt(1))).toBe(false);
    expect(isReadBy(hlcAt(1), hlcAt(1))).toBe(true);
    expect(isReadBy(hlcAt(1), hlcAt(2))).toBe(false);
  });

  it('keeps the later of two markers', () => {
    expect(laterMarker(undefined, undefined)).toBeUndefined();
    expect(laterMarker(hlcAt(5), undefined)).toBe(hlcAt(5));
    expect(laterMarker(undefined, hlcAt(5))).toBe(hlcAt(5));
    expect(laterMarker(hlcAt(5), hlcAt(7))).toBe(hlcAt(7));
    expect(laterMarker(hlcAt(7, 1), hlcAt(7))).toBe(hlcAt(7, 1));
  });
});

describe('mergeDeliveryUpdates', () => {
  it('keeps the furthest of each: sentUpTo, every author of every vector, every read marker', () => {
    const merged = mergeDeliveryUpdates(
      {
        sentUpTo: 3,
        vectors: { [BOB]: { [ME]: 2, [CAROL]: 4 } },
        readMarkers: { [BOB]: hlcAt(5) },
      },
      {
        sentUpTo: 2,
        vectors: { [BOB]: { [ME]: 3, [CAROL]: 1 }, [CAROL]: { [ME]: 1 } },
        readMarkers: { [BOB]: hlcAt(4), [CAROL]: hlcAt(9) },
      },
    );
    expect(merged).toEqual({
      sentUpTo: 3,
      vectors: { [BOB]: { [ME]: 3, [CAROL]: 4 }, [CAROL]: { [ME]: 1 } },
      readMarkers: { [BOB]: hlcAt(5), [CAROL]: hlcAt(9) },
    });
  });

  it('returns the first update itself when the second adds nothing', () => {
    const known = {
      sentUpTo: 4,
      vectors: { [BOB]: { [ME]: 4 } },
      readMarkers: { [BOB]: hlcAt(7) },
    };
    const stale = {
      sentUpTo: 4,
      vectors: { [BOB]: { [ME]: 3 } },
      readMarkers: { [BOB]: hlcAt(7) },
    };
    expect(mergeDeliveryUpdates(known, stale)).toBe(known);
    expect(mergeDeliveryUpdates(known, {})).toBe(known);
  });

  it('changes neither argument', () => {
    const known = { vectors: { [BOB]: { [ME]: 1 } }, readMarkers: { [BOB]: hlcAt(1) } };
    const update = {
      sentUpTo: 2,
      vectors: { [BOB]: { [ME]: 2 } },
      readMarkers: { [BOB]: hlcAt(2) },
    };
    const before = structuredClone({ known, update });
    mergeDeliveryUpdates(known, update);
    expect({ known, update }).toEqual(before);
  });

  it('leaves sentUpTo out while nothing was handed on', () => {
    expect(mergeDeliveryUpdates({}, { sentUpTo: 0, readMarkers: { [BOB]: hlcAt(1) } })).toEqual({
      readMarkers: { [BOB]: hlcAt(1) },
    });
  });

  it(
    'gives the same facts in whatever order and grouping updates arrive',
    { timeout: 10_000 },
    () => {
      const update = fc.record(
        {
          sentUpTo: fc.integer({ min: 0, max: 5 }),
          vectors: fc.dictionary(
            fc.constantFrom(BOB, CAROL),
            fc.dictionary(fc.constantFrom(ME, BOB), fc.integer({ min: 1, max: 5 })),
          ),
          readMarkers: fc.dictionary(
            fc.constantFrom(BOB, CAROL),
            fc.integer({ min: 0, max: 5 }).map((ms) => hlcAt(ms)),
          ),
        },
        { requiredKeys: [] },
      );
      fc.assert(
        fc.property(update, update, update, (a, b, c) => {
          const leftFirst = mergeDeliveryUpdates(mergeDeliveryUpdates(a, b), c);
          const rightFirst = mergeDeliveryUpdates(a, mergeDeliveryUpdates(b, c));
          const reversed = mergeDeliveryUpdates(mergeDeliveryUpdates(c, b), a);
          expect(withDelivery(makeConversation(), rightFirst)).toEqual(
            withDelivery(makeConversation(), leftFirst),
          );
          expect(withDelivery(makeConversation(), reversed)).toEqual(
            withDelivery(makeConversation(), leftFirst),
          );
          expect(mergeDeliveryUpdates(leftFirst, c)).toBe(leftFirst);
        }),
        { seed: 20260311, numRuns: 300 },
      );
    },
  );
});

describe('withDelivery', () => {
  it('merges what peers told us into the conversation’s delivery facts', () => {
    const conversation = makeConversation({
      sentUpTo: 2,
      memberVectors: { [BOB]: { [ME]: 1 } },
      readMarkers: { [BOB]: hlcAt(3) },
    });
    expect(
      withDelivery(conversation, {
        sentUpTo: 5,
        vectors: { [BOB]: { [ME]: 4 } },
        readMarkers: { [CAROL]: hlcAt(1) },
      }),
    ).toEqual({
      ...conversation,
      sentUpTo: 5,
      memberVectors: { [BOB]: { [ME]: 4 } },
      readMarkers: { [BOB]: hlcAt(3), [CAROL]: hlcAt(1) },
    });
  });

  it('returns the same record when nothing moves, and adds no field that did not', () => {
    const conversation = makeConversation({ sentUpTo: 3, readMarkers: { [BOB]: hlcAt(3) } });
    expect(withDelivery(conversation, { sentUpTo: 1, readMarkers: { [BOB]: hlcAt(2) } })).toBe(
      conversation,
    );
    const fresh = makeConversation();
    const next = withDelivery(fresh, { readMarkers: { [BOB]: hlcAt(1) } });
    expect(Object.keys(next).filter((key) => !(key in fresh))).toEqual(['readMarkers']);
  });
});

describe('withReadUpTo', () => {
  it('moves our own read marker forwards only', () => {
    const conversation = makeConversation({ readUpTo: hlcAt(5) });
    expect(withReadUpTo(conversation, hlcAt(6))).toEqual({ ...conversation, readUpTo: hlcAt(6) });
    expect(withReadUpTo(conversation, hlcAt(5))).toBe(conversation);
    expect(withReadUpTo(conversation, hlcAt(4))).toBe(conversation);
    expect(withReadUpTo(makeConversation(), hlcAt(1)).readUpTo).toBe(hlcAt(1));
  });
});
