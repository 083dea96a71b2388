import { describe, expect, it } from 'vitest';
import type { ChatEvent, EventContent } from '../protocol/events';
import {
  MAX_QUIET_SKIPPED,
  applyStoredEvents,
  isQuiet,
  latestPreview,
  markedRead,
  previewOf,
  unreadAmong,
  withFlags,
  withMember,
  withProfiles,
  withRoomMeta,
} from './conversation-rules';
import { asDirectChat, withMove } from './conversation-moves';
import {
  fakeFingerprint,
  makeConversation,
  makeEvent,
  makeEventWith,
  makeMember,
} from '../testing/factories';
import type { Fingerprint, RoomSecret } from '../protocol/ids';

const SELF = fakeFingerprint(1);
const ALICE = fakeFingerprint(2);
const BOB = fakeFingerprint(3);
const NOW = 1_700_000_000_000;

const text = (t: string): EventContent => ({ kind: 'text', body: { text: t } });
const profile = (name: string): EventContent => ({
  kind: 'profile',
  body: { name, color: '#654321' },
});
const roomMeta = (name: string): EventContent => ({
  kind: 'room-meta',
  body: { name, topic: `about ${name}` },
});
const call = (outcome: 'missed' | 'answered'): EventContent => ({
  kind: 'call-log',
  body: { callId: 'call', media: 'video', outcome, durationS: 0, group: false },
});

/** Yields `events` one by one, counting how many were asked for (as a store cursor would). */
function reader(events: readonly ChatEvent[]): {
  newestFirst: AsyncIterable<ChatEvent>;
  read: () => number;
} {
  let read = 0;
  return {
    newestFirst: (async function* () {
      for (const event of events) {
        read++;
        yield await Promise.resolve(event);
      }
    })(),
    read: () => read,
  };
}

describe('quiet events and previews', () => {
  it('treats a profile as quiet and every other kind as something to show', () => {
    expect(isQuiet(makeEventWith(profile('Ali')))).toBe(true);
    expect(isQuiet(makeEventWith(text('hi')))).toBe(false);
    expect(isQuiet(makeEventWith(roomMeta('Trip')))).toBe(false);
    expect(previewOf(makeEventWith(profile('Ali')))).toBeUndefined();
    expect(previewOf(makeEventWith(text('  two\nlines ')))).toBe('two lines');
    expect(previewOf(makeEventWith(call('missed')))).toBe('📹');
  });

  it('keeps an event of a kind a newer build wrote out of the list: quiet, never unread', () => {
    const future = { ...makeEvent({ author: ALICE }), kind: 'poll', body: { question: 'Lunch?' } };
    expect(isQuiet(future)).toBe(true);
    expect(previewOf(future)).toBeUndefined();
    expect(unreadAmong([future], SELF)).toBe(0);
    const before = makeConversation({ lastActivityAt: 5, lastPreview: 'hi' });
    const after = applyStoredEvents(before, [future], {
      self: SELF,
      nowMs: NOW,
      contiguous: new Map([[ALICE, 1]]),
      preview: 'hi',
    });
    expect(after).toMatchObject({ lastActivityAt: 5, unread: 0, lastPreview: 'hi' });
    expect(after.vector).toEqual({ [ALICE]: 1 });
  });

  it('previews the newest event that is not quiet, reading no further than it', async () => {
    const { newestFirst, read } = reader([
      makeEventWith(profile('Ali'), { author: ALICE, seq: 3 }),
      makeEvent({ author: ALICE, seq: 2, text: 'newest said' }),
      makeEvent({ author: ALICE, seq: 1, text: 'older' }),
    ]);
    expect(await latestPreview(newestFirst, 'before')).toBe('newest said');
    expect(read()).toBe(2);
  });

  it('keeps the old preview when there is nothing to show', async () => {
    expect(await latestPreview([], 'before')).toBe('before');
    expect(await latestPreview([makeEventWith(profile('Ali'))], 'before')).toBe('before');
  });

  it(`looks past at most ${MAX_QUIET_SKIPPED} quiet events in a row`, async () => {
    const quiet = (n: number) =>
      Array.from({ length: n }, (_, i) => makeEventWith(profile(`n${i}`), { seq: 100 - i }));
    const said = makeEvent({ text: 'said' });
    expect(await latestPreview([...quiet(MAX_QUIET_SKIPPED), said], 'before')).toBe('said');
    const { newestFirst, read } = reader([...quiet(MAX_QUIET_SKIPPED + 1), said]);
    expect(await latestPreview(newestFirst, 'before')).toBe('before');
    expect(read()).toBe(MAX_QUIET_SKIPPED + 1);
  });
});

