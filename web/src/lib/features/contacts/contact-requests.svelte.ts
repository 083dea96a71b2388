/**
 * Contact requests between members of a room (DESIGN §5): `contact-request` asks, the other
 * person sees "Accept" / "Decline", and the accepting side makes the pair secret and sends it
 * (`contact-accept`) over the authenticated link. An inviter's `contact-accept` completes a
 * contact link we opened.
 */
import { newRoomSecret } from '../../crypto/room-keys';
import type { FrameHandlers } from '../../kernel/frames';
import type { Kernel } from '../../kernel/kernel.svelte';
import { createLogger } from '../../log';
import type { MeshPeer } from '../../net/room-mesh';
import type { Contacts } from './contacts.svelte';
import type { Invites } from './invites.svelte';
import { saveContact } from './save-contact';
import type { Fingerprint, RoomKey, RoomSecret } from '../../protocol/ids';

const log = createLogger('contacts');

/** A contact request waiting for the person's answer. */
export interface ContactRequest {
  /** The requester's fingerprint (proven on the link). */
  fingerprint: Fingerprint;
  /** Their display name. */
  name: string;
  /** Their avatar colour. */
  color: string;
  /** The room whose link the request came over (the answer goes back the same way). */
  room: RoomKey;
}

/** How a contact request we sent stands. */
export type SentRequestState = 'sent' | 'declined';

/** Requests made and received. */
export class ContactRequests {
  #kernel: Kernel;
  #contacts: Contacts;
  #invites: Invites;
  /** Contact requests waiting for "Accept" / "Decline", oldest first. */
  #requests = $state.raw<ContactRequest[]>([]);
  /** Requests we sent, by fingerprint, and how they stand. */
  #sent = $state.raw<Readonly<Record<string, SentRequestState>>>({});

  /** The frames contact requests own. */
  readonly frames: Pick<FrameHandlers, 'contact-request' | 'contact-accept' | 'contact-decline'> = {
    'contact-request': (peer) => this.#handleRequest(peer),
    'contact-accept': (peer, frame) => this.#handleAccept(peer, frame.secret),
    'contact-decline': (peer) => {
      if (this.#sent[peer.fingerprint] !== 'sent') return;
      this.#sent = { ...this.#sent, [peer.fingerprint]: 'declined' };
    },
  };

  constructor(kernel: Kernel, contacts: Contacts, invites: Invites) {
    this.#kernel = kernel;
    this.#contacts = contacts;
    this.#invites = invites;
  }

  /** Contact requests waiting for an answer, oldest first. */
  get waiting(): ContactRequest[] {
    return this.#requests;
  }
  /** How a contact request we sent stands (undefined: none sent this session). */
  sentTo(fingerprint: Fingerprint): SentRequestState | undefined {
    return this.#sent[fingerprint];
  }

  /**
   * Asks a member of a room to become contacts, over their authenticated link in that room.
   * False (with a notice) when they are not connected now.
   */
  request(room: RoomKey, fingerprint: Fingerprint): boolean {
    const peer = this.#kernel.presence.linkedPeer(room, fingerprint);
    if (!peer || !this.#kernel.network.links.sendTo(peer, { type: 'contact-request' })) {
      this.#kernel.notices.show({ key: 'contacts.notReachable' });
      return false;
    }
    this.#sent = { ...this.#sent, [fingerprint]: 'sent' };
    return true;
  }

  /**
   * Answers a contact request. Accepting makes a pair secret, sends it over the requester's
   * link and saves the contact with its direct chat; false (with a notice) when that failed.
   */
  async answer(fingerprint: Fingerprint, accept: boolean): Promise<boolean> {
    const request = this.#requests.find((r) => r.fingerprint === fingerprint);
    if (!request) return false;
    this.#requests = this.#requests.filter((r) => r !== request);
    const links = this.#kernel.network.links;
    const peer = this.#kernel.presence.linkedPeer(request.room, fingerprint);
    if (!accept) {
      if (peer) links.sendTo(peer, { type: 'contact-decline' });
      return true;
    }
    const secret = newRoomSecret();
    if (!peer || !links.sendTo(peer, { type: 'contact-accept', secret })) {
      this.#kernel.notices.show({ key: 'contacts.notReachable' });
      return false;
    }
    return this.#save(peer, secret);
  }

  /** Sets a contact request aside unanswered (the person closed the dialog). */
  dismiss(fingerprint: Fingerprint): void {
    this.#requests = this.#requests.filter((r) => r.fingerprint !== fingerprint);
  }

  #handleRequest(peer: MeshPeer): void {
    if (this.#contacts.contact(peer.fingerprint)) {
      // Already contacts (they lost their copy): hand them the same direct chat again.
      const secret = this.#contacts.secretOf(peer.fingerprint);
      if (secret) this.#kernel.network.links.sendTo(peer, { type: 'contact-accept', secret });
      return;
    }
    if (this.#requests.some((r) => r.fingerprint === peer.fingerprint)) return;
    this.#requests = [
      ...this.#requests,
      {
        fingerprint: peer.fingerprint,
        name: peer.profile.name,
        color: peer.profile.color,
        room: peer.room,
      },
    ];
  }

  /**
   * Only an answer to our own request, or the inviter of a link we opened, makes a contact;
   * anything else is ignored.
   */
  async #handleAccept(peer: MeshPeer, secret: RoomSecret): Promise<void> {
    const known = this.#contacts.contact(peer.fingerprint);
    const invite = this.#invites.waitingIn(peer.room);
    if ((this.#sent[peer.fingerprint] !== 'sent' && !invite) || known) {
      if (invite && known) await this.#invites.complete(invite, peer.fingerprint);
      else log.warn('ignored a contact acceptance nobody asked for, from', peer.peerId);
      return;
    }
    if ((await this.#save(peer, secret)) && invite) {
      await this.#invites.complete(invite, peer.fingerprint);
    }
  }

  async #save(peer: MeshPeer, secret: RoomSecret): Promise<boolean> {
    const ok = await saveContact(this.#kernel, peer, secret);
    if (ok) {
      const sent = { ...this.#sent };
      delete sent[peer.fingerprint];
      this.#sent = sent;
    }
    return ok;
  }
}
