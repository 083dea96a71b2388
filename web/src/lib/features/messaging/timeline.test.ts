import { textOf } from '../../domain/events';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { MemoryHub } from '../../net/memory-transport';
import { fakeFingerprint, fakeRoomKey, makeConversation, makeEvent } from '../../testing/factories';
import { newRoomSecret, roomKeyFromSecret } from '../../crypto/room-keys';
import { MESSAGE_PAGE_SIZE } from '../../config';
import { StoreFailure } from '../../storage/chat-store';
import { openIdbStore } from '../../storage/idb-store';
import { appHarness, overriding } from '../../testing/app-harness';
import { meetInRoom } from '../../testing/meet-in-room';
import { FLOOD_SHOW_MS } from './timeline.svelte';

const ALICE = fakeFingerprint(2);
const NOW = 1_700_000_000_000;
const h = appHarness({ now: NOW });

describe('openRoom', () => {
  it('lets the later of two opens win, whichever finishes first', async () => {
    const app = await h.readyApp();
    const existing = await app.conversations.createRoom();
    const fresh = newRoomSecret();
    const [a, b] = await Promise.all([
      app.timeline.openRoom(fresh),
      app.timeline.openRoom(existing!),
    ]);
    expect(a).toEqual({ status: 'superseded' });
    expect(b).toEqual({ status: 'open', room: await roomKeyFromSecret(existing!) });
    expect(app.timeline.activeRoom).toBe(await roomKeyFromSecret(existing!));
  });

  it('opens nothing when the view closed before the open finished', async () => {
    const app = await h.readyApp();
    const secret = newRoomSecret();
    const opening = app.timeline.openRoom(secret);
    app.timeline.closeRoom(secret);
    expect(await opening).toEqual({ status: 'superseded' });
    expect(app.timeline.activeRoom).toBeNull();
  });

  it('ignores the close of a view that a newer open replaced', async () => {
    const app = await h.readyApp();
    const [a, b] = [newRoomSecret(), newRoomSecret()];
    const first = app.timeline.openRoom(a);
    const second = app.timeline.openRoom(b);
    app.timeline.closeRoom(a);
    expect(await first).toEqual({ status: 'superseded' });
    expect(await second).toEqual({ status: 'open', room: await roomKeyFromSecret(b) });
  });

  it('tells a malformed link from a store failure', async () => {
    const app = h.makeApp({
      openStore: async () => {
        const store = await openIdbStore({ name: h.dbName });
        h.track(store);
        return overriding(store, {
          createConversation: () =>
            Promise.resolve({ ok: false, error: { kind: 'unknown', message: 'disk gone' } }),
        });
      },
    });
    await app.kernel.init();
    await app.profile.createIdentity('Ada');
    expect(await app.timeline.openRoom('not-a-secret')).toEqual({ status: 'invalid' });
    expect(await app.timeline.openRoom(newRoomSecret())).toEqual({ status: 'failed' });
    expect(app.kernel.notices.current?.key).toBe('error.roomSaveFailed');
  });

  it('still opens the room when marking it read fails, and reports that', async () => {
    const secret = newRoomSecret();
    const room = await roomKeyFromSecret(secret);
    const seed = await openIdbStore({ name: h.dbName });
    await seed.putConversation(makeConversation({ id: room, secret }));
    await seed.addEvents([makeEvent({ conv: room, author: ALICE })], NOW);
    seed.close();
    const app = await h.readyApp({
      openStore: h.openStoreReplacing({
        markRead: () => Promise.reject(new StoreFailure({ kind: 'unknown', message: 'locked' })),
      }),
    });
    expect(app.conversations.conversation(room)?.unread).toBe(1);
    expect(await app.timeline.openRoom(secret)).toEqual({ status: 'open', room });
    expect(app.timeline.messagesOf(room)).toHaveLength(1);
    expect(app.kernel.notices.current).toEqual({
      key: 'error.markReadFailed',
      params: { reason: 'locked' },
    });
  });
});

