import { textOf } from '../../domain/events';
import { describe, expect, it, vi } from 'vitest';
import { roomKeyFromSecret } from '../../crypto/room-keys';
import { MemoryHub } from '../../net/memory-transport';
import type { Parley } from '../../parley';
import { appHarness } from '../../testing/app-harness';
import type { RoomKey } from '../../protocol/ids';

const NOW = 1_700_000_000_000;
const h = appHarness({ now: NOW });

/** Alice, on a hub of her own, in a room she created and has open. */
async function aliceInNewRoom() {
  const hub = new MemoryHub();
  const alice = await h.memberOn(hub, 'Alice');
  const secret = (await alice.conversations.createRoom())!;
  const room = await roomKeyFromSecret(secret);
  await alice.timeline.openRoom(secret);
  return { hub, alice, secret, room };
}

describe('delivery and read receipts', () => {
  const stateOf = (app: Parley, room: RoomKey, text: string) => {
    const event = app.timeline.messagesOf(room).find((e) => textOf(e) === text);
    return event && app.receipts.deliveryIn(room)(event);
  };

  it('shows an own message pending alone, then delivered and read once a member looks', async () => {
    const { hub, alice, secret, room } = await aliceInNewRoom();
    expect(await alice.messages.send(room, 'hello?')).toBe(true);
    expect(stateOf(alice, room, 'hello?')).toEqual({
      state: 'pending',
      deliveredTo: 0,
      readBy: 0,
      of: 0,
    });

    const bob = await h.memberOn(hub, 'Bob');
    expect(await bob.timeline.openRoom(secret)).toEqual({ status: 'open', room });
    await vi.waitFor(() => expect(bob.timeline.messagesOf(room)).toHaveLength(1), {
      timeout: 5_000,
    });
    await vi.waitFor(() => expect(stateOf(alice, room, 'hello?')?.state).toBe('read'), {
      timeout: 5_000,
    });
    expect(stateOf(alice, room, 'hello?')).toMatchObject({ deliveredTo: 1, readBy: 1, of: 1 });
    expect(stateOf(bob, room, 'hello?')).toBeNull();
    // Bob's marker is kept, so it is told again on every new link.
    expect(bob.conversations.conversation(room)?.readUpTo).toBe(
      bob.timeline.messagesOf(room)[0]?.hlc,
    );

    expect(await alice.messages.send(room, 'still there?')).toBe(true);
    await vi.waitFor(() => expect(stateOf(alice, room, 'still there?')?.state).toBe('read'), {
      timeout: 5_000,
    });
  });

  it('keeps one delivery function while nothing it shows changes, so a list is not redrawn', async () => {
    const { hub, alice, secret, room } = await aliceInNewRoom();
    const bob = await h.memberOn(hub, 'Bob');
    await bob.timeline.openRoom(secret);
    expect(await bob.messages.send(room, 'mine')).toBe(true);
    await vi.waitFor(() => expect(stateOf(bob, room, 'mine')?.state).toBe('read'), {
      timeout: 5_000,
    });
    // Both receipts of it are in: Alice's read marker and her vector holding it.
    const [aliceKey, bobKey] = [alice.kernel.self!, bob.kernel.self!];
    await vi.waitFor(
      () =>
        expect(bob.conversations.conversation(room)?.memberVectors?.[aliceKey]?.[bobKey]).toBe(1),
      { timeout: 5_000 },
    );
    const before = bob.receipts.deliveryIn(room);
    const record = bob.conversations.conversation(room);
    // Alice's messages move her vector and Bob's record, not what Bob's own message shows.
    expect(await alice.messages.send(room, 'one')).toBe(true);
    expect(await alice.messages.send(room, 'two')).toBe(true);
    await vi.waitFor(() => expect(bob.timeline.messagesOf(room)).toHaveLength(3), {
      timeout: 5_000,
    });
    await vi.waitFor(() => expect(bob.conversations.conversation(room)).not.toBe(record));
    expect(bob.receipts.deliveryIn(room)).toBe(before);
    // Bob's next message: its delivery is news, so the function is a new one.
    expect(await bob.messages.send(room, 'mine again')).toBe(true);
    await vi.waitFor(() => expect(stateOf(bob, room, 'mine again')?.state).toBe('read'), {
      timeout: 5_000,
    });
    expect(bob.receipts.deliveryIn(room)).not.toBe(before);
    // The last receipts are written before the test ends (its stores close after it).
    await vi.waitFor(
      () =>
        expect(bob.conversations.conversation(room)?.memberVectors?.[aliceKey]?.[bobKey]).toBe(2),
      { timeout: 5_000 },
    );
  });

  it('never counts a message as unread in the room the person has open, only in the others', async () => {
    const { hub, alice, secret, room } = await aliceInNewRoom();
    const bob = await h.memberOn(hub, 'Bob');
    expect(await bob.timeline.openRoom(secret)).toEqual({ status: 'open', room });
    const unreadSeen: number[] = [];
    bob.kernel.bus.on({
      change: ({ change }) => {
        if (change.type === 'conversation' && change.conversation.id === room) {
          unreadSeen.push(change.conversation.unread);
        }
      },
    });
    for (const text of ['one', 'two', 'three']) {
      expect(await alice.messages.send(room, text)).toBe(true);
    }
    await vi.waitFor(() => expect(bob.timeline.messagesOf(room)).toHaveLength(3), {
      timeout: 5_000,
    });
    expect(unreadSeen.length).toBeGreaterThan(0);
    expect(unreadSeen.every((unread) => unread === 0)).toBe(true);

    bob.timeline.closeRoom(secret);
    expect(await alice.messages.send(room, 'four')).toBe(true);
    await vi.waitFor(() => expect(bob.conversations.conversation(room)?.unread).toBe(1), {
      timeout: 5_000,
    });
  });
});
