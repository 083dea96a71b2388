import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createIdentityKeys } from '../crypto/identity';
import { utf8 } from '../encoding';
import { signBytes, verifyBytes } from '../crypto/identity';
import { decodeHlc, encodeHlc } from '../domain/hlc';
import { MAX_CLOCK_DRIFT_MS } from '../config';
import { signEvent, textOf } from '../domain/events';
import { verifyEvent } from '../domain/verify-event';
import {
  fakeSign,
  fakeFingerprint,
  fakeRoomKey,
  makeConversation,
  makeEvent,
} from '../testing/factories';
import type { ChatEvent, EventContent, StoredEvent, Unverified } from '../protocol/events';
import { StoreFailure, type StoredIdentity } from './chat-store';
import { DB_VERSION, MIGRATIONS } from './idb-schema';
import { openIdbStore, type IdbChatStore } from './idb-store';
import { toStoreError } from './idb-tx';
import type { Fingerprint } from '../protocol/ids';
import { quotaError, realPut, type Put } from '../testing/idb-failures';

const SELF = fakeFingerprint(1);
const ALICE = fakeFingerprint(2);
const BOB = fakeFingerprint(3);
const ROOM = fakeRoomKey(1);
const OTHER_ROOM = fakeRoomKey(2);
const NOW = 1_700_000_000_000;

const text = (t: string): EventContent => ({ kind: 'text', body: { text: t } });

let store: IdbChatStore;
let dbName: string;
const opened: IdbChatStore[] = [];

async function openStore(): Promise<IdbChatStore> {
  const s = await openIdbStore({ name: dbName, selfFingerprint: SELF });
  opened.push(s);
  return s;
}

async function addRoom(id = ROOM, o: Parameters<typeof makeConversation>[0] = {}): Promise<void> {
  const result = await store.putConversation(makeConversation({ id, ...o }));
  expect(result.ok).toBe(true);
}

function appendText(t: string, nowMs = NOW, s = store, conv = ROOM) {
  return s.appendOwnEvent({ conv, author: SELF, content: text(t), sign: fakeSign, nowMs });
}

function seqsOf(events: StoredEvent[]): string[] {
  return events.map(
    (e) => `${e.author === SELF ? 'self' : e.author === ALICE ? 'alice' : 'bob'}${e.seq}`,
  );
}

beforeEach(async () => {
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  vi.spyOn(console, 'error').mockImplementation(() => undefined);
  dbName = `parley-test-${crypto.randomUUID()}`;
  store = await openStore();
});

afterEach(() => {
  for (const s of opened.splice(0)) s.close();
  vi.restoreAllMocks();
});

describe('schema', () => {
  it('creates every store and index of DESIGN §10 at the latest version', async () => {
    store.close();
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open(dbName);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error ?? new Error('open failed'));
    });
    expect(db.version).toBe(DB_VERSION);
    expect(DB_VERSION).toBe(MIGRATIONS.length);
    expect([...db.objectStoreNames].sort()).toEqual([
      'blobs',
      'contacts',
      'conversations',
      'events',
      'files',
      'identity',
      'searchDocs',
      'searchPostings',
      'searchState',
      'settings',
    ]);
    const tx = db.transaction(['events', 'conversations']);
    const events = tx.objectStore('events');
    expect(events.keyPath).toEqual(['conv', 'author', 'seq']);
    expect(events.index('byConvOrder').keyPath).toEqual(['conv', 'hlc', 'author', 'seq']);
    expect(events.index('byTarget').keyPath).toEqual([
      'conv',
      'body.target.author',
      'body.target.seq',
    ]);
    expect(tx.objectStore('conversations').index('byLastActivity').keyPath).toBe('lastActivityAt');
    db.close();
  });

  it('keeps data across reopening', async () => {
    await addRoom();
    await appendText('persisted');
    store.close();
    const again = await openStore();
    expect((await again.listEvents(ROOM)).map((e) => textOf(e))).toEqual(['persisted']);
  });

  it('closes itself when another tab needs to upgrade, and says so', async () => {
    const onVersionChange = vi.fn();
    const first = await openIdbStore({ name: dbName, onVersionChange });
    opened.push(first);
    store.close();
    const upgraded = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open(dbName, DB_VERSION + 1);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error ?? new Error('open failed'));
    });
    expect(upgraded.version).toBe(DB_VERSION + 1);
    expect(onVersionChange).toHaveBeenCalledTimes(1);
    upgraded.close();
  });
});

describe('identity', () => {
  it('stores a non-extractable CryptoKey that still signs after reading back', async () => {
    // Node's CryptoKey survives fake-indexeddb's structured clone; browsers store it natively.
    const keys = await createIdentityKeys();
    const identity: StoredIdentity = {
      id: 'self',
      ...keys,
      name: 'Ada',
      color: '#1f7a5c',
      createdAt: NOW,
    };
    expect(await store.putIdentity(identity)).toEqual({ ok: true, value: undefined });
    const read = await store.getIdentity();
    expect(read?.fingerprint).toBe(keys.fingerprint);
    expect(read?.privateKey.extractable).toBe(false);
    const sig = await signBytes(read!.privateKey, utf8('still mine'));
    expect(await verifyBytes(keys.publicKey, sig, utf8('still mine'))).toBe(true);
  });

  it('takes "self" from the stored identity when opened without one', async () => {
    const keys = await createIdentityKeys();
    await store.putIdentity({ id: 'self', ...keys, name: 'A', color: '#000000', createdAt: 0 });
    expect(store.self).toBe(keys.fingerprint);
    const reopened = await openIdbStore({ name: dbName });
    opened.push(reopened);
    expect(reopened.self).toBe(keys.fingerprint);
  });

  it('is undefined before one is made', async () => {
    expect(await store.getIdentity()).toBeUndefined();
  });
});

