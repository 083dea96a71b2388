import { textOf } from '../../chat/events';
import { describe, expect, it, vi } from 'vitest';
import { MemoryHub } from '../../net/memory-transport';
import { meetInRoom } from '../../testing/meet-in-room';
import { appHarness } from '../../testing/app-harness';

const NOW = 1_700_000_000_000;
const h = appHarness({ now: NOW });

describe('typing', () => {
  /** Alice and Bob, linked in one room; Bob shows typing for `bobShowsTypingMs` if given. */
  async function twoInARoom(hub: MemoryHub, bobShowsTypingMs?: number) {
    const alice = await h.memberOn(hub, 'Alice');
    const bob = await h.memberOn(hub, 'Bob', { deps: { typingShowMs: bobShowsTypingMs } });
    const { room, bobFp } = await meetInRoom(alice, bob);
    return { alice, bob, room, bobFp };
  }

  it('shows Bob that Alice is typing until her message arrives', async () => {
    const { alice, bob, room } = await twoInARoom(new MemoryHub());
    expect(bob.typing.typingIn(room)).toEqual([]);
    alice.typing.noteTyping(room, 'Hel');
    await vi.waitFor(() => expect(bob.typing.typingIn(room)).toEqual(['Alice']), {
      timeout: 5_000,
    });
    expect(alice.typing.typingIn(room)).toEqual([]);

    alice.typing.noteTyping(room, 'Hello');
    expect(await alice.messages.send(room, 'Hello')).toBe(true);
    alice.typing.noteTyping(room, '');
    await vi.waitFor(
      () => expect(bob.timeline.messagesOf(room).map((e) => textOf(e))).toEqual(['Hello']),
      {
        timeout: 5_000,
      },
    );
    // Cleared by the message itself, long before the 6 s are up.
    expect(bob.typing.typingIn(room)).toEqual([]);
  });

  it('stops showing someone typing once the time is up', async () => {
    const { alice, bob, room } = await twoInARoom(new MemoryHub(), 100);
    alice.typing.noteTyping(room, 'H');
    await vi.waitFor(() => expect(bob.typing.typingIn(room)).toEqual(['Alice']), {
      timeout: 5_000,
    });
    await vi.waitFor(() => expect(bob.typing.typingIn(room)).toEqual([]), { timeout: 5_000 });
  });

  it('tells the room at most once per interval, even across a send', async () => {
    const { alice, bob, room, bobFp } = await twoInARoom(new MemoryHub(), 300);
    alice.typing.noteTyping(room, 'H');
    await vi.waitFor(() => expect(bob.typing.typingIn(room)).toEqual(['Alice']), {
      timeout: 5_000,
    });
    await vi.waitFor(() => expect(bob.typing.typingIn(room)).toEqual([]), { timeout: 5_000 });

    // Within the interval nothing goes out, not even after a send (the text cleared): in a
    // quick exchange one frame per interval is enough. The contact request behind it arrives
    // in order, so by the time Bob has it, a typing frame sent before it would be showing.
    alice.typing.noteTyping(room, 'He');
    alice.typing.noteTyping(room, '');
    alice.typing.noteTyping(room, 'Hi');
    expect(alice.requests.request(room, bobFp)).toBe(true);
    await vi.waitFor(() => expect(bob.requests.waiting).toHaveLength(1), {
      timeout: 5_000,
      interval: 5,
    });
    expect(bob.typing.typingIn(room)).toEqual([]);
  });

  it('stops showing a member whose link goes, and forgets a room that is left', async () => {
    const { alice, bob, room } = await twoInARoom(new MemoryHub());
    alice.typing.noteTyping(room, 'H');
    await vi.waitFor(() => expect(bob.typing.typingIn(room)).toEqual(['Alice']), {
      timeout: 5_000,
    });
    expect(await alice.conversations.leaveRoom(room)).toBe(true);
    await vi.waitFor(() => expect(bob.typing.typingIn(room)).toEqual([]), { timeout: 5_000 });
  });
});
