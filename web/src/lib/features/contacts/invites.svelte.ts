/**
 * One-time contact links (DESIGN §5): `#/i/<secret>`. The inviter waits in the link's room (kept
 * in settings, so across reloads) and makes whoever links there a contact at once — the link is
 * the consent; the invitee waits there until the inviter is online. An invite's room is never a
 * conversation: its members are not listed, and nothing is synced there.
 */
import { isRoomKey, isRoomSecret, newRoomSecret, roomKeyFromSecret } from '../../crypto/room-keys';
import type { Kernel } from '../../kernel/kernel.svelte';
import type { RoomSource } from '../../kernel/room-directory';
import { createLogger } from '../../log';
import type { MeshPeer } from '../../net/room-mesh';
import type { ChatStore } from '../../storage/chat-store';
import type { Contacts } from './contacts.svelte';
import { saveContact } from './save-contact';
import type { Fingerprint, RoomKey, RoomSecret } from '../../protocol/ids';

const log = createLogger('invites');

/** The settings key of the open invites. */
export const INVITES_SETTING = 'contactInvites';

/** A one-time contact link (DESIGN §5): its room is where inviter and invitee meet. */
export interface Invite {
  /** The link's secret (its fragment). */
  secret: RoomSecret;
  /** The room key derived from it. */
  room: RoomKey;
  /** Whether we made the link or opened someone else's. */
  role: 'inviter' | 'invitee';
  /** When it was made or opened (ms since epoch). */
  createdAt: number;
  /** Set once used: the fingerprint of the contact it made (kept in memory only). */
  contact?: Fingerprint;
}

/** What opening a contact link did. */
export type InviteOpening = 'waiting' | 'own' | 'invalid' | 'failed';

function isInvite(value: unknown): value is Invite {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    isRoomSecret(v.secret) &&
    isRoomKey(v.room) &&
    (v.role === 'inviter' || v.role === 'invitee') &&
    typeof v.createdAt === 'number' &&
    v.contact === undefined
  );
}

/** The contact links of this profile. */
export class Invites {
  #kernel: Kernel;
  #contacts: Contacts;
  #invites = $state.raw<Invite[]>([]);

  constructor(kernel: Kernel, contacts: Contacts) {
    this.#kernel = kernel;
    this.#contacts = contacts;
    const source: RoomSource = {
      id: 'invites',
      isListed: false,
      rooms: () => this.#invites.filter((i) => !i.contact).map((i) => [i.room, i.secret] as const),
      onPeerReady: (peer) => this.#handlePeer(peer),
    };
    kernel.directory.addSource(source);
    kernel.bus.on({
      change: ({ change, isFromOtherTab }) => {
        if (change.type !== 'setting' || change.key !== INVITES_SETTING || !isFromOtherTab) return;
        this.#reload().catch((error: unknown) => log.error('reading invites failed', error));
      },
    });
  }

  /** Reads the open invites (before the first screen). */
  async load(store: ChatStore): Promise<void> {
    const stored = await store.getSetting<unknown>(INVITES_SETTING);
    // Used ones stay in memory (their view says who they made a contact of); the store has the rest.
    const used = this.#invites.filter((i) => i.contact);
    const open = (Array.isArray(stored) ? stored.filter(isInvite) : []).filter(
      (i) => !used.some((u) => u.secret === i.secret),
    );
    this.#invites = [...used, ...open];
    this.#kernel.directory.reconcile();
  }

  /** A one-time contact link by its secret (ours or one we opened), if known. */
  invite(secret: string): Invite | undefined {
    return this.#invites.find((i) => i.secret === secret);
  }

  /** The link we opened whose room is `room` and that has not made a contact yet. */
  waitingIn(room: RoomKey): Invite | undefined {
    return this.#invites.find((i) => i.room === room && i.role === 'invitee' && !i.contact);
  }

  /**
   * Makes a one-time contact link and waits in its room: whoever opens it while we are online
   * becomes a contact. The secret (the link's fragment); null when it could not be saved.
   */
  async create(): Promise<RoomSecret | null> {
    const secret = newRoomSecret();
    const saved = await this.#add({
      secret,
      room: await roomKeyFromSecret(secret),
      role: 'inviter',
      createdAt: this.#kernel.now(),
    });
    return saved ? secret : null;
  }

  /**
   * Opens someone's contact link: waits in its room until the inviter is there, then the
   * inviter sends the pair secret (the link is the consent). Kept across reloads until done.
   */
  async redeem(secret: string): Promise<InviteOpening> {
    if (!isRoomSecret(secret)) return 'invalid';
    const known = this.invite(secret);
    if (known) return known.role === 'inviter' ? 'own' : 'waiting';
    const saved = await this.#add({
      secret,
      room: await roomKeyFromSecret(secret),
      role: 'invitee',
      createdAt: this.#kernel.now(),
    });
    return saved ? 'waiting' : 'failed';
  }

  /** The invite is used: leave its room, remember who it made a contact of. */
  async complete(invite: Invite, contact: Fingerprint): Promise<void> {
    this.#invites = this.#invites.map((i) => (i === invite ? { ...i, contact } : i));
    this.#kernel.directory.reconcile();
    const saved = await this.#kernel.store?.putSetting(
      INVITES_SETTING,
      this.#invites.filter((i) => !i.contact),
    );
    if (saved && !saved.ok) log.error('forgetting a used invite failed', saved.error);
  }

  async #add(invite: Invite): Promise<boolean> {
    const store = this.#kernel.store;
    if (!store) return false;
    // Re-read first: another tab of this profile may have added one since.
    await this.#reload();
    const next = [...this.#invites, invite];
    const saved = await store.putSetting(
      INVITES_SETTING,
      next.filter((i) => !i.contact),
    );
    if (!saved.ok) {
      this.#kernel.notices.reportStore(saved.error, 'error.contactSaveFailed');
      return false;
    }
    this.#invites = next;
    this.#kernel.directory.reconcile();
    return true;
  }

  async #reload(): Promise<void> {
    const store = this.#kernel.store;
    if (store) await this.load(store);
  }

  /** A member linked in an invite's room: the inviter makes the contact at once. */
  #handlePeer(peer: MeshPeer): void {
    const invite = this.#invites.find((i) => i.room === peer.room && !i.contact);
    if (invite?.role !== 'inviter') return;
    if (peer.fingerprint === this.#kernel.self) return;
    const secret = this.#contacts.contact(peer.fingerprint)
      ? this.#contacts.secretOf(peer.fingerprint)
      : newRoomSecret();
    if (!secret || !this.#kernel.network.links.sendTo(peer, { type: 'contact-accept', secret })) {
      return;
    }
    saveContact(this.#kernel, peer, secret)
      .then((ok) => (ok ? this.complete(invite, peer.fingerprint) : undefined))
      .catch((error: unknown) => log.error('completing an invite failed', error));
  }
}
