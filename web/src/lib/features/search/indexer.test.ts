import { afterEach, describe, expect, it, vi } from 'vitest';
import { roomKeyFromSecret } from '../../crypto/room-keys';
import { isKnownEvent } from '../../domain/events';
import { MemoryHub } from '../../net/memory-transport';
import type { Parley } from '../../parley';
import type { EventContent } from '../../protocol/events';
import type { RoomKey } from '../../protocol/ids';
import type { SearchIndex } from '../../storage/search-store';
import { openIdbSearchIndex, type IdbSearchIndex } from '../../storage/idb-search';
import { appHarness } from '../../testing/app-harness';
import { fakeFingerprint, fakeSign, makeEvent } from '../../testing/factories';
import { meetInRoom } from '../../testing/meet-in-room';
import { SearchIndexer } from './indexer';
import {
  BUILD_BATCH_EVENTS,
  FLOOD_EVENTS,
  INDEX_FLOOD_MAX_DELAY_MS,
  INDEX_MAX_DELAY_MS,
  INDEX_QUIET_MS,
  MAX_RESULTS,
} from './search-limits';
import { queryTerms, tokenize, type QueryTerm } from './tokenize';

const h = appHarness();
/** The real `setTimeout`, for waiting on storage while a test's timers are fake. */
const realSetTimeout = globalThis.setTimeout;
/** Another member of the room, whose history floods in. */
const MEMBER = fakeFingerprint(7);

/** A ready app with an open room; its search loaded on demand by the test. */
async function appWithRoom(): Promise<{ app: Parley; room: RoomKey }> {
  const app = await h.readyApp();
  const secret = (await app.conversations.createRoom())!;
  const room = await roomKeyFromSecret(secret);
  return { app, room };
}

/** Stores `texts` as own messages in one write (fast, like a long history). */
async function seed(app: Parley, room: RoomKey, texts: readonly string[]): Promise<void> {
  if (texts.length === 0) return;
  const store = app.kernel.store!;
  const contents = texts.map((text): EventContent => ({ kind: 'text', body: { text } }));
  const result = await store.appendOwnEvents({
    conv: room,
    author: app.kernel.self!,
    contents,
    sign: fakeSign,
    nowMs: Date.now(),
  });
  expect(result.ok).toBe(true);
}

