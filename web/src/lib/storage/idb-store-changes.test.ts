import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createIdentityKeys } from '../crypto/identity';
import { encodeHlc } from '../domain/hlc';
import {
  fakeSign,
  fakeFingerprint,
  fakeRoomKey,
  makeConversation,
  makeEvent,
  makeMember,
} from '../testing/factories';
import type { EventContent } from '../protocol/events';
import type { Contact, StoreChange } from './chat-store';
import { openIdbStore, type IdbChatStore } from './idb-store';
import { failPutsWhileRunning, quotaError, realPut, type Put } from '../testing/idb-failures';
import type { RoomSecret } from '../protocol/ids';

const SELF = fakeFingerprint(1);
const ALICE = fakeFingerprint(2);
const BOB = fakeFingerprint(3);
const ROOM = fakeRoomKey(1);
const OTHER_ROOM = fakeRoomKey(2);
const NOW = 1_700_000_000_000;

const text = (t: string): EventContent => ({ kind: 'text', body: { text: t } });
const hlcAt = (ms: number): string => encodeHlc({ ms, c: 0 });

let dbName: string;
let store: IdbChatStore;
/** What `store` told its subscriber, from the moment of `listen()`. */
let heard: StoreChange[];
const opened: IdbChatStore[] = [];

async function openStore(): Promise<IdbChatStore> {
  const s = await openIdbStore({ name: dbName, selfFingerprint: SELF });
  opened.push(s);
  return s;
}

/** Starts recording what `store` says from now on (after any setup writes). */
function listen(): void {
  heard = [];
  store.subscribe((change) => heard.push(change));
}

async function addRoom(id = ROOM, o: Parameters<typeof makeConversation>[0] = {}): Promise<void> {
  expect((await store.putConversation(makeConversation({ id, ...o }))).ok).toBe(true);
}

function appendTexts(texts: string[], s = store) {
  return s.appendOwnEvents({
    conv: ROOM,
    author: SELF,
    contents: texts.map(text),
    sign: fakeSign,
    nowMs: NOW,
  });
}

function contactOf(spki = 'spki-1'): Contact {
  return {
    fingerprint: ALICE,
    spki,
    name: 'Alice',
    color: '#123456',
    conv: OTHER_ROOM,
    addedAt: 1,
  };
}

beforeEach(async () => {
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  vi.spyOn(console, 'error').mockImplementation(() => undefined);
  dbName = `parley-changes-test-${crypto.randomUUID()}`;
  store = await openStore();
  heard = [];
});

afterEach(() => {
  for (const s of opened.splice(0)) s.close();
  vi.restoreAllMocks();
});