describe('conversations', () => {
  it('lists by last activity, newest first', async () => {
    await addRoom(fakeRoomKey(1), { lastActivityAt: 10 });
    await addRoom(fakeRoomKey(2), { lastActivityAt: 30 });
    await addRoom(fakeRoomKey(3), { lastActivityAt: 20 });
    const ids = (await store.listConversations()).map((c) => c.id);
    expect(ids).toEqual([fakeRoomKey(2), fakeRoomKey(3), fakeRoomKey(1)]);
  });

  it('moves a conversation to the top when an event arrives', async () => {
    await addRoom(ROOM, { lastActivityAt: 10 });
    await addRoom(OTHER_ROOM, { lastActivityAt: 20 });
    await store.addEvents([makeEvent({ conv: ROOM, author: ALICE })], 50);
    expect((await store.listConversations()).map((c) => c.id)).toEqual([ROOM, OTHER_ROOM]);
  });

  it('adds and replaces members', async () => {
    await addRoom();
    const member = {
      fingerprint: ALICE,
      spki: 'AAAA',
      name: 'Alice',
      color: '#ff0000',
      lastSeenAt: 1,
    };
    expect((await store.upsertMember(ROOM, member)).ok).toBe(true);
    expect((await store.upsertMember(ROOM, { ...member, name: 'Al', lastSeenAt: 2 })).ok).toBe(
      true,
    );
    expect((await store.getConversation(ROOM))?.members).toEqual({
      [ALICE]: { ...member, name: 'Al', lastSeenAt: 2 },
    });
  });

  it('creates a conversation once and returns the existing record afterwards', async () => {
    const first = makeConversation({ id: ROOM, vector: {}, members: {} });
    expect(await store.createConversation(first)).toEqual({ ok: true, value: first });
    await store.addEvents([makeEvent({ conv: ROOM, author: ALICE })], NOW);
    const stored = await store.getConversation(ROOM);
    expect(stored?.vector).toEqual({ [ALICE]: 1 });

    const again = await store.createConversation({ ...first, title: 'reset attempt' });
    expect(again).toEqual({ ok: true, value: stored });
    expect(await store.getConversation(ROOM)).toEqual(stored);
  });

  it('keeps one record when two first opens of a room race', async () => {
    const [a, b] = await Promise.all([
      store.createConversation(makeConversation({ id: ROOM, title: 'from a' })),
      store.createConversation(makeConversation({ id: ROOM, title: 'from b' })),
    ]);
    expect(a).toMatchObject({ ok: true, value: { title: 'from a' } });
    expect(b).toMatchObject({ ok: true, value: { title: 'from a' } });
    expect((await store.listConversations()).map((c) => c.title)).toEqual(['from a']);
  });

  it('reports not-found when adding a member to an unknown conversation', async () => {
    const result = await store.upsertMember(OTHER_ROOM, {
      fingerprint: ALICE,
      spki: 'AAAA',
      name: 'Alice',
      color: '#ff0000',
      lastSeenAt: 1,
    });
    expect(result).toMatchObject({ ok: false, error: { kind: 'not-found' } });
  });

  it('deletes a conversation with its events and nothing else', async () => {
    await addRoom(ROOM);
    await addRoom(OTHER_ROOM);
    await store.addEvents(
      [makeEvent({ conv: ROOM, author: ALICE }), makeEvent({ conv: OTHER_ROOM, author: ALICE })],
      NOW,
    );
    await store.deleteConversation(ROOM);
    expect(await store.getConversation(ROOM)).toBeUndefined();
    expect(await store.listEvents(ROOM)).toEqual([]);
    expect(await store.listEvents(OTHER_ROOM)).toHaveLength(1);
  });
});

describe('conversation reads (remembered between writes)', () => {
  it('sees its own writes at once, and another tab’s once that tab says so', async () => {
    await addRoom(ROOM, { title: 'first' });
    expect((await store.getConversation(ROOM))?.title).toBe('first');
    const otherTab = await openStore();
    expect(
      (await otherTab.putConversation(makeConversation({ id: ROOM, title: 'other tab' }))).ok,
    ).toBe(true);
    // Until the tab bus brings the change, this tab keeps what it read.
    expect((await store.getConversation(ROOM))?.title).toBe('first');
    store.noteOtherTabChange();
    expect((await store.getConversation(ROOM))?.title).toBe('other tab');
    expect((await store.putConversation(makeConversation({ id: ROOM, title: 'mine' }))).ok).toBe(
      true,
    );
    expect((await store.getConversation(ROOM))?.title).toBe('mine');
    expect((await appendText('moves the vector')).ok).toBe(true);
    expect((await store.getConversation(ROOM))?.vector).toEqual({ [SELF]: 1 });
  });

  it('does not keep a read that a write overtook', async () => {
    await addRoom(ROOM, { title: 'before' });
    const reading = store.getConversation(ROOM);
    const writing = store.putConversation(makeConversation({ id: ROOM, title: 'after' }));
    expect((await reading)?.title).toBe('before');
    expect((await writing).ok).toBe(true);
    expect((await store.getConversation(ROOM))?.title).toBe('after');
  });

  it('forgets a deleted conversation', async () => {
    await addRoom();
    expect(await store.getConversation(ROOM)).toBeDefined();
    await store.deleteConversation(ROOM);
    expect(await store.getConversation(ROOM)).toBeUndefined();
  });
});

describe('conversation flags and deletion', () => {
  it('reads a record without flags as neither muted nor archived', async () => {
    await addRoom();
    const stored = await store.getConversation(ROOM);
    expect(stored?.muted ?? false).toBe(false);
    expect(stored?.archived ?? false).toBe(false);
  });

  it('sets each flag on its own and keeps them across reopening', async () => {
    await addRoom();
    expect(await store.setConversationFlags(ROOM, { muted: true })).toMatchObject({
      ok: true,
      value: { muted: true },
    });
    await store.setConversationFlags(ROOM, { archived: true });
    await store.setConversationFlags(ROOM, { muted: false });
    store.close();
    store = await openStore();
    expect(await store.getConversation(ROOM)).toMatchObject({ muted: false, archived: true });
  });

  it('changes nothing else in the record: unread, vector, preview and list order stay', async () => {
    await addRoom(ROOM, { lastActivityAt: 10 });
    await addRoom(OTHER_ROOM, { lastActivityAt: 20 });
    await store.addEvents([makeEvent({ conv: ROOM, author: ALICE, text: 'first' })], 15);
    const before = await store.getConversation(ROOM);
    const result = await store.setConversationFlags(ROOM, { muted: true, archived: true });
    expect(result).toEqual({ ok: true, value: { ...before, muted: true, archived: true } });
    expect(await store.getConversation(ROOM)).toEqual({ ...before, muted: true, archived: true });
    expect((await store.listConversations()).map((c) => c.id)).toEqual([OTHER_ROOM, ROOM]);
  });

  it('keeps the flags when events arrive and when the conversation is marked read', async () => {
    await addRoom();
    await store.setConversationFlags(ROOM, { muted: true, archived: true });
    await store.addEvents([makeEvent({ conv: ROOM, author: ALICE })], NOW);
    await appendText('mine');
    await store.markRead(ROOM);
    expect(await store.getConversation(ROOM)).toMatchObject({ muted: true, archived: true });
  });

  it('reports not-found for the flags of an unknown conversation and creates nothing', async () => {
    expect(await store.setConversationFlags(OTHER_ROOM, { muted: true })).toMatchObject({
      ok: false,
      error: { kind: 'not-found' },
    });
    expect(await store.listConversations()).toEqual([]);
  });

  it('deletes every event of the conversation, all authors, and nothing of any other', async () => {
    await addRoom(ROOM);
    await addRoom(OTHER_ROOM);
    await appendText('own 1');
    await appendText('own 2');
    await store.addEvents(
      [
        makeEvent({ conv: ROOM, author: ALICE, seq: 1 }),
        makeEvent({ conv: ROOM, author: ALICE, seq: 2 }),
        makeEvent({ conv: ROOM, author: BOB, seq: 1 }),
        makeEvent({ conv: OTHER_ROOM, author: ALICE, seq: 1 }),
        makeEvent({ conv: OTHER_ROOM, author: BOB, seq: 1 }),
        makeEvent({ conv: OTHER_ROOM, author: BOB, seq: 2 }),
      ],
      NOW,
    );
    const other = await store.getConversation(OTHER_ROOM);
    const otherEvents = await store.listEvents(OTHER_ROOM);

    await store.deleteConversation(ROOM);

    expect(await store.getConversation(ROOM)).toBeUndefined();
    expect(await store.listEvents(ROOM)).toEqual([]);
    for (const author of [SELF, ALICE, BOB]) {
      expect(await store.listAuthorEvents(ROOM, author, 1, 10, 10)).toEqual([]);
    }
    expect(await store.getConversation(OTHER_ROOM)).toEqual(other);
    expect(await store.listEvents(OTHER_ROOM)).toEqual(otherEvents);
    expect(otherEvents).toHaveLength(3);
  });

  it('never reuses an own seq in a room deleted and joined again (its members hold them)', async () => {
    await addRoom();
    for (const t of ['a', 'b', 'c']) expect((await appendText(t)).ok).toBe(true);
    await store.deleteConversation(ROOM);
    // A second connection (no cached plan) sees it too.
    const other = await openStore();
    await addRoom();
    const again = await appendText('after rejoining', NOW, other);
    expect(again.ok && again.value.seq).toBe(4);
    // Seqs 1–3 are not held here any more: the vector does not claim them, so sync asks the
    // members for them back.
    expect((await other.getConversation(ROOM))?.vector).toEqual({});
    expect((await appendText('and on', NOW)).ok).toBe(true);
    expect((await store.listEvents(ROOM)).map((e) => e.seq)).toEqual([4, 5]);
  });

  it('ignores events that arrive for a deleted conversation', async () => {
    await addRoom();
    await store.deleteConversation(ROOM);
    const result = await store.addEvents([makeEvent({ conv: ROOM, author: ALICE })], NOW);
    expect(result).toEqual({ ok: true, value: [] });
    expect(await store.listEvents(ROOM)).toEqual([]);
    expect(await store.listConversations()).toEqual([]);
  });
});

