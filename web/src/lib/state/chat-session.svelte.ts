/**
 * The app's shared reactive state and its intentions (DESIGN §1: the store is the truth, the
 * network only feeds it). Components read getters and call methods; they never touch the store
 * or the network themselves.
 */
import { colorForFingerprint } from '../chat/avatar';
import { deliveryOf, mergeDeliveryUpdates, type Delivery } from '../chat/delivery';
import { compareEvents, eventKey, refOf, signEvent } from '../chat/events';
import { MESSAGE_PAGE_SIZE, TYPING_SEND_INTERVAL_MS, TYPING_SHOW_MS } from '../config';
import {
  createIdentityKeys,
  fingerprintOf,
  importPublicKey,
  safetyNumber,
  signBytes,
  verifyBytes,
  type IdentityKeys,
} from '../crypto/identity';
import {
  isOwnedBy,
  isRoomSecret,
  newOwnedRoomSecret,
  newRoomSecret,
  roomKeyFromSecret,
  roomMoveBytes,
} from '../crypto/room-keys';
import { t, type MessageKey } from '../i18n/i18n';
import { createLogger } from '../log';
import type { AppFrame, MeshIdentity, MeshPeer } from '../net/room-mesh';
import type { RoomMesh } from '../net/room-mesh';
import type { SignalStatus, Transport } from '../net/transport';
import { assertNever } from '../protocol/assert-never';
import {
  MAX_REACTION_CHARS,
  MAX_TOPIC_CHARS,
  type ChatEvent,
  type EventContent,
  type EventRef,
} from '../protocol/events';
import { MAX_BATCH_EVENTS, MAX_NAME_CHARS, MAX_TEXT_CHARS } from '../protocol/limits';
import { isDisplayName } from '../protocol/display-name';
import {
  StoreFailure,
  storeErr,
  type ChatStore,
  type Contact,
  type Conversation,
  type RoomMove,
  type DeliveryUpdate,
  type StoredIdentity,
  type StoreError,
  type StoreResult,
} from '../storage/chat-store';
import type { SyncEngine } from '../sync/sync-engine';
import type { CallHost, CallSession } from './call-session.svelte';
import { AppSettings, type NetworkSettings } from './settings.svelte';

const log = createLogger('session');

/**
 * Where the app is in its life. 'outdated': another tab upgraded the database and this tab's
 * connection to it closed; only a reload helps.
 */
export type SessionPhase = 'loading' | 'onboarding' | 'ready' | 'fatal' | 'outdated';

/** A user-facing problem with a catalog key, shown until dismissed. */
export interface Notice {
  /** Catalog key of the message. */
  key: MessageKey;
  /** Placeholder values. */
  params?: Record<string, string | number>;
}

/** A member row as the Members list shows it. */
export interface MemberView {
  /** Identity fingerprint. */
  fingerprint: string;
  /** Display name. */
  name: string;
  /** Avatar colour. */
  color: string;
  /** Linked right now (or this is us). */
  isOnline: boolean;
  /** This row is the local user. */
  isSelf: boolean;
}

/**
 * Why the signal server turned a room away, as it said: 'full', 'too-many-rooms', 'bad-room', or
 * any other reason a newer server may send.
 */
export type RoomProblem = string;

/** The outcome of `openRoom`. */
export type OpenRoomResult =
  /** The room is open; its key is `room`. */
  | { status: 'open'; room: string }
  /** The link's secret is malformed. */
  | { status: 'invalid' }
  /** The room could not be read or saved (already reported through the notice). */
  | { status: 'failed' }
  /** Another `openRoom` or `closeRoom` came after this one; nothing was changed. */
  | { status: 'superseded' };

/** The outcome of `createIdentity`. */
export type CreateIdentityResult = { ok: true } | { ok: false; error: Notice };

/** What the session wants to hear from the store while it is open. */
export interface StoreEvents {
  /** Another tab upgraded the database, and this connection closed itself. */
  onVersionChange(): void;
}

/** What the composition root hands the session. */
export interface ChatSessionDeps {
  /** Opens the local database (it reads whose messages are "own" from the saved identity). */
  openStore(events: StoreEvents): Promise<ChatStore>;
  /** Builds the transport (the PeerJS one in the app) with the person's network settings. */
  createTransport(network: NetworkSettings): Promise<Transport>;
  /** Deletes the local database (after the session closed it); for "Delete all data". */
  deleteStore?: () => Promise<void>;
  /** Wall clock; injectable for tests. */
  now?: () => number;
  /** How long a member shows as typing after their latest `typing` (TYPING_SHOW_MS); for tests. */
  typingShowMs?: number;
}

/** A contact request waiting for the person's answer. */
export interface ContactRequest {
  /** The requester's fingerprint (proven on the link). */
  fingerprint: string;
  /** Their display name. */
  name: string;
  /** Their avatar colour. */
  color: string;
  /** The room whose link the request came over (the answer goes back the same way). */
  room: string;
}

/** A one-time contact link (DESIGN §5): its room is where inviter and invitee meet. */
export interface Invite {
  /** The link's secret (its fragment). */
  secret: string;
  /** The room key derived from it. */
  room: string;
  /** Whether we made the link or opened someone else's. */
  role: 'inviter' | 'invitee';
  /** When it was made or opened (ms since epoch). */
  createdAt: number;
  /** Set once used: the fingerprint of the contact it made (kept in memory only). */
  contact?: string;
}

/** What opening a contact link did. */
export type InviteOpening = 'waiting' | 'own' | 'invalid' | 'failed';

/** The settings key of the open invites. */
const INVITES_SETTING = 'contactInvites';

function isInvite(value: unknown): value is Invite {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    isRoomSecret(v.secret) &&
    typeof v.room === 'string' &&
    (v.role === 'inviter' || v.role === 'invitee') &&
    typeof v.createdAt === 'number' &&
    v.contact === undefined
  );
}

/** How a contact request we sent stands. */
export type SentRequestState = 'sent' | 'declined';

/** Message text without leading blank lines and trailing space; '' when nothing or too long. */
function cleanText(raw: string): string {
  const text = raw.replace(/^\s*\n|\s+$/g, '');
  return text.trim() && text.length <= MAX_TEXT_CHARS ? text : '';
}

/** A text waiting to be stored and sent. */
interface OutgoingText {
  room: string;
  /** What to store: a message, or a reaction, edit or deletion of one. */
  content: EventContent;
  /** Settles `send`'s promise: true once stored. */
  resolve: (isStored: boolean) => void;
}

/**
 * The most messages the open room keeps loaded while the reader follows the newest; past it the
 * oldest are dropped down to one page (the DOM stays small however long the chat runs).
 */
const MAX_LOADED_MESSAGES = 2 * MESSAGE_PAGE_SIZE;

/** How long receipts gather before one write records them all. */
const DELIVERY_COALESCE_MS = 100;

/** The one session of this tab. */
export class ChatSession {
  #deps: ChatSessionDeps;
  #now: () => number;
  #store: ChatStore | null = null;
  #mesh: RoomMesh | null = null;
  #sync: SyncEngine | null = null;
  /** The network code, loaded when the network starts (not part of the first screen). */
  #net: typeof import('../net/network-stack') | null = null;
  // Not UI state: the mesh's lookup of room secrets by room key.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #secrets = new Map<string, string>();

  /** Bumped by every openRoom/closeRoom, so a slower earlier open cannot take over the view. */
  #openGeneration = 0;
  /** The secret of the latest openRoom call, until closed. */
  #openSecret: string | null = null;

  #phase = $state<SessionPhase>('loading');
  #fatal = $state.raw<Notice | null>(null);
  #identity = $state.raw<StoredIdentity | null>(null);
  #conversations = $state.raw<Conversation[]>([]);
  /** The list people see: rooms that moved to a new secret are left out (their successor shows). */
  #listed = $derived(this.#conversations.filter((c) => !c.movedTo));
  #status = $state<SignalStatus>('connecting');
  /** room → peerId → authenticated peer. */
  #linked = $state.raw<Readonly<Record<string, Readonly<Record<string, MeshPeer>>>>>({});
  #activeRoom = $state<string | null>(null);
  /** The open room's loaded messages: its newest, and older pages the reader asked for. */
  #messages = $state.raw<ChatEvent[]>([]);
  /** The keys of `#messages`, for dropping duplicates without a scan. */
  // Not UI state: a lookup that always changes together with `#messages`.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #messageKeys = new Set<string>();
  /** True while the store may hold messages of the open room older than the loaded ones. */
  #hasOlderMessages = $state(false);
  #isLoadingMessages = $state(false);
  /** The reader is at the newest message: the loaded window may drop its oldest rows. */
  #isFollowingLatest = true;
  /** Texts `send` accepted and has not stored yet, in order (written in batches). */
  #outgoing: OutgoingText[] = [];
  #isFlushingOutgoing = false;
  /** A conversation list re-read is queued (coalesces bursts of stored events). */
  #isRefreshQueued = false;
  /** Delivery updates waiting to be written, by room (see #recordDeliverySoon). */
  // Not UI state: a write buffer.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #pendingDelivery = new Map<string, DeliveryUpdate>();
  /** Rooms with a queued mark-read (coalesces bursts of received events). */
  // Not UI state: a scheduling flag set.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #markReadQueued = new Set<string>();
  #roomProblems = $state.raw<Readonly<Record<string, RoomProblem>>>({});
  #contacts = $state.raw<Contact[]>([]);
  /**
   * Contacts as shown: the name and colour they last told us (their direct chat's member record,
   * which handshakes and profile events keep current) and when we last saw them, sorted by name.
   */
  #contactViews = $derived.by(() => contactViews(this.#contacts, this.#conversations));
  /** Contact requests waiting for "Accept" / "Decline", oldest first. */
  #contactRequests = $state.raw<ContactRequest[]>([]);
  /** One-time contact links: ours, and those we opened, until used. */
  #invites = $state.raw<Invite[]>([]);
  /** Requests we sent, by fingerprint, and how they stand. */
  #sentRequests = $state.raw<Readonly<Record<string, SentRequestState>>>({});
  #notice = $state.raw<Notice | null>(null);
  /** room → fingerprint → when that member's "typing" ends (ms); see `typingIn`. */
  #typing = $state.raw<Readonly<Record<string, Readonly<Record<string, number>>>>>({});
  /** The timers that end each entry of `#typing`, by `${room} ${fingerprint}`. */
  // Not UI state: timer handles.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #typingTimers = new Map<string, ReturnType<typeof setTimeout>>();
  /** room → when we last told its members we are typing (ms), while the composer has text. */
  // Not UI state: a throttle.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #typingSentAt = new Map<string, number>();
  /** Another tab of this profile holds the network lock (DESIGN §4). */
  #isNetworkElsewhere = $state(false);
  /** Releases the network lock we hold (null while we hold none). */
  #releaseNetworkLock: (() => void) | null = null;
  /** Cancels our queued request for the network lock. */
  #stopWaitingForLock: (() => void) | null = null;
  /** This profile's other tabs (events stored here or there); per identity, so never crossed. */
  #tabs: BroadcastChannel | null = null;
  /** Bumped by every network start and stop: a start that finds it moved gives up. */
  #networkGeneration = 0;