describe('change notices of event writes', () => {
  beforeEach(async () => {
    await addRoom();
    listen();
  });

  it('tells the own events stored, then the conversation as stored', async () => {
    const result = await appendTexts(['a', 'b']);
    const stored = await store.getConversation(ROOM);
    expect(result.ok && stored).toBeTruthy();
    expect(heard).toEqual([
      { type: 'events', conv: ROOM, events: result.ok ? result.value : [] },
      { type: 'conversation', conversation: stored },
    ]);
    expect(stored).toMatchObject({ vector: { [SELF]: 2 }, lastPreview: 'b' });
  });

  it('tells received events in display order, duplicates left out, then the conversation', async () => {
    const early = makeEvent({ author: BOB, seq: 1, hlc: NOW + 1 });
    const late = makeEvent({ author: ALICE, seq: 2, hlc: NOW + 9 });
    const middle = makeEvent({ author: ALICE, seq: 1, hlc: NOW + 5 });
    await store.addEvents([early], NOW);
    heard = [];
    await store.addEvents([late, early, middle, late], NOW);
    expect(heard).toEqual([
      { type: 'events', conv: ROOM, events: [middle, late] },
      { type: 'conversation', conversation: await store.getConversation(ROOM) },
    ]);
  });

  it('says when more of a history follows at once', async () => {
    const first = makeEvent({ author: ALICE, seq: 1, hlc: NOW + 1 });
    const second = makeEvent({ author: ALICE, seq: 2, hlc: NOW + 2 });
    await store.addEvents([first], NOW, true);
    await store.addEvents([second], NOW, false);
    expect(heard.filter((c) => c.type === 'events')).toEqual([
      { type: 'events', conv: ROOM, events: [first], more: true },
      { type: 'events', conv: ROOM, events: [second], more: false },
    ]);
  });

  it('tells each conversation of a batch its own events, and nothing of unknown ones', async () => {
    await addRoom(OTHER_ROOM);
    heard = [];
    const here = makeEvent({ conv: ROOM, author: ALICE });
    const there = makeEvent({ conv: OTHER_ROOM, author: BOB });
    const nowhere = makeEvent({ conv: fakeRoomKey(9), author: BOB });
    await store.addEvents([here, nowhere, there], NOW);
    expect(heard).toEqual([
      { type: 'events', conv: ROOM, events: [here] },
      { type: 'conversation', conversation: await store.getConversation(ROOM) },
      { type: 'events', conv: OTHER_ROOM, events: [there] },
      { type: 'conversation', conversation: await store.getConversation(OTHER_ROOM) },
    ]);
  });

  it('tells nothing when every event was stored already', async () => {
    const event = makeEvent({ author: ALICE });
    await store.addEvents([event], NOW);
    heard = [];
    expect(await store.addEvents([event, event], NOW)).toEqual({ ok: true, value: [] });
    expect(heard).toEqual([]);
  });

  it('tells nothing of its own bookkeeping: the clock is no setting', async () => {
    await store.addEvents([makeEvent({ author: ALICE, hlc: NOW + 60_000 })], NOW);
    await appendTexts(['a']);
    expect(heard.map((c) => c.type)).toEqual(['events', 'conversation', 'events', 'conversation']);
  });

  it('tells each own write once, also when another tab’s writes made it re-plan', async () => {
    const other = await openStore();
    const heardByOther: StoreChange[] = [];
    other.subscribe((change) => heardByOther.push(change));
    const results = await Promise.all([
      appendTexts(['a1', 'a2'], store),
      appendTexts(['b1'], other),
      appendTexts(['a3'], store),
      appendTexts(['b2'], other),
    ]);
    const told = (changes: StoreChange[]) =>
      changes.flatMap((c) => (c.type === 'events' ? c.events.map((e) => e.seq) : []));
    const seqs = (i: number[]) =>
      i.flatMap((n) => {
        const r = results[n];
        return r?.ok ? r.value.map((e) => e.seq) : [];
      });
    expect(told(heard)).toEqual(seqs([0, 2]));
    expect(told(heardByOther)).toEqual(seqs([1, 3]));
    expect([...told(heard), ...told(heardByOther)].sort()).toEqual([1, 2, 3, 4, 5]);
  });

  it('tells nothing of a write that failed and was rolled back', async () => {
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(() => {
      throw quotaError();
    });
    expect((await store.addEvents([makeEvent({ author: ALICE })], NOW)).ok).toBe(false);
    expect((await appendTexts(['lost'])).ok).toBe(false);
    expect((await store.putSetting('theme', 'dark')).ok).toBe(false);
    expect(heard).toEqual([]);
  });

  it('tells nothing of a batch that failed halfway, not even of the part written first', async () => {
    await addRoom(OTHER_ROOM);
    heard = [];
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (
      this: IDBObjectStore,
      ...args: Parameters<Put>
    ) {
      // The first conversation's events and record go through; the second's events fail.
      const [record] = args as [{ conv?: string }];
      if (this.name === 'events' && record.conv === OTHER_ROOM) throw quotaError();
      return realPut.apply(this, args);
    });
    const result = await store.addEvents(
      [makeEvent({ conv: ROOM, author: ALICE }), makeEvent({ conv: OTHER_ROOM, author: ALICE })],
      NOW,
    );
    expect(result).toMatchObject({ ok: false, error: { kind: 'quota' } });
    expect(heard).toEqual([]);
    expect(await store.listEvents(ROOM)).toEqual([]);
  });

  it.each([
    ['a run of new seqs (stored without reading back)', [1, 2, 3]],
    ['seqs with a gap (read back after the writes)', [2, 3, 5]],
  ])(
    'rolls back received events when the disk fills while they are written: %s',
    async (_, eventSeqs) => {
      await addRoom();
      const before = await store.getConversation(ROOM);
      heard = [];
      const put = failPutsWhileRunning('events', 1);
      const result = await store.addEvents(
        eventSeqs.map((seq) => makeEvent({ author: ALICE, seq, hlc: hlcAt(NOW + seq) })),
        NOW,
      );
      put.mockRestore();
      expect(result).toMatchObject({ ok: false, error: { kind: 'quota' } });
      expect(heard).toEqual([]);
      expect(await store.listEvents(ROOM)).toEqual([]);
      expect(await store.getConversation(ROOM)).toEqual(before);
    },
  );

  it('has told the listeners by the time the write’s promise settles', async () => {
    let toldBeforeReturn = false;
    store.subscribe(() => (toldBeforeReturn = true));
    const result = store.addEvents([makeEvent({ author: ALICE })], NOW);
    expect(toldBeforeReturn).toBe(false);
    await result;
    expect(toldBeforeReturn).toBe(true);
  });
});