/** `index` with some methods replaced. */
function replacing(index: IdbSearchIndex, replaced: Partial<SearchIndex>): SearchIndex {
  return new Proxy(index, {
    get(target, key) {
      if (Object.hasOwn(replaced, key)) return replaced[key as keyof SearchIndex];
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
    },
  });
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
    const { app, room } = await appWithRoom();
    // A stored message (the search leaves out what the store no longer holds); indexed by hand.
    await seed(app, room, ['the message']);
    const [message] = await app.kernel.store!.listEvents(room);
    const hlc = message!.hlc;
    const index = await openIdbSearchIndex({ name: h.dbName });
    try {
      const ref = { conv: room, author: message!.author, seq: message!.seq };
      const find = async (token: string) =>
        (
          await index.search({ terms: [{ token, isPrefix: false }], limit: 9, maxCandidates: 99 })
        ).map((hit) => hit.text);
      await index.apply([
        { op: 'edit', ...ref, editHlc: 'h3', text: 'new words', tokens: ['new', 'words'] },
      ]);
      expect(await find('new')).toEqual([]);
      await index.apply([
        { op: 'message', ...ref, hlc, text: 'old words', tokens: ['old', 'words'] },
      ]);
      expect(await find('new')).toEqual(['new words']);
      expect(await find('old')).toEqual([]);
      await index.apply([{ op: 'edit', ...ref, editHlc: 'h2', text: 'stale', tokens: ['stale'] }]);
      expect(await find('stale')).toEqual([]);
      await index.apply([
        { op: 'delete', ...ref },
        { op: 'message', ...ref, hlc, text: 'old', tokens: ['old'] },
      ]);
      expect(await find('words')).toEqual([]);
      expect(await find('old')).toEqual([]);
    } finally {
      index.close();
    }
  });

  it('applies changes of the same message in one batch in their order', async () => {
    const { app, room } = await appWithRoom();
    await seed(app, room, ['first', 'second']);
    const [one, two] = await app.kernel.store!.listEvents(room);
    const index = await openIdbSearchIndex({ name: h.dbName });
    try {
      const find = async (token: string) =>
        (
          await index.search({ terms: [{ token, isPrefix: false }], limit: 9, maxCandidates: 99 })
        ).map((hit) => hit.text);
      const ref = (e: typeof one) => ({ conv: room, author: e!.author, seq: e!.seq });
      await index.apply([
        { op: 'message', ...ref(one), hlc: one!.hlc, text: 'alpha', tokens: ['alpha'] },
        { op: 'edit', ...ref(one), editHlc: 'h9', text: 'bravo', tokens: ['bravo'] },
        { op: 'message', ...ref(two), hlc: two!.hlc, text: 'charlie', tokens: ['charlie'] },
        { op: 'forget', conv: room, author: two!.author, seqs: [two!.seq] },
        { op: 'message', ...ref(two), hlc: two!.hlc, text: 'delta', tokens: ['delta'] },
      ]);
      expect(await find('alpha')).toEqual([]);
      expect(await find('bravo')).toEqual(['bravo']);
      expect(await find('charlie')).toEqual([]);
      expect(await find('delta')).toEqual(['delta']);
    } finally {
      index.close();
    }
  });

  it('indexes a burst once the store is quiet, or after the longest wait', async () => {
    const { app, room } = await appWithRoom();
    const index = await openIdbSearchIndex({ name: h.dbName });
    try {
      const indexer = new SearchIndexer(app.kernel, index);
      await indexer.settled();
      const step = INDEX_QUIET_MS / 2;
      const applied = vi.spyOn(index, 'saveState');
      const messagesApplied = () =>
        applied.mock.calls.map(([, ops]) => (ops ?? []).filter((op) => op.op === 'message').length);
      // Only the indexer's timers and clock are fake: fake-indexeddb schedules with setImmediate.
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
      try {
        await seed(app, room, ['one']);
        await seed(app, room, ['two']);
        await vi.advanceTimersByTimeAsync(INDEX_QUIET_MS - 1);
        expect(messagesApplied()).toEqual([]);
        await vi.advanceTimersByTimeAsync(1);
        await vi.waitFor(() => expect(messagesApplied()).toEqual([2]));

        // A room that is never quiet for INDEX_QUIET_MS is still indexed after the longest wait.
        for (let waited = 0; waited < INDEX_MAX_DELAY_MS; waited += step) {
          await seed(app, room, [`busy ${waited}`]);
          await vi.advanceTimersByTimeAsync(step);
        }
        await vi.waitFor(() => expect(messagesApplied().length).toBe(2));
        expect(messagesApplied()[1]).toBe(INDEX_MAX_DELAY_MS / step);
      } finally {
        vi.useRealTimers();
      }
      await indexer.settled();
      expect((await indexer.search('busy')).length).toBe(INDEX_MAX_DELAY_MS / step);
      indexer.stop();
    } finally {
      index.close();
    }
  });

  /**
   * An indexer over a room holding a little history, whose start waits for `start()`, with its
   * reads of the history counted; the test's timers (and Date) are fake from here on.
   */
  function gatedBuild(app: Parley, index: IdbSearchIndex) {
    let start = () => undefined as void;
    const started = new Promise<void>((resolve) => (start = resolve));
    const gated = replacing(index, {
      state: async () => {
        await started;
        return index.state();
      },
    });
    const reads = vi.spyOn(index, 'readEventsAfter');
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    return { indexer: new SearchIndexer(app.kernel, gated), start, reads };
  }

  /** Lets IndexedDB (fake-indexeddb, on real timers) answer what is pending. */
  async function settleStorage(): Promise<void> {
    for (let i = 0; i < 50; i++) await new Promise((resolve) => realSetTimeout(resolve, 0));
  }

  /** Waits, with the fake clock standing still, until `isDone` (storage answering meanwhile). */
  async function untilStored(isDone: () => boolean): Promise<void> {
    for (let i = 0; i < 100 && !isDone(); i++) await settleStorage();
    expect(isDone()).toBe(true);
  }

  it('holds its background reading back while a history floods in, at most the longest wait', async () => {
    const { app, room } = await appWithRoom();
    await seed(app, room, ['stored before the index']);
    const index = await openIdbSearchIndex({ name: h.dbName });
    // A member's history arriving in bursts, more to come after each (as the sync engine says).
    const flood = historyOf(app, room);
    try {
      const { indexer, start, reads } = gatedBuild(app, index);
      try {
        await flood();
        start();
        await settleStorage();
        // A burst every INDEX_QUIET_MS / 2: no batch is read ...
        const step = INDEX_QUIET_MS / 2;
        for (let waited = 0; waited < INDEX_MAX_DELAY_MS - step; waited += step) {
          await vi.advanceTimersByTimeAsync(step);
          await settleStorage();
          expect(reads).not.toHaveBeenCalled();
          await flood();
        }
        // ... until the longest wait is over, though the bursts go on.
        await vi.advanceTimersByTimeAsync(step);
        await untilStored(() => reads.mock.calls.length > 0);
        expect(reads).toHaveBeenCalledTimes(1);
        indexer.stop();
      } finally {
        vi.useRealTimers();
      }
    } finally {
      index.close();
    }
  });

  it('does not hold its background reading back for live messages', async () => {
    const { app, room } = await appWithRoom();
    await seed(app, room, ['stored before the index']);
    const index = await openIdbSearchIndex({ name: h.dbName });
    try {
      const { indexer, start, reads } = gatedBuild(app, index);
      try {
        await seed(app, room, ['a live message']);
        start();
        await settleStorage();
        await seed(app, room, ['another one']);
        // Only the page's turn (a timer of 0 ms) before the batch.
        await vi.advanceTimersByTimeAsync(1);
        await untilStored(() => reads.mock.calls.length > 0);
        indexer.stop();
      } finally {
        vi.useRealTimers();
      }
    } finally {
      index.close();
    }
  });

  /** Like `untilStored`, letting the page's turns (timers of 0 ms) pass as well. */
  async function untilIndexed(isDone: () => boolean): Promise<void> {
    for (let i = 0; i < 100 && !isDone(); i++) {
      await vi.advanceTimersByTimeAsync(1);
      await settleStorage();
    }
    expect(isDone()).toBe(true);
  }

  /** A member's history arriving in bursts of FLOOD_EVENTS, more to come after each. */
  function historyOf(app: Parley, room: RoomKey) {
    let seq = 0;
    return async () => {
      const burst = Array.from({ length: FLOOD_EVENTS }, () => {
        seq++;
        return makeEvent({
          conv: room,
          author: MEMBER,
          seq,
          hlc: Date.now() + seq,
          text: `h${seq}`,
        });
      });
      expect((await app.kernel.store!.addEvents(burst, Date.now(), true)).ok).toBe(true);
      return seq;
    };
  }

  it('indexes a history that floods in only once it is over, read again from the store', async () => {
    const { app, room } = await appWithRoom();
    const index = await openIdbSearchIndex({ name: h.dbName });
    try {
      const indexer = new SearchIndexer(app.kernel, index);
      await indexer.settled();
      const written = vi.spyOn(index, 'saveState');
      const applied = vi.spyOn(index, 'apply');
      const rereads = vi.spyOn(index, 'readEventsAbove');
      const messageOps = () =>
        [
          ...written.mock.calls.map(([, ops]) => ops ?? []),
          ...applied.mock.calls.map(([ops]) => ops),
        ]
          .flat()
          .filter((op) => op.op === 'message').length;
      const flood = historyOf(app, room);
      const told = vi.fn();
      indexer.subscribe(told);
      expect(indexer.isBuildingIn(room)).toBe(false);
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
      let received = 0;
      try {
        // Bursts every INDEX_QUIET_MS / 2 for longer than the longest wait of live changes, with
        // a message of our own among them: nothing is indexed meanwhile.
        const step = INDEX_QUIET_MS / 2;
        for (let waited = 0; waited <= INDEX_MAX_DELAY_MS + step; waited += step) {
          received = await flood();
          if (waited === step) await seed(app, room, ['typed during the flood']);
          await vi.advanceTimersByTimeAsync(step);
          await settleStorage();
        }
        expect(messageOps()).toBe(0);
        expect(rereads).not.toHaveBeenCalled();
        // Meanwhile a search says it may miss messages, in this room (and anywhere), not in
        // another; an open search heard of it when the flood began.
        expect(indexer.isBuildingIn(room)).toBe(true);
        expect(indexer.isBuildingIn()).toBe(true);
        expect(indexer.isBuildingIn(`${room}x`)).toBe(false);
        expect(told).toHaveBeenCalled();
        // Quiet: the room is read again from its mark, and all of it is in.
        await vi.advanceTimersByTimeAsync(INDEX_QUIET_MS);
        await untilIndexed(() => messageOps() === received + 1);
      } finally {
        vi.useRealTimers();
      }
      await indexer.settled();
      expect(rereads).toHaveBeenCalled();
      expect(indexer.isBuildingIn(room)).toBe(false);
      expect(await indexer.search(`h${received}`)).toHaveLength(1);
      expect((await indexer.search('h1 ')).map((hit) => hit.text)).toEqual(['h1']);
      expect(await indexer.search('typed flood')).toHaveLength(1);
      // Its mark is the room's vector: a reload reads nothing again.
      const vector = (await app.kernel.store!.getConversation(room))?.vector;
      expect((await index.state())?.marks[room]).toEqual(vector);
      indexer.stop();
    } finally {
      index.close();
    }
  });

  it('starts reading a history that never stops flooding again after the longest wait', async () => {
    const { app, room } = await appWithRoom();
    const index = await openIdbSearchIndex({ name: h.dbName });
    try {
      const indexer = new SearchIndexer(app.kernel, index);
      await indexer.settled();
      // Reading again starts by reading the room's vector.
      const rereads = vi.spyOn(index, 'storedVectors');
      const flood = historyOf(app, room);
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
      try {
        const step = INDEX_QUIET_MS / 2;
        for (let waited = 0; waited < INDEX_FLOOD_MAX_DELAY_MS - step; waited += step) {
          await flood();
          await vi.advanceTimersByTimeAsync(step);
        }
        await settleStorage();
        expect(rereads).not.toHaveBeenCalled();
        await flood();
        await vi.advanceTimersByTimeAsync(step);
        await untilIndexed(() => rereads.mock.calls.length > 0);
        indexer.stop();
      } finally {
        vi.useRealTimers();
      }
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
    const stopping = replacing(first, {
      saveState: async (state, ops) => {
        await first.saveState(state, ops);
        // The first batch is saved: the page closes.
        if (state.after !== null) indexer.stop();
      },
    });
    const indexer = new SearchIndexer(app.kernel, stopping);
    await indexer.settled();
    const saved = await first.state();
    first.close();
    expect(saved?.isDone).toBe(false);
    expect(saved?.after).not.toBeNull();

    // The next one reads on from the saved position, not from the start.
    const second = await openIdbSearchIndex({ name: h.dbName });
    try {
      const reads = vi.spyOn(second, 'readEventsAfter');
      const resumed = new SearchIndexer(app.kernel, second);
      await resumed.settled();
      expect(reads.mock.calls[0]?.[0]).toEqual(saved?.after);
      expect(resumed.isBuildingIn()).toBe(false);
      const hits = await resumed.search(`number${count - 1}`);
      expect(hits.map((hit) => hit.text)).toEqual([`message number${count - 1}`]);
      expect(await resumed.search('number0 ')).toHaveLength(1);
    } finally {
      second.close();
    }
  });
});

