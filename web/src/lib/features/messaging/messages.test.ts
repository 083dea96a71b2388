import { describe, expect, it, vi } from 'vitest';
import { textOf } from '../../domain/events';
import { roomKeyFromSecret } from '../../crypto/room-keys';
import { MemoryHub } from '../../net/memory-transport';
import type { ChatEvent } from '../../protocol/events';
import { appHarness } from '../../testing/app-harness';
import { fakeFingerprint } from '../../testing/factories';

const ALICE = fakeFingerprint(2);
const NOW = 1_700_000_000_000;
const h = appHarness({ now: NOW });

describe('send', () => {
  it('stores into the room it is given, not the one open now', async () => {
    const app = await h.readyApp();
    const [a, b] = [
      (await app.conversations.createRoom())!,
      (await app.conversations.createRoom())!,
    ];
    const [roomA, roomB] = [await roomKeyFromSecret(a), await roomKeyFromSecret(b)];
    await app.timeline.openRoom(b);
    expect(await app.messages.send(roomA, 'for A')).toBe(true);
    expect(app.conversations.conversation(roomA)?.lastPreview).toContain('for A');
    expect(app.conversations.conversation(roomB)?.lastPreview).toBe('');
    expect(app.timeline.messagesOf(roomB)).toEqual([]);
  });
});

describe('reply, react, edit, delete', () => {
  it('stores them as events of the room, and refuses to edit or delete someone else’s', async () => {
    const app = await h.readyApp();
    const secret = (await app.conversations.createRoom())!;
    const open = await app.timeline.openRoom(secret);
    if (open.status !== 'open') throw new Error('room not open');
    const self = app.kernel.identity!.fingerprint;
    expect(await app.messages.send(open.room, 'first')).toBe(true);
    const first = { author: self, seq: 1 };
    expect(await app.messages.send(open.room, 'answer', first)).toBe(true);
    expect(await app.messages.react(open.room, first, '👍', true)).toBe(true);
    expect(await app.messages.edit(open.room, first, 'first, edited')).toBe(true);
    expect(await app.messages.delete(open.room, { author: self, seq: 2 })).toBe(true);

    const someoneElse = { author: ALICE, seq: 1 };
    expect(await app.messages.edit(open.room, someoneElse, 'hijack')).toBe(false);
    expect(await app.messages.delete(open.room, someoneElse)).toBe(false);
    expect(await app.messages.react(open.room, first, 'x'.repeat(17), true)).toBe(false);
    expect(await app.messages.edit(open.room, first, '   ')).toBe(false);

    expect(app.timeline.messagesOf(open.room).map((e) => e.kind)).toEqual([
      'text',
      'text',
      'reaction',
      'edit',
      'delete',
    ]);
    expect(app.timeline.messagesOf(open.room)[1]).toMatchObject({
      body: { text: 'answer', replyTo: first },
    });
    expect(await app.messages.setRoomMeta(open.room, '  ', '')).toBe('invalid');
    expect(await app.messages.setRoomMeta(open.room, 'Evil\u202Ename', '')).toBe('invalid');
    expect(await app.messages.setRoomMeta(open.room, 'Trip', 'x'.repeat(257))).toBe('invalid');
    expect(await app.messages.setRoomMeta(open.room, ' Trip ', ' Packing ')).toBe(true);
    expect(app.conversations.conversation(open.room)).toMatchObject({
      title: 'Trip',
      topic: 'Packing',
    });
    // Our own events are never unread.
    expect(app.conversations.conversation(open.room)?.unread).toBe(0);
  });
});

describe('onIncoming', () => {
  it('tells about texts from others as they are stored, not about our own', async () => {
    const hub = new MemoryHub();
    const alice = await h.memberOn(hub, 'Alice');
    const bob = await h.memberOn(hub, 'Bob');
    const heardByAlice: string[] = [];
    const heardByBob: string[] = [];
    const listen = (list: string[]) => (_room: string, events: readonly ChatEvent[]) =>
      list.push(...events.map((e) => textOf(e)));
    alice.messages.onIncoming(listen(heardByAlice));
    const stop = bob.messages.onIncoming(listen(heardByBob));

    const secret = (await alice.conversations.createRoom())!;
    const room = await roomKeyFromSecret(secret);
    await alice.timeline.openRoom(secret);
    await bob.timeline.openRoom(secret);
    expect(await alice.messages.send(room, 'are you there?')).toBe(true);
    await vi.waitFor(() => expect(heardByBob).toEqual(['are you there?']), { timeout: 5_000 });
    expect(heardByAlice).toEqual([]);

    stop();
    expect(await alice.messages.send(room, 'after unsubscribing')).toBe(true);
    await vi.waitFor(() => expect(bob.timeline.messagesOf(room)).toHaveLength(2), {
      timeout: 5_000,
    });
    expect(heardByBob).toEqual(['are you there?']);
  });
});
