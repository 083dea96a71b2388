import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  compareHlc,
  decodeHlc,
  encodeHlc,
  isHlcString,
  MAX_HLC_COUNTER,
  tickHlc,
  ZERO_HLC,
  type Hlc,
} from './hlc';
import { isDatedTooFarAhead, receiveHlc } from './hlc-receive';
import { propertyParams } from '../testing/property';
import { MAX_CLOCK_DRIFT_MS } from '../config';

const FC = propertyParams(4242, 2000);
const NOW = 1_700_000_000_000;

const hlcArb: fc.Arbitrary<Hlc> = fc.record({
  ms: fc.integer({ min: 0, max: 4_000_000_000_000 }),
  c: fc.integer({ min: 0, max: MAX_HLC_COUNTER }),
});

describe('encodeHlc / decodeHlc', () => {
  it('writes fixed-width 15-5 digits', () => {
    expect(encodeHlc({ ms: 1_700_000_000_123, c: 7 })).toBe('001700000000123-00007');
    expect(encodeHlc(ZERO_HLC)).toBe('000000000000000-00000');
  });

  it('round-trips, and string order is clock order', () => {
    fc.assert(
      fc.property(hlcArb, hlcArb, (a, b) => {
        expect(decodeHlc(encodeHlc(a))).toEqual(a);
        const [sa, sb] = [encodeHlc(a), encodeHlc(b)];
        expect(sa < sb ? -1 : sa > sb ? 1 : 0).toBe(Math.sign(compareHlc(a, b)));
      }),
      FC,
    );
  }, 60_000);

  it.each([
    '',
    '1-1',
    '001700000000123-0007',
    '001700000000123_00007',
    ' 01700000000123-00007',
    '00170000000012a-00007',
    '001700000000123-00007\n',
  ])('decodes %j to null', (s) => {
    expect(decodeHlc(s)).toBeNull();
    expect(isHlcString(s)).toBe(false);
  });

  it('refuses to encode values out of range', () => {
    expect(() => encodeHlc({ ms: -1, c: 0 })).toThrow(RangeError);
    expect(() => encodeHlc({ ms: 1.5, c: 0 })).toThrow(RangeError);
    expect(() => encodeHlc({ ms: 0, c: MAX_HLC_COUNTER + 1 })).toThrow(RangeError);
    expect(() => encodeHlc({ ms: 1e15, c: 0 })).toThrow(RangeError);
  });
});

describe('tickHlc', () => {
  it('follows the wall clock when it is ahead', () => {
    expect(tickHlc({ ms: NOW - 5, c: 3 }, NOW)).toEqual({ ms: NOW, c: 0 });
  });

  it('counts within one millisecond and when the wall clock went back', () => {
    expect(tickHlc({ ms: NOW, c: 3 }, NOW)).toEqual({ ms: NOW, c: 4 });
    expect(tickHlc({ ms: NOW, c: 3 }, NOW - 60_000)).toEqual({ ms: NOW, c: 4 });
  });

  it('borrows a millisecond when the counter overflows', () => {
    expect(tickHlc({ ms: NOW, c: MAX_HLC_COUNTER }, NOW)).toEqual({ ms: NOW + 1, c: 0 });
  });

  it('always moves strictly forward (property)', () => {
    fc.assert(
      fc.property(hlcArb, fc.integer({ min: 0, max: 4_000_000_000_000 }), (prev, now) => {
        const next = tickHlc(prev, now);
        expect(compareHlc(next, prev)).toBeGreaterThan(0);
        expect(next.ms).toBeGreaterThanOrEqual(now);
        expect(encodeHlc(next) > encodeHlc(prev)).toBe(true);
      }),
      FC,
    );
  }, 60_000);

  it('treats a broken wall clock as 0 rather than failing', () => {
    expect(tickHlc({ ms: NOW, c: 0 }, Number.NaN)).toEqual({ ms: NOW, c: 1 });
  });
});

describe('receiveHlc', () => {
  it('jumps ahead of a remote clock that is ahead of ours', () => {
    expect(receiveHlc({ ms: NOW, c: 9 }, { ms: NOW + 1000, c: 4 }, NOW)).toEqual({
      ms: NOW + 1000,
      c: 5,
    });
  });

  it('takes the larger counter when all three milliseconds agree', () => {
    expect(receiveHlc({ ms: NOW, c: 2 }, { ms: NOW, c: 8 }, NOW)).toEqual({ ms: NOW, c: 9 });
  });

  it('resets the counter when the wall clock leads', () => {
    expect(receiveHlc({ ms: NOW - 10, c: 2 }, { ms: NOW - 5, c: 8 }, NOW)).toEqual({
      ms: NOW,
      c: 0,
    });
  });

  it('does not follow a remote clock further ahead than the allowed drift', () => {
    const far = { ms: NOW + 23.5 * 3600_000, c: 0 };
    const next = receiveHlc({ ms: NOW, c: 0 }, far, NOW);
    expect(next).toEqual({ ms: NOW + MAX_CLOCK_DRIFT_MS, c: 1 });
  });

  it('moves after both the local and a believable remote clock (property)', () => {
    fc.assert(
      fc.property(
        hlcArb,
        fc.integer({ min: 0, max: 4_000_000_000_000 }),
        fc.integer({ min: -MAX_CLOCK_DRIFT_MS * 2, max: MAX_CLOCK_DRIFT_MS }),
        fc.integer({ min: 0, max: MAX_HLC_COUNTER }),
        (prev, now, remoteOffset, remoteC) => {
          const remote = { ms: Math.max(0, now + remoteOffset), c: remoteC };
          const next = receiveHlc(prev, remote, now);
          expect(compareHlc(next, prev)).toBeGreaterThan(0);
          expect(compareHlc(next, remote)).toBeGreaterThan(0);
          expect(next.ms).toBeGreaterThanOrEqual(now);
        },
      ),
      FC,
    );
  }, 60_000);

  it('stays monotonic over any mix of sends and receives (property)', () => {
    const step = fc.record({
      isSend: fc.boolean(),
      advanceMs: fc.integer({ min: -5000, max: 5000 }),
      remote: hlcArb,
    });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 50 }), (steps) => {
        let clock: Hlc = ZERO_HLC;
        let now = NOW;
        for (const s of steps) {
          now = Math.max(0, now + s.advanceMs);
          const next = s.isSend ? tickHlc(clock, now) : receiveHlc(clock, s.remote, now);
          expect(encodeHlc(next) > encodeHlc(clock)).toBe(true);
          clock = next;
        }
      }),
      propertyParams(4243, 500),
    );
  }, 60_000);
});

describe('isDatedTooFarAhead', () => {
  it('accepts a clock up to the allowed drift ahead, refuses one beyond it or malformed', () => {
    expect(isDatedTooFarAhead(encodeHlc({ ms: NOW + MAX_CLOCK_DRIFT_MS, c: 7 }), NOW)).toBe(false);
    expect(isDatedTooFarAhead(encodeHlc({ ms: NOW - 3600_000, c: 0 }), NOW)).toBe(false);
    expect(isDatedTooFarAhead(encodeHlc({ ms: NOW + MAX_CLOCK_DRIFT_MS + 1, c: 0 }), NOW)).toBe(
      true,
    );
    expect(isDatedTooFarAhead(encodeHlc({ ms: NOW + 23.5 * 3600_000, c: 0 }), NOW)).toBe(true);
    expect(isDatedTooFarAhead('tomorrow', NOW)).toBe(true);
  });
});