  /** The person's settings (theme, network, notifications), loaded with the store. */
  readonly settings = new AppSettings();
  /** Listeners for messages from others as they are stored (see `onMessagesStored`). */
  // Not UI state: a listener set.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #storedListeners = new Set<(room: string, events: readonly ChatEvent[]) => void>();

  /** The call layer, once loaded (DESIGN §8); see `loadCalls`. */
  #calls = $state.raw<CallSession | null>(null);
  #callsLoading: Promise<CallSession | null> | null = null;
  #transport: Transport | null = null;

  constructor(deps: ChatSessionDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
  }

  /** Where the app is in its life. */
  get phase(): SessionPhase {
    return this.#phase;
  }
  /** Why the app could not start (phase 'fatal'). */
  get fatal(): Notice | null {
    return this.#fatal;
  }
  /** The local identity once created. */
  get identity(): StoredIdentity | null {
    return this.#identity;
  }
  /** Conversations by last activity, newest first (a room that moved on is history of its successor). */
  get conversations(): Conversation[] {
    return this.#listed;
  }
  /** Signal server connection state. */
  get status(): SignalStatus {
    return this.#status;
  }
  /** The open conversation's room key (for highlighting it; views use their own room key). */
  get activeRoom(): string | null {
    return this.#activeRoom;
  }
  /** One conversation by room key. */
  conversation(room: string): Conversation | undefined {
    return this.#conversations.find((c) => c.id === room);
  }
  /** A room's loaded messages in display order (empty unless it is the open room). */
  messagesOf(room: string): ChatEvent[] {
    return this.#activeRoom === room ? this.#messages : [];
  }
  /** True while the store may hold older messages of the open room than those shown. */
  hasOlderMessages(room: string): boolean {
    return this.#activeRoom === room && this.#hasOlderMessages;
  }
  /** True while a room's history loads. */
  isLoadingMessages(room: string): boolean {
    return this.#activeRoom === room && this.#isLoadingMessages;
  }
  /** The problem to show, if any. */
  get notice(): Notice | null {
    return this.#notice;
  }
  /** Total unread messages over all conversations that are not muted. */
  get unreadTotal(): number {
    return this.#listed.reduce((sum, c) => (c.muted ? sum : sum + c.unread), 0);
  }

  /** Why a room cannot be used, if it cannot. */
  roomProblem(room: string): RoomProblem | undefined {
    return this.#roomProblems[room];
  }