describe('change notices of conversation writes', () => {
  it('tells a conversation put, and a created one only when it is new', async () => {
    listen();
    const room = makeConversation({ id: ROOM, title: 'first' });
    await store.putConversation(room);
    await store.createConversation(makeConversation({ id: OTHER_ROOM }));
    await store.createConversation(makeConversation({ id: OTHER_ROOM, title: 'again' }));
    expect(heard).toEqual([
      { type: 'conversation', conversation: room },
      { type: 'conversation', conversation: makeConversation({ id: OTHER_ROOM }) },
    ]);
  });

  it('tells a member seen, and nothing when nothing about them changed', async () => {
    await addRoom();
    listen();
    const alice = makeMember({ fingerprint: ALICE, lastSeenAt: 5 });
    await store.upsertMember(ROOM, alice);
    await store.upsertMember(ROOM, { ...alice, lastSeenAt: 2 });
    await store.upsertMember(OTHER_ROOM, alice);
    expect(heard).toEqual([
      { type: 'conversation', conversation: await store.getConversation(ROOM) },
    ]);
  });

  it('tells markRead only when there was something unread', async () => {
    await addRoom();
    await store.addEvents([makeEvent({ author: ALICE })], NOW);
    listen();
    await store.markRead(ROOM);
    await store.markRead(ROOM);
    await store.markRead(OTHER_ROOM);
    expect(heard).toEqual([
      { type: 'conversation', conversation: { ...(await store.getConversation(ROOM)), unread: 0 } },
    ]);
  });

  it('tells delivery facts and read markers only when they moved', async () => {
    await addRoom();
    listen();
    await store.recordDelivery(ROOM, { sentUpTo: 2, readMarkers: { [ALICE]: hlcAt(5) } });
    await store.recordDelivery(ROOM, { sentUpTo: 1, readMarkers: { [ALICE]: hlcAt(4) } });
    await store.recordDelivery(OTHER_ROOM, { sentUpTo: 9 });
    await store.advanceReadMarker(ROOM, hlcAt(7));
    await store.advanceReadMarker(ROOM, hlcAt(6));
    const types = heard.map((c) => (c.type === 'conversation' ? c.conversation : c.type));
    expect(types).toEqual([
      expect.objectContaining({ sentUpTo: 2, readMarkers: { [ALICE]: hlcAt(5) } }),
      expect.objectContaining({ readUpTo: hlcAt(7) }),
    ]);
  });

  it('tells flags that changed, and nothing for flags already set', async () => {
    await addRoom();
    listen();
    const muted = await store.setConversationFlags(ROOM, { muted: true });
    await store.setConversationFlags(ROOM, { muted: true });
    expect(heard).toEqual([{ type: 'conversation', conversation: muted.ok && muted.value }]);
  });

  it('tells a move: the old room marked, then the new room; a second move tells nothing', async () => {
    await addRoom();
    listen();
    const move = {
      secret: 'new-secret' as RoomSecret,
      removed: [BOB],
      sig: 'sig',
      ownerKey: 'key',
    };
    const next = makeConversation({ id: OTHER_ROOM, previous: ROOM });
    const moved = await store.moveRoom(ROOM, move, next);
    await store.moveRoom(ROOM, { ...move, secret: 'another' as RoomSecret }, next);
    expect(heard).toEqual([
      { type: 'conversation', conversation: moved.ok && moved.value },
      { type: 'conversation', conversation: next },
    ]);
  });

  it('tells nothing of a move whose second write failed (the first is rolled back)', async () => {
    await addRoom();
    listen();
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (
      this: IDBObjectStore,
      ...args: Parameters<Put>
    ) {
      const [record] = args as [{ id?: string }];
      if (record.id === OTHER_ROOM) throw quotaError();
      return realPut.apply(this, args);
    });
    const move = {
      secret: 'new-secret' as RoomSecret,
      removed: [BOB],
      sig: 'sig',
      ownerKey: 'key',
    };
    const result = await store.moveRoom(ROOM, move, makeConversation({ id: OTHER_ROOM }));
    expect(result).toMatchObject({ ok: false, error: { kind: 'quota' } });
    expect(heard).toEqual([]);
    expect((await store.getConversation(ROOM))?.movedTo).toBeUndefined();
  });

  it('tells a deletion once, and nothing for a conversation that is not there', async () => {
    await addRoom();
    listen();
    await store.deleteConversation(ROOM);
    await store.deleteConversation(ROOM);
    expect(heard).toEqual([{ type: 'conversation-deleted', conv: ROOM }]);
  });
});

