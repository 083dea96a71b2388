import { textOf } from '../../domain/events';
import { describe, expect, it } from 'vitest';
import { fakeFingerprint, makeConversation, makeEvent } from '../../testing/factories';
import { newRoomSecret, roomKeyFromSecret } from '../../crypto/room-keys';
import { MESSAGE_PAGE_SIZE } from '../../config';
import { StoreFailure } from '../../storage/chat-store';
import { openIdbStore } from '../../storage/idb-store';
import { appHarness, overriding } from '../../testing/app-harness';

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

describe('send bursts and the loaded window', () => {
  it('stores a burst of sends once each, in the order typed, and shows them in that order', async () => {
    const app = await h.readyApp();
    const secret = (await app.conversations.createRoom())!;
    const opened = await app.timeline.openRoom(secret);
    if (opened.status !== 'open') throw new Error(`room not open: ${opened.status}`);
    const texts = Array.from({ length: 40 }, (_, i) => `burst ${i}`);
    // Typed faster than one store: later texts wait and are written together.
    const results = await Promise.all(texts.map((text) => app.messages.send(opened.room, text)));
    expect(results.every(Boolean)).toBe(true);
    const shown = app.timeline.messagesOf(opened.room);
    expect(shown.map((e) => textOf(e))).toEqual(texts);
    expect(shown.map((e) => e.seq)).toEqual(texts.map((_, i) => i + 1));
    expect(app.conversations.conversation(opened.room)?.lastPreview).toBe('burst 39');
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
    const secret = (await app.conversations.createRoom())!;
    const open = await app.timeline.openRoom(secret);
    if (open.status !== 'open') throw new Error('room not open');
    failing = true;
    expect(
      await Promise.all([app.messages.send(open.room, 'a'), app.messages.send(open.room, 'b')]),
    ).toEqual([false, false]);
    expect(app.kernel.notices.current?.key).toBe('error.storageFull');
    failing = false;
    expect(await app.messages.send(open.room, 'c')).toBe(true);
    expect(app.timeline.messagesOf(open.room).map((e) => textOf(e))).toEqual(['c']);
  });

  it('keeps the window small while following, and pages the rest back in order', async () => {
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

    // Reading back: nothing is dropped while the reader is not at the newest message.
    app.timeline.followLatest(open.room, false);
    while (app.timeline.hasOlderMessages(open.room)) {
      expect(await app.timeline.loadOlderMessages(open.room)).toBe(true);
    }
    expect(app.timeline.messagesOf(open.room).map((e) => textOf(e))).toEqual(texts);
    await app.messages.send(open.room, 'one more');
    expect(app.timeline.messagesOf(open.room)).toHaveLength(texts.length + 1);
  });
});
