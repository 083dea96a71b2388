/**
 * The members of a conversation as people see them (DESIGN §4): stored member records (kept
 * current by handshakes and profile events) merged with who is linked now, and their names.
 * A member whose link closes is remembered with the time we last saw them.
 */
import type { Kernel } from '../../kernel/kernel.svelte';
import { createLogger } from '../../log';
import type { MeshPeer } from '../../net/room-mesh';
import type { Conversations } from './conversations.svelte';
import type { Fingerprint, RoomKey } from '../../protocol/ids';

const log = createLogger('members');

/** A member row as the Members list shows it. */
export interface MemberView {
  /** Identity fingerprint. */
  fingerprint: Fingerprint;
  /** Display name. */
  name: string;
  /** Avatar colour. */
  color: string;
  /** Linked right now (or this is us). */
  isOnline: boolean;
  /** This row is the local user. */
  isSelf: boolean;
}

/** A peer's name as shown: what they announced, else the start of their fingerprint. */
export function shownName(name: string | undefined, fingerprint: Fingerprint): string {
  return name || fingerprint.slice(0, 8);
}

/** Members and names of conversations. */
export class Members {
  #kernel: Kernel;
  #conversations: Conversations;

  constructor(kernel: Kernel, conversations: Conversations) {
    this.#kernel = kernel;
    this.#conversations = conversations;
    kernel.bus.on({
      'peer-gone': (peer) => {
        this.#remember(peer).catch((error: unknown) =>
          log.error('remembering a member failed', error),
        );
      },
    });
  }

  /** The members of a room: you, then online, then by name. */
  membersOf(room: RoomKey): MemberView[] {
    const self = this.#kernel.identity;
    const conversation = this.#conversations.conversation(room);
    const rows = new Map<string, MemberView>();
    for (const m of Object.values(conversation?.members ?? {})) {
      rows.set(m.fingerprint, {
        fingerprint: m.fingerprint,
        name: shownName(m.name, m.fingerprint),
        color: m.color,
        isOnline: false,
        isSelf: false,
      });
    }
    for (const peer of this.#kernel.presence.peersOf(room)) {
      // The stored record is the fresher: a rename during the link arrives as a profile event.
      const known = rows.get(peer.fingerprint);
      rows.set(peer.fingerprint, {
        fingerprint: peer.fingerprint,
        name: known?.name ?? shownName(peer.profile.name, peer.fingerprint),
        color: known?.color ?? peer.profile.color,
        isOnline: true,
        isSelf: false,
      });
    }
    if (self) {
      rows.set(self.fingerprint, {
        fingerprint: self.fingerprint,
        name: self.name,
        color: self.color,
        isOnline: true,
        isSelf: true,
      });
    }
    const collator = new Intl.Collator();
    return [...rows.values()].sort(
      (a, b) =>
        Number(b.isSelf) - Number(a.isSelf) ||
        Number(b.isOnline) - Number(a.isOnline) ||
        collator.compare(a.name, b.name),
    );
  }

  /** The display name of an author in a room (falls back to a short fingerprint). */
  authorName(room: RoomKey, fingerprint: Fingerprint): string {
    const self = this.#kernel.identity;
    if (fingerprint === self?.fingerprint) return self.name;
    // The stored record is the fresher: a rename during a link arrives as a profile event.
    const member = this.#conversations.conversation(room)?.members[fingerprint];
    if (member?.name) return member.name;
    const linked = this.#kernel.presence.linkedPeer(room, fingerprint);
    return shownName(linked?.profile.name, fingerprint);
  }

  /** A member's link closed: remember when we last saw them (never their name: see below). */
  async #remember(peer: MeshPeer): Promise<void> {
    const store = this.#kernel.store;
    if (!store) return;
    // No name: the link's is from its handshake, and a profile event since may have renamed them.
    const saved = await store.upsertMember(peer.room, {
      fingerprint: peer.fingerprint,
      spki: peer.spki,
      name: '',
      color: peer.profile.color,
      lastSeenAt: this.#kernel.now(),
    });
    if (!saved.ok) this.#kernel.notices.reportStore(saved.error);
  }
}
