/**
 * ChatStore on IndexedDB (DESIGN §10). The adapter is storage/idb-*.ts, the only modules that
 * import `idb`: idb-schema.ts (layout, migrations, open), idb-tx.ts (transactions, errors),
 * idb-events.ts (events: paging, own and received writes, deletion) and this class. It stores; the rules for what a record becomes
 * are pure code in chat/ (conversation-rules.ts, delivery.ts).
 *
 * Every write is one transaction, so a crash leaves either all or none of it, and after it commits
 * the subscribers hear what it changed (`StoreChange`). Transactions hold only IndexedDB requests:
 * anything else awaited inside (WebCrypto above all) lets the browser auto-commit the transaction
 * under our feet, which is why own events are signed between a read transaction (plan) and a
 * write transaction (check + store).
 */
import type { IDBPTransaction, StoreNames } from 'idb';
import { createLogger } from '../log';
import { decodeHlc, type Hlc } from '../domain/hlc';
import type { Budgets } from '../domain/budgets';
import {
  AUTHOR_RATE_BUDGET_BYTES,
  AUTHOR_RATE_WINDOW_MS,
  AUTHOR_RATE_WINDOWS_KEPT,
  AUTHOR_STORAGE_BUDGET_BYTES,
  MAX_DISPUTED_SEQS,
} from '../config';
import { markedRead, withFlags, withMember } from '../domain/conversation-rules';
import { withDelivery, withReadUpTo } from '../domain/delivery';
import type { ChatEvent, StoredEvent } from '../protocol/events';
import {
  StoreFailure,
  storeErr,
  storeOk,
  type ChatStore,
  type Contact,
  type Conversation,
  type ConversationFlags,
  type DeliveryUpdate,
  type ListEventsOptions,
  type AuthorStats,
  type Member,
  type RoomMove,
  type StoreChange,
  type StoredIdentity,
  type StoreResult,
} from './chat-store';
import { ChangeFeed } from './change-feed';
import { ConversationCache } from './conversation-cache';
import { freshPreview, readAuthorEvents, tombstoneOf, readEvents } from './idb-events';
import { DEFAULT_DB_NAME, openParleyDb, type Db, type ParleyDb } from './idb-schema';
import { inTx, toStoreError } from './idb-tx';
import type { Fingerprint, RoomKey } from '../protocol/ids';

const log = createLogger('store');

/** The per-author budgets of config.ts (domain/budgets.ts applies them). */
const DEFAULT_BUDGETS: Readonly<Budgets> = Object.freeze({
  storageBytes: AUTHOR_STORAGE_BUDGET_BYTES,
  rateBytes: AUTHOR_RATE_BUDGET_BYTES,
  rateWindowMs: AUTHOR_RATE_WINDOW_MS,
  windowsKept: AUTHOR_RATE_WINDOWS_KEPT,
});

/** What the lazily loaded idb-moderation.ts needs of the first screen's modules. */
const MODERATION_PORTS = {
  preview: freshPreview,
  tombstoneOf,
  maxDisputedSeqs: MAX_DISPUTED_SEQS,
};

/** How often `appendOwnEvent` re-plans after losing a race before giving up with 'conflict'. */
const MAX_APPEND_ATTEMPTS = 8;

/** Options for `openIdbStore`. */
export interface OpenIdbStoreOptions {
  /** Database name (default 'parley'); tests use a fresh one each. */
  name?: string;
  /** Our fingerprint, if known before the identity is stored (otherwise read from it). */
  selfFingerprint?: Fingerprint;
  /** Called after another tab asked to upgrade the schema and this connection closed itself. */
  onVersionChange?: () => void;
  /** Per-author budgets of received events (default: config.ts's; tests make them small). */
  budgets?: Budgets;
}

