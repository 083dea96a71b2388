/**
 * The open conversation's messages (DESIGN §6): opening a link loads its newest page, older pages
 * come in on demand, and what is stored meanwhile — here, by the network, or in another tab —
 * joins in display order, following the store's change notices.
 */
import { isRoomSecret } from '../../crypto/room-keys';
import { MESSAGE_PAGE_SIZE } from '../../config';
import type { Kernel } from '../../kernel/kernel.svelte';
import { storeErrorOf } from '../../kernel/notices.svelte';
import type { StoredEvent } from '../../protocol/events';
import type { StoreChange, StoreResult } from '../../storage/chat-store';
import { MessageWindow } from './message-window';
import type { RoomKey } from '../../protocol/ids';

/**
 * The most messages the open room keeps loaded while the reader follows the newest; past it the
 * oldest are dropped down to one page (the DOM stays small however long the chat runs). Paging
 * back and forth from there is the search feature's (open-at-message.ts, through `showAt`).
 */
const MAX_LOADED_MESSAGES = 2 * MESSAGE_PAGE_SIZE;

/**
 * While a history floods in (a change that says `more` follows at once), the log shows at most
 * this often: the state after the last burst, not every state on the way.
 */
export const FLOOD_SHOW_MS = 1000;

/** The outcome of `openRoom`. */
export type OpenRoomResult =
  /** The room is open; its key is `room`. */
  | { status: 'open'; room: RoomKey }
  /** The link's secret is malformed. */
  | { status: 'invalid' }
  /** The room could not be read or saved (already reported through the notice). */
  | { status: 'failed' }
  /** Another `openRoom` or `closeRoom` came after this one; nothing was changed. */
  | { status: 'superseded' };

/** What the timeline asks of other features. */
export interface TimelinePorts {
  /**
   * Makes sure the room of a link's secret is stored and joined (the conversations feature); its
   * room key, or why not.
   */
  ensureRoom(secret: string, linkOwner?: string): Promise<StoreResult<RoomKey>>;
  /** Marks a room read (the receipts feature): called once it is open. */
  markRead(room: RoomKey): Promise<void>;
  /**
   * Resolves once the room's dials have made their offers, or after a while (the network): its
   * history loads after that, so that loading and showing it does not slow connecting.
   */
  whenDialled(room: RoomKey): Promise<void>;
}

