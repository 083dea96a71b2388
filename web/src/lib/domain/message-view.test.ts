import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { ChatEvent, EventContent } from '../protocol/events';
import { compareEvents } from './events';
import { foldMessages } from './message-view';
import { FAKE_SIG, fakeFingerprint, fakeRoomKey } from '../testing/factories';
import { propertyParams } from '../testing/property';
import type { Fingerprint } from '../protocol/ids';

const ROOM = fakeRoomKey(1);
const ALICE = fakeFingerprint(1);
const BOB = fakeFingerprint(2);

let clock = 0;
function ev(author: Fingerprint, seq: number, content: EventContent): ChatEvent {
  clock++;
  return {
    v: 1,
    conv: ROOM,
    author,
    seq,
    hlc: `${String(1_700_000_000_000 + clock).padStart(15, '0')}-00000`,
    ...content,
    sig: FAKE_SIG,
  };
}
const text = (
  author: Fingerprint,
  seq: number,
  t: string,
  replyTo?: { author: Fingerprint; seq: number },
) => ev(author, seq, { kind: 'text', body: replyTo ? { text: t, replyTo } : { text: t } });
const edit = (author: Fingerprint, seq: number, target: [Fingerprint, number], t: string) =>
  ev(author, seq, {
    kind: 'edit',
    body: { target: { author: target[0], seq: target[1] }, text: t },
  });
const del = (author: Fingerprint, seq: number, target: [Fingerprint, number]) =>
  ev(author, seq, { kind: 'delete', body: { target: { author: target[0], seq: target[1] } } });
const react = (
  author: Fingerprint,
  seq: number,
  target: [Fingerprint, number],
  emoji: string,
  on = true,
) =>
  ev(author, seq, {
    kind: 'reaction',
    body: { target: { author: target[0], seq: target[1] }, emoji, on },
  });

describe('foldMessages', () => {
  it('shows text messages only, with the latest own edit and an "edited" mark', () => {
    const views = foldMessages(
      [
        text(ALICE, 1, 'helo'),
        text(BOB, 1, 'hi'),
        edit(ALICE, 2, [ALICE, 1], 'hello'),
        edit(ALICE, 3, [ALICE, 1], 'hello!'),
      ],
      ALICE,
    );
    expect(views.map((v) => [v.text, v.isEdited])).toEqual([
      ['hello!', true],
      ['hi', false],
    ]);
  });

  it('ignores an edit or a deletion of someone else’s message', () => {
    const views = foldMessages(
      [text(ALICE, 1, 'mine'), edit(BOB, 1, [ALICE, 1], 'hijacked'), del(BOB, 2, [ALICE, 1])],
      BOB,
    );
    expect(views[0]).toMatchObject({ text: 'mine', isEdited: false, isDeleted: false });
  });

  it('keeps a deletion final: no text, and a later edit does not bring it back', () => {
    const views = foldMessages(
      [text(ALICE, 1, 'oops'), del(ALICE, 2, [ALICE, 1]), edit(ALICE, 3, [ALICE, 1], 'back?')],
      ALICE,
    );
    expect(views[0]).toMatchObject({ text: '', isDeleted: true });
  });

  it('counts reactions per emoji, the latest of each person winning, and marks mine', () => {
    const views = foldMessages(
      [
        text(ALICE, 1, 'news'),
        react(BOB, 1, [ALICE, 1], '👍'),
        react(ALICE, 2, [ALICE, 1], '👍'),
        react(ALICE, 3, [ALICE, 1], '🎉'),
        react(BOB, 2, [ALICE, 1], '👍'), // again: still one
        react(ALICE, 4, [ALICE, 1], '🎉', false),
      ],
      ALICE,
    );
    expect(views[0]?.reactions).toEqual([{ emoji: '👍', count: 2, isMine: true }]);
  });

  it('quotes the replied-to message as it is now, or says it is gone or not loaded', () => {
    const views = foldMessages(
      [
        text(ALICE, 1, 'question'),
        edit(ALICE, 2, [ALICE, 1], 'better question'),
        text(BOB, 1, 'answer', { author: ALICE, seq: 1 }),
        text(BOB, 2, 'to an old one', { author: ALICE, seq: 99 }),
        text(ALICE, 3, 'regret'),
        text(BOB, 3, 'to a deleted one', { author: ALICE, seq: 3 }),
        del(ALICE, 4, [ALICE, 3]),
      ],
      BOB,
    );
    const quotes = views.map((v) => v.quote);
    expect(quotes).toEqual([
      null,
      { author: ALICE, text: 'better question', isDeleted: false },
      { author: ALICE, text: null, isDeleted: false },
      null,
      { author: ALICE, text: null, isDeleted: true },
    ]);
  });

  it('gives every member the same views from the same events, whatever order they came in', () => {
    const events = [
      text(ALICE, 1, 'a'),
      text(BOB, 1, 'b', { author: ALICE, seq: 1 }),
      react(BOB, 2, [ALICE, 1], '❤️'),
      edit(ALICE, 2, [ALICE, 1], 'a2'),
      react(ALICE, 3, [BOB, 1], '👍'),
      del(BOB, 3, [BOB, 1]),
      react(BOB, 4, [ALICE, 1], '❤️', false),
    ];
    const expected = foldMessages(events, ALICE);
    fc.assert(
      fc.property(fc.shuffledSubarray(events, { minLength: events.length }), (arrived) => {
        expect(foldMessages([...arrived].sort(compareEvents), ALICE)).toEqual(expected);
      }),
      propertyParams(7, 200),
    );
  }, 60_000);
});