/** Opens (creating or upgrading) the database and returns a store over it. */
export async function openIdbStore(opts: OpenIdbStoreOptions = {}): Promise<IdbChatStore> {
  const db = await openParleyDb(opts.name ?? DEFAULT_DB_NAME, opts.onVersionChange);
  const store = new IdbChatStore(db, opts.selfFingerprint, opts.budgets);
  if (store.self === undefined) {
    const identity = await store.getIdentity();
    if (identity) store.setSelf(identity.fingerprint);
  }
  return store;
}

/** Records one change of the running write, for the subscribers to hear once it commits. */
type Notify = (change: StoreChange) => void;

/** The IndexedDB implementation of ChatStore. */
export class IdbChatStore implements ChatStore {
  readonly #db: Db;
  #self: Fingerprint | undefined;
  /** The received-event code, off the first screen (see prepareReceiving). */
  readonly #receiving = importOnce(() => import('./idb-receive'));
  /** The code that writes own events, off the first screen (see prepareSending). */
  readonly #appending = importOnce(() => import('./idb-append'));
  /** Conversations the person reads now (ChatStore.setReading). */
  #isReading: (conv: RoomKey) => boolean = () => false;
  /** Serialises this instance's own appends so they do not race each other for a seq. */
  #appendQueue: Promise<unknown> = Promise.resolve();
  /**
   * What this connection last wrote: the clock, and per conversation our next seq. An append
   * plans from it without a read; the write checks it and re-plans if another tab moved on.
   */
  #lastClock = new Map<RoomKey, Hlc>();
  #nextOwnSeq = new Map<RoomKey, number>();
  /** Conversation records as last read or written here (conversation-cache.ts). */
  readonly #conversations = new ConversationCache();
  readonly #changes = new ChangeFeed<StoreChange>();

  /** The per-author budgets (absent: config.ts's, once the rule is loaded). */
  readonly #budgets: Budgets | undefined;

  /** Wraps an open database; use `openIdbStore`. */
  constructor(db: Db, self?: Fingerprint, budgets?: Budgets) {
    this.#db = db;
    this.#self = self;
    this.#budgets = budgets;
  }

  /** Our fingerprint, used to leave our own events out of unread counts. */
  get self(): Fingerprint | undefined {
    return this.#self;
  }

  /** Sets our fingerprint (also done by `putIdentity` and on open when an identity exists). */
  setSelf(fingerprint: Fingerprint): void {
    this.#self = fingerprint;
  }

  /** Calls `listener` after every committed write with what it changed; returns the unsubscribe. */
  subscribe(listener: (change: StoreChange) => void): () => void {
    return this.#changes.subscribe(listener);
  }

