import { describe, expect, it } from 'vitest';
import {
  CATCH_UP_IDLE_MS,
  CATCH_UP_MIN_MISSING,
  CatchUpWatch,
  catchUpOf,
  type CatchUp,
} from './catch-up';
import type { Fingerprint } from '../protocol/ids';

const A = 'a' as Fingerprint;
const B = 'b' as Fingerprint;
const C = 'c' as Fingerprint;
const all = (): boolean => true;

describe('catchUpOf', () => {
  it('counts what we hold of what the most-ahead member holds', () => {
    const members = {
      [B]: { [A]: 10, [B]: 5 },
      [C]: { [A]: 400, [B]: 5, [C]: 100 },
    };
    expect(catchUpOf({ [A]: 10, [B]: 5 }, members, all)).toEqual({ held: 15, total: 505 });
  });

  it('is complete when we hold as much or more, and empty with no member vectors', () => {
    expect(catchUpOf({ [A]: 9 }, { [B]: { [A]: 7 } }, all)).toEqual({ held: 7, total: 7 });
    expect(catchUpOf({ [A]: 9 }, undefined, all)).toEqual({ held: 0, total: 0 });
  });

  it('leaves out authors that are not counted (blocked: never stored)', () => {
    const members = { [B]: { [A]: 50, [C]: 1000 } };
    expect(catchUpOf({ [A]: 50 }, members, (author) => author !== C)).toEqual({
      held: 50,
      total: 50,
    });
  });

  it('ignores seqs that are not positive numbers', () => {
    const members = { [B]: { [A]: -5, [C]: Number.NaN, [B]: 3 } };
    expect(catchUpOf({}, members, all)).toEqual({ held: 0, total: 3 });
  });
});

describe('CatchUpWatch', () => {
  const at = (held: number, total: number): CatchUp => ({ held, total });
  const many = CATCH_UP_MIN_MISSING * 10;

  it('shows while events arrive with many missing, until all are here', () => {
    const watch = new CatchUpWatch();
    expect(watch.update(at(0, many), 0)).toBe(false);
    expect(watch.nextCheckAt()).toBeNull();
    expect(watch.update(at(100, many), 50)).toBe(true);
    expect(watch.nextCheckAt()).toBe(50 + CATCH_UP_IDLE_MS);
    // Near the end fewer than the minimum are missing: it stays until all are here.
    expect(watch.update(at(many - 1, many), 900)).toBe(true);
    expect(watch.update(at(many, many), 950)).toBe(false);
  });

  it('does not show for a short burst', () => {
    const watch = new CatchUpWatch();
    watch.update(at(0, CATCH_UP_MIN_MISSING - 1), 0);
    expect(watch.update(at(10, CATCH_UP_MIN_MISSING - 1), 10)).toBe(false);
  });

  it('goes once nothing arrives for the idle time (a member claims what never comes)', () => {
    const watch = new CatchUpWatch();
    watch.update(at(0, many), 0);
    expect(watch.update(at(10, many), 10)).toBe(true);
    expect(watch.update(at(10, many), 10 + CATCH_UP_IDLE_MS - 1)).toBe(true);
    expect(watch.update(at(10, many), 10 + CATCH_UP_IDLE_MS)).toBe(false);
    expect(watch.nextCheckAt()).toBeNull();
    // Events arriving again bring it back.
    expect(watch.update(at(20, many), 20 + CATCH_UP_IDLE_MS)).toBe(true);
  });

  it('does not count a larger claim as progress', () => {
    const watch = new CatchUpWatch();
    watch.update(at(0, many), 0);
    expect(watch.update(at(0, many * 2), 10)).toBe(false);
  });
});
