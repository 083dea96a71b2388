import { describe, expect, it, vi } from 'vitest';
import { MemoryHub } from '../../net/memory-transport';
import { foldCallLogs } from '../../domain/call-log';
import type { Parley } from '../../parley';
import { appHarness } from '../../testing/app-harness';
import { meetInRoom } from '../../testing/meet-in-room';
import type { RoomKey } from '../../protocol/ids';

const h = appHarness();

async function linkedPair() {
  const hub = new MemoryHub();
  const alice = await h.memberOn(hub, 'Alice');
  const bob = await h.memberOn(hub, 'Bob');
  const { room, bobFp } = await meetInRoom(alice, bob);
  return { alice, bob, room, bobFp };
}

const callLogsOf = (app: Parley, room: RoomKey) =>
  foldCallLogs(app.timeline.messagesOf(room)).map((e) => e.body.outcome);

describe('calls through the app', () => {
  it('loads the call layer on an incoming call, which rings', async () => {
    const { alice, bob, room, bobFp } = await linkedPair();
    expect(bob.calls.controller).toBeNull();
    const calls = await alice.calls.load();
    expect(await calls?.callMember(room, bobFp, 'video')).toBe(true);
    await vi.waitFor(() => expect(bob.calls.controller?.state.phase).toBe('incoming'), {
      timeout: 5_000,
    });
    expect(bob.calls.controller?.peerName).toBe('Alice');
    await vi.waitFor(() => expect(calls?.state).toMatchObject({ isRinging: true }));
  });

  it('a declined call leaves one "declined" line in both histories', async () => {
    const { alice, bob, room, bobFp } = await linkedPair();
    const calls = await alice.calls.load();
    await calls?.callMember(room, bobFp, 'audio');
    await vi.waitFor(() => expect(bob.calls.controller?.state.phase).toBe('incoming'), {
      timeout: 5_000,
    });
    bob.calls.controller?.decline();
    await vi.waitFor(() => expect(callLogsOf(alice, room)).toEqual(['declined']), {
      timeout: 5_000,
    });
    await vi.waitFor(() => expect(callLogsOf(bob, room)).toEqual(['declined']), {
      timeout: 5_000,
    });
    expect(calls?.notice).toBe('declined');
  });

  it('hangs up on page leave before saying goodbye, so the other side ends at once', async () => {
    const { alice, bob, room, bobFp } = await linkedPair();
    const calls = await alice.calls.load();
    await calls?.callMember(room, bobFp, 'video');
    await vi.waitFor(() => expect(bob.calls.controller?.state.phase).toBe('incoming'), {
      timeout: 5_000,
    });
    alice.kernel.sayGoodbye();
    await vi.waitFor(() => expect(bob.calls.controller?.lastEnded?.outcome).toBe('cancelled'), {
      timeout: 5_000,
    });
  });
});
