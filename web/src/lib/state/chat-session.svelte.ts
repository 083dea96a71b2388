/**
 * The app's shared reactive state and its intentions (DESIGN §1: the store is the truth, the
 * network only feeds it). Components read getters and call methods; they never touch the store
 * or the network themselves.
 */
import { colorForFingerprint } from '../chat/avatar';
import { compareEvents, signEvent } from '../chat/events';
import { MAX_DISPLAY_NAME_CHARS, MESSAGE_PAGE_SIZE } from '../config';
import { createIdentityKeys } from '../crypto/identity';
import { isRoomSecret, newRoomSecret, roomKeyFromSecret } from '../crypto/room-keys';
import { t, type MessageKey } from '../i18n/i18n';
import { createLogger } from '../log';
import type { AppFrame, MeshIdentity, MeshPeer } from '../net/room-mesh';
import { RoomMesh } from '../net/room-mesh';
import type { SignalStatus, Transport } from '../net/transport';
import type { ChatEvent } from '../protocol/events';
import { MAX_TEXT_CHARS } from '../protocol/limits';
import { splitEventsIntoFrames } from '../protocol/peer-frames';
import type { ChatStore, Conversation, StoredIdentity, StoreError } from '../storage/chat-store';
import { assertNever } from '../protocol/assert-never';
import { SyncEngine } from '../sync/sync-engine';

const log = createLogger('session');

/** Where the app is in its life. */
export type SessionPhase = 'loading' | 'onboarding' | 'ready' | 'fatal';

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

/** Why a room cannot be used right now. */
export type RoomProblem = 'full' | 'refused';

/** What the composition root hands the session. */
export interface ChatSessionDeps {
  /** Opens the local database (it reads whose messages are "own" from the saved identity). */
  openStore(): Promise<ChatStore>;
  /** Builds the transport (the PeerJS one in the app). */
  createTransport(): Promise<Transport>;
  /** Wall clock; injectable for tests. */
  now?: () => number;
}

/** The one session of this tab. */
export class ChatSession {
  #deps: ChatSessionDeps;
  #now: () => number;
  #store: ChatStore | null = null;
  #mesh: RoomMesh | null = null;
  #sync: SyncEngine | null = null;
  // Not UI state: the mesh's lookup of room secrets by room key.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #secrets = new Map<string, string>();

  #phase = $state<SessionPhase>('loading');
  #fatalReason = $state('');
  #identity = $state.raw<StoredIdentity | null>(null);
  #conversations = $state.raw<Conversation[]>([]);
  #status = $state<SignalStatus>('connecting');
  /** room → peerId → authenticated peer. */
  #linked = $state.raw<Readonly<Record<string, Readonly<Record<string, MeshPeer>>>>>({});
  #activeRoom = $state<string | null>(null);
  #messages = $state.raw<ChatEvent[]>([]);
  #isLoadingMessages = $state(false);
  #roomProblems = $state.raw<Readonly<Record<string, RoomProblem>>>({});
  #notice = $state.raw<Notice | null>(null);

  constructor(deps: ChatSessionDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
  }

  /** Where the app is in its life. */
  get phase(): SessionPhase {
    return this.#phase;
  }
  /** Why the app could not start (phase 'fatal'). */
  get fatalReason(): string {
    return this.#fatalReason;
  }
  /** The local identity once created. */
  get identity(): StoredIdentity | null {
    return this.#identity;
  }
  /** Conversations by last activity, newest first. */
  get conversations(): Conversation[] {
    return this.#conversations;
  }
  /** Signal server connection state. */
  get status(): SignalStatus {
    return this.#status;
  }
  /** The open conversation's room key. */
  get activeRoom(): string | null {
    return this.#activeRoom;
  }
  /** The open conversation. */
  get activeConversation(): Conversation | null {
    return this.#conversations.find((c) => c.id === this.#activeRoom) ?? null;
  }
  /** Messages of the open conversation in display order. */
  get messages(): ChatEvent[] {
    return this.#messages;
  }
  /** True while the open conversation's history loads. */
  get isLoadingMessages(): boolean {
    return this.#isLoadingMessages;
  }
  /** The problem to show, if any. */
  get notice(): Notice | null {
    return this.#notice;
  }
  /** Total unread messages over all conversations. */
  get unreadTotal(): number {
    return this.#conversations.reduce((sum, c) => sum + c.unread, 0);
  }