  /**
   * Runs `fn` in one read-write transaction; once it has committed, the subscribers hear what
   * `fn` said it changed (nothing when the transaction fails).
   */
  async #commit<Names extends StoreNames<ParleyDb>[], T>(
    names: Names,
    fn: (tx: IDBPTransaction<ParleyDb, Names, 'readwrite'>, notify: Notify) => Promise<T>,
  ): Promise<T> {
    const changes: StoreChange[] = [];
    const value = await inTx(this.#db, names, 'readwrite', (tx) =>
      fn(tx, (change) => changes.push(change)),
    );
    this.#conversations.committed(changes);
    this.#changes.emit(changes);
    return value;
  }

  /** Runs a write and turns any failure into a logged StoreResult error. */
  async #write<T>(what: string, fn: () => Promise<StoreResult<T>>): Promise<StoreResult<T>> {
    try {
      return await fn();
    } catch (error) {
      const storeError = toStoreError(error);
      log.error(`${what} failed (${storeError.kind}):`, storeError.message);
      return { ok: false, error: storeError };
    }
  }

  /** Like `#write` for the methods whose contract is `Promise<void>`: failures reject. */
  async #writeOrThrow(what: string, fn: () => Promise<void>): Promise<void> {
    const result = await this.#write(what, async () => {
      await fn();
      return storeOk(undefined);
    });
    if (!result.ok) throw new StoreFailure(result.error);
  }

  /** Writes one record in its own transaction and tells the subscribers `change`. */
  async #putOne<Name extends 'conversations' | 'settings'>(
    what: string,
    name: Name,
    record: ParleyDb[Name]['value'],
    change: StoreChange,
  ): Promise<StoreResult<void>> {
    return this.#write(what, () =>
      this.#commit([name], async (tx, notify) => {
        await tx.objectStore(name).put(record);
        notify(change);
        return storeOk(undefined);
      }),
    );
  }

  /** This profile's identity, if one was made. */
  async getIdentity(): Promise<StoredIdentity | undefined> {
    return this.#db.get('identity', 'self');
  }

  /** Saves the identity and takes its fingerprint as self. */
  async putIdentity(i: StoredIdentity): Promise<StoreResult<void>> {
    const result = await this.#write('putIdentity', async () => {
      await inTx(this.#db, ['identity'], 'readwrite', (tx) => tx.objectStore('identity').put(i));
      return storeOk(undefined);
    });
    if (result.ok) {
      // Self before the notice: a listener may store events, and ours must not count as unread.
      this.#self = i.fingerprint;
      this.#changes.emit([{ type: 'identity' }]);
    }
    return result;
  }

  /** All conversations, most recent activity first. */
  async listConversations(): Promise<Conversation[]> {
    const ascending = await this.#db.getAllFromIndex('conversations', 'byLastActivity');
    return ascending.reverse();
  }

  /** One conversation by id (as last read or written here: see `#conversations`). */
  async getConversation(id: RoomKey): Promise<Conversation | undefined> {
    return this.#conversations.get(id, (key) => this.#db.get('conversations', key));
  }

  /** See ChatStore.noteOtherTabChange: every record remembered is read again (it is rare). */
  noteOtherTabChange(): void {
    this.#conversations.clear();
  }

  /** Creates or replaces a conversation record. */
  async putConversation(c: Conversation): Promise<StoreResult<void>> {
    return this.#putOne('putConversation', 'conversations', c, {
      type: 'conversation',
      conversation: c,
    });
  }

  /** Adds a conversation unless its id exists; the stored record either way. */
  async createConversation(c: Conversation): Promise<StoreResult<Conversation>> {
    return this.#write('createConversation', () =>
      this.#commit(['conversations'], async (tx, notify) => {
        const store = tx.objectStore('conversations');
        const existing = await store.get(c.id);
        if (existing) return storeOk(existing);
        await store.add(c);
        notify({ type: 'conversation', conversation: c });
        return storeOk(c);
      }),
    );
  }

  /**
   * Reads conversation `id`, lets `change` decide its next state and writes it if it differs
   * (then tells the subscribers); undefined when there is no such conversation.
   */
  async #updateConversation(
    id: string,
    change: (c: Conversation) => Conversation,
  ): Promise<{ before: Conversation; after: Conversation } | undefined> {
    return this.#commit(['conversations'], async (tx, notify) => {
      const store = tx.objectStore('conversations');
      const before = await store.get(id);
      if (!before) return undefined;
      const after = change(before);
      if (after !== before) {
        await store.put(after);
        notify({ type: 'conversation', conversation: after });
      }
      return { before, after };
    });
  }

  /** Adds or replaces one member of a conversation (see `withMember`). */
  async upsertMember(conv: RoomKey, m: Member): Promise<StoreResult<void>> {
    return this.#write('upsertMember', async () =>
      (await this.#updateConversation(conv, (c) => withMember(c, m)))
        ? storeOk(undefined)
        : storeErr<void>('not-found', `no conversation ${conv}`),
    );
  }

  /** Stores a new event of ours (see ChatStore.appendOwnEvent). */
  async appendOwnEvent(
    args: Parameters<ChatStore['appendOwnEvent']>[0],
  ): Promise<StoreResult<ChatEvent>> {
    const { content, ...rest } = args;
    const result = await this.appendOwnEvents({ ...rest, contents: [content] });
    if (!result.ok) return result;
    const [event] = result.value;
    return event ? storeOk(event) : storeErr<ChatEvent>('unknown', 'no event was stored');
  }

  /** Stores new events of ours in one go (see ChatStore.appendOwnEvents). */
  appendOwnEvents(
    args: Parameters<ChatStore['appendOwnEvents']>[0],
  ): Promise<StoreResult<ChatEvent[]>> {
    const run = this.#appendQueue.then(() => this.#appendOwnEvents(args));
    this.#appendQueue = run.catch((error: unknown) => {
      log.error('appendOwnEvents crashed:', error);
    });
    return run;
  }

  async #appendOwnEvents(
    args: Parameters<ChatStore['appendOwnEvents']>[0],
  ): Promise<StoreResult<ChatEvent[]>> {
    const { conv, author, contents, nowMs } = args;
    if (contents.length === 0) return storeOk([]);
    return this.#write('appendOwnEvents', async () => {
      // Loaded before any transaction (an import inside one would let it commit).
      const { planFrom, planOwnEvents, signOwnEvents, storeOwnEvents } = await this.#appending();
      for (let attempt = 1; attempt <= MAX_APPEND_ATTEMPTS; attempt++) {
        const cached = attempt === 1 ? this.#cachedPlan(conv) : null;
        const plan =
          (cached && planFrom(cached.seq, cached.clock, nowMs, contents.length)) ||
          (await inTx(this.#db, ['conversations', 'events', 'settings'], 'readonly', (tx) =>
            planOwnEvents(tx, conv, author, nowMs, contents.length),
          ));
        if (!plan) return storeErr<ChatEvent[]>('not-found', `no conversation ${conv}`);

        const events = await signOwnEvents(plan, args);
        if (typeof events === 'string') return storeErr<ChatEvent[]>('unknown', events);

        const outcome = await this.#commit(
          ['conversations', 'events', 'settings'],
          async (tx, notify) => {
            const result = await storeOwnEvents(tx, events, plan, nowMs);
            if (result.outcome !== 'stored') return result.outcome;
            // Ahead of the store only if the commit then fails, which is harmless for a clock.
            this.#lastClock.set(conv, result.clock);
            notify({ type: 'events', conv, events });
            notify({ type: 'conversation', conversation: result.conversation });
            return result.outcome;
          },
        );
        if (outcome === 'stored') {
          this.#nextOwnSeq.set(conv, plan.seq + events.length);
          return storeOk(events);
        }
        this.#nextOwnSeq.delete(conv);
        if (outcome === 'missing') {
          return storeErr<ChatEvent[]>('not-found', `no conversation ${conv}`);
        }
        log.debug(`appendOwnEvents: seq ${plan.seq} taken, retry ${attempt}`);
      }
      return storeErr<ChatEvent[]>('conflict', `could not allocate a seq in ${conv}`);
    });
  }

  /**
   * The next seq and the clock from what this connection last wrote, if it knows (checked again
   * on write).
   */
  #cachedPlan(conv: RoomKey): { seq: number; clock: Hlc } | null {
    const seq = this.#nextOwnSeq.get(conv);
    const clock = this.#lastClock.get(conv);
    return seq === undefined || !clock ? null : { seq, clock };
  }

  /** See ChatStore.prepareSending. */
  async prepareSending(): Promise<void> {
    await this.#appending();
  }

  /** See ChatStore.prepareReceiving. */
  async prepareReceiving(): Promise<void> {
    await this.#receiving();
  }

  /** See ChatStore.setReading. */
  setReading(isReading: (conv: RoomKey) => boolean): void {
    this.#isReading = isReading;
  }

  /** Stores verified remote events (see ChatStore.addEvents). */
  async addEvents(
    events: StoredEvent[],
    nowMs: number,
    more?: boolean,
  ): Promise<StoreResult<StoredEvent[]>> {
    if (events.length === 0) return storeOk([]);
    return this.#write('addEvents', async () => {
      // Loaded before the transaction (an import inside would let it commit); received events
      // come only once the network is up, so this code stays off the first screen.
      const { storeReceivedEvents } = await this.#receiving();
      const budgets = this.#budgets ?? DEFAULT_BUDGETS;
      return this.#commit(['conversations', 'events', 'settings'], async (tx, notify) => {
        const { added, stored } = await storeReceivedEvents(tx, events, {
          nowMs,
          self: this.#self,
          isReading: this.#isReading,
          budgets,
        });
        for (const { conversation, events: fresh } of stored) {
          const clock = conversation.clock === undefined ? null : decodeHlc(conversation.clock);
          if (clock) this.#lastClock.set(conversation.id, clock);
          if (fresh.length > 0) {
            notify({ type: 'events', conv: conversation.id, events: fresh, more });
          }
          notify({ type: 'conversation', conversation });
        }
        return storeOk(added);
      });
    });
  }

  /** A conversation's events in ascending display order (the newest `limit` when given). */
  async listEvents(conv: RoomKey, opts: ListEventsOptions = {}): Promise<StoredEvent[]> {
    return readEvents(this.#db, conv, opts);
  }

  /** One author's events with `from ≤ seq ≤ to`, ascending by seq, at most `limit`. */
  async listAuthorEvents(
    conv: RoomKey,
    author: Fingerprint,
    from: number,
    to: number,
    limit: number,
  ): Promise<StoredEvent[]> {
    if (limit <= 0 || to < from) return [];
    return readAuthorEvents(this.#db, conv, author, from, to, limit);
  }

  /** Per author, the events `conv` holds and their size (see ChatStore.authorStats). */
  async authorStats(
    conv: RoomKey,
    isCounted?: (author: Fingerprint, seq: number) => boolean,
  ): Promise<Record<Fingerprint, AuthorStats>> {
    const { readAuthorStats } = await import('./idb-moderation');
    return readAuthorStats(this.#db, conv, isCounted);
  }

  /** Records an equivocation at (author, seq) and hides the event (see ChatStore.markDisputed). */
  async markDisputed(
    conv: RoomKey,
    author: Fingerprint,
    seq: number,
  ): Promise<StoreResult<boolean>> {
    const { disputeRecord } = await import('./idb-moderation');
    return this.#write('markDisputed', () =>
      this.#commit(['conversations', 'events', 'settings'], async (tx, notify) => {
        const conversation = await disputeRecord(tx, conv, author, seq, MODERATION_PORTS);
        if (!conversation) return storeOk(false);
        notify({ type: 'events-deleted', conv, author, seqs: [seq] });
        notify({ type: 'conversation', conversation });
        return storeOk(true);
      }),
    );
  }

  /** Deletes one author's events in a conversation, keeping tombstones (see ChatStore). */
  async deleteAuthorEvents(conv: RoomKey, author: Fingerprint): Promise<StoreResult<number>> {
    const { deleteAuthorRecords } = await import('./idb-moderation');
    return this.#write('deleteAuthorEvents', () =>
      this.#commit(['conversations', 'events', 'settings'], async (tx, notify) => {
        const result = await deleteAuthorRecords(tx, conv, author, MODERATION_PORTS);
        if (!result) return storeErr<number>('not-found', `no conversation ${conv}`);
        if (result.deleted > 0) {
          notify({ type: 'events-deleted', conv, author });
          notify({ type: 'conversation', conversation: result.conversation });
        }
        return storeOk(result.deleted);
      }),
    );
  }

  /** Sets the unread count to 0 (no-op for an unknown conversation); rejects with StoreFailure. */
  async markRead(conv: RoomKey): Promise<void> {
    await this.#writeOrThrow('markRead', async () => {
      await this.#updateConversation(conv, markedRead);
    });
  }

  /** Merges delivery facts from peers (see ChatStore.recordDelivery). */
  async recordDelivery(
    conv: RoomKey,
    update: DeliveryUpdate,
  ): Promise<StoreResult<Conversation | undefined>> {
    return this.#write('recordDelivery', async () => {
      const written = await this.#updateConversation(conv, (c) => withDelivery(c, update));
      return storeOk(written?.after);
    });
  }

  /** Advances our read marker if `hlc` is later (see ChatStore.advanceReadMarker). */
  async advanceReadMarker(conv: RoomKey, hlc: string): Promise<StoreResult<boolean>> {
    return this.#write('advanceReadMarker', async () => {
      const written = await this.#updateConversation(conv, (c) => withReadUpTo(c, hlc));
      return storeOk(written !== undefined && written.after !== written.before);
    });
  }

  /** Every saved contact (see ChatStore.listContacts). */
  async listContacts(): Promise<Contact[]> {
    return this.#db.getAll('contacts');
  }

  /** Saves a contact and its direct chat together (see ChatStore.addContact). */
  async addContact(contact: Contact, direct: Conversation): Promise<StoreResult<Contact>> {
    return this.#write('addContact', async () => {
      const { addContactRecords } = await import('./idb-rare-writes');
      return this.#commit(['contacts', 'conversations'], (tx, notify) =>
        addContactRecords(tx, contact, direct, notify),
      );
    });
  }

  /** Sets a contact's verified / blocked marks (see ChatStore.updateContact). */
  async updateContact(
    fingerprint: Fingerprint,
    change: Pick<Contact, 'verified' | 'blocked'>,
  ): Promise<StoreResult<Contact | undefined>> {
    return this.#write('updateContact', async () => {
      const { updateContactRecord } = await import('./idb-rare-writes');
      return this.#commit(['contacts'], (tx, notify) =>
        updateContactRecord(tx, fingerprint, change, notify),
      );
    });
  }

  /** Deletes a conversation and all its events; rejects with StoreFailure. */
  async deleteConversation(id: RoomKey): Promise<void> {
    const self = this.#self;
    await this.#writeOrThrow('deleteConversation', async () => {
      const { deleteConversationRecords } = await import('./idb-rare-writes');
      await this.#commit(['conversations', 'events', 'settings'], async (tx, notify) => {
        if (await deleteConversationRecords(tx, id, self)) {
          notify({ type: 'conversation-deleted', conv: id });
        }
      });
    });
    // Opened again later, the room starts planning own seqs from the store, not from before.
    this.#nextOwnSeq.delete(id);
  }

  /** A setting's value, if set. */
  async getSetting<T>(key: string): Promise<T | undefined> {
    const record = await this.#db.get('settings', key);
    return record?.value as T | undefined;
  }

  /** Sets a setting (any structured-cloneable value). */
  async putSetting(key: string, value: unknown): Promise<StoreResult<void>> {
    return this.#putOne('putSetting', 'settings', { key, value }, { type: 'setting', key });
  }

  /** Closes the database connection; later calls fail. */
  close(): void {
    this.#db.close();
  }

  /** Sets a conversation's muted/archived flags (see ChatStore.setConversationFlags). */
  async setConversationFlags(
    conv: RoomKey,
    flags: ConversationFlags,
  ): Promise<StoreResult<Conversation>> {
    return this.#write('setConversationFlags', async () => {
      const written = await this.#updateConversation(conv, (c) => withFlags(c, flags));
      return written
        ? storeOk(written.after)
        : storeErr<Conversation>('not-found', `no conversation ${conv}`);
    });
  }

  /** Records a room's move and adds the room it moved to (see ChatStore.moveRoom). */
  async moveRoom(
    from: RoomKey,
    move: RoomMove,
    next: Conversation,
  ): Promise<StoreResult<Conversation>> {
    return this.#write('moveRoom', async () => {
      const { moveRoomRecords } = await import('./idb-rare-writes');
      return this.#commit(['conversations'], (tx, notify) =>
        moveRoomRecords(tx, from, move, next, notify),
      );
    });
  }
}

/** Imports a module on the first call and keeps it; after a failure the next call tries again. */
function importOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | null = null;
  return () =>
    (loading ??= load().catch((error: unknown) => {
      loading = null;
      throw error;
    }));
}
