import { describe, expect, it } from 'vitest';
import type { FutureEvent, StoredEvent } from '../protocol/events';
import { fakeFingerprint, makeEvent, makeEventWith } from '../testing/factories';
import { buildRows, GROUP_GAP_MS, rowsByKey, type TimelineRow } from './message-rows';
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

function call(author: Fingerprint, seq: number, ms: number): StoredEvent {
  return makeEventWith(
    {
      kind: 'call-log',
      body: {
        callId: `AAAAAAAAAAAAAAAAAAAAA${seq}`,
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
