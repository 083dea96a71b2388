import { describe, expect, it, vi } from 'vitest';
import { roomKeyFromSecret } from '../../crypto/room-keys';
import { MemoryHub } from '../../net/memory-transport';
import type { Parley } from '../../parley';
import type { EventContent } from '../../protocol/events';
import type { RoomKey } from '../../protocol/ids';
import type { SearchIndex } from '../../storage/search-store';
import { openIdbSearchIndex } from '../../storage/idb-search';
import { appHarness } from '../../testing/app-harness';
import { FAKE_SIG } from '../../testing/factories';
import { meetInRoom } from '../../testing/meet-in-room';
import { SearchIndexer } from './indexer';
import { BUILD_BATCH_EVENTS } from './search-limits';

const h = appHarness();

/** A ready app with an open room; its search loaded on demand by the test. */
async function appWithRoom(): Promise<{ app: Parley; room: RoomKey }> {
  const app = await h.readyApp();
  const secret = (await app.conversations.createRoom())!;
  const room = await roomKeyFromSecret(secret);
  return { app, room };
}

/** Stores `texts` as own messages in one write (fast, like a long history). */
async function seed(app: Parley, room: RoomKey, texts: readonly string[]): Promise<void> {
  const store = app.kernel.store!;
  const contents = texts.map((text): EventContent => ({ kind: 'text', body: { text } }));
  const result = await store.appendOwnEvents({
    conv: room,
    author: app.kernel.self!,
    contents,
    sign: (unsigned) => Promise.resolve({ ...unsigned, sig: FAKE_SIG }),
    nowMs: Date.now(),
  });
  expect(result.ok).toBe(true);
}

async function texts(app: Parley, query: string, conv?: RoomKey): Promise<string[]> {
  const search = await app.search.load();
  await search.settled();
  return (await search.search(query, conv)).map((hit) => hit.text);
}

