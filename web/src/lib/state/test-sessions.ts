/**
 * Test helpers for sessions on the in-memory network (not part of the app): the setup several
 * session test files share.
 */
import { expect, vi } from 'vitest';
import { roomKeyFromSecret } from '../crypto/room-keys';
import type { ChatSession } from './chat-session.svelte';

/**
 * Alice creates a room and both open it (Bob from her link, owner included); resolves once each
 * shows the other online.
 */
export async function meetInRoom(
  alice: ChatSession,
  bob: ChatSession,
): Promise<{ room: string; secret: string; aliceFp: string; bobFp: string }> {
  const secret = await alice.createRoom();
  const [aliceFp, bobFp] = [alice.identity?.fingerprint, bob.identity?.fingerprint];
  if (!secret || !aliceFp || !bobFp) throw new Error('both need an identity, and the room a save');
  const room = await roomKeyFromSecret(secret);
  await alice.openRoom(secret);
  await bob.openRoom(secret, aliceFp);
  await vi.waitFor(
    () => {
      expect(alice.membersOf(room).find((m) => m.fingerprint === bobFp)?.isOnline).toBe(true);
      expect(bob.membersOf(room).find((m) => m.fingerprint === aliceFp)?.isOnline).toBe(true);
    },
    { timeout: 5_000 },
  );
  return { room, secret, aliceFp, bobFp };
}
