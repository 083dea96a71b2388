import { describe, expect, it } from 'vitest';
import { admitEvents, eventSizeBytes, type Budgets } from './budgets';
import { fakeFingerprint, makeEvent } from '../testing/factories';

const MALLORY = fakeFingerprint(3);
const CAROL = fakeFingerprint(4);
const T0 = 1_700_000_040_000; // the start of a minute
const size = eventSizeBytes(makeEvent({ author: MALLORY, seq: 1, hlc: T0, text: 'x'.repeat(100) }));

function flood(author = MALLORY, count = 10, at = (seq: number) => T0 + seq) {
  return Array.from({ length: count }, (_, i) =>
    makeEvent({ author, seq: i + 1, hlc: at(i + 1), text: 'x'.repeat(100) }),
  );
}

function budgets(o: Partial<Budgets> = {}): Budgets {
  return {
    storageBytes: 100 * size,
    rateBytes: 100 * size,
    rateWindowMs: 60_000,
    windowsKept: 4,
    ...o,
  };
}

describe('admitEvents', () => {
  it('admits what fits and counts it per author', () => {
    const { admitted, refused, usage } = admitEvents(undefined, flood(), budgets());
    expect(admitted.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(refused).toEqual([]);
    expect(usage[MALLORY]?.bytes).toBeGreaterThanOrEqual(10 * size);
  });

  it('refuses an author’s events past the storage budget, in seq order, and keeps counting', () => {
    const events = flood(MALLORY, 10).reverse();
    const first = admitEvents(undefined, events, budgets({ storageBytes: 4 * size + 8 }));
    expect(first.admitted.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(first.refused.map((r) => [r.event.seq, r.reason])).toContainEqual([5, 'storage']);
    // Later events by the same author still do not fit; another author's do.
    const later = admitEvents(
      first.usage,
      [...flood(MALLORY, 11).slice(10), ...flood(CAROL, 2)],
      budgets({ storageBytes: 4 * size + 8 }),
    );
    expect(later.admitted.map((e) => [e.author, e.seq])).toEqual([
      [CAROL, 1],
      [CAROL, 2],
    ]);
  });

  it('refuses what passes the rate budget within one minute of the author’s clock', () => {
    const sameMinute = admitEvents(undefined, flood(), budgets({ rateBytes: 3 * size + 8 }));
    expect(sameMinute.admitted.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(new Set(sameMinute.refused.map((r) => r.reason))).toEqual(new Set(['rate']));
    // One a minute is fine.
    const paced = admitEvents(
      undefined,
      flood(MALLORY, 10, (seq) => T0 + seq * 60_000),
      budgets({ rateBytes: 3 * size + 8 }),
    );
    expect(paced.refused).toEqual([]);
  });
});

describe('eventSizeBytes', () => {
  it('counts the UTF-8 bytes of the event’s JSON, as every member (and every version) does', () => {
    // (A lone surrogate never reaches the count: JSON.stringify escapes it as `\ud800`.)
    for (const text of ['plain', '你好，世界', 'emoji 👋🏽 mixed 中文', 'lone \ud800 surrogate']) {
      const event = makeEvent({ author: MALLORY, seq: 1, hlc: T0, text });
      expect(eventSizeBytes(event)).toBe(new TextEncoder().encode(JSON.stringify(event)).length);
    }
  });
});