  /** Why a room cannot be used, if it cannot. */
  roomProblem(room: string): RoomProblem | undefined {
    return this.#roomProblems[room];
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
        name: m.name || m.fingerprint.slice(0, 8),
        color: m.color,
        isOnline: false,
        isSelf: false,
      });
    }
    for (const peer of linked) {
      rows.set(peer.fingerprint, {
        fingerprint: peer.fingerprint,
        name: peer.profile.name,
        color: peer.profile.color,
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
  authorName(room: string, fingerprint: string): string {
    if (fingerprint === this.#identity?.fingerprint) return this.#identity.name;
    for (const peer of Object.values(this.#linked[room] ?? {})) {
      if (peer.fingerprint === fingerprint) return peer.profile.name;
    }
    const member = this.#conversations.find((c) => c.id === room)?.members[fingerprint];
    return member?.name || fingerprint.slice(0, 8);
  }

  /** Opens the database and, if an identity exists, the network. */
  async init(): Promise<void> {
    try {
      // The store learns whose messages are "own" from the saved identity (unread counting).
      this.#store = await this.#deps.openStore();
      const identity = await this.#store.getIdentity();
      if (!identity) {
        this.#phase = 'onboarding';
        return;
      }
      this.#identity = identity;
      await this.#startNetwork(identity);
      this.#phase = 'ready';
    } catch (error) {
      log.error('startup failed', error);
      this.#fatalReason = error instanceof Error ? error.message : String(error);
      this.#phase = 'fatal';
    }
  }

  /** First run: makes the identity key pair and saves the chosen name. */
  async createIdentity(rawName: string): Promise<boolean> {
    const name = rawName.trim().slice(0, MAX_DISPLAY_NAME_CHARS);
    if (!name || !this.#store) return false;
    const keys = await createIdentityKeys();
    const identity: StoredIdentity = {
      id: 'self',
      privateKey: keys.privateKey,
      publicKey: keys.publicKey,
      spki: keys.spki,
      fingerprint: keys.fingerprint,
      name,
      color: colorForFingerprint(keys.fingerprint),
      createdAt: this.#now(),
    };
    const saved = await this.#store.putIdentity(identity);
    if (!saved.ok) {
      this.#reportStoreError(saved.error);
      return false;
    }
    this.#identity = identity;
    await this.#startNetwork(identity);
    this.#phase = 'ready';
    return true;
  }

  /** Creates a room and returns its secret (the caller navigates to its link). */
  async createRoom(): Promise<string> {
    const secret = newRoomSecret();
    await this.#ensureConversation(secret);
    return secret;
  }

  /** Opens (and if new, joins) the room of a link's secret; false for a malformed secret. */
  async openRoom(secret: string): Promise<boolean> {
    if (!isRoomSecret(secret)) return false;
    const room = await this.#ensureConversation(secret);
    if (!room) return false;
    if (this.#activeRoom !== room) {
      this.#activeRoom = room;
      this.#messages = [];
      await this.#loadMessages(room);
    }
    await this.markRead();
    return true;
  }

  /** Closes the open conversation view. */
  closeRoom(): void {
    this.#activeRoom = null;
    this.#messages = [];
  }

  /** Sends a text message to the open room: stored first, then pushed to every linked member. */
  async send(rawText: string): Promise<boolean> {
    const room = this.#activeRoom;
    const identity = this.#identity;
    const store = this.#store;
    const text = rawText.replace(/^\s*\n|\s+$/g, '');
    if (!room || !identity || !store || !text.trim()) return false;
    if (text.length > MAX_TEXT_CHARS) return false;
    const result = await store.appendOwnEvent({
      conv: room,
      author: identity.fingerprint,
      content: { kind: 'text', body: { text } },
      sign: (unsigned) => signEvent(unsigned, identity.privateKey),
      nowMs: this.#now(),
    });
    if (!result.ok) {
      this.#reportStoreError(result.error);
      return false;
    }
    this.#mergeMessages(room, [result.value]);
    await this.#refreshConversations();
    const keys = { [identity.fingerprint]: identity.spki };
    for (const frame of splitEventsIntoFrames([result.value], keys))
      this.#mesh?.broadcast(room, frame);
    return true;
  }

  /** Marks the open conversation read (call while it is visible). */
  async markRead(): Promise<void> {
    const room = this.#activeRoom;
    if (!room || !this.#store) return;
    const conversation = this.#conversations.find((c) => c.id === room);
    if (conversation && conversation.unread === 0) return;
    await this.#store.markRead(room);
    await this.#refreshConversations();
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
    this.#mesh?.sayGoodbye();
  }

  async #startNetwork(identity: StoredIdentity): Promise<void> {
    const transport = await this.#deps.createTransport();
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
      onStored: (room, events) => {
        this.#handleStored(room, events).catch((error: unknown) =>
          log.error('showing new messages failed', error),
        );
      },
      onStoreError: (error) => this.#reportStoreError(error),
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
        onPeerGone: (peer) => this.#handlePeerGone(peer),
        onFrame: (peer, frame) => {
          this.#handleFrame(peer, frame).catch((error: unknown) =>
            log.error('handling a frame failed', error),
          );
        },
        onRoomRefused: (room, reason) => {
          if (!room) return;
          this.#roomProblems = {
            ...this.#roomProblems,
            [room]: reason === 'full' ? 'full' : 'refused',
          };
        },
      },
    });
    this.#mesh = mesh;
    await this.#refreshConversations();
    for (const c of this.#conversations) {
      this.#secrets.set(c.id, c.secret);
      mesh.join(c.id);
    }
    mesh.start();
  }

  async #ensureConversation(secret: string): Promise<string | null> {
    const store = this.#store;
    if (!store) return null;
    const room = await roomKeyFromSecret(secret);
    const existing = await store.getConversation(room);
    if (!existing) {
      const now = this.#now();
      const saved = await store.putConversation({
        id: room,
        kind: 'room',
        secret,
        title: '',
        createdAt: now,
        lastActivityAt: now,
        lastPreview: '',
        unread: 0,
        members: {},
        vector: {},
      });
      if (!saved.ok) {
        this.#reportStoreError(saved.error);
        return null;
      }
      await this.#refreshConversations();
    }
    if (!this.#secrets.has(room)) {
      this.#secrets.set(room, secret);
      this.#mesh?.join(room);
    }
    return room;
  }

  async #loadMessages(room: string): Promise<void> {
    if (!this.#store) return;
    this.#isLoadingMessages = true;
    try {
      const events = await this.#store.listEvents(room, { limit: MESSAGE_PAGE_SIZE });
      if (this.#activeRoom === room) this.#messages = events;
    } finally {
      this.#isLoadingMessages = false;
    }
  }

  #handlePeerReady(peer: MeshPeer): void {
    this.#linked = {
      ...this.#linked,
      [peer.room]: { ...this.#linked[peer.room], [peer.peerId]: peer },
    };
    if (peer.room in this.#roomProblems) {
      const problems = { ...this.#roomProblems };
      delete problems[peer.room];
      this.#roomProblems = problems;
    }
    this.#sync
      ?.onPeerReady(peer)
      .then(() => this.#refreshConversations())
      .catch((error: unknown) => log.error('starting sync failed', error));
  }

  #handlePeerGone(peer: MeshPeer): void {
    const current = this.#linked[peer.room];
    if (current?.[peer.peerId] !== peer) return;
    const peers = { ...current };
    delete peers[peer.peerId];
    this.#linked = { ...this.#linked, [peer.room]: peers };
    this.#rememberMember(peer).catch((error: unknown) =>
      log.error('remembering a member failed', error),
    );
  }

  async #rememberMember(peer: MeshPeer): Promise<void> {
    const store = this.#store;
    if (!store) return;
    const saved = await store.upsertMember(peer.room, {
      fingerprint: peer.fingerprint,
      spki: peer.spki,
      name: peer.profile.name,
      color: peer.profile.color,
      lastSeenAt: this.#now(),
    });
    if (!saved.ok) this.#reportStoreError(saved.error);
    await this.#refreshConversations();
  }

  async #handleFrame(peer: MeshPeer, frame: AppFrame): Promise<void> {
    const sync = this.#sync;
    if (!sync) return;
    switch (frame.type) {
      case 'events':
        await sync.onEvents(peer, frame);
        return;
      case 'sync':
        await sync.onSync(peer, frame.vector);
        return;
      default:
        assertNever(frame);
    }
  }

  async #handleStored(room: string, events: ChatEvent[]): Promise<void> {
    this.#mergeMessages(room, events);
    await this.#refreshConversations();
    if (room === this.#activeRoom && isPageVisible()) await this.markRead();
  }

  #mergeMessages(room: string, events: ChatEvent[]): void {
    if (room !== this.#activeRoom) return;
    this.#messages = [...this.#messages, ...events].sort(compareEvents);
  }

  async #refreshConversations(): Promise<void> {
    if (!this.#store) return;
    this.#conversations = await this.#store.listConversations();
  }

  #reportStoreError(error: StoreError): void {
    log.error('store error', error);
    this.#notice =
      error.kind === 'quota'
        ? { key: 'error.storageFull' }
        : { key: 'error.saveFailed', params: { reason: error.message } };
  }
}

function isPageVisible(): boolean {
  return typeof document === 'undefined' || document.visibilityState === 'visible';
}

/** The title people see for a conversation (its set title, else a short stable name). */
export function conversationTitle(conversation: Pick<Conversation, 'id' | 'title'>): string {
  return conversation.title || t('room.defaultTitle', { short: conversation.id.slice(0, 4) });
}