/** What a search must show: the newest `limit` stored messages holding every term, newest first. */
async function newestMatches(
  app: Parley,
  rooms: readonly RoomKey[],
  terms: readonly QueryTerm[],
  limit: number,
): Promise<string[]> {
  const found: { key: [string, string, string, number]; text: string }[] = [];
  for (const room of rooms) {
    for (const e of await app.kernel.store!.listEvents(room)) {
      if (!isKnownEvent(e) || e.kind !== 'text') continue;
      const tokens = tokenize(e.body.text);
      const isMatch = terms.every(({ token, isPrefix }) =>
        isPrefix ? tokens.some((t) => t.startsWith(token)) : tokens.includes(token),
      );
      if (isMatch) found.push({ key: [e.hlc, e.conv, e.author, e.seq], text: e.body.text });
    }
  }
  const order = (a: (typeof found)[number], b: (typeof found)[number]): number => {
    for (let i = 0; i < 4; i++) {
      const x = a.key[i] as string | number;
      const y = b.key[i] as string | number;
      if (x !== y) return x < y ? 1 : -1;
    }
    return 0;
  };
  return found
    .sort(order)
    .slice(0, limit)
    .map((m) => m.text);
}

/** Two rooms whose messages interleave in time: `perRound` in each, `rounds` times. */
async function interleaved(
  make: (i: number) => string,
  rounds: number,
  perRound: number,
): Promise<{ app: Parley; rooms: RoomKey[] }> {
  const { app, room } = await appWithRoom();
  const other = await roomKeyFromSecret((await app.conversations.createRoom())!);
  const rooms = [room, other];
  let i = 0;
  for (let round = 0; round < rounds; round++) {
    for (const r of rooms) {
      await seed(
        app,
        r,
        Array.from({ length: perRound }, () => make(i++)),
      );
    }
  }
  const search = await app.search.load();
  await search.settled();
  return { app, rooms };
}