/** The message window of this tab's open conversation. */
export class Timeline {
  #kernel: Kernel;
  #ports: TimelinePorts;
  /** Bumped by every openRoom/closeRoom, so a slower earlier open cannot take over the view. */
  #generation = 0;
  /** The secret of the latest openRoom call, until closed. */
  #openSecret: string | null = null;
  #activeRoom = $state<RoomKey | null>(null);
  #messages = $state.raw<StoredEvent[]>([]);
  #hasOlder = $state(false);
  #hasNewer = $state(false);
  #isLoading = $state(false);
  /** The reader is at the newest message: the window may drop its oldest rows. */
  #isFollowing = true;
  /**
   * The open room's newest page has been read. Until then what arrives joins the window unseen:
   * the view never shows new messages without the history before them.
   */
  #isHistoryRead = false;
  #window = new MessageWindow(MESSAGE_PAGE_SIZE, MAX_LOADED_MESSAGES);
  /** The coming show of a history flooding in (at most `FLOOD_SHOW_MS` away). */
  #showTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(kernel: Kernel, ports: TimelinePorts) {
    this.#kernel = kernel;
    this.#ports = ports;
    kernel.bus.on({ change: ({ change }) => this.#follow(change) });
  }

  /**
   * What a member's link brought to `room` is all stored (sync-link.ts): a flood whose last
   * burst stored nothing shows now, not when its show timer runs out.
   */
  historySettled(room: RoomKey): void {
    if (room === this.#activeRoom && this.#showTimer) this.#show();
  }

  /** The open conversation's room key (for highlighting it; views use their own room key). */
  get activeRoom(): RoomKey | null {
    return this.#activeRoom;
  }
  /** A room's loaded messages in display order (empty unless it is the open room). */
  messagesOf(room: RoomKey): StoredEvent[] {
    return this.#activeRoom === room ? this.#messages : [];
  }
  /** The newest message shown in `room` (for the read marker), if it is open. */
  newestShown(room: RoomKey): StoredEvent | undefined {
    return this.#activeRoom === room ? this.#messages.at(-1) : undefined;
  }
  /** True while the store may hold older messages of the open room than those shown. */
  hasOlderMessages(room: RoomKey): boolean {
    return this.#activeRoom === room && this.#hasOlder;
  }
  /** True while the store holds newer messages of the open room than those shown. */
  hasNewerMessages(room: RoomKey): boolean {
    return this.#activeRoom === room && this.#hasNewer;
  }
  /**
   * `events` replace the open room's window: a page more as the reader scrolls, or a window far
   * back (search), which then pages both ways from there. False when `room` is not open (or
   * still loading).
   */
  showAt(
    room: RoomKey,
    page: { events: StoredEvent[]; hasOlder: boolean; hasNewer: boolean },
  ): boolean {
    if (room !== this.#activeRoom || !this.#isHistoryRead) return false;
    // A page built from what is shown lacks what waits for a flood's show: it joins again.
    const waiting = this.#showTimer ? this.#window.events : [];
    this.#window.reset(page.events, page.hasOlder, page.hasNewer);
    this.#window.merge(waiting, false);
    // Away from the newest, what arrives must not shrink the window under the reader.
    this.#isFollowing &&= !page.hasNewer;
    this.#show();
    return true;
  }

  /** True while a room's history loads. */
  isLoadingMessages(room: RoomKey): boolean {
    return this.#activeRoom === room && this.#isLoading;
  }

  /**
   * Opens (and if new, joins) the room of a link's secret and loads its history. A later
   * `openRoom` or `closeRoom` supersedes this call: it then changes nothing and says so.
   */
  async openRoom(secret: string, owner?: string): Promise<OpenRoomResult> {
    const generation = this.#reset(secret);
    if (!isRoomSecret(secret)) return { status: 'invalid' };
    const ensured = await this.#ports.ensureRoom(secret, owner);
    if (!ensured.ok) this.#kernel.notices.reportStore(ensured.error, 'error.roomSaveFailed');
    if (generation !== this.#generation) return { status: 'superseded' };
    if (!ensured.ok) return { status: 'failed' };
    const room = ensured.value;
    this.#activeRoom = room;
    this.#isLoading = true;
    // Connect first: the room's dials make their offers before its history loads and renders.
    await this.#ports.whenDialled(room);
    if (generation !== this.#generation) return { status: 'superseded' };
    const isLoaded = await this.#loadNewest(room, generation);
    if (generation !== this.#generation) return { status: 'superseded' };
    if (!isLoaded) return { status: 'failed' };
    await this.#ports.markRead(room);
    return { status: 'open', room };
  }

  /** Closes the view of the room of `secret`, unless a newer `openRoom` is for another room. */
  closeRoom(secret: string): void {
    if (this.#openSecret !== secret) return;
    this.#reset(null);
  }

  /**
   * The view says whether the reader is at the newest message; only then may the loaded window
   * drop old rows as new ones arrive (never under someone reading back).
   */
  followLatest(room: RoomKey, isFollowing: boolean): void {
    if (room === this.#activeRoom) this.#isFollowing = isFollowing;
  }

  /** A new open (or a close): nothing is open until the new room is ready. */
  #reset(secret: string | null): number {
    this.#generation++;
    this.#openSecret = secret;
    // Until the new room is ready no room is open: nothing arriving meanwhile is marked read.
    this.#activeRoom = null;
    this.#window.reset([], false);
    this.#show();
    this.#isFollowing = true;
    this.#isHistoryRead = false;
    this.#isLoading = false;
    return this.#generation;
  }

  /** Loads a room's newest history; false (reported) when the store failed. */
  async #loadNewest(room: RoomKey, generation: number): Promise<boolean> {
    const store = this.#kernel.store;
    if (!store) return false;
    this.#isLoading = true;
    try {
      const events = await store.listEvents(room, { limit: MESSAGE_PAGE_SIZE });
      if (generation !== this.#generation) return true;
      this.#window.loaded(events);
      this.#isHistoryRead = true;
      this.#show();
      return true;
    } catch (error) {
      this.#kernel.notices.reportStore(storeErrorOf(error), 'error.loadFailed');
      return false;
    } finally {
      if (generation === this.#generation) this.#isLoading = false;
    }
  }

  #follow(change: StoreChange): void {
    if (change.type === 'events') {
      if (change.conv !== this.#activeRoom) return;
      const isChanged = this.#window.merge(change.events, this.#isFollowing);
      if (!isChanged || !this.#isHistoryRead) return;
      // The last change of a flood (or any other) shows at once, with what waited. Until a
      // flood into an empty log shows, the log says it is loading, not that the room is empty.
      if (change.more) {
        this.#showTimer ??= setTimeout(() => this.#show(), FLOOD_SHOW_MS);
        if (this.#messages.length === 0) this.#isLoading = true;
      } else this.#show();
    } else if (change.type === 'events-deleted' && change.conv === this.#activeRoom) {
      if (this.#window.dropAuthor(change.author, change.seqs) && this.#isHistoryRead) this.#show();
    } else if (change.type === 'conversation-deleted' && change.conv === this.#activeRoom) {
      // Deleted (here or in another tab): its view closes.
      this.#reset(null);
    }
  }

  #show(): void {
    clearTimeout(this.#showTimer);
    this.#showTimer = undefined;
    this.#isLoading = false;
    this.#messages = this.#window.events;
    this.#hasOlder = this.#window.hasOlder;
    this.#hasNewer = this.#window.hasNewer;
  }
}
