/**
 * Contacts (DESIGN §5): people saved with their pinned key and a pair secret whose room is the
 * direct chat; verified after comparing safety numbers; blocked people reach us nowhere.
 */
import type { Kernel } from '../../kernel/kernel.svelte';
import type { MeshPeer } from '../../net/room-mesh';
import type { ChatStore, Contact, Conversation } from '../../storage/chat-store';
import { contactViews, type ContactView } from './contact-views';
import type { Fingerprint, RoomKey, RoomSecret } from '../../protocol/ids';

/** What contacts read of other features. */
export interface ContactsPorts {
  /** Every stored conversation (direct chats carry the contacts' current names). */
  conversations(): readonly Conversation[];
  /** One conversation by room key. */
  conversation(room: RoomKey): Conversation | undefined;
}

/** The saved contacts of this profile. */
export class Contacts {
  #kernel: Kernel;
  #ports: ContactsPorts;
  #contacts = $state.raw<Contact[]>([]);
  /**
   * Contacts as shown: the name and colour they last told us (their direct chat's member record,
   * which handshakes and profile events keep current) and when we last saw them, sorted by name.
   */
  #views = $derived.by(() => contactViews(this.#contacts, this.#ports.conversations()));

  constructor(kernel: Kernel, ports: ContactsPorts) {
    this.#kernel = kernel;
    this.#ports = ports;
    kernel.bus.on({
      change: ({ change }) => {
        if (change.type !== 'contact') return;
        const { contact } = change;
        const others = this.#contacts.filter((c) => c.fingerprint !== contact.fingerprint);
        this.#contacts = [...others, contact];
        // Blocked here or in another tab: cut off wherever this tab is linked to them.
        if (contact.blocked) kernel.network.links.disconnect(contact.fingerprint);
      },
    });
  }

  /** Reads the contacts (before the first screen). */
  async load(store: ChatStore): Promise<void> {
    this.#contacts = await store.listContacts();
  }

  /** Saved contacts, by name in the reader's language's order. */
  get list(): ContactView[] {
    return this.#views;
  }
  /** One contact by fingerprint. */
  contact(fingerprint: Fingerprint): ContactView | undefined {
    return this.#views.find((c) => c.fingerprint === fingerprint);
  }
  /**
   * True for a contact whose safety number we verified. From the contact records alone, not the
   * views, which follow the conversations: a message list asks for every row, and a new message
   * elsewhere must not make every row ask again.
   */
  isVerified(fingerprint: Fingerprint): boolean {
    return this.#contacts.some((c) => c.fingerprint === fingerprint && c.verified === true);
  }
  /** True for a blocked contact (their events are never stored). */
  isBlocked(fingerprint: Fingerprint): boolean {
    return this.#contacts.some((c) => c.fingerprint === fingerprint && c.blocked === true);
  }
  /** True while the contact is connected in their direct chat. */
  isOnline(fingerprint: Fingerprint): boolean {
    const conv = this.contact(fingerprint)?.conv;
    return !!conv && this.#kernel.presence.linkedPeer(conv, fingerprint) !== undefined;
  }
  /** The direct chat's secret of a contact, for opening it (never shown). */
  secretOf(fingerprint: Fingerprint): RoomSecret | null {
    const conv = this.contact(fingerprint)?.conv;
    return (conv && this.#ports.conversation(conv)?.secret) || null;
  }
  /** The safety number the person and a contact compare (the same on both sides). */
  async safetyNumberWith(fingerprint: Fingerprint): Promise<string | null> {
    const self = this.#kernel.self;
    if (!self) return null;
    const { safetyNumber } = await import('../../crypto/safety-number');
    return safetyNumber(self, fingerprint);
  }

  /** Marks a contact verified (safety numbers compared) or not; false when it failed. */
  setVerified(fingerprint: Fingerprint, verified: boolean): Promise<boolean> {
    return this.#update(fingerprint, { verified });
  }

  /**
   * Blocks or unblocks a contact. Blocked, their links are closed now and refused in every room
   * from then on, so nothing they send reaches this browser directly.
   */
  async setBlocked(fingerprint: Fingerprint, blocked: boolean): Promise<boolean> {
    const ok = await this.#update(fingerprint, { blocked });
    if (ok && blocked) this.#kernel.network.links.disconnect(fingerprint);
    // Unblocked: ask every room for its members again, so we dial them (they stopped trying).
    if (ok && !blocked) this.#kernel.directory.rejoinAll();
    return ok;
  }

  /**
   * Whether a member may use a link: a blocked contact nowhere; in a direct chat only the
   * contact's pinned key. Anyone else, even with the pair secret, is refused and the person warned.
   */
  admits(peer: MeshPeer): boolean {
    // A device of an identity (DESIGN §4 "Devices") is that identity to contacts.
    const who = peer.root ?? peer;
    if (this.isBlocked(peer.fingerprint) || this.isBlocked(who.fingerprint)) return false;
    const conversation = this.#ports.conversation(peer.room);
    if (conversation?.kind !== 'direct') return true;
    const contact = conversation.contact ? this.contact(conversation.contact) : undefined;
    // The contact, or another browser of ours (DESIGN §4 "Devices": it holds the pair secret too).
    const me = this.#kernel.identity;
    if (
      (contact?.fingerprint === who.fingerprint && contact.spki === who.spki) ||
      who.fingerprint === (me?.earlierKeys?.[0] ?? me?.fingerprint)
    ) {
      return true;
    }
    this.#kernel.notices.show({
      key: 'contacts.keyMismatch',
      params: { name: contact?.name ?? conversation.title },
    });
    return false;
  }

  async #update(
    fingerprint: Fingerprint,
    change: Pick<Contact, 'verified' | 'blocked'>,
  ): Promise<boolean> {
    const store = this.#kernel.store;
    if (!store) return false;
    const saved = await store.updateContact(fingerprint, change);
    if (!saved.ok) {
      this.#kernel.notices.reportStore(saved.error, 'error.contactSaveFailed');
      return false;
    }
    return saved.value !== undefined;
  }
}
