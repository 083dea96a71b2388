import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FutureEvent, StoredEvent } from '../protocol/events';
import { fakeFingerprint, makeEvent, makeEventWith } from '../testing/factories';
import { compareEvents } from './events';
import {
  buildRows,
  GROUP_GAP_MS,
  labelsByDay,
  RowCache,
  rowsByKey,
  type TimelineRow,
} from './message-rows';
import type { Fingerprint } from '../protocol/ids';

const ALICE = fakeFingerprint(1);
const BOB = fakeFingerprint(2);
const DAY_MS = 86_400_000;
const T0 = Date.UTC(2026, 11, 4, 9);
const context = {
  self: ALICE,
  dayOf: (ms: number) => new Date(ms).toISOString().slice(0, 10),
};

const text = (author: Fingerprint, seq: number, ms: number, words = `m${seq}`) =>
  makeEvent({ author, seq, hlc: ms, text: words });

function call(author: Fingerprint, seq: number, ms: number, callNo = seq): StoredEvent {
  return makeEventWith(
    {
      kind: 'call-log',
      body: {
        callId: `AAAAAAAAAAAAAAAAAAAAA${callNo}`,
        media: 'audio',
        outcome: 'missed',
        durationS: 0,
        group: false,
      },
    },
    { author, seq, hlc: ms },
  );
}

function future(author: Fingerprint, seq: number, ms: number): FutureEvent {
  return { ...makeEvent({ author, seq, hlc: ms }), kind: 'poll', body: { q: 'Lunch?' } };
}

const summary = (rows: TimelineRow[]) =>
  rows.map(
    (r) =>
      `${r.kind}${r.day ? ` [${r.day}]` : ''}${r.kind === 'message' && r.startsGroup ? ' +' : ''}`,
  );

describe('buildRows', () => {
  it('orders messages, call lines and a newer build’s events by display order', () => {
    const rows = buildRows(
      [text(ALICE, 1, T0), call(BOB, 1, T0 + 1), future(BOB, 2, T0 + 2), text(BOB, 3, T0 + 3)],
      context,
    );
    expect(rows.map((r) => r.kind)).toEqual(['message', 'call', 'unsupported', 'message']);
    expect(rows[2]).toMatchObject({ kind: 'unsupported', author: BOB, event: { kind: 'poll' } });
  });

  it('labels the first row of each day, calls and all', () => {
    const rows = buildRows(
      [text(ALICE, 1, T0), call(BOB, 1, T0 + DAY_MS), text(ALICE, 2, T0 + DAY_MS + 1)],
      context,
    );
    expect(summary(rows)).toEqual(['message [2026-12-04] +', 'call [2026-12-05]', 'message +']);
  });

  it('groups an author’s messages until a pause, another author or a line between', () => {
    const rows = buildRows(
      [
        text(ALICE, 1, T0),
        text(ALICE, 2, T0 + 1000),
        text(ALICE, 3, T0 + 1000 + GROUP_GAP_MS + 1),
        text(BOB, 1, T0 + 2 * GROUP_GAP_MS),
        call(ALICE, 4, T0 + 2 * GROUP_GAP_MS + 1),
        text(BOB, 2, T0 + 2 * GROUP_GAP_MS + 2),
      ],
      context,
    );
    expect(rows.map((r) => r.kind === 'message' && r.startsGroup)).toEqual([
      true,
      false,
      true,
      true,
      false,
      true,
    ]);
    expect(rows.map((r) => r.kind === 'message' && r.isOwn)).toEqual([
      true,
      true,
      true,
      false,
      false,
      false,
    ]);
  });

  it('keeps the objects of rows that did not change, and renews those that did', () => {
    const first = [text(ALICE, 1, T0), text(BOB, 1, T0 + 1)];
    const before = buildRows(first, context);
    const reaction = makeEventWith(
      { kind: 'reaction', body: { target: { author: BOB, seq: 1 }, emoji: '👍', on: true } },
      { author: ALICE, seq: 2, hlc: T0 + 2 },
    );
    const after = buildRows([...first, reaction], context, rowsByKey(before));
    expect(after[0]).toBe(before[0]);
    expect(after[1]).not.toBe(before[1]);
    expect(after[1]).toMatchObject({ view: { reactions: [{ emoji: '👍', count: 1 }] } });
  });
});

describe('labelsByDay', () => {
  it('formats each local calendar day once and tells days apart', () => {
    const formatted: number[] = [];
    const dayOf = labelsByDay((ms) => {
      formatted.push(ms);
      return new Date(ms).toDateString();
    });
    const morning = new Date(2026, 11, 4, 9).getTime();
    expect(dayOf(morning)).toBe(dayOf(morning + 3_600_000));
    expect(dayOf(morning + DAY_MS)).not.toBe(dayOf(morning));
    expect(formatted).toEqual([morning, morning + DAY_MS]);
  });
});

describe('RowCache', () => {
  const reaction = (author: Fingerprint, seq: number, ms: number, target: StoredEvent) =>
    makeEventWith(
      {
        kind: 'reaction',
        body: { target: { author: target.author, seq: target.seq }, emoji: '👍', on: true },
      },
      { author, seq, hlc: ms },
    );
  const reply = (author: Fingerprint, seq: number, ms: number, target: StoredEvent) =>
    makeEventWith(
      {
        kind: 'text',
        body: { text: `re ${target.seq}`, replyTo: { author: target.author, seq: target.seq } },
      },
      { author, seq, hlc: ms },
    );

  it('builds only the rows of messages added after the newest, keeping the others', () => {
    const cache = new RowCache();
    const first = [text(ALICE, 1, T0), text(BOB, 1, T0 + 1)];
    const before = cache.update(first, context);
    const added = [...first, text(BOB, 2, T0 + 2), reply(ALICE, 2, T0 + DAY_MS, first[1]!)];
    const after = cache.update(added, context);
    expect(after.slice(0, 2)).toEqual(before);
    expect(after[0]).toBe(before[0]);
    expect(after[1]).toBe(before[1]);
    expect(after).toEqual(buildRows(added, context));
    expect(after[3]).toMatchObject({ day: '2026-12-05', view: { quote: { text: 'm1' } } });
  });

  it('always shows what buildRows shows, whatever the window does', () => {
    // Each step: append messages, calls, a newer build's events, reactions, or replies, insert
    // one before the newest, or trim the oldest (as the window does while following).
    const step = fc.record({
      op: fc.constantFrom('text', 'call', 'future', 'react', 'reply', 'insert', 'trim', 'day'),
      author: fc.constantFrom(ALICE, BOB),
      pick: fc.nat(),
    });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        const cache = new RowCache();
        let events: StoredEvent[] = [];
        let seq = 0;
        let ms = T0;
        for (const { op, author, pick } of steps) {
          seq += 1;
          ms += op === 'day' ? DAY_MS : 60_000;
          const target = events.length > 0 ? events[pick % events.length] : undefined;
          if (op === 'trim') events = events.slice(Math.min(events.length, 1 + (pick % 3)));
          else if (op === 'insert')
            events = [...events, text(author, seq, T0 - seq)].sort(compareEvents);
          else if (op === 'call') events = events.concat(call(author, seq, ms, seq % 4));
          else if (op === 'future') events = events.concat(future(author, seq, ms));
          else if (op === 'react' && target)
            events = events.concat(reaction(author, seq, ms, target));
          else if (op === 'reply' && target) events = events.concat(reply(author, seq, ms, target));
          else events = events.concat(text(author, seq, ms));
          expect(cache.update(events, context)).toEqual(buildRows(events, context));
        }
      }),
      { numRuns: 200 },
    );
  }, 20_000);
});