describe('appendOwnEvent', () => {
  beforeEach(async () => {
    await addRoom();
  });

  it('allocates seq 1, 2, 3 and ever-increasing clocks, persisting the clock', async () => {
    const results = [await appendText('a'), await appendText('b'), await appendText('c')];
    const events = results.map((r) => (r.ok ? r.value : null));
    expect(events.map((e) => e?.seq)).toEqual([1, 2, 3]);
    expect(events[0]!.hlc < events[1]!.hlc && events[1]!.hlc < events[2]!.hlc).toBe(true);
    expect((await store.getConversation(ROOM))?.clock).toBe(events[2]!.hlc);
  });

  it('updates the vector, preview and activity but not unread', async () => {
    await appendText('first');
    await appendText('  second\nline ', NOW + 5);
    const c = await store.getConversation(ROOM);
    expect(c).toMatchObject({
      vector: { [SELF]: 2 },
      lastPreview: 'second line',
      lastActivityAt: NOW + 5,
      unread: 0,
    });
  });

  it('gives two concurrent appends seq 1 and 2', async () => {
    const [a, b] = await Promise.all([appendText('a'), appendText('b')]);
    expect([a, b].map((r) => (r.ok ? r.value.seq : 0)).sort()).toEqual([1, 2]);
    expect((await store.getConversation(ROOM))?.vector).toEqual({ [SELF]: 2 });
  });

  it('gives distinct seqs to concurrent appends from two connections (another tab)', async () => {
    const other = await openStore();
    const results = await Promise.all([
      appendText('a', NOW, store),
      appendText('b', NOW, other),
      appendText('c', NOW, store),
      appendText('d', NOW, other),
    ]);
    expect(results.every((r) => r.ok)).toBe(true);
    const seqs = results.map((r) => (r.ok ? r.value.seq : 0)).sort();
    expect(seqs).toEqual([1, 2, 3, 4]);
    const stored = await store.listEvents(ROOM);
    expect(new Set(stored.map((e) => e.hlc)).size).toBe(4);
    // As stored (a connection remembers its own writes until the tab bus tells it of others').
    expect((await (await openStore()).getConversation(ROOM))?.vector).toEqual({ [SELF]: 4 });
  });

  it('stores an event signed with real WebCrypto', async () => {
    // fake-indexeddb does not model auto-commit across non-IDB awaits, so signing outside the
    // transaction is a structural property of the code (and covered end to end in Chromium).
    const keys = await createIdentityKeys();
    const result = await store.appendOwnEvent({
      conv: ROOM,
      author: keys.fingerprint,
      content: text('signed'),
      sign: (e) => signEvent(e, keys.privateKey),
      nowMs: NOW,
    });
    expect(result.ok).toBe(true);
    const [stored] = await store.listEvents(ROOM);
    expect(await verifyEvent(stored as unknown as Unverified<ChatEvent>, keys.spki)).toEqual(
      stored,
    );
  });

  it('sorts after everything received before, even from a clock ahead of ours', async () => {
    const ahead = encodeHlc({ ms: NOW + 60_000, c: 3 });
    await store.addEvents([makeEvent({ author: ALICE, hlc: ahead })], NOW);
    const result = await appendText('reply', NOW);
    expect(result.ok && result.value.hlc > ahead).toBe(true);
  });

  it('continues after the highest seq already stored', async () => {
    // Our own events came back from a peer (e.g. after restoring from an export).
    await store.addEvents(
      [makeEvent({ author: SELF, seq: 1 }), makeEvent({ author: SELF, seq: 2 })],
      NOW,
    );
    const result = await appendText('next');
    expect(result.ok && result.value.seq).toBe(3);
  });

  it('reports not-found for an unknown conversation', async () => {
    const result = await store.appendOwnEvent({
      conv: OTHER_ROOM,
      author: SELF,
      content: text('x'),
      sign: fakeSign,
      nowMs: NOW,
    });
    expect(result).toMatchObject({ ok: false, error: { kind: 'not-found' } });
  });

  it('reports a failing signer as an error and stores nothing', async () => {
    const result = await store.appendOwnEvent({
      conv: ROOM,
      author: SELF,
      content: text('x'),
      sign: () => Promise.reject(new Error('key gone')),
      nowMs: NOW,
    });
    expect(result).toMatchObject({ ok: false, error: { kind: 'unknown' } });
    expect(await store.listEvents(ROOM)).toEqual([]);
    expect((await appendText('after')).ok).toBe(true);
  });
});