describe('change notices of identity, contacts and settings', () => {
  it('tells the identity written, with self already taken from it', async () => {
    const keys = await createIdentityKeys();
    listen();
    let selfWhenTold: string | undefined;
    store.subscribe(() => (selfWhenTold = store.self));
    await store.putIdentity({ id: 'self', ...keys, name: 'Ada', color: '#000000', createdAt: 0 });
    expect(heard).toEqual([{ type: 'identity' }]);
    expect(selfWhenTold).toBe(keys.fingerprint);
  });

  it('tells a new contact after its direct chat, and nothing when it was known', async () => {
    listen();
    const direct = makeConversation({ id: OTHER_ROOM, kind: 'direct', contact: ALICE });
    await store.addContact(contactOf(), direct);
    await store.addContact(contactOf(), direct);
    await store.addContact(contactOf('another key'), direct);
    expect(heard).toEqual([
      { type: 'conversation', conversation: direct },
      { type: 'contact', contact: contactOf() },
    ]);
  });

  it('tells a contact’s marks when they change, and nothing when they stay', async () => {
    await store.addContact(contactOf(), makeConversation({ id: OTHER_ROOM, kind: 'direct' }));
    listen();
    await store.updateContact(ALICE, { verified: true });
    await store.updateContact(ALICE, { verified: true });
    await store.updateContact(BOB, { blocked: true });
    expect(heard).toEqual([{ type: 'contact', contact: { ...contactOf(), verified: true } }]);
  });

  it('tells each setting written by its key, in the order the writes committed', async () => {
    listen();
    await Promise.all([store.putSetting('theme', 'dark'), store.putSetting('invites', [])]);
    expect(heard).toEqual([
      { type: 'setting', key: 'theme' },
      { type: 'setting', key: 'invites' },
    ]);
  });
});

describe('subscribers', () => {
  it('keeps the store and the other listeners working when one listener throws', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    store.subscribe(() => {
      throw new Error('broken listener');
    });
    listen();
    expect((await store.putSetting('theme', 'dark')).ok).toBe(true);
    expect(heard).toEqual([{ type: 'setting', key: 'theme' }]);
    expect(errors).toHaveBeenCalled();
    expect(await store.getSetting('theme')).toBe('dark');
  });

  it('tells nothing more after unsubscribing', async () => {
    const changes: StoreChange[] = [];
    const unsubscribe = store.subscribe((change) => changes.push(change));
    await store.putSetting('a', 1);
    unsubscribe();
    await store.putSetting('b', 2);
    expect(changes).toEqual([{ type: 'setting', key: 'a' }]);
  });

  it('tells only the connection that wrote (other tabs hear through the tab bus)', async () => {
    const other = await openStore();
    const heardByOther: StoreChange[] = [];
    other.subscribe((change) => heardByOther.push(change));
    listen();
    await store.putSetting('theme', 'dark');
    expect(heard).toHaveLength(1);
    expect(heardByOther).toEqual([]);
  });
});