describe('unreadAmong', () => {
  it('counts messages and missed calls by others, nothing of ours and no other kind', () => {
    const events = [
      makeEvent({ author: ALICE, seq: 1 }),
      makeEvent({ author: SELF, seq: 1 }),
      makeEventWith(call('missed'), { author: BOB, seq: 1 }),
      makeEventWith(call('answered'), { author: BOB, seq: 2 }),
      makeEventWith(profile('Ali'), { author: ALICE, seq: 2 }),
      makeEventWith(roomMeta('Trip'), { author: ALICE, seq: 3 }),
    ];
    expect(unreadAmong(events, SELF)).toBe(2);
    expect(unreadAmong(events, undefined)).toBe(3);
  });
});

describe('withRoomMeta', () => {
  it('names the room after the latest room-meta by clock, in whatever order they come', () => {
    const older = makeEventWith(roomMeta('Old'), { author: BOB, seq: 1, hlc: NOW + 1 });
    const newer = makeEventWith(roomMeta('New'), { author: ALICE, seq: 1, hlc: NOW + 2 });
    for (const order of [
      [older, newer],
      [newer, older],
    ]) {
      expect(withRoomMeta(makeConversation(), order)).toMatchObject({
        title: 'New',
        topic: 'about New',
      });
    }
    const named = withRoomMeta(makeConversation(), [newer]);
    expect(withRoomMeta(named, [older])).toBe(named);
  });

  it('breaks a clock tie by author, the same on every member', () => {
    const byAlice = makeEventWith(roomMeta('Alice’s'), { author: ALICE, hlc: NOW });
    const byBob = makeEventWith(roomMeta('Bob’s'), { author: BOB, hlc: NOW });
    expect(ALICE < BOB).toBe(true);
    expect(withRoomMeta(makeConversation(), [byBob, byAlice]).title).toBe('Bob’s');
    expect(withRoomMeta(makeConversation(), [byAlice, byBob]).title).toBe('Bob’s');
  });

  it('leaves a direct chat’s title alone', () => {
    const direct = makeConversation({ kind: 'direct', title: 'Alice' });
    expect(withRoomMeta(direct, [makeEventWith(roomMeta('Hijack'))])).toBe(direct);
  });
});

describe('withProfiles', () => {
  const members = { [ALICE]: makeMember({ fingerprint: ALICE, lastSeenAt: 5 }) };

  it('renames a member after their latest profile by clock, keeping what else is known', () => {
    const older = makeEventWith(profile('Alicia'), { author: ALICE, seq: 1, hlc: NOW + 1 });
    const newer = makeEventWith(profile('Ali'), { author: ALICE, seq: 2, hlc: NOW + 2 });
    const renamed = withProfiles(makeConversation({ members }), [newer, older]);
    expect(renamed.members[ALICE]).toEqual({
      ...members[ALICE],
      name: 'Ali',
      color: '#654321',
      profileHlc: newer.hlc,
    });
    expect(withProfiles(renamed, [older])).toBe(renamed);
  });

  it('ignores the profile of someone who is not a member', () => {
    const conversation = makeConversation({ members });
    expect(withProfiles(conversation, [makeEventWith(profile('Bo'), { author: BOB })])).toBe(
      conversation,
    );
  });
});

describe('applyStoredEvents', () => {
  const facts = (o: Partial<Parameters<typeof applyStoredEvents>[2]> = {}) => ({
    self: SELF,
    nowMs: NOW,
    contiguous: new Map<Fingerprint, number>(),
    preview: 'preview',
    ...o,
  });

  it('moves the vector to each author’s contiguous top, leaving out authors with none', () => {
    const conversation = makeConversation({ vector: { [ALICE]: 1, [BOB]: 4 } });
    const next = applyStoredEvents(
      conversation,
      [makeEvent({ author: ALICE, seq: 3 }), makeEvent({ author: SELF, seq: 2 })],
      facts({
        contiguous: new Map([
          [ALICE, 3],
          [SELF, 0],
        ]),
      }),
    );
    expect(next.vector).toEqual({ [ALICE]: 3, [BOB]: 4 });
    expect(conversation.vector).toEqual({ [ALICE]: 1, [BOB]: 4 });
  });

  it('counts what others said as unread, moves the conversation up and takes the preview', () => {
    const conversation = makeConversation({ unread: 2, lastActivityAt: 10, lastPreview: 'old' });
    const next = applyStoredEvents(
      conversation,
      [makeEvent({ author: ALICE }), makeEvent({ author: SELF })],
      facts({ preview: 'new' }),
    );
    expect(next).toMatchObject({ unread: 3, lastActivityAt: NOW, lastPreview: 'new' });
  });

  it('adds nothing to unread while the person reads the conversation', () => {
    const conversation = makeConversation({ unread: 2 });
    const next = applyStoredEvents(
      conversation,
      [makeEvent({ author: ALICE })],
      facts({ isRead: true }),
    );
    expect(next.unread).toBe(2);
  });

  it('never moves activity back in time', () => {
    const conversation = makeConversation({ lastActivityAt: NOW + 5 });
    expect(applyStoredEvents(conversation, [makeEvent()], facts()).lastActivityAt).toBe(NOW + 5);
  });

  it('keeps the list position when every event is quiet, and renames the member', () => {
    const conversation = makeConversation({
      lastActivityAt: 10,
      members: { [ALICE]: makeMember({ fingerprint: ALICE }) },
    });
    const next = applyStoredEvents(
      conversation,
      [makeEventWith(profile('Ali'), { author: ALICE })],
      facts(),
    );
    expect(next.lastActivityAt).toBe(10);
    expect(next.unread).toBe(0);
    expect(next.members[ALICE]?.name).toBe('Ali');
  });

  it('renames the room from a room-meta among them', () => {
    const next = applyStoredEvents(
      makeConversation(),
      [makeEventWith(roomMeta('Trip'), { author: ALICE })],
      facts(),
    );
    expect(next).toMatchObject({ title: 'Trip', topic: 'about Trip' });
  });

  it('returns the same record when no event was stored', () => {
    const conversation = makeConversation();
    expect(applyStoredEvents(conversation, [], facts())).toBe(conversation);
  });
});

