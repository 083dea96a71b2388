/**
 * The members of a conversation as people see them (DESIGN §4): stored member records (kept
 * current by handshakes and profile events) merged with who is linked now, and their names.
 * A member whose link closes is remembered with the time we last saw them. Names that look alike
 * in a conversation carry their fingerprint's tag, and avatar colours come from the key here,
 * never from what a member sent (DESIGN §4 "Names").
 */
import { colorForFingerprint } from '../../domain/avatar';
import { fingerprintTag, lookAlikeNames } from '../../domain/member-names';
import { sameValueKeeper } from '../../domain/same-value';
import { t } from '../../i18n/i18n';
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
  /** Display name, as they chose it (or the start of their fingerprint). */
  name: string;
  /** The name as shown: with their fingerprint's tag when it looks like another member's. */
  label: string;
  /** The start of their fingerprint (always shown in member lists and tooltips). */
  tag: string;
  /** Avatar colour, derived from their key here. */
  color: string;
  /** Linked right now (or this is us). */
  isOnline: boolean;
  /** This row is the local user. */
  isSelf: boolean;
  /** The person: the identity this key is a device of (DESIGN §4 "Devices"), else absent. */
  person?: Fingerprint | undefined;
}

/** A member before labels: who, their name, whether online. */
type MemberRow = Omit<MemberView, 'label' | 'tag' | 'color'>;

/** A peer's name as shown: what they announced, else the start of their fingerprint. */
export function shownName(name: string | undefined, fingerprint: Fingerprint): string {
  return name || fingerprint.slice(0, 8);
}

/** Members and names of conversations. */
export class Members {
  #kernel: Kernel;
  #conversations: Conversations;
  /** Each room's members and labels as last returned (kept while they stay the same). */
  readonly #members = sameValueKeeper<MemberView[]>();
  readonly #labels = sameValueKeeper<ReadonlyMap<Fingerprint, string>>();

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

  /**
   * The members of a room: you, then online, then by name. The same array while they stay the
   * same (the room's record changes with every message; its members rarely).
   */
  membersOf(room: RoomKey): MemberView[] {
    const rows = this.#rows(room);
    const alike = lookAlikeNames(rows);
    const collator = new Intl.Collator();
    const members: MemberView[] = rows
      .map((row) => ({
        ...row,
        label: labelOf(row, alike),
        tag: fingerprintTag(row.fingerprint),
        color: colorForFingerprint(row.fingerprint),
      }))
      .sort(
        (a, b) =>
          Number(b.isSelf) - Number(a.isSelf) ||
          Number(b.isOnline) - Number(a.isOnline) ||
          collator.compare(a.name, b.name) ||
          a.fingerprint.localeCompare(b.fingerprint),
      );
    return this.#members(room, members);
  }

  /**
   * The shown names of a room's members by fingerprint (for a whole message list at once): their
   * names, with the fingerprint's tag where two look alike.
   */
  labelsOf(room: RoomKey): ReadonlyMap<Fingerprint, string> {
    const rows = this.#rows(room);
    const alike = lookAlikeNames(rows);
    const labels = rows.map((row): [Fingerprint, string] => [row.fingerprint, labelOf(row, alike)]);
    // The record changes with every message; the names rarely. The same Map while they stay
    // the same, so a view deriving from it (every row of a message list) is not updated.
    return this.#labels(room, new Map(labels), JSON.stringify(labels));
  }

  /** The shown name of an author in a room (see `labelsOf`; the start of the fingerprint if unknown). */
  authorName(room: RoomKey, fingerprint: Fingerprint): string {
    return this.labelsOf(room).get(fingerprint) ?? shownName(undefined, fingerprint);
  }

  /** Stored members, then linked ones, then us; each once. */
  #rows(room: RoomKey): MemberRow[] {
    const self = this.#kernel.identity;
    const conversation = this.#conversations.conversation(room);
    const rows = new Map<Fingerprint, MemberRow>();
    for (const m of Object.values(conversation?.members ?? {})) {
      rows.set(m.fingerprint, {
        fingerprint: m.fingerprint,
        name: shownName(m.name, m.fingerprint),
        isOnline: false,
        isSelf: false,
        person: m.root,
      });
    }
    for (const peer of this.#kernel.presence.peersOf(room)) {
      // The stored record is the fresher: a rename during the link arrives as a profile event.
      const known = rows.get(peer.fingerprint);
      rows.set(peer.fingerprint, {
        fingerprint: peer.fingerprint,
        name: known?.name ?? shownName(peer.profile.name, peer.fingerprint),
        isOnline: true,
        isSelf: false,
        person: peer.root?.fingerprint,
      });
    }
    if (self) {
      rows.set(self.fingerprint, {
        fingerprint: self.fingerprint,
        name: self.name,
        isOnline: true,
        isSelf: true,
        person: self.earlierKeys?.[0],
      });
    }
    return [...rows.values()];
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
      root: peer.root?.fingerprint,
    });
    if (!saved.ok) this.#kernel.notices.reportStore(saved.error);
  }
}

/** A member's shown name: ours as it is (it says "you"), others' tagged when they look alike. */
function labelOf(row: MemberRow, alike: ReadonlySet<Fingerprint>): string {
  return alike.has(row.fingerprint) && !row.isSelf
    ? t('member.nameWithTag', { name: row.name, tag: fingerprintTag(row.fingerprint) })
    : row.name;
}
