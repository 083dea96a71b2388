import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  advanceVector,
  mergeVectors,
  missingFor,
  sameVector,
  vectorCovers,
  vectorSeq,
  type VersionVector,
} from './version-vector';
import { propertyParams } from '../testing/property';

const seqs = (author: string, ...ns: number[]) => ns.map((seq) => ({ author, seq }));

describe('advanceVector', () => {
  it('advances over a contiguous run', () => {
    expect(advanceVector({}, seqs('a', 1, 2, 3))).toEqual({ a: 3 });
    expect(advanceVector({ a: 3 }, seqs('a', 4))).toEqual({ a: 4 });
  });

  it('stops at a gap and closes it when the missing event arrives with the rest', () => {
    const withGap = advanceVector({ a: 1 }, seqs('a', 3, 4));
    expect(withGap).toEqual({ a: 1 });
    expect(advanceVector(withGap, seqs('a', 2, 3, 4))).toEqual({ a: 4 });
  });

  it('ignores duplicates and old events and does not mutate its input', () => {
    const v: VersionVector = { a: 2, b: 1 };
    const next = advanceVector(v, [...seqs('a', 1, 2, 3, 3), ...seqs('c', 2)]);
    expect(next).toEqual({ a: 3, b: 1 });
    expect(v).toEqual({ a: 2, b: 1 });
  });

  it('equals the count of the shortest prefix 1…n held (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 30 }), { maxLength: 40 }), (ns) => {
        const held = new Set(ns);
        let expected = 0;
        while (held.has(expected + 1)) expected++;
        expect(vectorSeq(advanceVector({}, seqs('a', ...ns)), 'a')).toBe(expected);
      }),
      propertyParams(7, 1000),
    );
  }, 60_000);
});

describe('missingFor', () => {
  it('lists, per author, the range the remote lacks', () => {
    expect(missingFor({ a: 5, b: 2, c: 1 }, { a: 3, b: 2, d: 9 })).toEqual([
      { author: 'a', from: 4, to: 5 },
      { author: 'c', from: 1, to: 1 },
    ]);
  });

  it('is empty when the remote has everything we have', () => {
    expect(missingFor({ a: 2 }, { a: 3, b: 1 })).toEqual([]);
    expect(missingFor({}, {})).toEqual([]);
  });

  it('brings the remote up to the merge once applied (property)', () => {
    const vectorArb = fc.dictionary(
      fc.constantFrom('a', 'b', 'c', 'd'),
      fc.integer({ min: 0, max: 20 }),
    );
    fc.assert(
      fc.property(vectorArb, vectorArb, (local, remote) => {
        const sent = missingFor(local, remote).flatMap(({ author, from, to }) =>
          Array.from({ length: to - from + 1 }, (_, i) => ({ author, seq: from + i })),
        );
        const after = advanceVector(remote, sent);
        const merged = mergeVectors(local, remote);
        for (const author of Object.keys(merged)) {
          expect(vectorSeq(after, author)).toBe(vectorSeq(merged, author));
        }
      }),
      propertyParams(8, 1000),
    );
  }, 60_000);
});

describe('vectorCovers / vectorSeq', () => {
  it('answers from own properties only', () => {
    expect(vectorCovers({ a: 2 }, 'a', 2)).toBe(true);
    expect(vectorCovers({ a: 2 }, 'a', 3)).toBe(false);
    expect(vectorCovers({ a: 2 }, 'a', 0)).toBe(false);
    expect(vectorSeq({}, 'toString')).toBe(0);
  });
});

describe('sameVector', () => {
  it('is true only for the same authors with the same seqs', () => {
    expect(sameVector({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(true);
    expect(sameVector({}, {})).toBe(true);
    expect(sameVector({ a: 1 }, { a: 2 })).toBe(false);
    expect(sameVector({ a: 1 }, { a: 1, b: 1 })).toBe(false);
    expect(sameVector({ a: 1, c: 1 }, { a: 1, b: 1 })).toBe(false);
  });
});