describe('withMember', () => {
  const alice = makeMember({ fingerprint: ALICE, name: 'Alicia', lastSeenAt: 9 });
  const withAlice = makeConversation({ members: { [ALICE]: alice } });

  it('adds a member not known yet', () => {
    expect(withMember(makeConversation(), alice).members).toEqual({ [ALICE]: alice });
  });

  it('keeps a known name and colour when seen without one, and the latest last-seen time', () => {
    const next = withMember(withAlice, { ...alice, name: '', color: '#000000', lastSeenAt: 3 });
    expect(next).toBe(withAlice);
    const later = withMember(withAlice, { ...alice, name: '', lastSeenAt: 12 });
    expect(later.members[ALICE]).toEqual({ ...alice, lastSeenAt: 12 });
  });

  it('takes a new name and key as announced', () => {
    const next = withMember(withAlice, { ...alice, name: 'Ali', spki: 'other' });
    expect(next.members[ALICE]).toMatchObject({ name: 'Ali', spki: 'other' });
  });

  it('returns the same record when nothing about the member changes', () => {
    expect(withMember(withAlice, { ...alice })).toBe(withAlice);
  });
});

describe('asDirectChat', () => {
  const direct = makeConversation({
    kind: 'direct',
    contact: ALICE,
    title: 'Alice',
    members: { [ALICE]: makeMember({ fingerprint: ALICE, name: 'from the contact' }) },
  });

  it('is the new direct chat when its room was not known', () => {
    expect(asDirectChat(undefined, direct)).toBe(direct);
  });

  it('keeps the history of a room known before, and makes it the direct chat', () => {
    const existing = makeConversation({
      vector: { [ALICE]: 3 },
      title: 'Old title',
      unread: 2,
      members: { [ALICE]: makeMember({ fingerprint: ALICE, name: 'as seen' }) },
    });
    expect(asDirectChat(existing, direct)).toEqual({
      ...existing,
      kind: 'direct',
      contact: ALICE,
    });
    expect(asDirectChat({ ...existing, title: '' }, direct).title).toBe('Alice');
  });
});

describe('markedRead, withFlags and withMove', () => {
  it('sets unread to 0, returning the same record when it already was', () => {
    const read = makeConversation({ unread: 0 });
    expect(markedRead(read)).toBe(read);
    expect(markedRead(makeConversation({ unread: 4 })).unread).toBe(0);
  });

  it('sets only the flags given, returning the same record when none changes', () => {
    const muted = makeConversation({ muted: true });
    expect(withFlags(muted, { archived: true })).toEqual({ ...muted, archived: true });
    expect(withFlags(muted, { muted: true })).toBe(muted);
    expect(withFlags(muted, {})).toBe(muted);
    expect(withFlags(muted, { muted: false, removedFromRoom: true })).toMatchObject({
      muted: false,
      removedFromRoom: true,
    });
  });

  it('moves a room once; a later move is ignored', () => {
    const first = { secret: 's1' as RoomSecret, removed: [BOB], sig: 'sig1', ownerKey: 'k' };
    const moved = withMove(makeConversation(), first);
    expect(moved.movedTo).toBe(first);
    expect(withMove(moved, { ...first, secret: 's2' as RoomSecret })).toBe(moved);
  });
});