describe('connect first', () => {
  it('reads a room’s history only once its dials have made their offers', async () => {
    const hub = new MemoryHub();
    const alice = await h.memberOn(hub, 'Alice');
    const secret = (await alice.conversations.createRoom())!;
    const room = await roomKeyFromSecret(secret);
    await vi.waitFor(() => expect(hub.membersOf(room)).toEqual(['peer-Alice']));
    /** Bob's dials to Alice at the moment his history of the room was first read. */
    let dialsAtRead: string[] | null = null;
    const bob = await h.memberOn(hub, 'Bob', {
      deps: { historyDialWaitMaxMs: 60_000 },
      replaced: {
        listEvents: async (conv, opts) => {
          if (conv === room && dialsAtRead === null) {
            const links = [...(hub.transport('peer-Bob')?.links ?? [])];
            dialsAtRead = links.filter((l) => l.isDialer).map((l) => l.remoteId);
          }
          const store = await h.openStore(`${h.dbName}-Bob`);
          return store.listEvents(conv, opts);
        },
      },
    });
    await vi.waitFor(() => expect(bob.kernel.network.status).toBe('online'));
    // The signal server is slow to answer Bob's join: the room is saved, its history not read.
    hub.holdJoins();
    const opening = bob.timeline.openRoom(secret, alice.kernel.self);
    await vi.waitFor(() => expect(bob.conversations.conversation(room)).toBeDefined());
    expect(bob.timeline.isLoadingMessages(room)).toBe(true);
    expect(dialsAtRead).toBeNull();
    hub.releaseJoins();
    expect(await opening).toEqual({ status: 'open', room });
    expect(dialsAtRead).toEqual(['peer-Alice']);
  });

  it('reads the history anyway when the signal server does not answer in time', async () => {
    const hub = new MemoryHub();
    const bob = await h.memberOn(hub, 'Bob', { deps: { historyDialWaitMaxMs: 20 } });
    await vi.waitFor(() => expect(bob.kernel.network.status).toBe('online'));
    hub.holdJoins();
    const secret = newRoomSecret();
    const room = await roomKeyFromSecret(secret);
    expect(await bob.timeline.openRoom(secret)).toEqual({ status: 'open', room });
    expect(bob.timeline.isLoadingMessages(room)).toBe(false);
  });

  it('shows what arrives while the history is read only together with that history', async () => {
    const secret = newRoomSecret();
    const room = await roomKeyFromSecret(secret);
    const history = Array.from({ length: 3 }, (_, i) =>
      makeEvent({ conv: room, author: ALICE, seq: i + 1, hlc: NOW - 60_000 + i, text: `old ${i}` }),
    );
    const seed = await openIdbStore({ name: h.dbName });
    await seed.putConversation(makeConversation({ id: room, secret }));
    await seed.addEvents(history, NOW);
    seed.close();
    let releaseRead: () => void = () => undefined;
    const readHeld = new Promise<void>((resolve) => (releaseRead = resolve));
    const app = await h.readyApp({
      openStore: h.openStoreReplacing({
        listEvents: async (conv, opts) => {
          await readHeld;
          const store = await h.openStore();
          return store.listEvents(conv, opts);
        },
      }),
    });
    const opening = app.timeline.openRoom(secret);
    await vi.waitFor(() => expect(app.timeline.isLoadingMessages(room)).toBe(true));
    // A message is stored (as sync stores one) while the history is being read.
    const late = makeEvent({ conv: room, author: ALICE, seq: 4, hlc: NOW, text: 'new' });
    expect((await app.kernel.store?.addEvents([late], NOW))?.ok).toBe(true);
    await vi.waitFor(() => expect(app.conversations.conversation(room)?.lastPreview).toBe('new'));
    expect(app.timeline.messagesOf(room)).toEqual([]);
    releaseRead();
    expect(await opening).toEqual({ status: 'open', room });
    expect(app.timeline.messagesOf(room).map((e) => textOf(e))).toEqual([
      'old 0',
      'old 1',
      'old 2',
      'new',
    ]);
  });
});

describe('send bursts and the loaded window', () => {
  it('stores a burst of sends once each, in the order typed, and shows them in that order', async () => {
    const app = await h.readyApp();
    const room = await h.openNewRoom(app);
    const texts = Array.from({ length: 40 }, (_, i) => `burst ${i}`);
    // Typed faster than one store: later texts wait and are written together.
    const results = await Promise.all(texts.map((text) => app.messages.send(room, text)));
    expect(results.every(Boolean)).toBe(true);
    const shown = app.timeline.messagesOf(room);
    expect(shown.map((e) => textOf(e))).toEqual(texts);
    expect(shown.map((e) => e.seq)).toEqual(texts.map((_, i) => i + 1));
    expect(app.conversations.conversation(room)?.lastPreview).toBe('burst 39');
  });

  it('reports a failed store and resolves false for every text of the failed batch', async () => {
    let failing = false;
    const app = await h.readyApp({
      openStore: async (events) => {
        const store = await openIdbStore({
          name: h.dbName,
          onVersionChange: () => events.onVersionChange(),
        });
        h.track(store);
        return overriding(store, {
          appendOwnEvents: (args) =>
            failing
              ? Promise.resolve({ ok: false, error: { kind: 'quota', message: 'full' } })
              : store.appendOwnEvents(args),
        });
      },
    });
    const room = await h.openNewRoom(app);
    failing = true;
    expect(await Promise.all([app.messages.send(room, 'a'), app.messages.send(room, 'b')])).toEqual(
      [false, false],
    );
    expect(app.kernel.notices.current?.key).toBe('error.storageFull');
    failing = false;
    expect(await app.messages.send(room, 'c')).toBe(true);
    expect(app.timeline.messagesOf(room).map((e) => textOf(e))).toEqual(['c']);
  });

  it('keeps the window small while following', async () => {
    const app = await h.readyApp();
    const secret = (await app.conversations.createRoom())!;
    const open = await app.timeline.openRoom(secret);
    if (open.status !== 'open') throw new Error('room not open');
    const texts = Array.from({ length: 2 * MESSAGE_PAGE_SIZE + 50 }, (_, i) => `m${i}`);
    for (let i = 0; i < texts.length; i += 50) {
      await Promise.all(texts.slice(i, i + 50).map((text) => app.messages.send(open.room, text)));
    }
    const loaded = app.timeline.messagesOf(open.room);
    expect(loaded.length).toBeLessThanOrEqual(2 * MESSAGE_PAGE_SIZE);
    expect(textOf(loaded.at(-1)!)).toBe(texts.at(-1));
    expect(app.timeline.hasOlderMessages(open.room)).toBe(true);
  });
});

