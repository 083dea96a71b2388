/**
 * The conversation list (DESIGN §5): rooms and direct chats as stored, following the store's
 * change notices (here and in other tabs), and the person's intentions on them — make a room,
 * open a link, mute, archive, delete, leave. Its rooms are a source of the room directory.
 */
import {
  isOwnedBy,
  isRoomSecret,
  newOwnedRoomSecret,
  newRoomSecret,
  roomKeyFromSecret,
} from '../../crypto/room-keys';
import type { MessageKey } from '../../i18n/i18n';
import type { Kernel } from '../../kernel/kernel.svelte';
import { errorMessage, storeErrorOf } from '../../kernel/notices.svelte';
import { createLogger } from '../../log';
import {
  storeErr,
  type ChatStore,
  type Conversation,
  type ConversationFlags,
  type StoreChange,
  type StoreResult,
} from '../../storage/chat-store';
import { ConversationRooms } from './conversation-rooms';
import { compareByActivity, withContactTitle } from './conversation-views';
import { isFingerprint } from '../../protocol/id-formats';
import type { RoomKey, RoomSecret } from '../../protocol/ids';

const log = createLogger('conversations');

/** The conversations of this profile. */
export class Conversations {
  #kernel: Kernel;
  #all = $state.raw<Conversation[]>([]);
  /** The list people see: rooms that moved to a new secret are left out (their successor shows). */
  #listed = $derived(this.#all.filter((c) => !c.movedTo));
  #unreadTotal = $derived(this.#listed.reduce((sum, c) => (c.muted ? sum : sum + c.unread), 0));
  #rooms: ConversationRooms;