describe('appendOwnEvents', () => {
  beforeEach(async () => {
    await addRoom();
  });

  const appendTexts = (texts: string[], s = store) =>
    s.appendOwnEvents({
      conv: ROOM,
      author: SELF,
      contents: texts.map(text),
      sign: fakeSign,
      nowMs: NOW,
    });

  it('stores a burst in order: consecutive seqs, rising clocks, one vector and preview', async () => {
    await appendText('before');
    const result = await appendTexts(['a', 'b', 'c']);
    expect(result.ok).toBe(true);
    const events = result.ok ? result.value : [];
    expect(events.map((e) => [e.seq, textOf(e)])).toEqual([
      [2, 'a'],
      [3, 'b'],
      [4, 'c'],
    ]);
    const hlcs = events.map((e) => e.hlc);
    expect([...hlcs].sort()).toEqual(hlcs);
    expect(new Set(hlcs).size).toBe(3);
    expect((await store.getConversation(ROOM))?.clock).toBe(hlcs[2]);
    expect(await store.getConversation(ROOM)).toMatchObject({
      vector: { [SELF]: 4 },
      lastPreview: 'c',
    });
    expect((await store.listEvents(ROOM)).map((e) => textOf(e))).toEqual(['before', 'a', 'b', 'c']);
  });

  it('keeps two tabs bursting at once apart (distinct seqs, all stored)', async () => {
    const other = await openStore();
    const results = await Promise.all([
      appendTexts(['a1', 'a2', 'a3'], store),
      appendTexts(['b1', 'b2'], other),
    ]);
    expect(results.every((r) => r.ok)).toBe(true);
    const stored = await store.listEvents(ROOM);
    expect(stored.map((e) => e.seq).sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5]);
    expect(new Set(stored.map((e) => e.hlc)).size).toBe(5);
    // As stored (a connection remembers its own writes until the tab bus tells it of others').
    expect((await (await openStore()).getConversation(ROOM))?.vector).toEqual({ [SELF]: 5 });
  });

  it('re-plans when another tab appended since its own last write', async () => {
    const other = await openStore();
    const results = [];
    for (const [t, s] of [
      ['a', store],
      ['b', other],
      ['c', store],
      ['d', other],
    ] as const) {
      results.push(await appendText(t, NOW, s));
    }
    expect(results.map((r) => (r.ok ? r.value.seq : 0))).toEqual([1, 2, 3, 4]);
    const hlcs = results.map((r) => (r.ok ? r.value.hlc : ''));
    expect([...hlcs].sort()).toEqual(hlcs);
    expect(new Set(hlcs).size).toBe(4);
  });

  it('commits with its last writes, not after hearing them answered (own and received)', async () => {
    const commit = vi.spyOn(IDBTransaction.prototype, 'commit');
    expect((await appendTexts(['a', 'b'])).ok).toBe(true);
    expect(commit).toHaveBeenCalledTimes(1);
    const remote = makeEvent({ author: ALICE, seq: 1, hlc: NOW + 1, text: 'from Alice' });
    expect(await store.addEvents([remote], NOW)).toEqual({ ok: true, value: [remote] });
    expect(commit).toHaveBeenCalledTimes(2);
    // All of both writes is kept.
    expect((await store.listEvents(ROOM)).map((e) => textOf(e))).toEqual(['a', 'b', 'from Alice']);
    expect(await store.getConversation(ROOM)).toMatchObject({
      vector: { [SELF]: 2, [ALICE]: 1 },
      lastPreview: 'from Alice',
    });
  });

  it('stores an own event planned before a received one moved the clock, keeping the later clock', async () => {
    const a = await appendText('a');
    const other = await openStore();
    // Another tab stores a received event dated a minute ahead while we plan from our last write.
    const remote = makeEvent({ author: ALICE, seq: 1, hlc: NOW + 60_000, text: 'from Alice' });
    expect((await other.addEvents([remote], NOW)).ok).toBe(true);
    const b = await appendText('b');
    if (!a.ok || !b.ok) throw new Error('append failed');
    expect(b.value.seq).toBe(2);
    expect(b.value.hlc > a.value.hlc).toBe(true);
    // The clock never goes back, and the preview is the latest in display order.
    expect(String((await store.getConversation(ROOM))?.clock) > remote.hlc).toBe(true);
    expect((await store.getConversation(ROOM))?.lastPreview).toBe('from Alice');
    // The next append plans past the received event.
    const c = await appendText('c');
    expect(c.ok && c.value.hlc > remote.hlc).toBe(true);
  });

  it('stores nothing and says so when the conversation is unknown', async () => {
    const result = await store.appendOwnEvents({
      conv: OTHER_ROOM,
      author: SELF,
      contents: [text('x')],
      sign: fakeSign,
      nowMs: NOW,
    });
    expect(result.ok ? 'ok' : result.error.kind).toBe('not-found');
  });

  it('moves the vector over more events than one key page (600)', async () => {
    const texts = Array.from({ length: 600 }, (_, i) => `m${i}`);
    expect((await appendTexts(texts.slice(0, 256))).ok).toBe(true);
    expect((await appendTexts(texts.slice(256, 512))).ok).toBe(true);
    expect((await appendTexts(texts.slice(512))).ok).toBe(true);
    expect((await store.getConversation(ROOM))?.vector).toEqual({ [SELF]: 600 });
    const remote = Array.from({ length: 600 }, (_, i) => makeEvent({ author: ALICE, seq: i + 1 }));
    // Stored backwards in two halves: the second call closes the gap over all 600.
    expect((await store.addEvents(remote.slice(1), NOW)).ok).toBe(true);
    expect((await store.getConversation(ROOM))?.vector[ALICE]).toBeUndefined();
    expect((await store.addEvents(remote.slice(0, 1), NOW)).ok).toBe(true);
    expect((await store.getConversation(ROOM))?.vector[ALICE]).toBe(600);
  });
});