describe('a history flooding in', () => {
  it('waits for the rest of a flood (at most FLOOD_SHOW_MS), showing its last state at once and loading until then', async () => {
    const app = await h.readyApp();
    const room = await h.openNewRoom(app);
    let seq = 0;
    const burst = (n: number) =>
      Array.from({ length: n }, () => {
        seq++;
        return makeEvent({ conv: room, author: ALICE, seq, hlc: NOW + seq, text: `h${seq}` });
      });
    const store = app.kernel.store!;
    const shown = () => app.timeline.messagesOf(room);
    // The wait is a timer of the test's: a slow store cannot let it run out between bursts.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    onTestFinished(() => void vi.useRealTimers());
    // Bursts with more to come wait; the last one shows all of them at once.
    expect(app.timeline.isLoadingMessages(room)).toBe(false);
    expect((await store.addEvents(burst(40), NOW, true)).ok).toBe(true);
    expect((await store.addEvents(burst(40), NOW, true)).ok).toBe(true);
    expect(shown()).toHaveLength(0);
    // Meanwhile the empty log says its history is loading, not that the room has none.
    expect(app.timeline.isLoadingMessages(room)).toBe(true);
    expect((await store.addEvents(burst(40), NOW)).ok).toBe(true);
    expect(shown()).toHaveLength(120);
    expect(app.timeline.isLoadingMessages(room)).toBe(false);
    // A long flood still shows its progress every FLOOD_SHOW_MS (later bursts do not put it off);
    // with messages shown, the log does not say it is loading.
    expect((await store.addEvents(burst(40), NOW, true)).ok).toBe(true);
    expect(app.timeline.isLoadingMessages(room)).toBe(false);
    vi.advanceTimersByTime(FLOOD_SHOW_MS / 2);
    expect((await store.addEvents(burst(20), NOW, true)).ok).toBe(true);
    vi.advanceTimersByTime(FLOOD_SHOW_MS / 2 - 1);
    expect(shown()).toHaveLength(120);
    vi.advanceTimersByTime(1);
    expect(shown()).toHaveLength(180);
    // What Ada writes meanwhile shows at once, with what waited.
    expect((await store.addEvents(burst(1), NOW, true)).ok).toBe(true);
    expect(await app.messages.send(room, 'mine')).toBe(true);
    expect(shown()).toHaveLength(182);
    expect(shown().map((e) => textOf(e))).toContain('mine');
  });

  it('hears from sync when what a link brought is all stored', async () => {
    const hub = new MemoryHub();
    const alice = await h.memberOn(hub, 'Alice');
    const bob = await h.memberOn(hub, 'Bob');
    const { room } = await meetInRoom(alice, bob);
    const settled = vi.spyOn(bob.timeline, 'historySettled');
    expect(await alice.messages.send(room, 'hello')).toBe(true);
    await vi.waitFor(() => expect(settled).toHaveBeenCalledWith(room));
  });

  it('shows what waited once the link’s history is all stored, though its last burst stored nothing', async () => {
    const app = await h.readyApp();
    const room = await h.openNewRoom(app);
    const store = app.kernel.store!;
    const events = Array.from({ length: 40 }, (_, i) =>
      makeEvent({ conv: room, author: ALICE, seq: i + 1, hlc: NOW + i + 1, text: `h${i + 1}` }),
    );
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    onTestFinished(() => void vi.useRealTimers());
    expect((await store.addEvents(events, NOW, true)).ok).toBe(true);
    // The last burst held nothing new (sent again after a reconnect): no change notice comes.
    expect((await store.addEvents(events.slice(0, 10), NOW)).ok).toBe(true);
    expect(app.timeline.messagesOf(room)).toHaveLength(0);
    // The sync engine says the link's inbox is drained: shown now, not FLOOD_SHOW_MS later.
    app.timeline.historySettled(fakeRoomKey(9));
    expect(app.timeline.messagesOf(room)).toHaveLength(0);
    app.timeline.historySettled(room);
    expect(app.timeline.messagesOf(room)).toHaveLength(40);
  });
});
