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
import { keysOf } from './records';
import type { Fingerprint } from '../protocol/ids';

const A = 'a' as Fingerprint;
const B = 'b' as Fingerprint;
const C = 'c' as Fingerprint;
const D = 'd' as Fingerprint;

const seqs = (author: Fingerprint, ...ns: number[]) => ns.map((seq) => ({ author, seq }));

describe('advanceVector', () => {
  it('advances over a contiguous run', () => {
    expect(advanceVector({}, seqs(A, 1, 2, 3))).toEqual({ [A]: 3 });
    expect(advanceVector({ [A]: 3 }, seqs(A, 4))).toEqual({ [A]: 4 });
  });

  it('stops at a gap and closes it when the missing event arrives with the rest', () => {
    const withGap = advanceVector({ [A]: 1 }, seqs(A, 3, 4));
    expect(withGap).toEqual({ [A]: 1 });
    expect(advanceVector(withGap, seqs(A, 2, 3, 4))).toEqual({ [A]: 4 });
  });

  it('ignores duplicates and old events and does not mutate its input', () => {
    const v: VersionVector = { [A]: 2, [B]: 1 };
    const next = advanceVector(v, [...seqs(A, 1, 2, 3, 3), ...seqs(C, 2)]);
    expect(next).toEqual({ [A]: 3, [B]: 1 });
    expect(v).toEqual({ [A]: 2, [B]: 1 });
  });

  it('equals the count of the shortest prefix 1…n held (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 30 }), { maxLength: 40 }), (ns) => {
        const held = new Set(ns);
        let expected = 0;
        while (held.has(expected + 1)) expected++;
        expect(vectorSeq(advanceVector({}, seqs(A, ...ns)), A)).toBe(expected);
      }),
      propertyParams(7, 1000),
    );
  }, 60_000);
});

describe('missingFor', () => {
  it('lists, per author, the range the remote lacks', () => {
    expect(missingFor({ [A]: 5, [B]: 2, [C]: 1 }, { [A]: 3, [B]: 2, [D]: 9 })).toEqual([
      { author: A, from: 4, to: 5 },
      { author: C, from: 1, to: 1 },
    ]);
  });

  it('is empty when the remote has everything we have', () => {
    expect(missingFor({ [A]: 2 }, { [A]: 3, [B]: 1 })).toEqual([]);
    expect(missingFor({}, {})).toEqual([]);
  });

  it('brings the remote up to the merge once applied (property)', () => {
    const vectorArb = fc.dictionary(fc.constantFrom(A, B, C, D), fc.integer({ min: 0, max: 20 }));
    fc.assert(
      fc.property(vectorArb, vectorArb, (local, remote) => {
        const sent = missingFor(local, remote).flatMap(({ author, from, to }) =>
          Array.from({ length: to - from + 1 }, (_, i) => ({ author, seq: from + i })),
        );
        const after = advanceVector(remote, sent);
        const merged = mergeVectors(local, remote);
        for (const author of keysOf(merged)) {
          expect(vectorSeq(after, author)).toBe(vectorSeq(merged, author));
        }
      }),
      propertyParams(8, 1000),
    );
  }, 60_000);
});

describe('vectorCovers / vectorSeq', () => {
  it('answers from own properties only', () => {
    expect(vectorCovers({ [A]: 2 }, A, 2)).toBe(true);
    expect(vectorCovers({ [A]: 2 }, A, 3)).toBe(false);
    expect(vectorCovers({ [A]: 2 }, A, 0)).toBe(false);
    expect(vectorSeq({}, 'toString' as Fingerprint)).toBe(0);
  });
});

describe('sameVector', () => {
  it('is true only for the same authors with the same seqs', () => {
    expect(sameVector({ [A]: 1, [B]: 2 }, { [B]: 2, [A]: 1 })).toBe(true);
    expect(sameVector({}, {})).toBe(true);
    expect(sameVector({ [A]: 1 }, { [A]: 2 })).toBe(false);
    expect(sameVector({ [A]: 1 }, { [A]: 1, [B]: 1 })).toBe(false);
    expect(sameVector({ [A]: 1, [C]: 1 }, { [A]: 1, [B]: 1 })).toBe(false);
  });
});