describe('addEvents', () => {
  beforeEach(async () => {
    await addRoom();
  });

  it('stores new events and ignores duplicates, returning only the new ones', async () => {
    const a1 = makeEvent({ author: ALICE, seq: 1, text: 'one' });
    const a2 = makeEvent({ author: ALICE, seq: 2, text: 'two' });
    const first = await store.addEvents([a1], NOW);
    expect(first).toEqual({ ok: true, value: [a1] });
    const second = await store.addEvents(
      [a1, a2, a2, { ...a1, body: { text: 'equivocation' } }],
      NOW,
    );
    expect(second).toEqual({ ok: true, value: [a2] });
    expect((await store.listEvents(ROOM)).map((e) => textOf(e))).toEqual(['one', 'two']);
    expect((await store.getConversation(ROOM))?.unread).toBe(2);
  });

  it('advances the vector only over contiguous seqs, closing gaps later', async () => {
    await store.addEvents(
      [1, 2, 4, 5].map((seq) => makeEvent({ author: ALICE, seq })),
      NOW,
    );
    expect((await store.getConversation(ROOM))?.vector).toEqual({ [ALICE]: 2 });
    await store.addEvents([makeEvent({ author: BOB, seq: 2 })], NOW);
    expect((await store.getConversation(ROOM))?.vector).toEqual({ [ALICE]: 2 });
    await store.addEvents(
      [makeEvent({ author: ALICE, seq: 3 }), makeEvent({ author: BOB, seq: 1 })],
      NOW,
    );
    expect((await store.getConversation(ROOM))?.vector).toEqual({ [ALICE]: 5, [BOB]: 2 });
  });

  it('counts unread per new event not authored by self', async () => {
    await store.addEvents(
      [
        makeEvent({ author: ALICE, seq: 1 }),
        makeEvent({ author: BOB, seq: 1 }),
        makeEvent({ author: SELF, seq: 1 }),
      ],
      NOW,
    );
    expect((await store.getConversation(ROOM))?.unread).toBe(2);
    await store.markRead(ROOM);
    expect((await store.getConversation(ROOM))?.unread).toBe(0);
    await store.addEvents(
      [makeEvent({ author: ALICE, seq: 1 }), makeEvent({ author: ALICE, seq: 2 })],
      NOW,
    );
    expect((await store.getConversation(ROOM))?.unread).toBe(1);
  });

  it('counts nothing as unread in a conversation the person reads, and the rest as usual', async () => {
    await addRoom(OTHER_ROOM);
    let reading = ROOM;
    store.setReading((conv) => conv === reading);
    await store.addEvents(
      [
        makeEvent({ author: ALICE, seq: 1 }),
        makeEvent({ conv: OTHER_ROOM, author: ALICE, seq: 1 }),
      ],
      NOW,
    );
    expect((await store.getConversation(ROOM))?.unread).toBe(0);
    expect((await store.getConversation(OTHER_ROOM))?.unread).toBe(1);
    reading = OTHER_ROOM;
    await store.addEvents([makeEvent({ author: ALICE, seq: 2 })], NOW);
    expect((await store.getConversation(ROOM))?.unread).toBe(1);
  });

  it('reads nothing after the writes for a live message, and reads for old history', async () => {
    await store.addEvents([makeEvent({ author: ALICE, seq: 1, hlc: NOW, text: 'one' })], NOW);
    // The display-order index is read only to find a preview among stored events (or the clock
    // of a record written before it kept its own, as the first write here).
    const openCursor = vi.spyOn(IDBIndex.prototype, 'openCursor');
    await store.addEvents([makeEvent({ author: ALICE, seq: 2, hlc: NOW + 1, text: 'two' })], NOW);
    expect(openCursor).not.toHaveBeenCalled();
    expect(await store.getConversation(ROOM)).toMatchObject({
      vector: { [ALICE]: 2 },
      lastPreview: 'two',
    });
    await store.addEvents([makeEvent({ author: BOB, seq: 1, hlc: NOW - 5, text: 'old' })], NOW);
    expect(openCursor).toHaveBeenCalled();
    expect(await store.getConversation(ROOM)).toMatchObject({
      vector: { [ALICE]: 2, [BOB]: 1 },
      lastPreview: 'two',
    });
  });

  it('closes a gap with the newest message: the vector covers what was stored above it', async () => {
    await store.addEvents(
      [1, 3, 4].map((seq) => makeEvent({ author: ALICE, seq, hlc: NOW + seq })),
      NOW,
    );
    expect((await store.getConversation(ROOM))?.vector).toEqual({ [ALICE]: 1 });
    // Seq 2 comes last and newest in display order, with the next seq after the vector.
    await store.addEvents([makeEvent({ author: ALICE, seq: 2, hlc: NOW + 9, text: 'late' })], NOW);
    expect(await store.getConversation(ROOM)).toMatchObject({
      vector: { [ALICE]: 4 },
      lastPreview: 'late',
    });
  });

  it('keeps the preview on the latest event in display order when old history arrives', async () => {
    await store.addEvents([makeEvent({ author: ALICE, seq: 5, hlc: NOW, text: 'newest' })], NOW);
    await store.addEvents(
      [makeEvent({ author: BOB, seq: 1, hlc: NOW - 9999, text: 'old' })],
      NOW + 1,
    );
    const c = await store.getConversation(ROOM);
    expect(c?.lastPreview).toBe('newest');
    expect(c?.lastActivityAt).toBe(NOW + 1);
  });

  it('ignores events of unknown conversations', async () => {
    const result = await store.addEvents(
      [makeEvent({ conv: OTHER_ROOM, author: ALICE }), makeEvent({ conv: ROOM, author: ALICE })],
      NOW,
    );
    expect(result.ok && result.value.map((e) => e.conv)).toEqual([ROOM]);
    expect(await store.listEvents(OTHER_ROOM)).toEqual([]);
  });

  it('advances the conversation’s clock, but never further ahead of ours than the drift', async () => {
    const far = encodeHlc({ ms: NOW + 23.5 * 3600_000, c: 0 });
    await store.addEvents([makeEvent({ author: ALICE, hlc: far })], NOW);
    const clock = decodeHlc((await store.getConversation(ROOM))?.clock ?? '');
    expect(clock).toEqual({ ms: NOW + MAX_CLOCK_DRIFT_MS, c: 1 });
  });

  it('keeps each conversation’s clock its own: a room’s future event does not date another’s messages', async () => {
    await addRoom(OTHER_ROOM);
    const far = encodeHlc({ ms: NOW + 23.5 * 3600_000, c: 0 });
    await store.addEvents([makeEvent({ author: ALICE, hlc: far })], NOW);

    const elsewhere = await appendText('elsewhere', NOW + 1, store, OTHER_ROOM);
    const here = await appendText('here', NOW + 1);
    if (!elsewhere.ok || !here.ok) throw new Error('append failed');
    expect(decodeHlc(elsewhere.value.hlc)?.ms).toBe(NOW + 1);
    expect(decodeHlc(here.value.hlc)?.ms).toBeLessThanOrEqual(NOW + MAX_CLOCK_DRIFT_MS);
    // A new connection (a reload) plans from what was persisted, not from memory.
    store.close();
    store = await openStore();
    const later = await appendText('after reload', NOW + 2, store, OTHER_ROOM);
    expect(later.ok && decodeHlc(later.value.hlc)?.ms).toBe(NOW + 2);
  });

  it('accepts an empty batch', async () => {
    expect(await store.addEvents([], NOW)).toEqual({ ok: true, value: [] });
  });
});