  /** Saved contacts, by name in the reader's language's order. */
  get contacts(): ContactView[] {
    return this.#contactViews;
  }
  /** One contact by fingerprint. */
  contact(fingerprint: string): ContactView | undefined {
    return this.#contactViews.find((c) => c.fingerprint === fingerprint);
  }
  /** Contact requests waiting for an answer, oldest first. */
  get contactRequests(): ContactRequest[] {
    return this.#contactRequests;
  }
  /** How a contact request we sent stands (undefined: none sent this session). */
  sentRequest(fingerprint: string): SentRequestState | undefined {
    return this.#sentRequests[fingerprint];
  }
  /** True while the contact is connected in their direct chat. */
  isContactOnline(fingerprint: string): boolean {
    const conv = this.contact(fingerprint)?.conv;
    return (
      !!conv && Object.values(this.#linked[conv] ?? {}).some((p) => p.fingerprint === fingerprint)
    );
  }

  /**
   * Asks a member of a room to become contacts, over their authenticated link in that room.
   * False (with a notice) when they are not connected now.
   */
  requestContact(room: string, fingerprint: string): boolean {
    const peer = this.#linkedPeer(room, fingerprint);
    if (!peer || !this.#mesh?.sendTo(peer, { type: 'contact-request' })) {
      this.#notice = { key: 'contacts.notReachable' };
      return false;
    }
    this.#sentRequests = { ...this.#sentRequests, [fingerprint]: 'sent' };
    return true;
  }

  /**
   * Answers a contact request. Accepting makes a pair secret, sends it over the requester's
   * link and saves the contact with its direct chat; false (with a notice) when that failed.
   */
  async answerContactRequest(fingerprint: string, accept: boolean): Promise<boolean> {
    const request = this.#contactRequests.find((r) => r.fingerprint === fingerprint);
    if (!request) return false;
    this.#contactRequests = this.#contactRequests.filter((r) => r !== request);
    const peer = this.#linkedPeer(request.room, fingerprint);
    if (!accept) {
      if (peer) this.#mesh?.sendTo(peer, { type: 'contact-decline' });
      return true;
    }
    if (!peer) {
      this.#notice = { key: 'contacts.notReachable' };
      return false;
    }
    const secret = newRoomSecret();
    if (!this.#mesh?.sendTo(peer, { type: 'contact-accept', secret })) {
      this.#notice = { key: 'contacts.notReachable' };
      return false;
    }
    return this.#saveContact(peer, secret);
  }

  /** The safety number the person and a contact compare (the same on both sides). */
  async safetyNumberWith(fingerprint: string): Promise<string | null> {
    const self = this.#identity?.fingerprint;
    return self ? safetyNumber(self, fingerprint) : null;
  }

  /** Marks a contact verified (safety numbers compared) or not; false when it failed. */
  async setContactVerified(fingerprint: string, verified: boolean): Promise<boolean> {
    return this.#updateContact(fingerprint, { verified });
  }

  /**
   * Blocks or unblocks a contact. Blocked, their links are closed now and refused in every room
   * from then on, so nothing they send reaches this browser directly.
   */
  async setContactBlocked(fingerprint: string, blocked: boolean): Promise<boolean> {
    const ok = await this.#updateContact(fingerprint, { blocked });
    if (ok && blocked) this.#mesh?.disconnect(fingerprint);
    // Unblocked: ask every room for its members again, so we dial them (they stopped trying).
    if (ok && !blocked) for (const room of this.#secrets.keys()) this.#mesh?.join(room);
    return ok;
  }

  async #updateContact(
    fingerprint: string,
    change: Pick<Contact, 'verified' | 'blocked'>,
  ): Promise<boolean> {
    const store = this.#store;
    if (!store) return false;
    const saved = await store.updateContact(fingerprint, change);
    if (!saved.ok) {
      this.#reportStoreError(saved.error, 'error.contactSaveFailed');
      return false;
    }
    await this.#refreshContacts();
    this.#tellOtherTabsChanged();
    return saved.value !== undefined;
  }

  /** A one-time contact link by its secret (ours or one we opened), if known. */
  invite(secret: string): Invite | undefined {
    return this.#invites.find((i) => i.secret === secret);
  }

  /**
   * Makes a one-time contact link and waits in its room: whoever opens it while we are online
   * becomes a contact. The secret (the link's fragment); null when it could not be saved.
   */
  async createInvite(): Promise<string | null> {
    const secret = newRoomSecret();
    const saved = await this.#addInvite({
      secret,
      room: await roomKeyFromSecret(secret),
      role: 'inviter',
      createdAt: this.#now(),
    });
    return saved ? secret : null;
  }

  /**
   * Opens someone's contact link: waits in its room until the inviter is there, then the
   * inviter sends the pair secret (the link is the consent). Kept across reloads until done.
   */
  async redeemInvite(secret: string): Promise<InviteOpening> {
    if (!isRoomSecret(secret)) return 'invalid';
    const known = this.invite(secret);
    if (known) return known.role === 'inviter' ? 'own' : 'waiting';
    const saved = await this.#addInvite({
      secret,
      room: await roomKeyFromSecret(secret),
      role: 'invitee',
      createdAt: this.#now(),
    });
    return saved ? 'waiting' : 'failed';
  }

  async #addInvite(invite: Invite): Promise<boolean> {
    const store = this.#store;
    if (!store) return false;
    // Re-read first: another tab of this profile may have added one since.
    await this.#loadInvites();
    const next = [...this.#invites, invite];
    const saved = await store.putSetting(
      INVITES_SETTING,
      next.filter((i) => !i.contact),
    );
    if (!saved.ok) {
      this.#reportStoreError(saved.error, 'error.contactSaveFailed');
      return false;
    }
    this.#invites = next;
    this.#secrets.set(invite.room, invite.secret);
    this.#mesh?.join(invite.room);
    this.#tellOtherTabsChanged();
    return true;
  }

  /** The invite is used: leave its room, forget its secret, remember who it made a contact of. */
  async #completeInvite(invite: Invite, contact: string): Promise<void> {
    this.#invites = this.#invites.map((i) => (i === invite ? { ...i, contact } : i));
    this.#mesh?.leave(invite.room);
    this.#secrets.delete(invite.room);
    const saved = await this.#store?.putSetting(
      INVITES_SETTING,
      this.#invites.filter((i) => !i.contact),
    );
    if (saved && !saved.ok) log.error('forgetting a used invite failed', saved.error);
    this.#tellOtherTabsChanged();
  }

  async #loadInvites(): Promise<void> {
    const stored = await this.#store?.getSetting<unknown>(INVITES_SETTING);
    this.#invites = Array.isArray(stored) ? stored.filter(isInvite) : [];
  }

  /** A member linked in an invite's room: the inviter makes the contact at once. */
  #handleInvitePeer(invite: Invite, peer: MeshPeer): void {
    if (invite.role !== 'inviter' || invite.contact) return;
    if (peer.fingerprint === this.#identity?.fingerprint) return;
    const secret = this.contact(peer.fingerprint)
      ? this.contactSecret(peer.fingerprint)
      : newRoomSecret();
    if (!secret || !this.#mesh?.sendTo(peer, { type: 'contact-accept', secret })) return;
    this.#saveContact(peer, secret)
      .then((ok) => (ok ? this.#completeInvite(invite, peer.fingerprint) : undefined))
      .catch((error: unknown) => log.error('completing an invite failed', error));
  }

  /** Sets a contact request aside unanswered (the person closed the dialog). */
  dismissContactRequest(fingerprint: string): void {
    this.#contactRequests = this.#contactRequests.filter((r) => r.fingerprint !== fingerprint);
  }

  /** The direct chat's secret of a contact, for opening it (never shown). */
  contactSecret(fingerprint: string): string | null {
    const conv = this.contact(fingerprint)?.conv;
    return (conv && this.conversation(conv)?.secret) || null;
  }

  /** An authenticated link to `fingerprint` in `room`, if there is one now. */
  #linkedPeer(room: string, fingerprint: string): MeshPeer | undefined {
    return Object.values(this.#linked[room] ?? {}).find((p) => p.fingerprint === fingerprint);
  }

  /** Saves `peer` as a contact whose direct chat is keyed by `secret`, and joins that room. */
  async #saveContact(peer: MeshPeer, secret: string): Promise<boolean> {
    const store = this.#store;
    if (!store) return false;
    const conv = await roomKeyFromSecret(secret);
    const now = this.#now();
    const contact: Contact = {
      fingerprint: peer.fingerprint,
      spki: peer.spki,
      name: peer.profile.name,
      color: peer.profile.color,
      conv,
      addedAt: now,
    };
    const saved = await store.addContact(contact, {
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
    });
    if (!saved.ok) {
      this.#reportStoreError(saved.error, 'error.contactSaveFailed');
      return false;
    }
    const sent = { ...this.#sentRequests };
    delete sent[peer.fingerprint];
    this.#sentRequests = sent;
    await this.#refreshContacts();
    await this.#refreshConversations();
    this.#tellOtherTabsChanged();
    const direct = this.conversation(saved.value.conv);
    if (direct && !this.#secrets.has(direct.id)) {
      this.#secrets.set(direct.id, direct.secret);
      this.#mesh?.join(direct.id);
    }
    return true;
  }

  /** Re-reads the contacts, sorted by name the way the reader's language sorts. */
  async #refreshContacts(): Promise<void> {
    const store = this.#store;
    if (!store) return;
    try {
      this.#contacts = await store.listContacts();
    } catch (error) {
      log.error('listing contacts failed', error);
    }
  }

  // ---- Calls (DESIGN §8) -------------------------------------------------------------------

  /** The call layer, once loaded (by a call button, or by an incoming call). */
  get calls(): CallSession | null {
    return this.#calls;
  }

  /**
   * Loads the call layer (its code is not part of the first screen) and attaches it to the
   * mesh; null before the network started. Loaded once; later calls return the same one.
   */
  loadCalls(): Promise<CallSession | null> {
    this.#callsLoading ??= import('./call-session.svelte')
      .then(({ CallSession }) => {
        const transport = this.#transport;
        if (!transport) {
          this.#callsLoading = null;
          return null;
        }
        this.#calls = new CallSession(this.#callHost(transport));
        return this.#calls;
      })
      .catch((error: unknown) => {
        log.error('loading the call layer failed', error);
        this.#callsLoading = null;
        this.#notice = { key: 'calls.loadFailed' };
        return null;
      });
    return this.#callsLoading;
  }

  /** What the call layer may use of this session: links, names and the history. */
  #callHost(transport: Transport): CallHost {
    return {
      transport,
      self: () => this.#identity?.fingerprint ?? null,
      sendTo: (room, fingerprint, frame) => {
        const peer = this.#linkedPeer(room, fingerprint);
        return !!peer && (this.#mesh?.sendTo(peer, frame) ?? false);
      },
      broadcast: (room, frame) => this.#mesh?.broadcast(room, frame) ?? 0,
      peerIdOf: (room, fingerprint) => this.#linkedPeer(room, fingerprint)?.peerId,
      memberAt: (room, peerId) => this.#linked[room]?.[peerId]?.fingerprint,
      nameOf: (room, fingerprint) => this.authorName(room, fingerprint),
      directContact: (room) => {
        const conversation = this.conversation(room);
        return conversation?.kind === 'direct' ? conversation.contact : undefined;
      },
      writeCallLog: (room, body) => this.#queue(room, { kind: 'call-log', body }),
      now: this.#now,
    };
  }

  /** The display names of the members typing in a room now, sorted. */
  typingIn(room: string): string[] {
    const typing = this.#typing[room];
    if (!typing) return [];
    const collator = new Intl.Collator();
    return Object.keys(typing)
      .map((fingerprint) => this.authorName(room, fingerprint))
      .sort((a, b) => collator.compare(a, b));
  }

  /**
   * The text in a room's composer changed as the person typed. While it is not empty the room's
   * linked members hear `typing`, at most once every TYPING_SEND_INTERVAL_MS and never while the
   * page is hidden (the interval runs on across sends and cleared text).
   */
  noteTyping(room: string, text: string): void {
    // Cleared (or sent): nothing to say. The interval runs on across sends, so a quick exchange
    // costs the room one frame per interval, not one per message.
    if (!text.trim() || !isPageVisible()) return;
    const now = this.#now();
    const sentAt = this.#typingSentAt.get(room);
    if (sentAt !== undefined && now - sentAt < TYPING_SEND_INTERVAL_MS) return;
    // Reached nobody: not throttled, so a member who links meanwhile hears the next keystroke.
    if ((this.#mesh?.broadcast(room, { type: 'typing' }) ?? 0) > 0) {
      this.#typingSentAt.set(room, now);
    }
  }

  /** A member's `typing`: shown until TYPING_SHOW_MS pass without another. */
  #handleTyping(peer: MeshPeer): void {
    // Only a member listed in a conversation (not an invite's room), and never ourselves.
    if (this.#linked[peer.room]?.[peer.peerId] !== peer) return;
    if (peer.fingerprint === this.#identity?.fingerprint) return;
    const showMs = this.#deps.typingShowMs ?? TYPING_SHOW_MS;
    const key = `${peer.room} ${peer.fingerprint}`;
    clearTimeout(this.#typingTimers.get(key));
    this.#typingTimers.set(
      key,
      setTimeout(() => this.#stopTyping(peer.room, [peer.fingerprint]), showMs),
    );
    this.#typing = {
      ...this.#typing,
      [peer.room]: { ...this.#typing[peer.room], [peer.fingerprint]: this.#now() + showMs },
    };
  }

  /** These members of a room are typing no more (their time is up, a message came, they left). */
  #stopTyping(room: string, fingerprints: Iterable<string>): void {
    const typing = this.#typing[room];
    if (!typing) return;
    const left = { ...typing };
    let isChanged = false;
    for (const fingerprint of fingerprints) {
      if (!(fingerprint in left)) continue;
      const key = `${room} ${fingerprint}`;
      clearTimeout(this.#typingTimers.get(key));
      this.#typingTimers.delete(key);
      delete left[fingerprint];
      isChanged = true;
    }
    if (!isChanged) return;
    const next = { ...this.#typing };
    if (Object.keys(left).length > 0) next[room] = left;
    else delete next[room];
    this.#typing = next;
  }

  /** A room is left: nobody types in it any more, and we stop telling it we do. */
  #stopTypingIn(room: string): void {
    this.#stopTyping(room, Object.keys(this.#typing[room] ?? {}));
    this.#typingSentAt.delete(room);
  }

  /** A contact frame from a member (DESIGN §5). */
  async #handleContactFrame(
    peer: MeshPeer,
    frame:
      | { type: 'contact-request' }
      | { type: 'contact-accept'; secret: string }
      | { type: 'contact-decline' },
  ): Promise<void> {
    const known = this.contact(peer.fingerprint);
    switch (frame.type) {
      case 'contact-request': {
        if (known) {
          // Already contacts (they lost their copy): hand them the same direct chat again.
          const secret = this.contactSecret(peer.fingerprint);
          if (secret) this.#mesh?.sendTo(peer, { type: 'contact-accept', secret });
          return;
        }
        if (this.#contactRequests.some((r) => r.fingerprint === peer.fingerprint)) return;
        this.#contactRequests = [
          ...this.#contactRequests,
          {
            fingerprint: peer.fingerprint,
            name: peer.profile.name,
            color: peer.profile.color,
            room: peer.room,
          },
        ];
        return;
      }
      case 'contact-accept': {
        // Only an answer to our own request, or the inviter of a link we opened, makes a
        // contact; anything else is ignored.
        const invite = this.#invites.find(
          (i) => i.room === peer.room && i.role === 'invitee' && !i.contact,
        );
        if ((this.#sentRequests[peer.fingerprint] !== 'sent' && !invite) || known) {
          if (invite && known) await this.#completeInvite(invite, peer.fingerprint);
          else log.warn('ignored a contact acceptance nobody asked for, from', peer.peerId);
          return;
        }
        if ((await this.#saveContact(peer, frame.secret)) && invite) {
          await this.#completeInvite(invite, peer.fingerprint);
        }
        return;
      }
      case 'contact-decline':
        if (this.#sentRequests[peer.fingerprint] !== 'sent') return;
        this.#sentRequests = { ...this.#sentRequests, [peer.fingerprint]: 'declined' };
        return;
      default:
        assertNever(frame);
    }
  }

  /**
   * Whether a member may use a link in `peer.room`: in a direct chat only the contact's pinned
   * key. Anyone else, even with the pair secret, is refused and the person is warned.
   */
  #admits(peer: MeshPeer): boolean {
    // A blocked contact reaches us nowhere.
    if (this.contact(peer.fingerprint)?.blocked) return false;
    const conversation = this.conversation(peer.room);
    // A room that moved on admits only its members who moved too (to pass the move on); its old
    // link lets no one new in, and no removed member.
    if (conversation?.movedTo) {
      return (
        peer.fingerprint in conversation.members &&
        !conversation.movedTo.removed.includes(peer.fingerprint)
      );
    }
    if (conversation?.kind !== 'direct') return true;
    const contact = conversation.contact ? this.contact(conversation.contact) : undefined;
    if (contact && contact.fingerprint === peer.fingerprint && contact.spki === peer.spki) {
      return true;
    }
    this.#notice = {
      key: 'contacts.keyMismatch',
      params: { name: contact?.name ?? conversation.title },
    };
    return false;
  }

  /** The members of a room: you, then online, then by name. */
  membersOf(room: string): MemberView[] {
    const self = this.#identity;
    const conversation = this.#conversations.find((c) => c.id === room);
    const linked = Object.values(this.#linked[room] ?? {});
    // A local scratch map, built and dropped within this call.
    // eslint-disable-next-line svelte/prefer-svelte-reactivity
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
    for (const peer of linked) {
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

  /**
   * Where our own messages in a room are (pending → sent → delivered → read, and to how many of
   * the room's other members): a function of one event, null for someone else's message. Built
   * once per view update, so a long list does not look the conversation up per row.
   */
  deliveryIn(room: string): (event: ChatEvent) => Delivery | null {
    const self = this.#identity?.fingerprint;
    const conversation = this.#conversations.find((c) => c.id === room);
    const facts = {
      sentUpTo: conversation?.sentUpTo ?? 0,
      memberVectors: conversation?.memberVectors ?? {},
      readMarkers: conversation?.readMarkers ?? {},
      members: Object.keys(conversation?.members ?? {}),
    };
    return (event) => (event.author === self ? deliveryOf(event, facts) : null);
  }

  /** The display name of an author in a room (falls back to a short fingerprint). */
  authorName(room: string, fingerprint: string): string {
    if (fingerprint === this.#identity?.fingerprint) return this.#identity.name;
    // The stored record is the fresher: a rename during a link arrives as a profile event.
    const member = this.#conversations.find((c) => c.id === room)?.members[fingerprint];
    if (member?.name) return member.name;
    for (const peer of Object.values(this.#linked[room] ?? {})) {
      if (peer.fingerprint === fingerprint) return shownName(peer.profile.name, fingerprint);
    }
    return shownName(undefined, fingerprint);
  }

  /**
   * Opens the database and shows the app (history is readable at once); the network starts after,
   * so a slow or unreachable server never holds the first screen.
   */
  async init(): Promise<void> {
    // WebCrypto exists only in secure contexts: a plain-http LAN address has no crypto.subtle.
    if (!hasWebCrypto()) {
      this.#fail({ key: 'app.insecureContext' });
      return;
    }
    let store: ChatStore;
    try {
      // The store learns whose messages are "own" from the saved identity (unread counting).
      store = await this.#deps.openStore({ onVersionChange: () => this.#handleVersionChange() });
    } catch (error) {
      log.error('opening the store failed', error);
      this.#fail({ key: 'app.storageUnavailable', params: { reason: errorMessage(error) } });
      return;
    }
    this.#store = store;
    await this.settings.load(store);
    let identity: StoredIdentity | undefined;
    try {
      identity = await store.getIdentity();
      if (identity) await Promise.all([this.#refreshConversations(), this.#refreshContacts()]);
    } catch (error) {
      log.error('startup failed', error);
      this.#fail({ key: 'app.fatal', params: { reason: errorMessage(error) } });
      return;
    }
    if (this.#phase !== 'loading') return;
    if (!identity) {
      this.#phase = 'onboarding';
      return;
    }
    this.#identity = identity;
    this.#phase = 'ready';
    this.#startNetworkSoon(identity);
  }

  /** First run: makes the identity key pair and saves the chosen name; or says what went wrong. */
  async createIdentity(rawName: string): Promise<CreateIdentityResult> {
    const checked = checkDisplayName(rawName);
    if (!checked.ok) return checked;
    const store = this.#store;
    if (!store) {
      return { ok: false, error: { key: 'onboarding.saveFailed', params: { reason: 'closed' } } };
    }
    let keys: IdentityKeys;
    try {
      keys = await createIdentityKeys();
    } catch (error) {
      log.error('creating identity keys failed', error);
      const reason = errorMessage(error);
      return { ok: false, error: { key: 'onboarding.keysFailed', params: { reason } } };
    }
    const identity: StoredIdentity = {
      id: 'self',
      privateKey: keys.privateKey,
      publicKey: keys.publicKey,
      spki: keys.spki,
      fingerprint: keys.fingerprint,
      name: checked.name,
      color: colorForFingerprint(keys.fingerprint),
      createdAt: this.#now(),
    };
    const saved = await store.putIdentity(identity);
    if (!saved.ok) {
      log.error('saving the identity failed', saved.error);
      const error: Notice =
        saved.error.kind === 'quota'
          ? { key: 'onboarding.storageFull' }
          : { key: 'onboarding.saveFailed', params: { reason: saved.error.message } };
      return { ok: false, error };
    }
    await this.#refreshConversations();
    if (this.#phase !== 'onboarding') return { ok: true };
    this.#identity = identity;
    this.#phase = 'ready';
    this.#startNetworkSoon(identity);
    return { ok: true };
  }

  /**
   * Creates a room and returns its secret (the caller navigates to its link); null when it could
   * not be saved (the notice says why).
   */
  async createRoom(): Promise<string | null> {
    const owner = this.#identity?.fingerprint;
    const secret = owner ? await newOwnedRoomSecret(owner) : newRoomSecret();
    const ensured = await this.#ensureConversation(secret, owner);
    if (!ensured.ok) {
      this.#reportStoreError(ensured.error, 'error.roomSaveFailed');
      return null;
    }
    return secret;
  }

  /**
   * Opens (and if new, joins) the room of a link's secret and loads its history. A later
   * `openRoom` or `closeRoom` supersedes this call: it then changes nothing and says so.
   */
  async openRoom(secret: string, owner?: string): Promise<OpenRoomResult> {
    const generation = ++this.#openGeneration;
    this.#openSecret = secret;
    // Until the new room is ready no room is open: nothing arriving meanwhile is marked read.
    this.#activeRoom = null;
    this.#setMessages([], false);
    this.#isFollowingLatest = true;
    this.#isLoadingMessages = false;
    if (!isRoomSecret(secret)) return { status: 'invalid' };
    const ensured = await this.#ensureConversation(secret, owner);
    if (!ensured.ok) this.#reportStoreError(ensured.error, 'error.roomSaveFailed');
    if (generation !== this.#openGeneration) return { status: 'superseded' };
    if (!ensured.ok) return { status: 'failed' };
    const room = ensured.value;
    this.#activeRoom = room;
    const isLoaded = await this.#loadMessages(room, generation);
    if (generation !== this.#openGeneration) return { status: 'superseded' };
    if (!isLoaded) return { status: 'failed' };
    await this.markRead(room);
    return { status: 'open', room };
  }

  /** Closes the view of the room of `secret`, unless a newer `openRoom` is for another room. */
  closeRoom(secret: string): void {
    if (this.#openSecret !== secret) return;
    this.#openGeneration++;
    this.#openSecret = null;
    this.#activeRoom = null;
    this.#setMessages([], false);
    this.#isFollowingLatest = true;
    this.#isLoadingMessages = false;
  }

  /**
   * Sends a text message to a room: stored first, then pushed to every linked member. Resolves
   * true once stored, false when it was not (the notice says why; the caller keeps the text).
   * Texts sent while earlier ones are being written are stored and pushed together.
   */
  send(room: string, rawText: string, replyTo?: EventRef): Promise<boolean> {
    const text = cleanText(rawText);
    if (!text) return Promise.resolve(false);
    return this.#queue(room, {
      kind: 'text',
      body: replyTo ? { text, replyTo: { author: replyTo.author, seq: replyTo.seq } } : { text },
    });
  }

  /** Puts an emoji on one of a room's messages, or takes it off (`on` false). */
  react(room: string, target: EventRef, emoji: string, on: boolean): Promise<boolean> {
    if (!emoji || emoji.length > MAX_REACTION_CHARS) return Promise.resolve(false);
    return this.#queue(room, { kind: 'reaction', body: { target: refOf(target), emoji, on } });
  }

  /** Changes the text of one of our own messages, for everyone. */
  editMessage(room: string, target: EventRef, rawText: string): Promise<boolean> {
    const text = cleanText(rawText);
    if (!text || target.author !== this.#identity?.fingerprint) return Promise.resolve(false);
    return this.#queue(room, { kind: 'edit', body: { target: refOf(target), text } });
  }

  /** Deletes one of our own messages, for everyone (the others keep a "deleted" mark). */
  deleteMessage(room: string, target: EventRef): Promise<boolean> {
    if (target.author !== this.#identity?.fingerprint) return Promise.resolve(false);
    return this.#queue(room, { kind: 'delete', body: { target: refOf(target) } });
  }

  /**
   * Names a room and sets its topic, for every member (a `room-meta` event; the latest holds).
   * 'invalid' for an empty or unsafe name or a topic that is too long.
   */
  async setRoomMeta(room: string, rawName: string, rawTopic: string): Promise<boolean | 'invalid'> {
    const name = rawName.trim();
    const topic = rawTopic.trim();
    if (!isDisplayName(name) || topic.length > MAX_TOPIC_CHARS) return 'invalid';
    if (this.conversation(room)?.kind !== 'room') return false;
    return this.#queue(room, { kind: 'room-meta', body: { name, topic } });
  }

  /**
   * Changes our display name: saved, presented in every handshake from now on, and told to every
   * conversation as a `profile` event, so members we are not linked to learn it through others.
   */
  async updateProfile(rawName: string): Promise<{ ok: true } | { ok: false; error: Notice }> {
    const checked = checkDisplayName(rawName);
    if (!checked.ok) return checked;
    const identity = this.#identity;
    const store = this.#store;
    if (!identity || !store) return { ok: false, error: { key: 'profile.notReady' } };
    if (checked.name === identity.name) return { ok: true };
    const updated: StoredIdentity = { ...identity, name: checked.name };
    const saved = await store.putIdentity(updated);
    if (!saved.ok) {
      this.#reportStoreError(saved.error);
      return {
        ok: false,
        error:
          saved.error.kind === 'quota'
            ? { key: 'error.storageFull' }
            : { key: 'error.saveFailed', params: { reason: saved.error.message } },
      };
    }
    this.#identity = updated;
    const profile = { name: updated.name, color: updated.color };
    this.#mesh?.setProfile(profile);
    this.#tellOtherTabsChanged();
    const told = this.#listed
      .filter((c) => !c.removedFromRoom)
      .map((c) => this.#queue(c.id, { kind: 'profile', body: profile }));
    // Saved and shown here already; a conversation that could not store its event said so.
    await Promise.all(told);
    return { ok: true };
  }

  /** Whether we may remove members from a room: we own it, and it has not moved on. */
  canRemoveMembers(room: string): boolean {
    const c = this.conversation(room);
    const self = this.#identity?.fingerprint;
    return (
      c?.kind === 'room' && !!self && c.owner === self && !c.movedTo && c.removedFromRoom !== true
    );
  }

  /**
   * The owner removes a member (DESIGN §5): the room moves to a new secret that the others get
   * over their authenticated links, signed by us; the removed member is told and cut off, and
   * the old link admits no one new. Resolves to the new room's secret, or null when it could not
   * be done (the notice says why).
   */
  async removeMember(room: string, fingerprint: string): Promise<string | null> {
    const identity = this.#identity;
    const conversation = this.conversation(room);
    if (!identity || !conversation || !this.canRemoveMembers(room)) return null;
    if (fingerprint === identity.fingerprint) return null;
    const secret = await newOwnedRoomSecret(identity.fingerprint);
    const removed = [fingerprint];
    const sig = await signBytes(identity.privateKey, roomMoveBytes(room, secret, removed));
    const move = { secret, removed, sig, ownerKey: identity.spki };
    const isMoved = await this.#followMove(conversation, move);
    return isMoved ? secret : null;
  }

  /**
   * Moves a room as `move` says: the successor room is stored and joined, linked members who
   * stay hear the move, and removed ones are told (by the owner) and cut off. The old room stays
   * joined so that members who were away learn the move when they come back.
   */
  async #followMove(from: Conversation, move: RoomMove): Promise<boolean> {
    const store = this.#store;
    if (!store) return false;
    const next = await roomKeyFromSecret(move.secret);
    const now = this.#now();
    const members = { ...from.members };
    for (const fingerprint of move.removed) delete members[fingerprint];
    const saved = await store.moveRoom(from.id, move, {
      id: next,
      kind: 'room',
      secret: move.secret,
      ...(from.owner ? { owner: from.owner } : {}),
      previous: from.id,
      title: from.title,
      ...(from.topic ? { topic: from.topic } : {}),
      createdAt: now,
      lastActivityAt: now,
      lastPreview: '',
      unread: 0,
      members,
      vector: {},
    });
    if (!saved.ok) {
      this.#reportStoreError(saved.error, 'error.roomSaveFailed');
      return false;
    }
    // A room moves once: if another move was stored first, that one holds and this one is dropped.
    if (saved.value.movedTo?.secret !== move.secret) {
      log.warn('ignored a second move of a room that already moved');
      await this.#refreshConversations();
      return false;
    }
    if (!this.#secrets.has(next)) {
      this.#secrets.set(next, move.secret);
      this.#mesh?.join(next);
    }
    this.#announceMove(from, move);
    await this.#refreshConversations();
    this.#tellOtherTabsChanged();
    return true;
  }

  /** Linked members who stay hear the move; removed ones are told (by the owner) and cut off. */
  #announceMove(from: Conversation, move: RoomMove): void {
    const isOwner = from.owner === this.#identity?.fingerprint;
    for (const peer of this.#mesh?.peersIn(from.id) ?? []) {
      if (!move.removed.includes(peer.fingerprint)) {
        this.#mesh?.sendTo(peer, { type: 'room-move', ...move });
        continue;
      }
      if (isOwner) this.#mesh?.sendTo(peer, { type: 'room-removed' });
      this.#mesh?.disconnectIn(from.id, peer.fingerprint);
    }
  }

  /** A member passes on a room move: followed only if the room's owner signed it. */
  async #handleRoomMove(peer: MeshPeer, frame: RoomMove): Promise<void> {
    const from = this.conversation(peer.room);
    const self = this.#identity?.fingerprint;
    if (!from || from.kind !== 'room' || from.movedTo || !self) return;
    if (!from.owner || frame.removed.includes(self)) {
      log.warn('ignored a room move for a room with no known owner, or that leaves us out');
      return;
    }
    // The owner's key: proven on this link, pinned for the room, or carried in the frame (a
    // member who never met the owner checks that its fingerprint is the owner's).
    const ownerSpki =
      from.owner === peer.fingerprint
        ? peer.spki
        : (from.members[from.owner]?.spki ??
          ((await fingerprintOf(frame.ownerKey)) === from.owner ? frame.ownerKey : undefined));
    if (!ownerSpki) {
      log.warn('dropped a room move whose owner key is not the owner’s, from', peer.peerId);
      return;
    }
    const bytes = roomMoveBytes(from.id, frame.secret, frame.removed);
    if (!(await verifyBytes(await importPublicKey(ownerSpki), frame.sig, bytes))) {
      log.warn('dropped a room move its owner did not sign, from', peer.peerId);
      return;
    }
    await this.#followMove(from, {
      secret: frame.secret,
      removed: frame.removed,
      sig: frame.sig,
      ownerKey: frame.ownerKey,
    });
  }

  /** The room's owner removed us: the room becomes history and is no longer joined. */
  async #handleRoomRemoved(peer: MeshPeer): Promise<void> {
    const conversation = this.conversation(peer.room);
    if (conversation?.kind !== 'room' || conversation.owner !== peer.fingerprint) {
      log.warn('ignored a removal from someone who does not own the room, from', peer.peerId);
      return;
    }
    if (conversation.removedFromRoom) return;
    if (!(await this.#setFlags(conversation.id, { removedFromRoom: true }))) return;
    this.#secrets.delete(conversation.id);
    this.#mesh?.leave(conversation.id);
  }

  /** Queues content to be stored and pushed in order with everything else we say. */
  #queue(room: string, content: EventContent): Promise<boolean> {
    if (!this.#identity || !this.#store) return Promise.resolve(false);
    // A room that moved on, or that we were removed from, is history: nothing new is said there.
    const conversation = this.conversation(room);
    if (conversation?.movedTo || conversation?.removedFromRoom) return Promise.resolve(false);
    return new Promise((resolve) => {
      this.#outgoing.push({ room, content, resolve });
      if (!this.#isFlushingOutgoing) void this.#flushOutgoing();
    });
  }

  /** Writes and pushes queued texts, a room's run of them at a time, until none are left. */
  async #flushOutgoing(): Promise<void> {
    this.#isFlushingOutgoing = true;
    try {
      for (let next = this.#outgoing[0]; next; next = this.#outgoing[0]) {
        const room = next.room;
        let count = 0;
        while (count < MAX_BATCH_EVENTS && this.#outgoing[count]?.room === room) count++;
        const batch = this.#outgoing.splice(0, count);
        const ok = await this.#sendBatch(room, batch).catch((error: unknown) => {
          this.#reportStoreError(storeErrorOf(error));
          return false;
        });
        for (const item of batch) item.resolve(ok);
      }
    } finally {
      this.#isFlushingOutgoing = false;
    }
  }

  async #sendBatch(room: string, batch: readonly OutgoingText[]): Promise<boolean> {
    const identity = this.#identity;
    const store = this.#store;
    if (!identity || !store) return false;
    const result = await store.appendOwnEvents({
      conv: room,
      author: identity.fingerprint,
      contents: batch.map(({ content }) => content),
      sign: (unsigned) => signEvent(unsigned, identity.privateKey),
      nowMs: this.#now(),
    });
    if (!result.ok) {
      this.#reportStoreError(result.error);
      return false;
    }
    const events = result.value;
    this.#pushOwnEvents(room, events);
    this.#mergeMessages(room, events);
    this.#tellOtherTabs(room, events);
    // After the push, so it costs no latency; texts typed meanwhile join the next batch.
    await this.#refreshConversations();
    return true;
  }

  /** Hands stored events of ours to the room's linked members and announces them to the rest. */
  #pushOwnEvents(room: string, events: readonly ChatEvent[]): void {
    const identity = this.#identity;
    if (!identity) return;
    const keys = { [identity.fingerprint]: identity.spki };
    let handedTo = 0;
    for (const frame of this.#net?.splitEventsIntoFrames(events, keys) ?? []) {
      handedTo += this.#mesh?.broadcast(room, frame) ?? 0;
    }
    // Members we are not linked to get it through those we are (DESIGN §6).
    this.#sync?.announce(room);
    const last = events.at(-1);
    if (handedTo > 0 && last) this.#recordDeliverySoon(room, { sentUpTo: last.seq });
  }

  /**
   * Tells this profile's other tabs about newly stored events (ours, or received): they show
   * them, and the tab that holds the network sends ours on (DESIGN §4).
   */
  #tellOtherTabs(room: string, events: readonly ChatEvent[]): void {
    const message: TabMessage = { type: 'stored', room, events: [...events] };
    this.#tabs?.postMessage(message);
  }

  /**
   * Tells this profile's other tabs that rooms, invites, contacts or the profile changed here,
   * so the tab with the network joins, leaves, moves and presents what this one decided.
   */
  #tellOtherTabsChanged(): void {
    const message: TabMessage = { type: 'changed' };
    this.#tabs?.postMessage(message);
  }

  async #handleTabMessage(data: unknown): Promise<void> {
    // Same origin and profile, so trusted as far as the store is; still, only these shapes.
    if (!isTabMessage(data)) return;
    if (data.type === 'changed') {
      await this.#adoptChanges();
      return;
    }
    if (!this.conversation(data.room)) await this.#adoptChanges();
    if (!this.conversation(data.room)) return;
    this.#mergeMessages(data.room, data.events);
    this.#refreshConversationsSoon();
    const self = this.#identity?.fingerprint;
    const own = data.events.filter((e) => e.author === self);
    if (own.length > 0 && this.#mesh) this.#pushOwnEvents(data.room, own);
  }

  /**
   * Another tab changed the store: show it, and if this tab holds the network, act on it —
   * present a new name, join rooms and invites opened there, leave those deleted there, pass
   * on a room move made there, and cut off contacts blocked there.
   */
  async #adoptChanges(): Promise<void> {
    const store = this.#store;
    if (!store) return;
    // Not UI state: a scratch set for this pass.
    // eslint-disable-next-line svelte/prefer-svelte-reactivity
    const movedBefore = new Set(this.#conversations.filter((c) => c.movedTo).map((c) => c.id));
    const identity = await store.getIdentity();
    if (identity && this.#identity && identity.name !== this.#identity.name) {
      this.#identity = identity;
      this.#mesh?.setProfile({ name: identity.name, color: identity.color });
    }
    await Promise.all([this.#refreshConversations(), this.#refreshContacts(), this.#loadInvites()]);
    const mesh = this.#mesh;
    if (!mesh) return;
    // Not UI state: a scratch map for this pass.
    // eslint-disable-next-line svelte/prefer-svelte-reactivity
    const wanted = new Map<string, string>();
    for (const c of this.#conversations) if (!c.removedFromRoom) wanted.set(c.id, c.secret);
    for (const i of this.#invites) if (!i.contact) wanted.set(i.room, i.secret);
    for (const [room, secret] of wanted) {
      if (this.#secrets.has(room)) continue;
      this.#secrets.set(room, secret);
      mesh.join(room);
    }
    for (const [room, secret] of [...this.#secrets]) {
      if (!wanted.has(room)) this.#stopRoom(room, secret);
    }
    for (const c of this.#conversations) {
      if (c.movedTo && !movedBefore.has(c.id)) this.#announceMove(c, c.movedTo);
    }
    for (const c of this.#contacts) if (c.blocked) mesh.disconnect(c.fingerprint);
  }

  /**
   * Marks a room read (call while its view is visible); a failure shows the notice. While the
   * page is also focused, the read marker advances to the newest message shown and the room's
   * members hear it (`read`), so their messages turn "Read".
   */
  async markRead(room: string): Promise<void> {
    const store = this.#store;
    if (!store) return;
    await this.#advanceReadMarker(room);
    const conversation = this.conversation(room);
    if (conversation && conversation.unread === 0) return;
    try {
      await store.markRead(room);
    } catch (error) {
      this.#reportStoreError(storeErrorOf(error), 'error.markReadFailed');
      return;
    }
    await this.#refreshConversations();
  }

  /**
   * Mutes or unmutes a conversation (a muted one's unread stays out of the total); false when it
   * failed (reported).
   */
  setMuted(room: string, isMuted: boolean): Promise<boolean> {
    return this.#setFlags(room, { muted: isMuted });
  }

  /** Archives a conversation (listed apart) or brings it back; false when it failed (reported). */
  setArchived(room: string, isArchived: boolean): Promise<boolean> {
    return this.#setFlags(room, { archived: isArchived });
  }

  /**
   * Deletes a conversation with its whole history from this browser; other members keep theirs.
   * A room cannot be kept joined without its record, so it is left too (its view closes). False
   * when it could not be deleted (reported; the room is then joined again).
   */
  deleteConversation(room: string): Promise<boolean> {
    return this.#forget(room, 'error.deleteFailed');
  }

  /**
   * Leaves a room for good: its members hear goodbye, the signal server that we left, and it is
   * deleted here like `deleteConversation`. False for anything but a room, or when it failed.
   */
  leaveRoom(room: string): Promise<boolean> {
    if (this.conversation(room)?.kind !== 'room') return Promise.resolve(false);
    return this.#forget(room, 'error.leaveFailed');
  }

  async #setFlags(
    room: string,
    flags: Parameters<ChatStore['setConversationFlags']>[1],
  ): Promise<boolean> {
    const store = this.#store;
    if (!store) return false;
    const saved = await store.setConversationFlags(room, flags);
    if (!saved.ok) {
      this.#reportStoreError(saved.error, 'error.conversationUpdateFailed');
      return false;
    }
    // In place: flags do not change the activity the list is ordered by.
    this.#conversations = this.#conversations.map((c) =>
      c.id === room ? withContactTitle(saved.value) : c,
    );
    this.#tellOtherTabsChanged();
    return true;
  }

  /** Stops taking part in a room, then deletes it and its events from the store. */
  async #forget(room: string, failure: MessageKey): Promise<boolean> {
    const store = this.#store;
    const conversation = this.conversation(room);
    if (!store || !conversation) return false;
    this.#stopRoom(room, conversation.secret);
    try {
      await store.deleteConversation(room);
    } catch (error) {
      this.#reportStoreError(storeErrorOf(error), failure);
      // Still stored, so still ours: take part in it again.
      this.#secrets.set(room, conversation.secret);
      this.#mesh?.join(room);
      return false;
    }
    // Again, in case the network started meanwhile and joined it from a list read before.
    this.#stopRoom(room, conversation.secret);
    this.#conversations = this.#conversations.filter((c) => c.id !== room);
    this.#tellOtherTabsChanged();
    return true;
  }

  /**
   * Leaves the room on the network (bye on its links, leave on the signal server) and drops what
   * the session holds for it: links, problems, receipts and texts not yet stored, and its view.
   */
  #stopRoom(room: string, secret: string): void {
    // Before the mesh closes the links: a member gone from an unlisted room is not remembered.
    if (room in this.#linked) {
      const linked = { ...this.#linked };
      delete linked[room];
      this.#linked = linked;
    }
    if (room in this.#roomProblems) {
      const problems = { ...this.#roomProblems };
      delete problems[room];
      this.#roomProblems = problems;
    }
    this.#secrets.delete(room);
    this.#mesh?.leave(room);
    this.#pendingDelivery.delete(room);
    this.#stopTypingIn(room);
    const unsent = this.#outgoing.filter((item) => item.room === room);
    if (unsent.length > 0) {
      this.#outgoing = this.#outgoing.filter((item) => item.room !== room);
      for (const item of unsent) item.resolve(false);
    }
    this.closeRoom(secret);
  }

  /** Moves our read marker to the newest shown message while the person looks; tells peers. */
  async #advanceReadMarker(room: string): Promise<void> {
    const store = this.#store;
    const newest = this.#activeRoom === room ? this.#messages.at(-1) : undefined;
    if (!store || !newest || !isPageAttentive()) return;
    const moved = await store.advanceReadMarker(room, newest.hlc);
    if (!moved.ok) {
      this.#reportStoreError(moved.error, 'error.markReadFailed');
      return;
    }
    if (moved.value) this.#mesh?.broadcast(room, { type: 'read', hlc: newest.hlc });
  }

  /** Merges what a peer told us about delivery and shows it. */
  async #recordDelivery(room: string, update: DeliveryUpdate): Promise<void> {
    const store = this.#store;
    if (!store) return;
    const saved = await store.recordDelivery(room, update);
    if (!saved.ok) this.#reportStoreError(saved.error);
    else if (saved.value && this.conversation(room)) this.#showConversation(saved.value);
  }

  /**
   * Records a delivery update shortly, merged with the others that come meanwhile: in a busy
   * room every message brings receipts from every member, and one write per burst is enough.
   */
  #recordDeliverySoon(room: string, update: DeliveryUpdate): void {
    const pending = this.#pendingDelivery.get(room);
    this.#pendingDelivery.set(room, pending ? mergeDeliveryUpdates(pending, update) : update);
    if (pending) return;
    setTimeout(() => {
      const merged = this.#pendingDelivery.get(room);
      this.#pendingDelivery.delete(room);
      if (!merged) return;
      this.#recordDelivery(room, merged).catch((error: unknown) =>
        log.error('recording a receipt failed', error),
      );
    }, DELIVERY_COALESCE_MS);
  }

  /** Hides the current notice. */
  dismissNotice(): void {
    this.#notice = null;
  }

  /** Shows a notice (e.g. the clipboard refused). */
  showNotice(notice: Notice): void {
    this.#notice = notice;
  }

  /** The network came back or the page became visible: reconnect now rather than later. */
  nudge(): void {
    this.#mesh?.nudge();
  }

  /** The page is going away: tell linked members (DESIGN §7 `bye` on pagehide). */
  sayGoodbye(): void {
    // Before `bye`: the others end the call at once rather than when the link goes.
    this.#calls?.leave();
    this.#mesh?.sayGoodbye();
  }

  /**
   * Starts the network once this tab holds the profile's network lock (DESIGN §4): one tab per
   * browser profile talks to peers. Without Web Locks (old browsers, unit tests) it starts at once.
   */
  #startNetworkSoon(identity: StoredIdentity): void {
    if (typeof BroadcastChannel !== 'undefined' && !this.#tabs) {
      this.#tabs = new BroadcastChannel(`parley-tabs:${identity.fingerprint}`);
      this.#tabs.onmessage = (event: MessageEvent<unknown>) => {
        this.#handleTabMessage(event.data).catch((error: unknown) =>
          log.error('handling a message from another tab failed', error),
        );
      };
    }
    const locks = networkLocks();
    if (!locks) {
      this.#runNetwork(identity);
      return;
    }
    void locks
      .request(NETWORK_LOCK, { ifAvailable: true }, (lock) => {
        if (!lock) {
          this.#isNetworkElsewhere = true;
          this.#waitForNetworkLock(identity, locks);
          return undefined;
        }
        return this.#holdNetwork(identity);
      })
      .catch((error: unknown) => this.#lostNetworkLock(error));
  }

  /** Another tab has the network: take it over when that tab closes (or hands it on). */
  #waitForNetworkLock(identity: StoredIdentity, locks: LockManager): void {
    const waiting = new AbortController();
    this.#stopWaitingForLock = () => waiting.abort();
    void locks
      .request(NETWORK_LOCK, { signal: waiting.signal }, () => this.#holdNetwork(identity))
      .catch((error: unknown) => this.#lostNetworkLock(error));
  }

  /**
   * "Use here": this tab takes the network from the tab that has it, which stops talking to
   * peers and offers the same button.
   */
  useNetworkHere(): void {
    const identity = this.#identity;
    const locks = networkLocks();
    if (!identity || !locks || !this.#isNetworkElsewhere) return;
    this.#stopWaitingForLock?.();
    void locks
      .request(NETWORK_LOCK, { steal: true }, () => this.#holdNetwork(identity))
      .catch((error: unknown) => this.#lostNetworkLock(error));
  }

  /** True while another tab of this browser profile talks to peers (see `useNetworkHere`). */
  get isNetworkElsewhere(): boolean {
    return this.#isNetworkElsewhere;
  }

  /** Runs the network while the lock is held; the returned promise holds it until released. */
  #holdNetwork(identity: StoredIdentity): Promise<void> {
    this.#stopWaitingForLock = null;
    this.#isNetworkElsewhere = false;
    this.#runNetwork(identity);
    return new Promise<void>((release) => {
      this.#releaseNetworkLock = release;
    });
  }

  /** A lock request ended with an error: stolen by another tab ("Use here" there), or aborted. */
  #lostNetworkLock(error: unknown): void {
    if (!(error instanceof DOMException) || error.name !== 'AbortError') {
      log.error('the network lock failed', error);
      return;
    }
    // Aborted by ourselves (we stole it): nothing to do. Stolen from us: stop talking to peers.
    if (this.#releaseNetworkLock === null) return;
    log.info('another tab took over the network');
    this.#releaseNetworkLock = null;
    this.#stopNetwork();
    this.#isNetworkElsewhere = true;
    const identity = this.#identity;
    const locks = networkLocks();
    if (identity && locks) this.#waitForNetworkLock(identity, locks);
  }

  #runNetwork(identity: StoredIdentity): void {
    this.#startNetwork(identity).catch((error: unknown) => {
      log.error('starting the network failed', error);
      this.#status = 'offline';
      this.#notice = { key: 'error.networkFailed', params: { reason: errorMessage(error) } };
    });
  }

  /** A network start of `generation` must give up: stopped or restarted since, or outdated. */
  #isStartVoid(generation: number): boolean {
    return generation !== this.#networkGeneration || this.#phase === 'outdated';
  }

  /** Stops talking to peers (links close with `bye`); history and the store stay. */
  #stopNetwork(): void {
    // A start still under way is void from here on (see #startNetwork).
    this.#networkGeneration++;
    // A call ends (the others hear it) and the call layer goes with the transport it used.
    this.#calls?.dispose();
    this.#calls = null;
    this.#callsLoading = null;
    this.#transport = null;
    this.#mesh?.stop();
    this.#mesh = null;
    this.#sync?.stop();
    this.#sync = null;
    this.#linked = {};
    this.#typing = {};
    this.#status = 'offline';
  }

  async #startNetwork(identity: StoredIdentity): Promise<void> {
    const generation = ++this.#networkGeneration;
    const [transport, net] = await Promise.all([
      this.#deps.createTransport(this.settings.network),
      import('../net/network-stack'),
    ]);
    // Stopped (another tab took over) or started again meanwhile: this start is void.
    if (this.#isStartVoid(generation)) {
      transport.destroy();
      return;
    }
    this.#net = net;
    const { RoomMesh, SyncEngine } = net;
    this.#transport = transport;
    const meshIdentity: MeshIdentity = {
      privateKey: identity.privateKey,
      spki: identity.spki,
      fingerprint: identity.fingerprint,
      profile: { name: identity.name, color: identity.color },
    };
    const store = this.#store;
    if (!store) throw new Error('the store must be open before the network starts');
    this.#sync = new SyncEngine({
      store,
      self: { fingerprint: identity.fingerprint, spki: identity.spki },
      send: (peer, frame) => this.#mesh?.sendTo(peer, frame) ?? false,
      peersIn: (room) => this.#mesh?.peersIn(room) ?? [],
      whenDrained: (peer) => this.#mesh?.whenDrained(peer) ?? Promise.resolve(),
      onStored: (room, events) => this.#handleStored(room, events),
      onStoreError: (error) => this.#reportStoreError(error),
      onRemoteVector: (peer, vector) => {
        this.#recordDeliverySoon(peer.room, { vectors: { [peer.fingerprint]: vector } });
      },
      onOwnEventsSent: (room, seq) => this.#recordDeliverySoon(room, { sentUpTo: seq }),
      isRefusedAuthor: (fingerprint) =>
        this.#contacts.some((c) => c.fingerprint === fingerprint && c.blocked === true),
      now: this.#now,
    });
    const mesh = new RoomMesh({
      transport,
      identity: meshIdentity,
      secretFor: (room) => this.#secrets.get(room),
      handlers: {
        onStatus: (status) => {
          this.#status = status;
        },
        onPeerReady: (peer) => this.#handlePeerReady(peer),
        admits: (peer) => this.#admits(peer),
        onPeerGone: (peer) => this.#handlePeerGone(peer),
        onFrame: (peer, frame) =>
          this.#handleFrame(peer, frame).catch((error: unknown) =>
            log.error('handling a frame failed', error),
          ),
        onRoomRefused: (room, reason) => {
          // Without a room (a key the server could not read) there is no view to show it in.
          if (!room) this.#notice = roomProblemNotice(reason);
          else this.#roomProblems = { ...this.#roomProblems, [room]: reason };
        },
      },
    });
    await Promise.all([this.#refreshConversations(), this.#loadInvites()]);
    if (this.#isStartVoid(generation)) {
      this.#sync?.stop();
      this.#sync = null;
      this.#transport = null;
      transport.destroy();
      return;
    }
    for (const invite of this.#invites) {
      if (!invite.contact) this.#secrets.set(invite.room, invite.secret);
    }
    // Nothing awaits from here to start(), so every room opened so far is joined exactly once and
    // every room opened later is joined by #ensureConversation.
    for (const c of this.#conversations) if (!c.removedFromRoom) this.#secrets.set(c.id, c.secret);
    for (const room of this.#secrets.keys()) mesh.join(room);
    this.#mesh = mesh;
    mesh.start();
  }

  /**
   * Makes sure the room of `secret` is stored and joined; its room key. Never rejects. `owner`
   * (from the link) is kept only for a room new here.
   */
  async #ensureConversation(secret: string, linkOwner?: string): Promise<StoreResult<string>> {
    const store = this.#store;
    if (!store) return storeErr('unknown', 'the store is closed');
    let room: string;
    try {
      room = await roomKeyFromSecret(secret);
    } catch (error) {
      return storeErr('unknown', `deriving the room key failed: ${errorMessage(error)}`);
    }
    // Join first: the server round trip and the dials overlap the IndexedDB writes below, which
    // is most of the time from opening a link to talking (bench/results/connect.md).
    if (!this.#secrets.has(room) && !this.conversation(room)?.removedFromRoom) {
      this.#secrets.set(room, secret);
      this.#mesh?.join(room);
    }
    if (!this.conversation(room)) {
      // The owner the link names counts only if the secret commits to them (DESIGN §5).
      const owner = linkOwner && (await isOwnedBy(secret, linkOwner)) ? linkOwner : undefined;
      if (linkOwner && !owner) log.warn('a room link names an owner its secret does not');
      const now = this.#now();
      // Adds only if absent, so a concurrent first open cannot reset the vector or members.
      const saved = await store.createConversation({
        id: room,
        kind: 'room',
        secret,
        ...(owner ? { owner } : {}),
        title: '',
        createdAt: now,
        lastActivityAt: now,
        lastPreview: '',
        unread: 0,
        members: {},
        vector: {},
      });
      if (!saved.ok) return saved;
      // No full re-read: opening a link is on the critical path of connecting (bench connect).
      this.#showConversation(saved.value);
      this.#tellOtherTabsChanged();
    }
    return { ok: true, value: room };
  }

  /** Loads a room's newest history; false (reported) when the store failed. */
  async #loadMessages(room: string, generation: number): Promise<boolean> {
    const store = this.#store;
    if (!store) return false;
    this.#isLoadingMessages = true;
    try {
      const events = await store.listEvents(room, { limit: MESSAGE_PAGE_SIZE });
      if (generation !== this.#openGeneration) return true;
      // Keep what arrived while loading (it may be newer than what the read saw).
      // A local scratch set, built and dropped within this call.
      // eslint-disable-next-line svelte/prefer-svelte-reactivity
      const loaded = new Set(events.map(eventKey));
      const arrived = this.#messages.filter((e) => !loaded.has(eventKey(e)));
      this.#setMessages(
        [...events, ...arrived].sort(compareEvents),
        events.length === MESSAGE_PAGE_SIZE,
      );
      return true;
    } catch (error) {
      this.#reportStoreError(storeErrorOf(error), 'error.loadFailed');
      return false;
    } finally {
      if (generation === this.#openGeneration) this.#isLoadingMessages = false;
    }
  }

  #handlePeerReady(peer: MeshPeer): void {
    const invite = this.#invites.find((i) => i.room === peer.room);
    if (invite) {
      // An invite's room has no conversation: nothing to sync, nobody to list.
      this.#handleInvitePeer(invite, peer);
      return;
    }
    this.#linked = {
      ...this.#linked,
      [peer.room]: { ...this.#linked[peer.room], [peer.peerId]: peer },
    };
    this.#calls?.handlePeerReady(peer);
    if (peer.room in this.#roomProblems) {
      const problems = { ...this.#roomProblems };
      delete problems[peer.room];
      this.#roomProblems = problems;
    }
    // A member who was away when the room moved learns it from whoever they meet first.
    const movedTo = this.conversation(peer.room)?.movedTo;
    if (movedTo) this.#mesh?.sendTo(peer, { type: 'room-move', ...movedTo });
    this.#sync
      ?.onPeerReady(peer)
      .then(() => this.#sendReadMarker(peer))
      .then(() => this.#refreshConversations())
      .catch((error: unknown) => log.error('starting sync failed', error));
  }

  /** Tells a newly linked member how far we read (an author who was away learns it now). */
  async #sendReadMarker(peer: MeshPeer): Promise<void> {
    const marker = (await this.#store?.getConversation(peer.room))?.readUpTo;
    if (marker) this.#mesh?.sendTo(peer, { type: 'read', hlc: marker });
  }

  #handlePeerGone(peer: MeshPeer): void {
    if (this.#invites.some((i) => i.room === peer.room)) return;
    this.#sync?.onPeerGone(peer);
    const current = this.#linked[peer.room];
    if (current?.[peer.peerId] !== peer) return;
    const peers = { ...current };
    delete peers[peer.peerId];
    this.#linked = { ...this.#linked, [peer.room]: peers };
    this.#stopTyping(peer.room, [peer.fingerprint]);
    this.#calls?.handlePeerGone(peer);
    this.#rememberMember(peer).catch((error: unknown) =>
      log.error('remembering a member failed', error),
    );
  }

  async #rememberMember(peer: MeshPeer): Promise<void> {
    const store = this.#store;
    if (!store) return;
    // No name: the link's is from its handshake, and a profile event since may have renamed them.
    const saved = await store.upsertMember(peer.room, {
      fingerprint: peer.fingerprint,
      spki: peer.spki,
      name: '',
      color: peer.profile.color,
      lastSeenAt: this.#now(),
    });
    if (!saved.ok) this.#reportStoreError(saved.error);
    await this.#refreshConversations();
  }

  async #handleFrame(peer: MeshPeer, frame: AppFrame): Promise<void> {
    // Frames come only from the mesh, which exists only once the network code is loaded.
    const net = this.#net;
    if (!net) return;
    if (net.isSyncFrame(frame)) {
      await this.#sync?.handleFrame(peer, frame);
      return;
    }
    switch (frame.type) {
      case 'contact-request':
      case 'contact-accept':
      case 'contact-decline':
        await this.#handleContactFrame(peer, frame);
        return;
      case 'read':
        this.#recordDeliverySoon(peer.room, { readMarkers: { [peer.fingerprint]: frame.hlc } });
        return;
      case 'typing':
        this.#handleTyping(peer);
        return;
      case 'room-move':
        await this.#handleRoomMove(peer, frame);
        return;
      case 'room-removed':
        await this.#handleRoomRemoved(peer);
        return;
      case 'call-invite':
        // Only from a member listed in a conversation (not an invite's room). An invite loads
        // the call layer (so the call can ring); other call frames only matter to a loaded one.
        if (this.#linked[peer.room]?.[peer.peerId] !== peer) return;
        (await this.loadCalls())?.handleFrame(peer, frame);
        return;
      case 'call-ringing':
      case 'call-accept':
      case 'call-decline':
      case 'call-cancel':
      case 'call-busy':
      case 'call-hangup':
      case 'call-media':
        this.#calls?.handleFrame(peer, frame);
        return;
      default:
        assertNever(frame);
    }
  }

  #handleStored(room: string, events: ChatEvent[]): void {
    this.#stopTyping(
      room,
      events.map((e) => e.author),
    );
    this.#mergeMessages(room, events);
    this.#tellOtherTabs(room, events);
    this.#tellStoredListeners(room, events);
    if (room === this.#activeRoom && isPageVisible()) this.#markReadSoon(room);
    else this.#refreshConversationsSoon();
  }

  /** Re-reads the list and marks the open room read once the current burst of frames is in. */
  #markReadSoon(room: string): void {
    if (this.#markReadQueued.has(room)) return;
    this.#markReadQueued.add(room);
    setTimeout(() => {
      this.#markReadQueued.delete(room);
      this.#refreshConversations()
        .then(() => (room === this.#activeRoom && isPageVisible() ? this.markRead(room) : null))
        .catch((error: unknown) => log.error('marking read failed', error));
    });
  }

  /**
   * Adds newly stored events to the open room's loaded messages, in display order. Events older
   * than the loaded window are left to paging back; while the reader follows the newest, the
   * window keeps to MAX_LOADED_MESSAGES by dropping its oldest page (paged back in on demand).
   */
  #mergeMessages(room: string, events: readonly ChatEvent[]): void {
    if (room !== this.#activeRoom) return;
    const oldest = this.#messages[0];
    const fresh = events.filter((e) => {
      const key = eventKey(e);
      if (this.#messageKeys.has(key)) return false;
      if (this.#hasOlderMessages && oldest && compareEvents(e, oldest) < 0) return false;
      this.#messageKeys.add(key);
      return true;
    });
    if (fresh.length === 0) return;
    fresh.sort(compareEvents);
    const newest = this.#messages.at(-1);
    const first = fresh[0];
    let merged =
      !newest || (first && compareEvents(newest, first) < 0)
        ? this.#messages.concat(fresh)
        : [...this.#messages, ...fresh].sort(compareEvents);
    if (this.#isFollowingLatest && merged.length > MAX_LOADED_MESSAGES) {
      const dropped = merged.slice(0, merged.length - MESSAGE_PAGE_SIZE);
      merged = merged.slice(-MESSAGE_PAGE_SIZE);
      for (const e of dropped) this.#messageKeys.delete(eventKey(e));
      this.#hasOlderMessages = true;
    }
    this.#messages = merged;
  }

  /** Replaces the loaded messages (a room opened or closed). */
  #setMessages(events: ChatEvent[], hasOlder: boolean): void {
    this.#messages = events;
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a lookup, not UI state
    this.#messageKeys = new Set(events.map(eventKey));
    this.#hasOlderMessages = hasOlder;
  }

  /**
   * The view says whether the reader is at the newest message; only then may the loaded window
   * drop old rows as new ones arrive (never under someone reading back).
   */
  followLatest(room: string, isFollowing: boolean): void {
    if (room === this.#activeRoom) this.#isFollowingLatest = isFollowing;
  }

  /** Loads the page of messages before the oldest loaded one; false when it failed. */
  async loadOlderMessages(room: string): Promise<boolean> {
    const store = this.#store;
    const oldest = this.#messages[0];
    if (!store || room !== this.#activeRoom || !this.#hasOlderMessages || !oldest) return true;
    if (this.#isLoadingMessages) return true;
    const generation = this.#openGeneration;
    this.#isLoadingMessages = true;
    try {
      const page = await store.listEvents(room, {
        limit: MESSAGE_PAGE_SIZE,
        before: { hlc: oldest.hlc, author: oldest.author, seq: oldest.seq },
      });
      if (generation !== this.#openGeneration) return true;
      const older = page.filter((e) => !this.#messageKeys.has(eventKey(e)));
      for (const e of older) this.#messageKeys.add(eventKey(e));
      this.#messages = older.concat(this.#messages);
      this.#hasOlderMessages = page.length === MESSAGE_PAGE_SIZE;
      return true;
    } catch (error) {
      this.#reportStoreError(storeErrorOf(error), 'error.loadFailed');
      return false;
    } finally {
      if (generation === this.#openGeneration) this.#isLoadingMessages = false;
    }
  }

  /** Puts one stored conversation into the list, keeping the newest activity first. */
  #showConversation(stored: Conversation): void {
    const conversation = withContactTitle(stored);
    const others = this.#conversations.filter((c) => c.id !== conversation.id);
    const at = others.findIndex((c) => c.lastActivityAt <= conversation.lastActivityAt);
    this.#conversations =
      at === -1 ? [...others, conversation] : others.toSpliced(at, 0, conversation);
  }

  /** Re-reads the conversation list once the current task's stores are done (coalesced). */
  #refreshConversationsSoon(): void {
    if (this.#isRefreshQueued) return;
    this.#isRefreshQueued = true;
    setTimeout(() => {
      this.#isRefreshQueued = false;
      void this.#refreshConversations();
    });
  }

  /** Re-reads the conversation list; a failed read keeps the old list (and is logged). */
  async #refreshConversations(): Promise<void> {
    const store = this.#store;
    if (!store) return;
    try {
      this.#conversations = (await store.listConversations()).map(withContactTitle);
    } catch (error) {
      log.error('listing conversations failed', error);
    }
  }

  /** Shows a store failure: a full disk as such, anything else under `key` with the detail. */
  #reportStoreError(error: StoreError, key: MessageKey = 'error.saveFailed'): void {
    log.error('store error', error);
    this.#notice =
      error.kind === 'quota'
        ? { key: 'error.storageFull' }
        : { key, params: { reason: error.message } };
  }

  /** Another tab upgraded the database and ours closed: stop everything and ask for a reload. */
  #handleVersionChange(): void {
    log.warn('the database was upgraded by another tab; this tab must reload');
    this.#mesh?.stop();
    this.#mesh = null;
    this.#store = null;
    this.#activeRoom = null;
    this.#setMessages([], false);
    this.#phase = 'outdated';
  }

  // --- PWA (DESIGN §11): notifications hook and "Delete all data" ---

  /**
   * Calls `listener` with the text messages from others each time some are stored (not our own,
   * not reactions or edits); for notifications. Returns the unsubscribe.
   */
  onMessagesStored(listener: (room: string, events: readonly ChatEvent[]) => void): () => void {
    this.#storedListeners.add(listener);
    return () => this.#storedListeners.delete(listener);
  }

  #tellStoredListeners(room: string, events: readonly ChatEvent[]): void {
    const self = this.#identity?.fingerprint;
    const messages = events.filter((e) => e.kind === 'text' && e.author !== self);
    if (messages.length === 0) return;
    for (const listener of this.#storedListeners) listener(room, messages);
  }

  /**
   * Deletes everything this browser holds for Parley's database: leaves the network, closes and
   * deletes the store. The caller then clears caches and reloads (the app starts at onboarding).
   */
  async deleteAllData(): Promise<boolean> {
    this.#mesh?.stop();
    this.#mesh = null;
    this.#releaseNetworkLock?.();
    this.#releaseNetworkLock = null;
    this.#stopWaitingForLock?.();
    this.#tabs?.close();
    this.#tabs = null;
    this.#store?.close();
    this.#store = null;
    this.#phase = 'loading';
    try {
      await this.#deps.deleteStore?.();
      return true;
    } catch (error) {
      log.error('deleting the database failed', error);
      this.#fail({ key: 'settings.deleteFailed', params: { reason: errorMessage(error) } });
      return false;
    }
  }

  /** The app cannot go on: show why. */
  #fail(reason: Notice): void {
    if (this.#phase === 'outdated') return;
    this.#fatal = reason;
    this.#phase = 'fatal';
  }
}

/**
 * Checks a display name as typed: trimmed, then 1–{@link MAX_NAME_CHARS} characters with
 * no control or text-direction characters (the same rule peers apply to our hello).
 */
export function checkDisplayName(
  raw: string,
): { ok: true; name: string } | { ok: false; error: Notice } {
  const name = raw.trim();
  if (!name) return { ok: false, error: { key: 'onboarding.nameRequired' } };
  if (name.length > MAX_NAME_CHARS) {
    return {
      ok: false,
      error: { key: 'onboarding.nameTooLong', params: { max: MAX_NAME_CHARS } },
    };
  }
  if (!isDisplayName(name)) return { ok: false, error: { key: 'onboarding.nameInvalid' } };
  return { ok: true, name };
}

/** What to tell people about a room the signal server turned away, by the server's reason. */
export function roomProblemNotice(reason: RoomProblem): Notice {
  switch (reason) {
    case 'full':
      return { key: 'room.full' };
    case 'too-many-rooms':
      return { key: 'room.tooManyRooms' };
    case 'bad-room':
      return { key: 'room.badRoom' };
    default:
      return { key: 'room.refused', params: { reason } };
  }
}

/** WebCrypto is there (it is missing outside secure contexts, e.g. on http://192.168.…). */
function hasWebCrypto(): boolean {
  const subtle = (globalThis.crypto as Partial<Crypto> | undefined)?.subtle;
  return globalThis.isSecureContext !== false && subtle !== undefined;
}

/** A thrown value's message. */
function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A thrown store failure as a StoreError (anything else thrown by the store is 'unknown'). */
function storeErrorOf(error: unknown): StoreError {
  return error instanceof StoreFailure
    ? error.storeError
    : { kind: 'unknown', message: errorMessage(error) };
}

/** A peer's name as shown: what they announced, else the start of their fingerprint. */
function shownName(name: string | undefined, fingerprint: string): string {
  return name || fingerprint.slice(0, 8);
}

function isPageVisible(): boolean {
  return typeof document === 'undefined' || document.visibilityState === 'visible';
}

/** The person is looking: the page is visible and the window focused (read markers advance). */
function isPageAttentive(): boolean {
  return isPageVisible() && (typeof document === 'undefined' || document.hasFocus());
}

/** The title people see for a conversation (its set title, else a short stable name). */
export function conversationTitle(conversation: Pick<Conversation, 'id' | 'title'>): string {
  return conversation.title || t('room.defaultTitle', { short: conversation.id.slice(0, 4) });
}

/** A contact as the lists show it: current name and colour, and when they were last online. */
export interface ContactView extends Contact {
  /** When a link to them last closed or opened (ms since epoch); 0 when never. */
  lastSeenAt: number;
}

/** Contacts with their direct chat's current profile and last-seen time, sorted by name. */
export function contactViews(
  contacts: readonly Contact[],
  conversations: readonly Conversation[],
): ContactView[] {
  // A local lookup, built and dropped within this call.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  const directs = new Map(conversations.map((c) => [c.id, c]));
  const views = contacts.map((contact): ContactView => {
    const member = directs.get(contact.conv)?.members[contact.fingerprint];
    return member?.name
      ? { ...contact, name: member.name, color: member.color, lastSeenAt: member.lastSeenAt }
      : { ...contact, lastSeenAt: member?.lastSeenAt ?? 0 };
  });
  const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });
  return views.sort(
    (a, b) => collator.compare(a.name, b.name) || a.fingerprint.localeCompare(b.fingerprint),
  );
}

/** A direct chat is titled with its contact's current name (profile events rename it). */
function withContactTitle(c: Conversation): Conversation {
  const name = c.kind === 'direct' && c.contact ? c.members[c.contact]?.name : undefined;
  return name && name !== c.title ? { ...c, title: name } : c;
}

/** The Web Lock that one tab per browser profile holds while it talks to peers (DESIGN §4). */
const NETWORK_LOCK = 'parley-network';

/** The browser's lock manager, where there is one. */
function networkLocks(): LockManager | null {
  return typeof navigator !== 'undefined' && 'locks' in navigator ? navigator.locks : null;
}

/** What one tab tells this profile's other tabs. */
type TabMessage =
  | {
      type: 'stored';
      /** The conversation. */
      room: string;
      /** Events just stored there, in display order. */
      events: ChatEvent[];
    }
  /** Rooms, invites, contacts or the profile changed in the store. */
  | { type: 'changed' };

function isTabMessage(data: unknown): data is TabMessage {
  if (typeof data !== 'object' || data === null) return false;
  const m = data as { type?: unknown; room?: unknown; events?: unknown };
  if (m.type === 'changed') return true;
  return m.type === 'stored' && typeof m.room === 'string' && Array.isArray(m.events);
}