describe('the search index', () => {
  it('finds history stored before it loaded and messages sent after', async () => {
    const { app, room } = await appWithRoom();
    await seed(app, room, ['We meet at the Café', '我们明天下午三点见面', 'unrelated']);
    expect(await texts(app, 'cafe')).toEqual(['We meet at the Café']);
    expect(await texts(app, '下午')).toEqual(['我们明天下午三点见面']);
    expect(await app.messages.send(room, 'Another café visit')).toBe(true);
    expect(await texts(app, 'caf')).toEqual(['Another café visit', 'We meet at the Café']);
    expect(await texts(app, 'meet caf')).toEqual(['We meet at the Café']);
    expect(await texts(app, 'nothing')).toEqual([]);
  });

  it('narrows to one conversation', async () => {
    const { app, room } = await appWithRoom();
    const other = await roomKeyFromSecret((await app.conversations.createRoom())!);
    await seed(app, room, ['lunch here']);
    await seed(app, other, ['lunch there']);
    expect(await texts(app, 'lunch')).toHaveLength(2);
    expect(await texts(app, 'lunch', other)).toEqual(['lunch there']);
  });

  it('re-indexes an edit: the old words no longer find it', async () => {
    const { app, room } = await appWithRoom();
    await app.search.load();
    expect(await app.messages.send(room, 'the old wording')).toBe(true);
    const self = app.kernel.self!;
    expect(await app.messages.edit(room, { author: self, seq: 1 }, 'a fresh phrasing')).toBe(true);
    expect(await texts(app, 'wording')).toEqual([]);
    expect(await texts(app, 'phrasing')).toEqual(['a fresh phrasing']);
  });

  it('drops a deleted message and a deleted conversation', async () => {
    const { app, room } = await appWithRoom();
    await app.search.load();
    expect(await app.messages.send(room, 'secret plan')).toBe(true);
    expect(await app.messages.send(room, 'public plan')).toBe(true);
    expect(await app.messages.delete(room, { author: app.kernel.self!, seq: 1 })).toBe(true);
    expect(await texts(app, 'plan')).toEqual(['public plan']);
    expect(await app.conversations.deleteConversation(room)).toBe(true);
    expect(await texts(app, 'plan')).toEqual([]);
    // Gone from the storage too, not only hidden.
    const index = await openIdbSearchIndex({ name: h.dbName });
    try {
      expect(
        await index.search({
          terms: [{ token: 'plan', isPrefix: false }],
          limit: 9,
          maxCandidates: 99,
        }),
      ).toEqual([]);
      expect((await index.state())?.purging).toEqual([]);
    } finally {
      index.close();
    }
  });

  it('applies an edit that arrives before its message, and ignores an older edit', async () => {
    const { room } = await appWithRoom();
    const index = await openIdbSearchIndex({ name: h.dbName });
    try {
      const ref = { conv: room, author: 'A', seq: 1 };
      const find = async (token: string) =>
        (
          await index.search({ terms: [{ token, isPrefix: false }], limit: 9, maxCandidates: 99 })
        ).map((hit) => hit.text);
      await index.apply([
        { op: 'edit', ...ref, editHlc: 'h3', text: 'new words', tokens: ['new', 'words'] },
      ]);
      expect(await find('new')).toEqual([]);
      await index.apply([
        { op: 'message', ...ref, hlc: 'h1', text: 'old words', tokens: ['old', 'words'] },
      ]);
      expect(await find('new')).toEqual(['new words']);
      expect(await find('old')).toEqual([]);
      await index.apply([{ op: 'edit', ...ref, editHlc: 'h2', text: 'stale', tokens: ['stale'] }]);
      expect(await find('stale')).toEqual([]);
      await index.apply([
        { op: 'delete', ...ref },
        { op: 'message', ...ref, hlc: 'h1', text: 'old', tokens: ['old'] },
      ]);
      expect(await find('words')).toEqual([]);
      expect(await find('old')).toEqual([]);
    } finally {
      index.close();
    }
  });

  it('indexes messages synced from another member', async () => {
    const hub = new MemoryHub();
    const alice = await h.memberOn(hub, 'alice', {});
    const bob = await h.memberOn(hub, 'bob', {});
    const { room } = await meetInRoom(alice, bob);
    await alice.search.load();
    expect(await bob.messages.send(room, 'hello from Bob')).toBe(true);
    await vi.waitFor(async () => expect(await texts(alice, 'bob')).toEqual(['hello from Bob']), {
      timeout: 5_000,
    });
  });

  it('resumes the background build after a reload from where it stopped', async () => {
    const { app, room } = await appWithRoom();
    const count = BUILD_BATCH_EVENTS * 2 + 10;
    await seed(
      app,
      room,
      Array.from({ length: count }, (_, i) => `message number${i}`),
    );

    // The first page load stops after one batch (the page closed).
    const first = await openIdbSearchIndex({ name: h.dbName });
    const stopping: SearchIndex = {
      apply: (ops) => first.apply(ops),
      state: () => first.state(),
      readEventsAfter: (after, limit) => first.readEventsAfter(after, limit),
      purgeBatch: (conv, limit) => first.purgeBatch(conv, limit),
      search: (query) => first.search(query),
      clear: () => first.clear(),
      readAround: (...args) => first.readAround(...args),
      readChanges: (...args) => first.readChanges(...args),
      readAfter: (...args) => first.readAfter(...args),
      saveState: async (state, ops) => {
        await first.saveState(state, ops);
        // The first batch is saved: the page closes.
        if (state.after !== null) indexer.stop();
      },
    };
    const indexer = new SearchIndexer(app.kernel, stopping, { early: [], isOverflowed: false });
    await indexer.settled();
    const saved = await first.state();
    first.close();
    expect(saved?.isDone).toBe(false);
    expect(saved?.after).not.toBeNull();

    // The next one reads on from the saved position, not from the start.
    const second = await openIdbSearchIndex({ name: h.dbName });
    try {
      const reads = vi.spyOn(second, 'readEventsAfter');
      const resumed = new SearchIndexer(app.kernel, second, { early: [], isOverflowed: false });
      await resumed.settled();
      expect(reads.mock.calls[0]?.[0]).toEqual(saved?.after);
      expect(resumed.isBuilding).toBe(false);
      const hits = await resumed.search(`number${count - 1}`);
      expect(hits.map((hit) => hit.text)).toEqual([`message number${count - 1}`]);
      expect(await resumed.search('number0 ')).toHaveLength(1);
    } finally {
      second.close();
    }
  });
});
