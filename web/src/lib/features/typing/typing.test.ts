import { afterEach, describe, expect, it, vi } from 'vitest';
import { textOf } from '../../domain/events';
import { TYPING_SEND_INTERVAL_MS, TYPING_SHOW_MS } from '../../config';
import { MemoryHub } from '../../net/memory-transport';
import type { ParleyDeps } from '../../parley';
import { appHarness } from '../../testing/app-harness';
import { meetInRoom } from '../../testing/meet-in-room';
import { TYPING_LOAD_WAIT_MS, TypingFacade } from './typing-facade.svelte';

const h = appHarness();

describe('typing', () => {
  /** Alice and Bob, linked in one room; Alice with `aliceDeps` (her clock, say). */
  async function twoInARoom(hub: MemoryHub, aliceDeps: Partial<ParleyDeps> = {}) {
    const alice = await h.memberOn(hub, 'Alice', { deps: aliceDeps });
    const bob = await h.memberOn(hub, 'Bob');
    const { room, bobFp } = await meetInRoom(alice, bob);
    return { alice, bob, room, bobFp };
  }

  /**
   * With fake timeouts: runs whatever is due (frames on the in-memory network, IndexedDB) until
   * `isDone`, without moving the fake clock, so a typing indicator's time only runs when the test
   * moves it — however long the machine takes.
   */
  async function untilDone(isDone: () => boolean): Promise<void> {
    while (!isDone()) await vi.advanceTimersByTimeAsync(0);
  }

  afterEach(() => {
    vi.useRealTimers();
  });

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
    const { alice, bob, room } = await twoInARoom(new MemoryHub());
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    alice.typing.noteTyping(room, 'H');
    await untilDone(() => bob.typing.typingIn(room).length > 0);
    expect(bob.typing.typingIn(room)).toEqual(['Alice']);
    await vi.advanceTimersByTimeAsync(TYPING_SHOW_MS - 1);
    expect(bob.typing.typingIn(room)).toEqual(['Alice']);
    await vi.advanceTimersByTimeAsync(1);
    expect(bob.typing.typingIn(room)).toEqual([]);
  });

  it('tells the room at most once per interval, even across a send', async () => {
    let aliceNow = Date.now();
    const { alice, bob, room, bobFp } = await twoInARoom(new MemoryHub(), {
      now: () => aliceNow,
    });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    alice.typing.noteTyping(room, 'H');
    await untilDone(() => bob.typing.typingIn(room).length > 0);
    await vi.advanceTimersByTimeAsync(TYPING_SHOW_MS);
    expect(bob.typing.typingIn(room)).toEqual([]);

    // Within the interval (Alice's clock stands still) nothing goes out, not even after a send
    // (the text cleared): in a quick exchange one frame per interval is enough. The contact
    // request behind it arrives in order, so by the time Bob has it, a typing frame sent before
    // it would be showing.
    alice.typing.noteTyping(room, 'He');
    alice.typing.noteTyping(room, '');
    alice.typing.noteTyping(room, 'Hi');
    expect(await alice.requests.request(room, bobFp)).toBe(true);
    await untilDone(() => bob.requests.waiting.length > 0);
    expect(bob.typing.typingIn(room)).toEqual([]);

    // Once the interval is over, the next keystroke is told again.
    aliceNow += TYPING_SEND_INTERVAL_MS;
    alice.typing.noteTyping(room, 'Hi!');
    await untilDone(() => bob.typing.typingIn(room).length > 0);
    expect(bob.typing.typingIn(room)).toEqual(['Alice']);
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

  it('before its code has loaded, holds a typing frame until it is here and hands keystrokes on', async () => {
    const { alice, bob, room } = await twoInARoom(new MemoryHub());
    const aliceFp = alice.kernel.self;
    const peer = aliceFp ? bob.kernel.presence.linkedPeer(room, aliceFp) : undefined;
    if (!peer) throw new Error('Bob has no link to Alice');
    // A facade whose code is not loaded yet (the app's starts loading with the store).
    const bobTyping = new TypingFacade(bob.kernel, (r, f) => bob.members.authorName(r, f));
    expect(bobTyping.typingIn(room)).toEqual([]);
    const handled = bobTyping.frames.typing(peer, { type: 'typing' });
    // The link's next frame waits for this promise: it settles once the frame is shown.
    expect(handled).toBeInstanceOf(Promise);
    await handled;
    expect(bobTyping.typingIn(room)).toEqual(['Alice']);
    // A message of hers ends it, as it does for the app's own.
    expect(await alice.messages.send(room, 'Hi')).toBe(true);
    await vi.waitFor(() => expect(bobTyping.typingIn(room)).toEqual([]), { timeout: 5_000 });

    // Alice's keystroke before her code is here is not lost: it goes out once it is.
    const aliceTyping = new TypingFacade(alice.kernel, (r, f) => alice.members.authorName(r, f));
    aliceTyping.noteTyping(room, 'H');
    await vi.waitFor(() => expect(bob.typing.typingIn(room)).toEqual(['Alice']), {
      timeout: 5_000,
    });
  });

  it('drops a typing frame when its code takes too long, so the link is not held up', async () => {
    const { alice, bob, room } = await twoInARoom(new MemoryHub());
    const aliceFp = alice.kernel.self;
    const peer = aliceFp ? bob.kernel.presence.linkedPeer(room, aliceFp) : undefined;
    if (!peer) throw new Error('Bob has no link to Alice');
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    // Code that never arrives (a fetch that hangs).
    const stuck = new TypingFacade(
      bob.kernel,
      (r, f) => bob.members.authorName(r, f),
      () => new Promise(() => undefined),
    );
    let isSettled = false;
    void Promise.resolve(stuck.frames.typing(peer, { type: 'typing' })).then(() => {
      isSettled = true;
    });
    await vi.advanceTimersByTimeAsync(TYPING_LOAD_WAIT_MS - 1);
    expect(isSettled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(isSettled).toBe(true);
    expect(stuck.typingIn(room)).toEqual([]);
  });
});
