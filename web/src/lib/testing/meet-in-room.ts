/**
 * Test helpers for apps on the in-memory network (not part of the app): the setup several test
 * files share.
 */
import { expect, vi } from 'vitest';
import { roomKeyFromSecret } from '../crypto/room-keys';
import type { Parley } from '../parley';
import type { Fingerprint, RoomKey, RoomSecret } from '../protocol/ids';

/**
 * Alice creates a room and both open it (Bob from her link, owner included); resolves once each
 * shows the other online.
 */
export async function meetInRoom(
  alice: Parley,
  bob: Parley,
): Promise<{ room: RoomKey; secret: RoomSecret; aliceFp: Fingerprint; bobFp: Fingerprint }> {
  const secret = await alice.conversations.createRoom();
  const [aliceFp, bobFp] = [alice.kernel.self, bob.kernel.self];
  if (!secret || !aliceFp || !bobFp) throw new Error('both need an identity, and the room a save');
  const room = await roomKeyFromSecret(secret);
  await alice.timeline.openRoom(secret);
  await bob.timeline.openRoom(secret, aliceFp);
  await vi.waitFor(
    () => {
      expect(alice.members.membersOf(room).find((m) => m.fingerprint === bobFp)?.isOnline).toBe(
        true,
      );
      expect(bob.members.membersOf(room).find((m) => m.fingerprint === aliceFp)?.isOnline).toBe(
        true,
      );
    },
    { timeout: 5_000 },
  );
  return { room, secret, aliceFp, bobFp };
}
