/**
 * Saving a contact (DESIGN §5): the person with their pinned key, and their direct chat keyed by
 * the pair secret (which the network then joins). Used by contact requests and contact links,
 * loaded with them after the first screen.
 */
import { roomKeyFromSecret } from '../../crypto/room-keys';
import type { Kernel } from '../../kernel/kernel.svelte';
import type { MeshPeer } from '../../net/room-mesh';
import type { RoomSecret } from '../../protocol/ids';

/** Saves `peer` as a contact whose direct chat is keyed by `secret`; false (with a notice) when that failed. */
export async function saveContact(
  kernel: Kernel,
  peer: MeshPeer,
  secret: RoomSecret,
): Promise<boolean> {
  const store = kernel.store;
  if (!store) return false;
  const conv = await roomKeyFromSecret(secret);
  const now = kernel.now();
  const saved = await store.addContact(
    {
      fingerprint: peer.fingerprint,
      spki: peer.spki,
      name: peer.profile.name,
      color: peer.profile.color,
      conv,
      addedAt: now,
    },
    {
      id: conv,
      kind: 'direct',
      contact: peer.fingerprint,
      secret,
      title: peer.profile.name,
      createdAt: now,
      lastActivityAt: now,
      lastPreview: '',
      unread: 0,
      members: {
        [peer.fingerprint]: {
          fingerprint: peer.fingerprint,
          spki: peer.spki,
          name: peer.profile.name,
          color: peer.profile.color,
          lastSeenAt: now,
        },
      },
      vector: {},
    },
  );
  if (!saved.ok) {
    kernel.notices.reportStore(saved.error, 'error.contactSaveFailed');
    return false;
  }
  return true;
}