  constructor(kernel: Kernel) {
    this.#kernel = kernel;
    this.#rooms = new ConversationRooms(() => this.#all);
    kernel.directory.addSource(this.#rooms);
    kernel.bus.on({ change: ({ change }) => this.#follow(change) });
  }

  /** Reads the list (before the first screen). */
  async load(store: ChatStore): Promise<void> {
    this.#all = (await store.listConversations()).map(withContactTitle);
    this.#kernel.directory.reconcile();
  }

  /** Conversations by last activity, newest first (a room that moved on is history of its successor). */
  get list(): Conversation[] {
    return this.#listed;
  }
  /** Every stored conversation, moved rooms included. */
  get all(): readonly Conversation[] {
    return this.#all;
  }
  /** Total unread messages over all conversations that are not muted. */
  get unreadTotal(): number {
    return this.#unreadTotal;
  }
  /** One conversation by room key. */
  conversation(room: RoomKey): Conversation | undefined {
    return this.#all.find((c) => c.id === room);
  }

  /**
   * Creates a room and returns its secret (the caller navigates to its link); null when it could
   * not be saved (the notice says why).
   */
  async createRoom(): Promise<RoomSecret | null> {
    const owner = this.#kernel.self;
    const secret = owner ? await newOwnedRoomSecret(owner) : newRoomSecret();
    const ensured = await this.ensure(secret, owner);
    if (!ensured.ok) {
      this.#kernel.notices.reportStore(ensured.error, 'error.roomSaveFailed');
      return null;
    }
    return secret;
  }

  /**
   * Makes sure the room of `secret` is stored and joined; its room key. Never rejects. `linkOwner`
   * (from the link) is kept only for a room new here, and only if the secret commits to them.
   */
  async ensure(secret: string, linkOwner?: string): Promise<StoreResult<RoomKey>> {
    const store = this.#kernel.store;
    if (!store) return storeErr('unknown', 'the store is closed');
    if (!isRoomSecret(secret)) return storeErr('unknown', 'not a room secret');
    let room: RoomKey;
    try {
      room = await roomKeyFromSecret(secret);
    } catch (error) {
      return storeErr('unknown', `deriving the room key failed: ${errorMessage(error)}`);
    }
    const known = this.conversation(room);
    if (known) return { ok: true, value: room };
    // Join first: the server round trip and the dials overlap the write below.
    this.#rooms.open(room, secret);
    this.#kernel.directory.reconcile();
    try {
      // The owner the link names counts only if the secret commits to them (DESIGN §5).
      const owner =
        isFingerprint(linkOwner) && (await isOwnedBy(secret, linkOwner)) ? linkOwner : undefined;
      if (linkOwner && !owner) log.warn('a room link names an owner its secret does not');
      const now = this.#kernel.now();
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
      // Another tab (or a concurrent open) may have stored it first: show what is stored.
      this.#upsert(saved.value);
      return { ok: true, value: room };
    } finally {
      this.#rooms.opened(room);
      this.#kernel.directory.reconcile();
    }
  }

  /**
   * Mutes or unmutes a conversation (a muted one's unread stays out of the total); false when it
   * failed (reported).
   */
  setMuted(room: RoomKey, isMuted: boolean): Promise<boolean> {
    return this.setFlags(room, { muted: isMuted });
  }

  /** Archives a conversation (listed apart) or brings it back; false when it failed (reported). */
  setArchived(room: RoomKey, isArchived: boolean): Promise<boolean> {
    return this.setFlags(room, { archived: isArchived });
  }

  /** Sets flags on a conversation; false when it failed (reported). */
  async setFlags(room: RoomKey, flags: ConversationFlags): Promise<boolean> {
    const store = this.#kernel.store;
    if (!store) return false;
    const saved = await store.setConversationFlags(room, flags);
    if (!saved.ok) {
      this.#kernel.notices.reportStore(saved.error, 'error.conversationUpdateFailed');
      return false;
    }
    return true;
  }

  /**
   * Deletes a conversation with its whole history from this browser; other members keep theirs.
   * A room cannot be kept joined without its record, so it is left too (its view closes). False
   * when it could not be deleted (reported; the room is then joined again).
   */
  deleteConversation(room: RoomKey): Promise<boolean> {
    return this.#forget(room, 'error.deleteFailed');
  }

  /**
   * Leaves a room for good: its members hear goodbye, the signal server that we left, and it is
   * deleted here like `deleteConversation`. False for anything but a room, or when it failed.
   */
  leaveRoom(room: RoomKey): Promise<boolean> {
    if (this.conversation(room)?.kind !== 'room') return Promise.resolve(false);
    return this.#forget(room, 'error.leaveFailed');
  }

  /** Stops taking part in a room, then deletes it and its events from the store. */
  async #forget(room: RoomKey, failure: MessageKey): Promise<boolean> {
    const store = this.#kernel.store;
    if (!store || !this.conversation(room)) return false;
    const directory = this.#kernel.directory;
    this.#rooms.leave(room);
    directory.reconcile();
    try {
      await store.deleteConversation(room);
      return true;
    } catch (error) {
      this.#kernel.notices.reportStore(storeErrorOf(error), failure);
      // Still stored, so still ours: take part in it again.
      return false;
    } finally {
      this.#rooms.left(room);
      directory.reconcile();
    }
  }

  /** Follows the store: each changed record takes its place in the list. */
  #follow(change: StoreChange): void {
    switch (change.type) {
      case 'conversation':
        this.#upsert(change.conversation);
        break;
      case 'conversation-deleted':
        if (!this.conversation(change.conv)) return;
        this.#all = this.#all.filter((c) => c.id !== change.conv);
        break;
      default:
        return;
    }
    this.#kernel.directory.reconcile();
  }

  /** Puts one stored conversation into the list, keeping the newest activity first. */
  #upsert(stored: Conversation): void {
    const conversation = withContactTitle(stored);
    const index = this.#all.findIndex((c) => c.id === conversation.id);
    const before = index === -1 ? undefined : this.#all[index];
    if (before && before.lastActivityAt === conversation.lastActivityAt) {
      // In place: the activity the list is ordered by did not change.
      this.#all = this.#all.with(index, conversation);
      return;
    }
    const others = index === -1 ? this.#all : this.#all.toSpliced(index, 1);
    const at = others.findIndex((c) => compareByActivity(conversation, c) <= 0);
    this.#all = at === -1 ? [...others, conversation] : others.toSpliced(at, 0, conversation);
  }
}
