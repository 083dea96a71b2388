import { describe, expect, it, vi } from 'vitest';
import { textOf } from '../../domain/events';
import type { RoomKey } from '../../protocol/ids';
import type { ChatStore } from '../../storage/chat-store';
import { appHarness } from '../../testing/app-harness';
import { fakeFingerprint } from '../../testing/factories';
import { MemoryStorage } from '../../testing/memory-storage';
import type { Parley } from '../../parley';
import {
  JOURNAL_PREFIX,
  OutboxJournal,
  type JournalEntry,
  type JournalRecord,
  type JournalStorage,
} from './outbox-journal';
import { unstoredEntries } from './outbox-takeover';

const NOW = 1_700_000_000_000;
const h = appHarness({ now: NOW });

/** A store write that never finishes: the tab closes while it is under way. */
const neverStores: Partial<ChatStore> = {
  appendOwnEvents: () => new Promise(() => undefined),
};

/** The texts stored in `room`, in display order. */
async function storedTexts(app: Parley, room: RoomKey): Promise<string[]> {
  const events = (await app.kernel.store?.listEvents(room)) ?? [];
  return events.flatMap((event) => {
    const text = textOf(event);
    return text === undefined ? [] : [text];
  });
}

/** An app on this test's database that journals to `storage` as tab `tab`. */
async function appJournaling(
  storage: JournalStorage,
  tab: string,
  replaced: Partial<ChatStore> = {},
): Promise<Parley> {
  const app = h.makeApp({
    openStore: h.openStoreReplacing(replaced),
    outboxJournal: { storage, tab },
  });
  await app.kernel.init();
  if (app.kernel.phase === 'onboarding') await app.profile.createIdentity('Ada');
  return app;
}

async function roomOf(app: Parley): Promise<RoomKey> {
  await app.conversations.createRoom();
  const room = app.conversations.list[0]?.id;
  if (!room) throw new Error('no room');
  return room;
}

describe('the outbox journal', () => {
  it('keeps what was sent until it is stored, then clears it', async () => {
    const storage = new MemoryStorage();
    const app = await appJournaling(storage, 'tab-a');
    const room = await roomOf(app);
    const stored = app.messages.send(room, 'hello');
    // Written in the same task as the send, before anything was stored.
    expect(storage.keys()).toEqual([`${JOURNAL_PREFIX}tab-a:0`]);
    expect(storage.getItem(`${JOURNAL_PREFIX}tab-a:0`)).toContain('hello');
    expect(await stored).toBe(true);
    expect(storage.keys()).toEqual([]);
  });

  it('stores, at the next start, what a closed tab had not stored, in order and once', async () => {
    const storage = new MemoryStorage();
    const first = await appJournaling(storage, 'tab-a');
    const room = await roomOf(first);
    expect(await first.messages.send(room, 'stored before')).toBe(true);
    // The tab's store writes hang from here on, as when the tab closes mid-write.
    const closing = await appJournaling(storage, 'tab-b', neverStores);
    void closing.messages.send(room, 'one');
    void closing.messages.send(room, 'two');
    void closing.messages.send(room, 'one');
    expect(storage.keys()).toHaveLength(3);

    const next = await appJournaling(storage, 'tab-c');
    await expect
      .poll(() => storedTexts(next, room))
      .toEqual(['stored before', 'one', 'two', 'one']);
    expect(storage.keys()).toEqual([]);
  });

  it('does not store twice what a closed tab stored but had not cleared', async () => {
    const storage = new MemoryStorage();
    // The closing tab's journal keeps every entry (it closed between storing and clearing).
    const forgetful: JournalStorage = {
      get length() {
        return storage.length;
      },
      key: (index) => storage.key(index),
      getItem: (key) => storage.getItem(key),
      setItem: (key, value) => storage.setItem(key, value),
      removeItem: () => undefined,
    };
    const first = await appJournaling(storage, 'tab-a');
    const room = await roomOf(first);
    const closing = await appJournaling(forgetful, 'tab-b');
    expect(await closing.messages.send(room, 'once')).toBe(true);
    expect(await closing.messages.send(room, 'twice?')).toBe(true);
    expect(storage.keys()).toHaveLength(2);

    const next = await appJournaling(storage, 'tab-c');
    await expect.poll(() => storage.keys()).toEqual([]);
    expect(await storedTexts(next, room)).toEqual(['once', 'twice?']);
  });

  it('drops entries of another identity and of conversations that are gone', async () => {
    const storage = new MemoryStorage();
    const app = await appJournaling(storage, 'tab-a');
    const room = await roomOf(app);
    const entry = (author: string, conv: string) =>
      JSON.stringify({
        room: conv,
        author,
        afterSeq: 0,
        content: { kind: 'text', body: { text: 'x' } },
      });
    storage.setItem(`${JOURNAL_PREFIX}gone:0`, entry(fakeFingerprint(9), room));
    storage.setItem(`${JOURNAL_PREFIX}gone:1`, entry(app.kernel.self ?? '', 'A'.repeat(43)));
    storage.setItem(`${JOURNAL_PREFIX}gone:2`, '{"not": "an entry"');
    const next = await appJournaling(storage, 'tab-b');
    await expect.poll(() => storage.keys()).toEqual([]);
    expect(await storedTexts(next, room)).toEqual([]);
  });
});