describe('listEvents', () => {
  const at = (ms: number) => encodeHlc({ ms, c: 0 });

  beforeEach(async () => {
    await addRoom(ROOM);
    await addRoom(OTHER_ROOM);
    await store.addEvents(
      [
        makeEvent({ author: BOB, seq: 1, hlc: at(20) }),
        makeEvent({ author: ALICE, seq: 2, hlc: at(20) }),
        makeEvent({ author: ALICE, seq: 1, hlc: at(10) }),
        makeEvent({ author: ALICE, seq: 3, hlc: at(30) }),
        makeEvent({ author: BOB, seq: 2, hlc: at(40) }),
        makeEvent({ conv: OTHER_ROOM, author: BOB, seq: 1, hlc: at(15) }),
      ],
      NOW,
    );
  });

  it('returns one conversation in (hlc, author, seq) order', async () => {
    // fakeFingerprint(2) (ALICE) sorts before fakeFingerprint(3) (BOB).
    expect(ALICE < BOB).toBe(true);
    expect(seqsOf(await store.listEvents(ROOM))).toEqual([
      'alice1',
      'alice2',
      'bob1',
      'alice3',
      'bob2',
    ]);
  });

  it('returns the newest `limit`, still ascending', async () => {
    expect(seqsOf(await store.listEvents(ROOM, { limit: 2 }))).toEqual(['alice3', 'bob2']);
    expect(await store.listEvents(ROOM, { limit: 0 })).toEqual([]);
  });

  it('pages back with beforeHlc and with an exact event position', async () => {
    expect(seqsOf(await store.listEvents(ROOM, { beforeHlc: at(30), limit: 1 }))).toEqual(['bob1']);
    expect(seqsOf(await store.listEvents(ROOM, { beforeHlc: at(20) }))).toEqual(['alice1']);
    const bob1 = { hlc: at(20), author: BOB, seq: 1 };
    expect(seqsOf(await store.listEvents(ROOM, { before: bob1 }))).toEqual(['alice1', 'alice2']);
  });
});

describe('listAuthorEvents', () => {
  beforeEach(async () => {
    await addRoom(ROOM);
    await addRoom(OTHER_ROOM);
    await store.addEvents(
      [1, 2, 3, 4]
        .map((seq) => makeEvent({ author: ALICE, seq }))
        .concat([
          makeEvent({ author: BOB, seq: 1 }),
          makeEvent({ conv: OTHER_ROOM, author: ALICE, seq: 5 }),
        ]),
      NOW,
    );
  });

  it('returns one author’s seq range in this conversation, ascending', async () => {
    expect(seqsOf(await store.listAuthorEvents(ROOM, ALICE, 2, 10, 100))).toEqual([
      'alice2',
      'alice3',
      'alice4',
    ]);
  });

  it('stops at the limit and returns nothing for an empty range', async () => {
    expect(seqsOf(await store.listAuthorEvents(ROOM, ALICE, 1, 4, 2))).toEqual([
      'alice1',
      'alice2',
    ]);
    expect(await store.listAuthorEvents(ROOM, ALICE, 3, 2, 10)).toEqual([]);
    expect(await store.listAuthorEvents(ROOM, ALICE, 1, 4, 0)).toEqual([]);
  });
});

describe('delivery facts', () => {
  const hlcAt = (ms: number): string => encodeHlc({ ms, c: 0 });

  it('reads old records without delivery fields as nothing known yet', async () => {
    await addRoom();
    const conversation = await store.getConversation(ROOM);
    expect(conversation?.sentUpTo ?? 0).toBe(0);
    expect(conversation?.memberVectors ?? {}).toEqual({});
    expect(conversation?.readMarkers ?? {}).toEqual({});
  });

  it('only ever raises sentUpTo, merges vectors per author and keeps the later read marker', async () => {
    await addRoom();
    await store.recordDelivery(ROOM, {
      sentUpTo: 3,
      vectors: { [ALICE]: { [SELF]: 2, [BOB]: 4 } },
      readMarkers: { [ALICE]: hlcAt(5) },
    });
    const result = await store.recordDelivery(ROOM, {
      sentUpTo: 2,
      vectors: { [ALICE]: { [SELF]: 3, [BOB]: 1 }, [BOB]: { [SELF]: 1 } },
      readMarkers: { [ALICE]: hlcAt(4), [BOB]: hlcAt(9) },
    });
    const expected = {
      sentUpTo: 3,
      memberVectors: { [ALICE]: { [SELF]: 3, [BOB]: 4 }, [BOB]: { [SELF]: 1 } },
      readMarkers: { [ALICE]: hlcAt(5), [BOB]: hlcAt(9) },
    };
    expect(result.ok && result.value).toMatchObject(expected);
    expect(await store.getConversation(ROOM)).toMatchObject(expected);
  });

  it('keeps what other writers stored meanwhile (no stale whole-record writes)', async () => {
    await addRoom();
    await store.recordDelivery(ROOM, { vectors: { [ALICE]: { [SELF]: 1 } } });
    await store.addEvents([makeEvent({ conv: ROOM, author: BOB, seq: 1 })], NOW);
    await store.recordDelivery(ROOM, { readMarkers: { [ALICE]: hlcAt(1) } });
    const conversation = await store.getConversation(ROOM);
    expect(conversation?.vector).toEqual({ [BOB]: 1 });
    expect(conversation?.memberVectors).toEqual({ [ALICE]: { [SELF]: 1 } });
    expect(conversation?.unread).toBe(1);
  });

  it('reports an unknown conversation as undefined', async () => {
    expect(await store.recordDelivery(OTHER_ROOM, { sentUpTo: 1 })).toEqual({
      ok: true,
      value: undefined,
    });
    expect(await store.advanceReadMarker(OTHER_ROOM, hlcAt(1))).toEqual({ ok: true, value: false });
  });

  it('advances our own read marker only forwards and says when it moved', async () => {
    await addRoom();
    expect(await store.advanceReadMarker(ROOM, hlcAt(5))).toEqual({ ok: true, value: true });
    expect(await store.advanceReadMarker(ROOM, hlcAt(5))).toEqual({ ok: true, value: false });
    expect(await store.advanceReadMarker(ROOM, hlcAt(3))).toEqual({ ok: true, value: false });
    expect(await store.advanceReadMarker(ROOM, hlcAt(6))).toEqual({ ok: true, value: true });
    expect((await store.getConversation(ROOM))?.readUpTo).toBe(hlcAt(6));
  });
});

describe('settings', () => {
  it('stores any cloneable value by key', async () => {
    expect(await store.getSetting('theme')).toBeUndefined();
    expect((await store.putSetting('theme', { dark: true })).ok).toBe(true);
    expect(await store.getSetting<{ dark: boolean }>('theme')).toEqual({ dark: true });
  });
});

