import { describe, expect, it } from 'vitest';
import {
  comparePositions,
  Intersection,
  PositionStream,
  UnionStream,
  type Bound,
  type Position,
} from './idb-search-query';

/** The position of message `i` (clocks sort as their numbers do). */
const at = (i: number): Position => [String(i).padStart(6, '0'), 'room', 'author', i];

/** A stream over messages `ids`, counting the positions it reads. */
function streamOf(ids: readonly number[], budget = Infinity) {
  const newestFirst = [...ids].sort((a, b) => b - a).map(at);
  const reads: number[] = [];
  const stream = new PositionStream(
    (bound: Bound, count: number) => {
      const from = newestFirst.findIndex((p) => {
        if (bound === null) return true;
        const c = comparePositions(p, bound.at);
        return bound.isOpen ? c < 0 : c <= 0;
      });
      const got = from < 0 ? [] : newestFirst.slice(from, from + count);
      reads.push(got.length);
      return Promise.resolve(got);
    },
    { left: budget },
  );
  return { stream, read: () => reads.reduce((a, b) => a + b, 0), reads };
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const seqs = (positions: readonly Position[]): number[] => positions.map((p) => p[3]);

describe('the query plan', () => {
  it('gives the newest common positions first, a few at a time', async () => {
    const evens = streamOf(range(1000).filter((i) => i % 2 === 0));
    const threes = streamOf(range(1000).filter((i) => i % 3 === 0));
    const join = new Intersection([evens.stream, threes.stream]);
    expect(seqs(await join.next(3))).toEqual([996, 990, 984]);
    expect(seqs(await join.next(2))).toEqual([978, 972]);
    expect(join.isDone).toBe(false);
    // Five results read a block of each, not the lists.
    expect(evens.read()).toBeLessThan(100);
  });

  it('reads a common list only around a rare one', async () => {
    const common = streamOf(range(10_000));
    const rare = streamOf([17, 5000, 9990]);
    const join = new Intersection([common.stream, rare.stream]);
    expect(seqs(await join.next(50))).toEqual([9990, 5000, 17]);
    expect(join.isDone).toBe(true);
    expect(common.read()).toBeLessThan(200);
  });

  it('grows its block while read through', async () => {
    const all = streamOf(range(10_000));
    const join = new Intersection([all.stream]);
    expect(seqs(await join.next(3000))).toEqual(range(10_000).reverse().slice(0, 3000));
    expect(all.reads.slice(0, 4)).toEqual([64, 128, 256, 512]);
  });

  it('reads two common words in few, growing blocks', async () => {
    // One in about one message in ten, the other in about one in four (fixed pseudo-random).
    let seed = 7;
    const pick = () => (seed = (seed * 48271) % 2147483647) % 10 === 0;
    const ids = range(30_000);
    const a = streamOf(ids.filter(() => pick()));
    const b = streamOf(ids.filter(() => pick() || pick() || pick()));
    const join = new Intersection([a.stream, b.stream]);
    const found = await join.next(50);
    expect(found).toHaveLength(50);
    // A block per round trip: a handful each, not one per few positions.
    expect(a.reads.length).toBeLessThanOrEqual(4);
    expect(b.reads.length).toBeLessThanOrEqual(4);
  });

  it('merges the words of a prefix newest first', async () => {
    const union = new UnionStream([streamOf([1, 4, 9]).stream, streamOf([2, 3, 8]).stream]);
    const join = new Intersection([union]);
    expect(seqs(await join.next(10))).toEqual([9, 8, 4, 3, 2, 1]);
  });

  it('ends once a term has read its budget', async () => {
    const common = streamOf(range(1000), 100);
    const odd = streamOf(range(1000).filter((i) => i % 2 === 1));
    const join = new Intersection([common.stream, odd.stream]);
    const found = seqs(await join.next(1000));
    expect(found).toEqual(
      range(1000)
        .reverse()
        .filter((i) => i % 2 === 1)
        .slice(0, 50),
    );
    expect(join.isDone).toBe(true);
    expect(common.read()).toBe(100);
  });
});
