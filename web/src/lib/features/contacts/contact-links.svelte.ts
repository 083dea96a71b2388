/**
 * Contact requests and one-time contact links as the rest of the app sees them (DESIGN §5). Their
 * code (contact-making.ts) loads right after the first screen: nothing they do is needed to draw
 * it. Until it is here, nobody is waiting for an answer, frames that arrive wait for it in order,
 * and actions wait for it; the open invites are read as soon as it is here, and their rooms then
 * join the network.
 */
import type { FrameHandlers } from '../../kernel/frames';
import type { Kernel } from '../../kernel/kernel.svelte';
import { createLogger } from '../../log';
import type { ChatStore } from '../../storage/chat-store';
import type { Contacts } from './contacts.svelte';
import type { ContactRequest, ContactRequests, SentRequestState } from './contact-requests.svelte';
import type { Invite, InviteOpening, Invites } from './invites.svelte';
import type { Fingerprint, RoomKey, RoomSecret } from '../../protocol/ids';

const log = createLogger('contacts');

/** The loaded parts. */
interface Loaded {
  invites: Invites;
  requests: ContactRequests;
}

/** Loads contact-making.ts once and builds its parts; both facades below go through it. */
export class ContactLinks {
  #kernel: Kernel;
  #contacts: Contacts;
  #loaded = $state.raw<Loaded | null>(null);
  #loading: Promise<Loaded> | null = null;
  #store: ChatStore | null = null;

  /** One-time contact links. */
  readonly invites: InvitesFacade;
  /** Contact requests. */
  readonly requests: RequestsFacade;

  constructor(kernel: Kernel, contacts: Contacts) {
    this.#kernel = kernel;
    this.#contacts = contacts;
    this.invites = new InvitesFacade(this);
    this.requests = new RequestsFacade(this);
  }

  /** The parts, if loaded (reactive). */
  get loaded(): Loaded | null {
    return this.#loaded;
  }

  /** Starts loading (the kernel's loader: the open invites are read once the code is here). */
  start(store: ChatStore): Promise<void> {
    this.#store = store;
    this.load().catch((error: unknown) => log.error('loading contact requests failed', error));
    return Promise.resolve();
  }

  /** The parts, loading them first if needed (after a failure the next call tries again). */
  load(): Promise<Loaded> {
    this.#loading ??= import('./contact-making').then(
      async ({ Invites, ContactRequests }) => {
        const invites = new Invites(this.#kernel, this.#contacts);
        const requests = new ContactRequests(this.#kernel, this.#contacts, invites);
        const store = this.#store ?? this.#kernel.store;
        if (store) await invites.load(store);
        this.#loaded = { invites, requests };
        return this.#loaded;
      },
      (error: unknown) => {
        this.#loading = null;
        throw error;
      },
    );
    return this.#loading;
  }
}

/** Invites (see invites.svelte.ts) through ContactLinks. */
export class InvitesFacade {
  #links: ContactLinks;

  constructor(links: ContactLinks) {
    this.#links = links;
  }

  /** A one-time contact link by its secret (ours or one we opened), if known yet. */
  invite(secret: string): Invite | undefined {
    return this.#links.loaded?.invites.invite(secret);
  }
  /** See Invites.create. */
  async create(): Promise<RoomSecret | null> {
    return (await this.#links.load()).invites.create();
  }
  /** See Invites.redeem. */
  async redeem(secret: string): Promise<InviteOpening> {
    return (await this.#links.load()).invites.redeem(secret);
  }
}

/** ContactRequests (see contact-requests.svelte.ts) through ContactLinks. */
export class RequestsFacade {
  #links: ContactLinks;

  /** The frames contact requests own: each waits for the code, in the order they came. */
  readonly frames: Pick<FrameHandlers, 'contact-request' | 'contact-accept' | 'contact-decline'> = {
    'contact-request': async (peer, frame) =>
      (await this.#links.load()).requests.frames['contact-request'](peer, frame),
    'contact-accept': async (peer, frame) =>
      (await this.#links.load()).requests.frames['contact-accept'](peer, frame),
    'contact-decline': async (peer, frame) =>
      (await this.#links.load()).requests.frames['contact-decline'](peer, frame),
  };

  constructor(links: ContactLinks) {
    this.#links = links;
  }

  /** Contact requests waiting for an answer, oldest first. */
  get waiting(): ContactRequest[] {
    return this.#links.loaded?.requests.waiting ?? [];
  }
  /** How a contact request we sent stands (undefined: none sent this session). */
  sentTo(fingerprint: Fingerprint): SentRequestState | undefined {
    return this.#links.loaded?.requests.sentTo(fingerprint);
  }
  /** See ContactRequests.request. */
  async request(room: RoomKey, fingerprint: Fingerprint): Promise<boolean> {
    return (await this.#links.load()).requests.request(room, fingerprint);
  }
  /** See ContactRequests.answer. */
  async answer(fingerprint: Fingerprint, accept: boolean): Promise<boolean> {
    return (await this.#links.load()).requests.answer(fingerprint, accept);
  }
  /** See ContactRequests.dismiss. */
  dismiss(fingerprint: Fingerprint): void {
    this.#links.loaded?.requests.dismiss(fingerprint);
  }
}