describe('failures', () => {
  it('turns a QuotaExceededError into a quota result, logged, not thrown', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(() => {
      throw quotaError();
    });
    const result = await store.putSetting('big', 'x');
    expect(result).toMatchObject({ ok: false, error: { kind: 'quota' } });
    expect(error).toHaveBeenCalled();
  });

  it('reports quota on append and leaves nothing half-written', async () => {
    await addRoom();
    // Let the event row through, fail on the conversation row: the whole transaction must roll back.
    const put = vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (
      this: IDBObjectStore,
      ...args: Parameters<Put>
    ) {
      if (this.name === 'conversations') throw quotaError();
      return realPut.apply(this, args);
    });
    const result = await appendText('lost?');
    expect(result).toMatchObject({ ok: false, error: { kind: 'quota' } });
    expect(put.mock.contexts.map((target) => (target as IDBObjectStore).name)).toContain('events');
    put.mockRestore();
    expect(await store.listEvents(ROOM)).toEqual([]);
    expect((await store.getConversation(ROOM))?.vector).toEqual({});
    expect((await appendText('retry')).ok).toBe(true);
  });

  it('reports quota on addEvents', async () => {
    await addRoom();
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(() => {
      throw quotaError();
    });
    const result = await store.addEvents([makeEvent({ author: ALICE })], NOW);
    expect(result).toMatchObject({ ok: false, error: { kind: 'quota' } });
  });

  it('rejects markRead and deleteConversation with StoreFailure once closed', async () => {
    store.close();
    await expect(store.markRead(ROOM)).rejects.toBeInstanceOf(StoreFailure);
    await expect(store.deleteConversation(ROOM)).rejects.toBeInstanceOf(StoreFailure);
  });

  it.each<[string, unknown, string]>([
    ['QuotaExceededError', quotaError(), 'quota'],
    [
      'a full-disk UnknownError',
      new DOMException('Encountered full disk while opening backing store', 'UnknownError'),
      'quota',
    ],
    ['another UnknownError', new DOMException('Internal error', 'UnknownError'), 'unknown'],
    ['ConstraintError', new DOMException('Key already exists', 'ConstraintError'), 'conflict'],
    ['a plain Error', new Error('boom'), 'unknown'],
    ['a string', 'weird', 'unknown'],
  ])('classifies %s', (_what, error, kind) => {
    expect(toStoreError(error).kind).toBe(kind);
  });
});

describe('contacts', () => {
  const contactOf = (spki: string) => ({
    fingerprint: ALICE,
    spki,
    name: 'Alice',
    color: '#123456',
    conv: OTHER_ROOM,
    addedAt: NOW,
  });
  const directChat = makeConversation({
    id: OTHER_ROOM,
    kind: 'direct',
    contact: ALICE,
    title: 'Alice',
  });

  it('saves a contact with its direct chat, and lists it', async () => {
    expect(await store.addContact(contactOf('spki-1'), directChat)).toEqual({
      ok: true,
      value: contactOf('spki-1'),
    });
    expect(await store.listContacts()).toEqual([contactOf('spki-1')]);
    expect(await store.getConversation(OTHER_ROOM)).toMatchObject({
      kind: 'direct',
      contact: ALICE,
    });
  });

  it('keeps the pinned key: the same key again is a no-op, another key a conflict', async () => {
    await store.addContact(contactOf('spki-1'), directChat);
    expect(await store.addContact({ ...contactOf('spki-1'), name: 'Al' }, directChat)).toEqual({
      ok: true,
      value: contactOf('spki-1'),
    });
    const other = await store.addContact(contactOf('spki-2'), directChat);
    expect(other.ok ? 'ok' : other.error.kind).toBe('conflict');
    expect((await store.listContacts())[0]?.spki).toBe('spki-1');
  });

  it('keeps the history of a direct chat that was there before', async () => {
    await addRoom(OTHER_ROOM, { vector: { [ALICE]: 3 }, title: 'Old title' });
    await store.addContact(contactOf('spki-1'), directChat);
    expect(await store.getConversation(OTHER_ROOM)).toMatchObject({
      kind: 'direct',
      contact: ALICE,
      vector: { [ALICE]: 3 },
      title: 'Old title',
    });
  });
});

describe('room names and topics (room-meta)', () => {
  const meta = (author: Fingerprint, seq: number, hlc: number, name: string): ChatEvent => ({
    ...makeEvent({ author, seq, hlc }),
    kind: 'room-meta',
    body: { name, topic: `about ${name}` },
  });

  it('names the room after the latest room-meta, in whatever order they arrive', async () => {
    await addRoom();
    const older = meta(ALICE, 1, NOW + 1, 'Old name');
    const newer = meta(BOB, 1, NOW + 2, 'New name');
    expect((await store.addEvents([newer], NOW)).ok).toBe(true);
    expect((await store.addEvents([older], NOW)).ok).toBe(true);
    expect(await store.getConversation(ROOM)).toMatchObject({
      title: 'New name',
      topic: 'about New name',
    });
  });

  it('names a room from our own room-meta, and leaves a direct chat’s title alone', async () => {
    await addRoom();
    await addRoom(OTHER_ROOM, { kind: 'direct', title: 'Alice' });
    const own = await store.appendOwnEvent({
      conv: ROOM,
      author: SELF,
      content: { kind: 'room-meta', body: { name: 'Trip', topic: '' } },
      sign: fakeSign,
      nowMs: NOW,
    });
    expect(own.ok).toBe(true);
    expect((await store.getConversation(ROOM))?.title).toBe('Trip');
    expect(
      (await store.addEvents([{ ...meta(BOB, 1, NOW + 5, 'Hijack'), conv: OTHER_ROOM }], NOW)).ok,
    ).toBe(true);
    expect((await store.getConversation(OTHER_ROOM))?.title).toBe('Alice');
  });
});

describe('unread calls', () => {
  it('counts a missed call from someone else as unread, and no other call line', async () => {
    await addRoom();
    const call = (seq: number, outcome: 'missed' | 'answered' | 'declined'): ChatEvent => ({
      ...makeEvent({ author: ALICE, seq }),
      kind: 'call-log',
      body: { callId: `call-${seq}`, media: 'audio', outcome, durationS: 0, group: false },
    });
    const added = await store.addEvents(
      [call(1, 'missed'), call(2, 'answered'), call(3, 'declined')],
      NOW,
    );
    expect(added.ok).toBe(true);
    expect((await store.getConversation(ROOM))?.unread).toBe(1);
  });
});