describe('the code that stores what we say', () => {
  it('is loaded once the app is ready, before anything is sent', async () => {
    const prepareSending = vi.fn(() => Promise.resolve());
    const app = await appJournaling(new MemoryStorage(), 'tab-a', { prepareSending });
    await vi.waitFor(() => expect(prepareSending).toHaveBeenCalledTimes(1));
    // A send works whether or not it had loaded (it loads it itself otherwise).
    const room = await roomOf(app);
    expect(await app.messages.send(room, 'hello')).toBe(true);
    expect(await storedTexts(app, room)).toEqual(['hello']);
  });
});

describe('unstoredEntries', () => {
  const entry = (n: number, text: string, afterSeq = 0): JournalEntry => ({
    key: `k${n}`,
    tab: 't',
    n,
    room: 'r' as RoomKey,
    author: fakeFingerprint(1),
    afterSeq,
    content: { kind: 'text', body: { text } },
  });
  const own = (seq: number, text: string) => ({ seq, kind: 'text', body: { text } });

  it('says once, not per message, that a full storage refuses entries', () => {
    const storage = new MemoryStorage();
    let isFull = true;
    const setItem = storage.setItem.bind(storage);
    storage.setItem = (key: string, value: string) => {
      if (isFull) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      setItem(key, value);
    };
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const journal = new OutboxJournal(storage, 'tab-a');
    const entry: JournalRecord = {
      room: 'room' as RoomKey,
      author: fakeFingerprint(1),
      afterSeq: 0,
      content: { kind: 'text', body: { text: 'hi' } },
    };
    for (let i = 0; i < 50; i++) expect(journal.write(entry)).toBeNull();
    expect(warn).toHaveBeenCalledTimes(1);
    isFull = false;
    expect(journal.write(entry)).not.toBeNull();
    isFull = true;
    expect(journal.write(entry)).toBeNull();
    expect(warn).toHaveBeenCalledTimes(2);
  });

  it('pairs entries with later own events in order, each event once', () => {
    const entries = [entry(0, 'a'), entry(1, 'a'), entry(2, 'b')];
    expect(unstoredEntries(entries, [own(1, 'a'), own(2, 'b')]).map((e) => e.n)).toEqual([1]);
    expect(unstoredEntries(entries, [own(1, 'a'), own(2, 'a'), own(3, 'b')])).toEqual([]);
  });

  it('never pairs an entry with an event older than it', () => {
    expect(unstoredEntries([entry(0, 'a', 5)], [own(5, 'a')]).map((e) => e.n)).toEqual([0]);
  });

  it('compares bodies whatever their key order', () => {
    const reply = {
      ...entry(0, 'x'),
      content: {
        kind: 'text' as const,
        body: { text: 'x', replyTo: { author: fakeFingerprint(2), seq: 1 } },
      },
    };
    const stored = {
      seq: 1,
      kind: 'text',
      body: { replyTo: { seq: 1, author: fakeFingerprint(2) }, text: 'x' },
    };
    expect(unstoredEntries([reply], [stored])).toEqual([]);
  });
});