/** Searches the index itself (limit and candidates of the test's choosing). */
async function query(
  text: string,
  opts: { limit?: number; maxCandidates?: number; conv?: RoomKey } = {},
): Promise<string[]> {
  const index = await openIdbSearchIndex({ name: h.dbName });
  try {
    const hits = await index.search({
      terms: queryTerms(text),
      limit: opts.limit ?? MAX_RESULTS,
      maxCandidates: opts.maxCandidates ?? 20_000,
      ...(opts.conv === undefined ? {} : { conv: opts.conv }),
    });
    return hits.map((hit) => hit.text);
  } finally {
    index.close();
  }
}

describe('the query plan', () => {
  it('shows the newest matches first and stops at the limit', async () => {
    const { app, rooms } = await interleaved((i) => `common word ${i}`, 3, 60);
    const expected = await newestMatches(app, rooms, queryTerms('common '), MAX_RESULTS);
    expect(expected).toHaveLength(MAX_RESULTS);
    // Fewer postings read than the word has: still the newest, not the first by key.
    expect(await query('common ', { maxCandidates: 100 })).toEqual(expected);
    expect(await query('common ', { limit: 7 })).toEqual(expected.slice(0, 7));
  });

  it('finds a rare word next to a common one, whichever comes first', async () => {
    const rare = new Set([3, 61, 250]);
    const { app, rooms } = await interleaved(
      (i) => (rare.has(i) ? `common rare ${i}` : `common ${i}`),
      3,
      60,
    );
    const expected = await newestMatches(app, rooms, queryTerms('common rare '), MAX_RESULTS);
    expect([...expected].sort()).toEqual(['common rare 250', 'common rare 3', 'common rare 61']);
    // The common word has 360 postings; leapfrogging reads around the rare word's three.
    expect(await query('common rare ', { maxCandidates: 150 })).toEqual(expected);
    expect(await query('rare common ', { maxCandidates: 150 })).toEqual(expected);
    expect(await query('common rar', { maxCandidates: 150 })).toEqual(expected);
  });

  it('matches the last word as a prefix of several words, newest first', async () => {
    const words = ['commute', 'common', 'community', 'comet'];
    const { app, rooms } = await interleaved(
      (i) => `${words[i % 4]} ${i % 3 ? 'bus' : 'car'} ${i}`,
      2,
      40,
    );
    for (const text of ['comm', 'co', 'car comm', 'common car', 'bus commu']) {
      const expected = await newestMatches(app, rooms, queryTerms(text), MAX_RESULTS);
      expect(expected.length).toBeGreaterThan(0);
      expect(await query(text), text).toEqual(expected);
    }
    expect(await query('commx')).toEqual([]);
  });

  it('matches a prefix of more than 32 words, read whole or checked word by word', async () => {
    const { app, rooms } = await interleaved(
      (i) => `w${String(i % 45).padStart(2, '0')} ${i % 2 ? 'odd' : 'even'} ${i}`,
      2,
      50,
    );
    for (const text of ['w', 'odd w', 'w4']) {
      const expected = await newestMatches(app, rooms, queryTerms(text), 20);
      expect(expected.length).toBeGreaterThan(0);
      expect(await query(text, { limit: 20 }), text).toEqual(expected);
      // Past `maxCandidates` postings the prefix's words are checked in each candidate.
      expect(await query(text, { limit: 20, maxCandidates: 60 }), text).toEqual(expected);
    }
  });

  it('narrows to one conversation, newest first', async () => {
    const { app, rooms } = await interleaved((i) => `lunch ${i}`, 3, 30);
    const [room, other] = rooms as [RoomKey, RoomKey];
    for (const conv of [room, other]) {
      const expected = await newestMatches(app, [conv], queryTerms('lunch'), 20);
      expect(await query('lunch', { conv, limit: 20, maxCandidates: 80 })).toEqual(expected);
    }
  });

  it('finds Chinese words inside sentences, newest first', async () => {
    const { app, rooms } = await interleaved(
      (i) => ['我们明天下午三点见面', '下午好', '今天下雨了', '明天下午见'][i % 4] + ` ${i}`,
      2,
      8,
    );
    // Every character and pair is a word: 下 is in all 32, 下午 in 24, 下午三点 in 8.
    const cases = [
      ['下', 50, 32],
      ['下午', 3, 3],
      ['下午', 50, 24],
      ['明天下午', 50, 16],
      ['下午三点', 50, 8],
    ] as const;
    for (const [text, limit, count] of cases) {
      const expected = await newestMatches(app, rooms, queryTerms(text), limit);
      expect(expected, text).toHaveLength(count);
      expect(await query(text, { limit }), text).toEqual(expected);
    }
  });

  it('reads the same backwards without getAllRecords (other browsers)', async () => {
    const { app, rooms } = await interleaved((i) => `common ${i % 5 ? '' : 'rare'} ${i}`, 2, 50);
    const stores = IDBObjectStore.prototype as unknown as Record<string, unknown>;
    const indexes = IDBIndex.prototype as unknown as Record<string, unknown>;
    const saved = [stores.getAllRecords, indexes.getAllRecords];
    delete stores.getAllRecords;
    delete indexes.getAllRecords;
    try {
      for (const text of ['common ', 'common rar', 'rare']) {
        const expected = await newestMatches(app, rooms, queryTerms(text), 30);
        expect(await query(text, { limit: 30 }), text).toEqual(expected);
      }
      const [room] = rooms as [RoomKey];
      const expected = await newestMatches(app, [room], queryTerms('rare'), 5);
      expect(await query('rare', { limit: 5, conv: room })).toEqual(expected);
    } finally {
      stores.getAllRecords = saved[0];
      indexes.getAllRecords = saved[1];
    }
  });
});

