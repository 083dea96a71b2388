/**
 * What we say, in order (DESIGN §6 "Sending"): messages, reactions, edits, deletions, names,
 * profiles and call logs are queued, signed side by side and stored a room's run at a time in one
 * write. Storing is all the outbox does: the store's change notice shows them and sends them on
 * (see sync-link.ts), so a text typed while the previous batch is written joins the next batch.
 * What the composer hands over is also journaled at once (outbox-journal.ts) until stored, so a
 * tab closed right after Enter loses nothing: the next start stores it.
 */
import { signEvent } from '../../domain/events';
import type { Kernel } from '../../kernel/kernel.svelte';
import { storeErrorOf } from '../../kernel/notices.svelte';
import { createLogger } from '../../log';
import type { EventContent } from '../../protocol/events';
import { MAX_BATCH_EVENTS } from '../../protocol/limits';
import type { Conversation } from '../../storage/chat-store';
import type { RoomKey } from '../../protocol/ids';
import { isJournaled, JOURNAL_PREFIX, OutboxJournal, type JournalStorage } from './outbox-journal';

const log = createLogger('outbox');

/** Where the outbox keeps its journal; without `storage` it keeps none (tests that need none). */
export interface OutboxJournalDeps {
  /** Synchronous web storage: `localStorage` in the app. */
  storage?: JournalStorage;
  /** Web Locks (a closed tab's journal is taken over once its lock is free); null: none. */
  locks?: LockManager | null;
  /** This tab's id (default: a random UUID). */
  tab?: string;
}

/** Something waiting to be stored and sent. */
interface Outgoing {
  room: RoomKey;
  /** What to store. */
  content: EventContent;
  /** Settles `queue`'s promise: true once stored. */
  resolve: (isStored: boolean) => void;
  /** Its journal entry's key; null while it has none (not journaled, or the write failed). */
  journalKey: string | null;
}

/** The queue of what this tab says. */
export class Outbox {
  #kernel: Kernel;
  #conversation: (room: RoomKey) => Conversation | undefined;
  /** In order; written in batches. */
  #outgoing: Outgoing[] = [];
  #isFlushing = false;
  #journal: OutboxJournal | null;
  #locks: LockManager | null;
  #isJournalStarted = false;

  constructor(
    kernel: Kernel,
    conversation: (room: RoomKey) => Conversation | undefined,
    journal: OutboxJournalDeps = {},
  ) {
    this.#kernel = kernel;
    this.#conversation = conversation;
    this.#journal = journal.storage
      ? new OutboxJournal(journal.storage, journal.tab ?? crypto.randomUUID())
      : null;
    this.#locks = journal.locks ?? null;
    kernel.bus.on({
      change: ({ change }) => {
        if (change.type === 'conversation-deleted') this.#drop(change.conv);
      },
      ready: () => {
        this.#startJournal();
        // The code that writes what we say loads now, off the first screen but before a send.
        this.#kernel.store?.prepareSending().catch((error: unknown) => {
          log.warn('loading the code that stores messages failed; a send tries again', error);
        });
      },
      'page-leave': () => this.#journalUnwritten(),
    });
  }

  /**
   * Queues content to be stored and sent in order with everything else we say. Resolves true once
   * stored, false when it was not (the notice says why).
   */
  queue(room: RoomKey, content: EventContent): Promise<boolean> {
    if (!this.#kernel.identity || !this.#kernel.store) return Promise.resolve(false);
    // A room that moved on, or that we were removed from, is history: nothing new is said there.
    const conversation = this.#conversation(room);
    if (conversation?.movedTo || conversation?.removedFromRoom) return Promise.resolve(false);
    return new Promise((resolve) => {
      const item: Outgoing = { room, content, resolve, journalKey: null };
      // In the caller's task: the composer has just cleared, and the tab may close any moment.
      this.#writeJournal(item);
      this.#outgoing.push(item);
      if (!this.#isFlushing) void this.#flush();
    });
  }

  /** Writes queued content, a room's run of it at a time, until none is left. */
  async #flush(): Promise<void> {
    this.#isFlushing = true;
    try {
      for (let next = this.#outgoing[0]; next; next = this.#outgoing[0]) {
        const room = next.room;
        let count = 0;
        while (count < MAX_BATCH_EVENTS && this.#outgoing[count]?.room === room) count++;
        const batch = this.#outgoing.splice(0, count);
        const ok = await this.#store(room, batch).catch((error: unknown) => {
          this.#kernel.notices.reportStore(storeErrorOf(error));
          return false;
        });
        // Stored, or refused (the composer takes the text back): either way no longer journaled.
        for (const item of batch) {
          this.#forget(item);
          item.resolve(ok);
        }
      }
    } finally {
      this.#isFlushing = false;
    }
  }

  async #store(room: RoomKey, batch: readonly Outgoing[]): Promise<boolean> {
    const identity = this.#kernel.identity;
    const store = this.#kernel.store;
    if (!identity || !store) return false;
    const result = await store.appendOwnEvents({
      conv: room,
      author: identity.fingerprint,
      contents: batch.map(({ content }) => content),
      sign: (unsigned) => signEvent(unsigned, identity.privateKey),
      nowMs: this.#kernel.now(),
    });
    if (!result.ok) this.#kernel.notices.reportStore(result.error);
    return result.ok;
  }

  /** A conversation was deleted: what was still to be said there is not. */
  #drop(room: RoomKey): void {
    const unsent = this.#outgoing.filter((item) => item.room === room);
    if (unsent.length === 0) return;
    this.#outgoing = this.#outgoing.filter((item) => item.room !== room);
    for (const item of unsent) {
      this.#forget(item);
      item.resolve(false);
    }
  }

  #writeJournal(item: Outgoing): void {
    const self = this.#kernel.self;
    if (!this.#journal || !self || !isJournaled(item.content)) return;
    item.journalKey = this.#journal.write({
      room: item.room,
      author: self,
      afterSeq: this.#conversation(item.room)?.vector[self] ?? 0,
      content: item.content,
    });
  }

  #forget(item: Outgoing): void {
    if (item.journalKey === null) return;
    this.#journal?.remove(item.journalKey);
    item.journalKey = null;
  }

  /** The page is going away: what the storage refused before gets one more try. */
  #journalUnwritten(): void {
    for (const item of this.#outgoing) if (item.journalKey === null) this.#writeJournal(item);
  }

  /**
   * The app is ready: this tab holds its journal's lock for as long as it lives, and takes over
   * the entries other tabs left (outbox-takeover.ts, loaded now: not part of the first screen).
   */
  #startJournal(): void {
    const journal = this.#journal;
    const store = this.#kernel.store;
    const self = this.#kernel.self;
    if (!journal || !store || !self || this.#isJournalStarted) return;
    this.#isJournalStarted = true;
    const locks = this.#locks;
    locks
      ?.request(`${JOURNAL_PREFIX}${journal.tab}`, () => new Promise<void>(() => undefined))
      .catch((error: unknown) => log.warn('the outbox journal lock failed', error));
    import('./outbox-takeover')
      .then(({ takeOverClosedTabs }) =>
        takeOverClosedTabs({
          storage: journal.storage,
          tab: journal.tab,
          locks,
          self,
          store,
          hasConversation: (room) => this.#conversation(room) !== undefined,
          queue: (room, content) => void this.queue(room, content),
        }),
      )
      .catch((error: unknown) => log.error('taking over outbox journals failed', error));
  }
}