describe('profiles', () => {
  const profile = (author: Fingerprint, seq: number, hlc: number, name: string): ChatEvent => ({
    ...makeEvent({ author, seq, hlc }),
    kind: 'profile',
    body: { name, color: '#123456' },
  });
  const alice = {
    fingerprint: ALICE,
    spki: 'spki-a',
    name: 'Alice',
    color: '#000000',
    lastSeenAt: 5,
  };

  it('renames a member after their latest profile, in whatever order they arrive', async () => {
    await addRoom(ROOM, { members: { [ALICE]: alice } });
    const older = profile(ALICE, 1, NOW + 1, 'Alicia');
    const newer = profile(ALICE, 2, NOW + 2, 'Ali');
    expect((await store.addEvents([newer], NOW)).ok).toBe(true);
    expect((await store.addEvents([older], NOW)).ok).toBe(true);
    expect((await store.getConversation(ROOM))?.members[ALICE]).toMatchObject({
      name: 'Ali',
      color: '#123456',
      lastSeenAt: 5,
    });
  });

  it('moves no conversation up the list and keeps its preview', async () => {
    await addRoom(ROOM, { members: { [ALICE]: alice }, lastActivityAt: 1_000 });
    expect((await store.addEvents([makeEvent({ author: ALICE, text: 'hello' })], 1_000)).ok).toBe(
      true,
    );
    expect((await store.addEvents([profile(ALICE, 2, NOW + 9, 'Alicia')], NOW)).ok).toBe(true);
    const own = await store.appendOwnEvent({
      conv: ROOM,
      author: SELF,
      content: { kind: 'profile', body: { name: 'Me', color: '#654321' } },
      sign: fakeSign,
      nowMs: NOW + 50,
    });
    expect(own.ok).toBe(true);
    expect(await store.getConversation(ROOM)).toMatchObject({
      lastActivityAt: 1_000,
      lastPreview: 'hello',
      unread: 1,
    });
  });

  it('keeps a known name and the latest last-seen time when a member is upserted without one', async () => {
    await addRoom(ROOM, { members: { [ALICE]: alice } });
    expect((await store.addEvents([profile(ALICE, 1, NOW + 1, 'Alicia')], NOW)).ok).toBe(true);
    expect((await store.upsertMember(ROOM, { ...alice, name: '', lastSeenAt: 9 })).ok).toBe(true);
    expect((await store.upsertMember(ROOM, { ...alice, name: '', lastSeenAt: 0 })).ok).toBe(true);
    const member = (await store.getConversation(ROOM))?.members[ALICE];
    expect(member).toMatchObject({ name: 'Alicia', lastSeenAt: 9 });
    expect(member?.profileHlc).toBe(encodeHlc({ ms: NOW + 1, c: 0 }));
  });
});

describe('per-author budgets and deleting what one member wrote', () => {
  const big = (seq: number, author = ALICE) =>
    makeEvent({ author, seq, hlc: NOW + seq, text: 'x'.repeat(1000) });

  async function openBudgeted(storageBytes: number): Promise<IdbChatStore> {
    const s = await openIdbStore({
      name: dbName,
      selfFingerprint: SELF,
      budgets: { storageBytes, rateBytes: storageBytes, rateWindowMs: 60_000, windowsKept: 4 },
    });
    opened.push(s);
    return s;
  }

  it('refuses events past an author’s budget for good: the vector moves past them, no answer sends them', async () => {
    await addRoom();
    const budgeted = await openBudgeted(3 * 1300);
    const result = await budgeted.addEvents(
      [1, 2, 3, 4, 5, 6].map((seq) => big(seq)),
      NOW,
    );
    expect(result.ok && result.value.map((e) => e.seq)).toEqual([1, 2, 3]);
    const conversation = await budgeted.getConversation(ROOM);
    expect(conversation?.vector[ALICE]).toBe(6);
    expect((await budgeted.listAuthorEvents(ROOM, ALICE, 1, 6, 10)).map((e) => e.seq)).toEqual([
      1, 2, 3,
    ]);
    // Sent again (a relay, a resend): still refused, nothing new stored.
    const again = await budgeted.addEvents([big(4), big(5), big(7)], NOW);
    expect(again.ok && again.value).toEqual([]);
    expect(await budgeted.authorStats(ROOM)).toEqual({
      [ALICE]: { events: 3, bytes: expect.any(Number) as number },
    });
    // Another author is unaffected.
    const bob = await budgeted.addEvents([big(1, BOB)], NOW);
    expect(bob.ok && bob.value).toHaveLength(1);
  });

  it('counts what each author wrote across read batches, leaving out what is counted elsewhere', async () => {
    await addRoom();
    const small = (seq: number, author: Fingerprint) =>
      makeEvent({ author, seq, hlc: NOW + seq, text: `m${seq}` });
    const events = [
      ...Array.from({ length: 700 }, (_, i) => small(i + 1, ALICE)),
      ...Array.from({ length: 400 }, (_, i) => small(i + 1, BOB)),
    ];
    expect((await store.addEvents(events, NOW)).ok).toBe(true);
    const stats = await store.authorStats(ROOM);
    expect(stats[ALICE]?.events).toBe(700);
    expect(stats[BOB]?.events).toBe(400);
    // Events the caller counts itself (stored while the batches were read) are left out.
    const without = await store.authorStats(ROOM, (author, seq) => author === BOB && seq > 390);
    expect(without[BOB]?.events).toBe(390);
    expect(without[ALICE]).toEqual(stats[ALICE]);
  });

  it('deletes one author’s events, keeps their ids so sync never brings them back, and says so', async () => {
    await addRoom();
    await store.addEvents([big(1), big(2), big(1, BOB), big(3)], NOW);
    const changes: string[] = [];
    store.subscribe((change) => changes.push(change.type));

    const deleted = await store.deleteAuthorEvents(ROOM, ALICE);
    expect(deleted).toEqual({ ok: true, value: 3 });
    expect(changes).toEqual(['events-deleted', 'conversation']);
    expect((await store.listEvents(ROOM)).map((e) => e.author)).toEqual([BOB]);
    expect(await store.listAuthorEvents(ROOM, ALICE, 1, 10, 10)).toEqual([]);
    expect((await store.authorStats(ROOM))[ALICE]).toBeUndefined();
    expect((await store.getConversation(ROOM))?.vector[ALICE]).toBe(3);

    const resent = await store.addEvents([big(1), big(2), big(3), big(4)], NOW);
    expect(resent.ok && resent.value.map((e) => e.seq)).toEqual([4]);
  });
});

describe('markDisputed', () => {
  it('hides the event, records the seq once, and says which events went', async () => {
    await addRoom();
    await store.addEvents(
      [makeEvent({ author: ALICE, seq: 1, text: 'one' }), makeEvent({ author: ALICE, seq: 2 })],
      NOW,
    );
    const changes: unknown[] = [];
    store.subscribe((change) => changes.push(change));

    expect(await store.markDisputed(ROOM, ALICE, 1)).toEqual({ ok: true, value: true });
    expect(await store.markDisputed(ROOM, ALICE, 1)).toEqual({ ok: true, value: false });
    expect(changes[0]).toEqual({ type: 'events-deleted', conv: ROOM, author: ALICE, seqs: [1] });
    expect(changes).toHaveLength(2);
    expect((await store.listEvents(ROOM)).map((e) => e.seq)).toEqual([2]);
    expect(await store.listAuthorEvents(ROOM, ALICE, 1, 2, 10)).toHaveLength(1);
    const conversation = await store.getConversation(ROOM);
    expect(conversation?.disputes).toEqual({ [ALICE]: [1] });
    expect(conversation?.vector[ALICE]).toBe(2);
    // The other version, sent again, is a duplicate.
    const again = await store.addEvents([makeEvent({ author: ALICE, seq: 1, text: 'two' })], NOW);
    expect(again.ok && again.value).toEqual([]);
  });
});