describe('a reload while the index is behind', () => {
  /** The app's indexer, caught up and then stopped (its queue dropped), as when the page goes. */
  async function closedIndexer(app: Parley): Promise<void> {
    const search = await app.search.load();
    await search.settled();
    search.stop();
  }

  /** The next page's indexer, on a connection of its own, once it has caught up. */
  async function reopened(app: Parley): Promise<SearchIndexer> {
    const index = await openIdbSearchIndex({ name: h.dbName });
    indexesToClose.push(index);
    const indexer = new SearchIndexer(app.kernel, index);
    await indexer.settled();
    return indexer;
  }

  const indexesToClose: IdbSearchIndex[] = [];
  afterEach(() => {
    for (const index of indexesToClose.splice(0)) index.close();
  });

  const found = async (indexer: SearchIndexer, text: string) =>
    (await indexer.search(text)).map((hit) => hit.text);

  it('indexes the messages and edits stored while its queue was behind', async () => {
    const { app, room } = await appWithRoom();
    expect(await app.messages.send(room, 'indexed alpha')).toBe(true);
    await closedIndexer(app);
    expect(await app.messages.send(room, 'queued bravo')).toBe(true);
    expect(await app.messages.send(room, 'queued charlie')).toBe(true);
    const self = app.kernel.self!;
    expect(await app.messages.edit(room, { author: self, seq: 1 }, 'edited delta')).toBe(true);

    const next = await reopened(app);
    expect(await found(next, 'queued')).toEqual(['queued charlie', 'queued bravo']);
    expect(await found(next, 'alpha')).toEqual([]);
    expect(await found(next, 'delta')).toEqual(['edited delta']);
    // The marks moved on: a third start reads nothing again.
    const index = await openIdbSearchIndex({ name: h.dbName });
    indexesToClose.push(index);
    const readsAbove = vi.spyOn(index, 'readEventsAbove');
    const third = new SearchIndexer(app.kernel, index);
    await third.settled();
    expect(readsAbove).toHaveBeenCalled();
    const batches = await Promise.all(
      readsAbove.mock.results.map((r) => r.value as ReturnType<SearchIndex['readEventsAbove']>),
    );
    expect(batches.flatMap((batch) => batch.events)).toEqual([]);
  });

  it('leaves out messages whose removal was still queued', async () => {
    const { app, room } = await appWithRoom();
    const other = await roomKeyFromSecret((await app.conversations.createRoom())!);
    expect(await app.messages.send(room, 'dropped echo')).toBe(true);
    expect(await app.messages.send(other, 'gone echo')).toBe(true);
    await closedIndexer(app);
    expect(await app.conversations.deleteConversation(other)).toBe(true);
    // The person deletes everything its author wrote here (as for a hostile member).
    const store = app.kernel.store!;
    expect((await store.deleteAuthorEvents(room, app.kernel.self!)).ok).toBe(true);
    expect(await app.messages.send(room, 'after echo')).toBe(true);

    const next = await reopened(app);
    expect(await found(next, 'echo')).toEqual(['after echo']);
    // The deleted conversation's entries are removed, not only hidden.
    const index = await openIdbSearchIndex({ name: h.dbName });
    indexesToClose.push(index);
    expect(await index.purgeBatch(other, 1)).toBe(true);
    expect((await index.state())?.purging).toEqual([]);
  });
});
