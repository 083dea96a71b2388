/**
 * ChatStore on IndexedDB (DESIGN §10) — the only module that imports `idb`.
 *
 * Every write is one transaction, so a crash leaves either all or none of it. Transactions hold
 * only IndexedDB requests: anything else awaited inside (WebCrypto above all) lets the browser
 * auto-commit the transaction under our feet, which is why own events are signed between a read
 * transaction (plan) and a write transaction (check + store).
 */
import {
  openDB,
  deleteDB,
  type DBSchema,
  type IDBPDatabase,
  type IDBPTransaction,
  type StoreNames,
} from 'idb';
import { createLogger } from '../log';
import {
  compareHlc,
  decodeHlc,
  encodeHlc,
  receiveHlc,
  tickHlc,
  ZERO_HLC,
  type Hlc,
} from '../chat/hlc';
import { countsAsUnread, eventPreview } from '../chat/events';
import { vectorSeq } from '../chat/version-vector';
import { withDelivery, withReadUpTo } from '../chat/delivery';
import { PROTOCOL_VERSION, type ChatEvent, type UnsignedEvent } from '../protocol/events';
import {
  StoreFailure,
  storeErr,
  storeOk,
  type ChatStore,
  type Contact,
  type Conversation,
  type DeliveryUpdate,
  type ListEventsOptions,
  type Member,
  type RoomMove,
  type StoredIdentity,
  type StoreError,
  type StoreResult,
} from './chat-store';

const log = createLogger('store');

/** Default database name. */
export const DEFAULT_DB_NAME = 'parley';

/** Settings key under which the hybrid logical clock is persisted (encoded HLC string). */
export const CLOCK_SETTING_KEY = 'parley:hlc';

/** How often `appendOwnEvent` re-plans after losing a race before giving up with 'conflict'. */
const MAX_APPEND_ATTEMPTS = 8;

/** One row of the settings store. */
export interface SettingRecord {
  /** Setting name. */
  key: string;
  /** Any structured-cloneable value. */
  value: unknown;
}

/** Placeholder row of the blobs store (file chunks by content hash); defined when files land. */
export interface BlobChunkRecord {
  /** SHA-256 of the whole file, base64url. */
  sha256: string;
  /** Chunk index within the file. */
  index: number;
}

/** The database layout at the latest version. */
export interface ParleyDb extends DBSchema {
  /** The one identity record, id 'self'. */
  identity: { key: 'self'; value: StoredIdentity };
  /** Conversations by id, with an index for the list order. */
  conversations: { key: string; value: Conversation; indexes: { byLastActivity: number } };
  /** Events by [conv, author, seq] (dedupe key), indexed in display order per conversation. */
  events: {
    key: [string, string, number];
    value: ChatEvent;
    indexes: { byConvOrder: [string, string, string, number] };
  };
  /** App settings and internal state such as the clock. */
  settings: { key: string; value: SettingRecord };
  /** Saved contacts by fingerprint. */
  contacts: { key: string; value: Contact };
  /** File chunks (later). */
  blobs: { key: [string, number]; value: BlobChunkRecord };
}

type Db = IDBPDatabase<ParleyDb>;
type UpgradeTx = IDBPTransaction<ParleyDb, StoreNames<ParleyDb>[], 'versionchange'>;

/** One schema step; `MIGRATIONS[n]` upgrades a database from version n to n + 1. */
export type Migration = (db: Db, tx: UpgradeTx) => void;

/** Every schema step in order. Append new steps; never edit a released one. */
export const MIGRATIONS: readonly Migration[] = [
  // 0 → 1: the initial layout.
  (db) => {
    db.createObjectStore('identity', { keyPath: 'id' });
    const conversations = db.createObjectStore('conversations', { keyPath: 'id' });
    conversations.createIndex('byLastActivity', 'lastActivityAt');
    const events = db.createObjectStore('events', { keyPath: ['conv', 'author', 'seq'] });
    events.createIndex('byConvOrder', ['conv', 'hlc', 'author', 'seq']);
    db.createObjectStore('settings', { keyPath: 'key' });
    db.createObjectStore('contacts', { keyPath: 'fingerprint' });
    db.createObjectStore('blobs', { keyPath: ['sha256', 'index'] });
  },
];

/** The schema version this build opens. */
export const DB_VERSION = MIGRATIONS.length;

/** Classifies a thrown IndexedDB/DOM error; quota and full-disk errors become 'quota'. */
export function toStoreError(error: unknown): StoreError {
  const name =
    typeof error === 'object' && error !== null && 'name' in error ? String(error.name) : '';
  const message =
    typeof error === 'object' && error !== null && 'message' in error
      ? String(error.message)
      : String(error);
  if (name === 'QuotaExceededError') return { kind: 'quota', message };
  // Chromium reports a full disk as UnknownError, saying so in the message.
  if (name === 'UnknownError' && /disk|quota|space/i.test(message)) {
    return { kind: 'quota', message };
  }
  if (name === 'ConstraintError') return { kind: 'conflict', message };
  return { kind: 'unknown', message: name ? `${name}: ${message}` : message };
}

function isAbortError(error: unknown): boolean {
  return (
    typeof error === 'object' && error !== null && 'name' in error && error.name === 'AbortError'
  );
}

/**
 * Runs `fn` in one transaction and waits for it to commit. On failure the transaction is aborted
 * and the most telling error is thrown: a request that failed only because its transaction aborted
 * reports AbortError, while the transaction's own error says why (e.g. QuotaExceededError).
 */
async function inTx<Names extends StoreNames<ParleyDb>[], Mode extends IDBTransactionMode, T>(
  db: Db,
  names: Names,
  mode: Mode,
  fn: (tx: IDBPTransaction<ParleyDb, Names, Mode>) => Promise<T>,
): Promise<T> {
  const tx = db.transaction(names, mode);
  const done = tx.done;
  try {
    const value = await fn(tx);
    await done;
    return value;
  } catch (error) {
    try {
      tx.abort();
    } catch {
      // Already committed or aborted: there is nothing left to undo.
    }
    const txError: unknown = await done.then(
      () => null,
      (reason: unknown) => reason,
    );
    throw isAbortError(error) && txError !== null && !isAbortError(txError) ? txError : error;
  }
}

type EventsTx = IDBPTransaction<
  ParleyDb,
  ('conversations' | 'events' | 'settings')[],
  'readwrite' | 'readonly'
>;

/** The whole key range of one conversation's events in the primary key and in `byConvOrder`. */
function convRange(conv: string): IDBKeyRange {
  // Arrays sort after strings, so [conv, []] is above every [conv, author, …].
  return IDBKeyRange.bound([conv], [conv, []]);
}

/** Highest stored seq of `author` in `conv` (0 if none). */
async function highestStoredSeq(tx: EventsTx, conv: string, author: string): Promise<number> {
  const range = IDBKeyRange.bound([conv, author, 0], [conv, author, Infinity]);
  const cursor = await tx.objectStore('events').openKeyCursor(range, 'prev');
  return cursor ? cursor.primaryKey[2] : 0;
}

/**
 * A room's name and topic after `events`: the latest `room-meta` in display order (by clock,
 * then author) wins, on every member alike. Direct chats keep their contact's name.
 */
export function withRoomMeta(c: Conversation, events: readonly ChatEvent[]): Conversation {
  if (c.kind !== 'room') return c;
  let result = c;
  for (const e of events) {
    if (e.kind !== 'room-meta') continue;
    const order = `${e.hlc} ${e.author}`;
    if (result.metaHlc !== undefined && result.metaHlc >= order) continue;
    result = { ...result, title: e.body.name, topic: e.body.topic, metaHlc: order };
  }
  return result;
}

/** The settings key that remembers our highest seq in a conversation deleted here. */
function usedSeqKey(conv: string): string {
  return `usedSeq:${conv}`;
}

/**
 * Highest seq of `author` in `conv` that must never be used again: stored ones, and for a room
 * deleted and joined again, those used before (its members still hold them).
 */
async function highestUsedSeq(tx: EventsTx, conv: string, author: string): Promise<number> {
  const [stored, record] = await Promise.all([
    highestStoredSeq(tx, conv, author),
    tx.objectStore('settings').get(usedSeqKey(conv)),
  ]);
  const used = record?.value;
  return typeof used === 'object' && used !== null && author in used
    ? Math.max(stored, Number((used as Record<string, unknown>)[author]) || 0)
    : stored;
}

/**
 * Makes requests of one transaction all at once and waits for them all: one round trip instead
 * of one per request. If making one throws, the ones already made still settle handled (the
 * transaction aborts and they reject) and the error is rethrown.
 */
async function requestAll<T>(requests: readonly (() => Promise<T>)[]): Promise<T[]> {
  const made: Promise<T>[] = [];
  try {
    for (const request of requests) made.push(request());
  } catch (error) {
    for (const promise of made) promise.catch(() => undefined);
    throw error;
  }
  return Promise.all(made);
}

/** Extends `from` over the stored seqs that follow it without a gap. */
async function contiguousSeq(
  tx: EventsTx,
  conv: string,
  author: string,
  from: number,
): Promise<number> {
  // Keys in pages, not a cursor step per event: one round trip per page.
  const PAGE = 512;
  let top = from;
  for (;;) {
    const range = IDBKeyRange.bound([conv, author, top + 1], [conv, author, Infinity]);
    const keys = await tx.objectStore('events').getAllKeys(range, PAGE);
    for (const key of keys) {
      if (key[2] !== top + 1) return top;
      top++;
    }
    if (keys.length < PAGE) return top;
  }
}

/** The preview of the conversation's latest event in display order (or `fallback`). */
async function latestPreview(tx: EventsTx, conv: string, fallback: string): Promise<string> {
  let cursor = await tx
    .objectStore('events')
    .index('byConvOrder')
    .openCursor(convRange(conv), 'prev');
  // Profile changes say nothing about the conversation: the preview is of what came before.
  for (let skipped = 0; cursor && isQuiet(cursor.value) && skipped < MAX_QUIET_SKIPPED; skipped++) {
    cursor = await cursor.continue();
  }
  return cursor && !isQuiet(cursor.value) ? eventPreview(cursor.value) : fallback;
}

/** How many profile events in a row `latestPreview` looks past before keeping the old preview. */
const MAX_QUIET_SKIPPED = 64;

/**
 * Events that neither move a conversation up the list nor change its preview: a member's profile
 * (a rename reaches every conversation they are in at once).
 */
function isQuiet(e: ChatEvent): boolean {
  return e.kind === 'profile';
}

/**
 * Members' names and colours after `events`: a member's latest `profile` by clock wins over an
 * older one. The handshake also sets them (it is current when it happens; see DESIGN §4).
 */
export function withProfiles(c: Conversation, events: readonly ChatEvent[]): Conversation {
  let members = c.members;
  for (const e of events) {
    if (e.kind !== 'profile') continue;
    const member = members[e.author];
    if (!member || (member.profileHlc !== undefined && member.profileHlc >= e.hlc)) continue;
    members = {
      ...members,
      [e.author]: { ...member, name: e.body.name, color: e.body.color, profileHlc: e.hlc },
    };
  }
  return members === c.members ? c : { ...c, members };
}

async function readClock(tx: EventsTx): Promise<Hlc> {
  const record = await tx.objectStore('settings').get(CLOCK_SETTING_KEY);
  const decoded = typeof record?.value === 'string' ? decodeHlc(record.value) : null;
  return decoded ?? ZERO_HLC;
}

/** `count` consecutive seqs from `seq`, clocks ticking on from `clock`. */
function planFrom(seq: number, clock: Hlc, nowMs: number, count: number): OwnEventPlan {
  const hlcs: Hlc[] = [];
  let hlc = clock;
  for (let i = 0; i < count; i++) {
    hlc = tickHlc(hlc, nowMs);
    hlcs.push(hlc);
  }
  return { seq, hlcs, last: hlc };
}

interface OwnEventPlan {
  /** The first event's seq; the rest follow one by one. */
  seq: number;
  /** Each event's clock, ascending. */
  hlcs: Hlc[];
  /** The last of them (the clock after the write). */
  last: Hlc;
}

/** Options for `openIdbStore`. */
export interface OpenIdbStoreOptions {
  /** Database name (default 'parley'); tests use a fresh one each. */
  name?: string;
  /** Our fingerprint, if known before the identity is stored (otherwise read from it). */
  selfFingerprint?: string;
  /** Called after another tab asked to upgrade the schema and this connection closed itself. */
  onVersionChange?: () => void;
}

/**
 * Deletes the whole database ("Delete all data"). Close every connection first: the deletion
 * waits for connections of other tabs, which close themselves through `blocking`/`onVersionChange`.
 */
export async function deleteIdbDatabase(name: string = DEFAULT_DB_NAME): Promise<void> {
  await deleteDB(name, {
    blocked() {
      log.warn(`deleting ${name} waits for another tab to close it`);
    },
  });
}

/** Opens (creating or upgrading) the database and returns a store over it. */
export async function openIdbStore(opts: OpenIdbStoreOptions = {}): Promise<IdbChatStore> {
  const name = opts.name ?? DEFAULT_DB_NAME;
  const db = await openDB<ParleyDb>(name, DB_VERSION, {
    upgrade(database, oldVersion, newVersion, tx) {
      const target = newVersion ?? DB_VERSION;
      log.info(`upgrading ${name} from v${oldVersion} to v${target}`);
      for (let version = oldVersion; version < target; version++) {
        const migrate = MIGRATIONS[version];
        if (!migrate) throw new Error(`no migration from v${version}`);
        migrate(database, tx);
      }
    },
    blocked(currentVersion, blockedVersion) {
      log.warn(
        `opening ${name} v${blockedVersion} waits for another tab to close v${currentVersion}`,
      );
    },
    blocking(currentVersion, blockedVersion, event) {
      // Another tab wants a newer schema: get out of its way (it cannot upgrade while we are open).
      log.warn(`closing ${name} v${currentVersion} so another tab can open v${blockedVersion}`);
      if (event.target instanceof IDBDatabase) event.target.close();
      opts.onVersionChange?.();
    },
    terminated() {
      log.error(`the browser closed ${name} unexpectedly`);
    },
  });
  const store = new IdbChatStore(db, opts.selfFingerprint);
  if (store.self === undefined) {
    const identity = await store.getIdentity();
    if (identity) store.setSelf(identity.fingerprint);
  }
  return store;
}

/** The IndexedDB implementation of ChatStore. */
export class IdbChatStore implements ChatStore {
  readonly #db: Db;
  #self: string | undefined;
  /** Serialises this instance's own appends so they do not race each other for a seq. */
  #appendQueue: Promise<unknown> = Promise.resolve();
  /**
   * What this connection last wrote: the clock, and per conversation our next seq. An append
   * plans from it without a read; the write checks it and re-plans if another tab moved on.
   */
  #lastClock: Hlc | null = null;
  #nextOwnSeq = new Map<string, number>();

  /** Wraps an open database; use `openIdbStore`. */
  constructor(db: Db, self?: string) {
    this.#db = db;
    this.#self = self;
  }

  /** Our fingerprint, used to leave our own events out of unread counts. */
  get self(): string | undefined {
    return this.#self;
  }

  /** Sets our fingerprint (also done by `putIdentity` and on open when an identity exists). */
  setSelf(fingerprint: string): void {
    this.#self = fingerprint;
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
    if (result.ok) this.#self = i.fingerprint;
    return result;
  }

  /** All conversations, most recent activity first. */
  async listConversations(): Promise<Conversation[]> {
    const ascending = await this.#db.getAllFromIndex('conversations', 'byLastActivity');
    return ascending.reverse();
  }

  /** One conversation by id. */
  async getConversation(id: string): Promise<Conversation | undefined> {
    return this.#db.get('conversations', id);
  }

  /** Creates or replaces a conversation record. */
  async putConversation(c: Conversation): Promise<StoreResult<void>> {
    return this.#write('putConversation', async () => {
      await inTx(this.#db, ['conversations'], 'readwrite', (tx) =>
        tx.objectStore('conversations').put(c),
      );
      return storeOk(undefined);
    });
  }

  /** Adds a conversation unless its id exists; the stored record either way. */
  async createConversation(c: Conversation): Promise<StoreResult<Conversation>> {
    return this.#write('createConversation', () =>
      inTx(this.#db, ['conversations'], 'readwrite', async (tx) => {
        const store = tx.objectStore('conversations');
        const existing = await store.get(c.id);
        if (existing) return storeOk(existing);
        await store.add(c);
        return storeOk(c);
      }),
    );
  }

  /** Adds or replaces one member of a conversation. */
  async upsertMember(conv: string, m: Member): Promise<StoreResult<void>> {
    return this.#write('upsertMember', () =>
      inTx(this.#db, ['conversations'], 'readwrite', async (tx) => {
        const store = tx.objectStore('conversations');
        const conversation = await store.get(conv);
        if (!conversation) return storeErr<void>('not-found', `no conversation ${conv}`);
        // A member known only from relayed history has no name yet; never blank a known one.
        const previous = conversation.members[m.fingerprint];
        const member: Member = previous
          ? {
              ...previous,
              ...m,
              ...(m.name ? {} : { name: previous.name, color: previous.color }),
              lastSeenAt: Math.max(previous.lastSeenAt, m.lastSeenAt),
            }
          : m;
        await store.put({
          ...conversation,
          members: { ...conversation.members, [m.fingerprint]: member },
        });
        return storeOk(undefined);
      }),
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
    const { conv, author, contents, sign, nowMs } = args;
    if (contents.length === 0) return storeOk([]);
    return this.#write('appendOwnEvents', async () => {
      for (let attempt = 1; attempt <= MAX_APPEND_ATTEMPTS; attempt++) {
        const plan =
          (attempt === 1 && this.#cachedPlan(conv, nowMs, contents.length)) ||
          (await this.#planOwnEvents(conv, author, nowMs, contents.length));
        if (!plan) return storeErr<ChatEvent[]>('not-found', `no conversation ${conv}`);

        const unsigned = contents.map((content, i): UnsignedEvent => ({
          v: PROTOCOL_VERSION,
          conv,
          author,
          seq: plan.seq + i,
          hlc: encodeHlc(plan.hlcs[i] ?? plan.last),
          ...content,
        }));
        // Outside any transaction: a WebCrypto await would let IndexedDB auto-commit it. The
        // signatures are independent, so they run side by side.
        const events = await Promise.all(unsigned.map((u) => sign(u)));
        for (const [i, event] of events.entries()) {
          if (event.conv !== conv || event.author !== author || event.seq !== plan.seq + i) {
            return storeErr<ChatEvent[]>('unknown', 'sign() returned a different event');
          }
        }

        const outcome = await this.#storeOwnEvents(events, plan, nowMs);
        if (outcome === 'stored') {
          this.#nextOwnSeq.set(conv, plan.seq + events.length);
          return storeOk(events);
        }
        this.#nextOwnSeq.delete(conv);
        if (outcome === 'missing') {
          return storeErr<ChatEvent[]>('not-found', `no conversation ${conv}`);
        }
        log.debug(`appendOwnEvents: seq ${plan.seq} or clock taken meanwhile, attempt ${attempt}`);
      }
      return storeErr<ChatEvent[]>('conflict', `could not allocate a seq in ${conv}`);
    });
  }

  /** A plan from what this connection last wrote, if it knows (checked again on write). */
  #cachedPlan(conv: string, nowMs: number, count: number): OwnEventPlan | null {
    const seq = this.#nextOwnSeq.get(conv);
    if (seq === undefined || !this.#lastClock) return null;
    return planFrom(seq, this.#lastClock, nowMs, count);
  }

  /** Reads the next seqs and clocks for `count` own events (read-only; checked again on write). */
  async #planOwnEvents(
    conv: string,
    author: string,
    nowMs: number,
    count: number,
  ): Promise<OwnEventPlan | null> {
    return inTx(this.#db, ['conversations', 'events', 'settings'], 'readonly', async (tx) => {
      const conversation = await tx.objectStore('conversations').get(conv);
      if (!conversation) return null;
      const stored = await highestUsedSeq(tx, conv, author);
      const seq = Math.max(stored, vectorSeq(conversation.vector, author)) + 1;
      return planFrom(seq, await readClock(tx), nowMs, count);
    });
  }

  /** Writes signed own events if their seqs and clocks are still free; otherwise asks for a retry. */
  async #storeOwnEvents(
    events: ChatEvent[],
    plan: OwnEventPlan,
    nowMs: number,
  ): Promise<'stored' | 'retry' | 'missing'> {
    const [first] = events;
    if (!first) return 'stored';
    const { conv, author } = first;
    return inTx(this.#db, ['conversations', 'events', 'settings'], 'readwrite', async (tx) => {
      // The three checks are independent: asked together, answered in one round trip.
      const [conversation, stored, clock] = await Promise.all([
        tx.objectStore('conversations').get(conv),
        highestUsedSeq(tx, conv, author),
        readClock(tx),
      ]);
      if (!conversation) return 'missing';
      const vectorBefore = vectorSeq(conversation.vector, author);
      // Another tab stored an event of ours meanwhile: re-plan (seqs and clocks follow it).
      if (Math.max(stored, vectorBefore) !== plan.seq - 1) return 'retry';
      // Events received meanwhile may have moved the clock past ours. That is no conflict: ours
      // were stamped before we saw them (concurrent, ordered by clock then author), and still
      // follow our previous own event. The clock keeps the later of the two.
      const clockAfter = compareHlc(clock, plan.last) > 0 ? clock : plan.last;
      // Ahead of the store only if the commit then fails, which is harmless for a clock.
      this.#lastClock = clockAfter;

      const objectStore = tx.objectStore('events');
      // Queued together, awaited together: one round trip, not one per event.
      await requestAll<unknown>([
        ...events.map((event) => () => objectStore.put(event)),
        () =>
          tx.objectStore('settings').put({ key: CLOCK_SETTING_KEY, value: encodeHlc(clockAfter) }),
      ]);
      const last = events.at(-1) ?? first;
      // Contiguous from the vector when it stood just below (as it does unless a seq was lost).
      const top =
        vectorBefore === plan.seq - 1
          ? last.seq
          : await contiguousSeq(tx, conv, author, vectorBefore);
      const isQuietOnly = events.every(isQuiet);
      await tx.objectStore('conversations').put({
        ...withProfiles(withRoomMeta(conversation, events), events),
        // A vector holds only seqs ≥ 1 (0 would be refused on the wire): above a gap, unchanged.
        vector: top > 0 ? { ...conversation.vector, [author]: top } : conversation.vector,
        lastActivityAt: isQuietOnly
          ? conversation.lastActivityAt
          : Math.max(conversation.lastActivityAt, nowMs),
        lastPreview:
          clockAfter === plan.last && !isQuiet(last)
            ? // Stamped after the clock, which every stored event moved: ours is the newest.
              eventPreview(last)
            : await latestPreview(tx, conv, conversation.lastPreview),
      });
      return 'stored';
    });
  }

  /** Stores verified remote events (see ChatStore.addEvents). */
  async addEvents(events: ChatEvent[], nowMs: number): Promise<StoreResult<ChatEvent[]>> {
    if (events.length === 0) return storeOk([]);
    const byConv = new Map<string, ChatEvent[]>();
    for (const event of events) {
      const list = byConv.get(event.conv);
      if (list) list.push(event);
      else byConv.set(event.conv, [event]);
    }
    return this.#write('addEvents', () =>
      inTx(this.#db, ['conversations', 'events', 'settings'], 'readwrite', async (tx) => {
        const added: ChatEvent[] = [];
        const clockBefore = await readClock(tx);
        let clock = clockBefore;
        for (const [conv, convEvents] of byConv) {
          const conversation = await tx.objectStore('conversations').get(conv);
          if (!conversation) {
            log.warn(`ignored ${convEvents.length} event(s) of unknown conversation`);
            continue;
          }
          const authors = new Set<string>();
          let unread = 0;
          const objectStore = tx.objectStore('events');
          // Which are stored already: one key range per author, not a lookup per event (each
          // request is a round trip through the browser, and a history brings thousands).
          const seqRanges = new Map<string, { from: number; to: number }>();
          for (const { author, seq } of convEvents) {
            const range = seqRanges.get(author);
            if (!range) seqRanges.set(author, { from: seq, to: seq });
            else
              seqRanges.set(author, {
                from: Math.min(range.from, seq),
                to: Math.max(range.to, seq),
              });
          }
          const storedKeys = await requestAll(
            [...seqRanges].map(
              ([author, { from, to }]) =>
                () =>
                  objectStore.getAllKeys(
                    IDBKeyRange.bound([conv, author, from], [conv, author, to]),
                  ),
            ),
          );
          const seen = new Set(storedKeys.flat().map(([, author, seq]) => `${author}/${seq}`));
          const fresh = convEvents.filter((event) => {
            const key = `${event.author}/${event.seq}`;
            if (seen.has(key)) return false;
            seen.add(key);
            return true;
          });
          // All writes queued at once: they are answered together.
          await requestAll(fresh.map((event) => () => objectStore.put(event)));
          for (const event of fresh) {
            added.push(event);
            authors.add(event.author);
            if (event.author !== this.#self && countsAsUnread(event)) unread++;
            const remote = decodeHlc(event.hlc);
            if (remote) clock = receiveHlc(clock, remote, nowMs);
          }
          if (authors.size === 0) continue;
          const vector = { ...conversation.vector };
          for (const author of authors) {
            const top = await contiguousSeq(tx, conv, author, vectorSeq(vector, author));
            if (top > 0) vector[author] = top;
          }
          await tx.objectStore('conversations').put({
            ...withProfiles(withRoomMeta(conversation, fresh), fresh),
            vector,
            unread: conversation.unread + unread,
            lastActivityAt: fresh.every(isQuiet)
              ? conversation.lastActivityAt
              : Math.max(conversation.lastActivityAt, nowMs),
            lastPreview: await latestPreview(tx, conv, conversation.lastPreview),
          });
        }
        if (compareHlc(clock, clockBefore) !== 0) {
          await tx.objectStore('settings').put({ key: CLOCK_SETTING_KEY, value: encodeHlc(clock) });
          this.#lastClock = clock;
        }
        return storeOk(added);
      }),
    );
  }

  /** A conversation's events in ascending display order (the newest `limit` when given). */
  async listEvents(conv: string, opts: ListEventsOptions = {}): Promise<ChatEvent[]> {
    const { limit, before, beforeHlc } = opts;
    const upper: unknown[] = before
      ? [conv, before.hlc, before.author, before.seq]
      : beforeHlc !== undefined
        ? [conv, beforeHlc]
        : [conv, []];
    const range = IDBKeyRange.bound([conv], upper, false, true);
    if (limit === undefined) return this.#db.getAllFromIndex('events', 'byConvOrder', range);
    if (limit <= 0) return [];
    return inTx(this.#db, ['events'], 'readonly', async (tx) => {
      const newestFirst: ChatEvent[] = [];
      let cursor = await tx.objectStore('events').index('byConvOrder').openCursor(range, 'prev');
      while (cursor && newestFirst.length < limit) {
        newestFirst.push(cursor.value);
        cursor = await cursor.continue();
      }
      return newestFirst.reverse();
    });
  }

  /** One author's events with `from ≤ seq ≤ to`, ascending by seq, at most `limit`. */
  async listAuthorEvents(
    conv: string,
    author: string,
    from: number,
    to: number,
    limit: number,
  ): Promise<ChatEvent[]> {
    if (limit <= 0 || to < from) return [];
    return this.#db.getAll(
      'events',
      IDBKeyRange.bound([conv, author, from], [conv, author, to]),
      limit,
    );
  }

  /** Sets the unread count to 0 (no-op for an unknown conversation); rejects with StoreFailure. */
  async markRead(conv: string): Promise<void> {
    await this.#writeOrThrow('markRead', () =>
      inTx(this.#db, ['conversations'], 'readwrite', async (tx) => {
        const conversation = await tx.objectStore('conversations').get(conv);
        if (conversation && conversation.unread !== 0) {
          await tx.objectStore('conversations').put({ ...conversation, unread: 0 });
        }
      }),
    );
  }

  /** Merges delivery facts from peers (see ChatStore.recordDelivery). */
  async recordDelivery(
    conv: string,
    update: DeliveryUpdate,
  ): Promise<StoreResult<Conversation | undefined>> {
    return this.#write('recordDelivery', () =>
      inTx(this.#db, ['conversations'], 'readwrite', async (tx) => {
        const store = tx.objectStore('conversations');
        const conversation = await store.get(conv);
        if (!conversation) return storeOk(undefined);
        const next = withDelivery(conversation, update);
        if (next !== conversation) await store.put(next);
        return storeOk(next);
      }),
    );
  }

  /** Advances our read marker if `hlc` is later (see ChatStore.advanceReadMarker). */
  async advanceReadMarker(conv: string, hlc: string): Promise<StoreResult<boolean>> {
    return this.#write('advanceReadMarker', () =>
      inTx(this.#db, ['conversations'], 'readwrite', async (tx) => {
        const store = tx.objectStore('conversations');
        const conversation = await store.get(conv);
        const next = conversation && withReadUpTo(conversation, hlc);
        if (!next || next === conversation) return storeOk(false);
        await store.put(next);
        return storeOk(true);
      }),
    );
  }

  /** Deletes a conversation and all its events; rejects with StoreFailure. */
  /** Every saved contact (see ChatStore.listContacts). */
  async listContacts(): Promise<Contact[]> {
    return this.#db.getAll('contacts');
  }

  /** Saves a contact and its direct chat together (see ChatStore.addContact). */
  async addContact(contact: Contact, direct: Conversation): Promise<StoreResult<Contact>> {
    return this.#write('addContact', () =>
      inTx(this.#db, ['contacts', 'conversations'], 'readwrite', async (tx) => {
        const contacts = tx.objectStore('contacts');
        const known = await contacts.get(contact.fingerprint);
        if (known) {
          return known.spki === contact.spki
            ? storeOk(known)
            : storeErr<Contact>('conflict', 'a contact with this fingerprint has another key');
        }
        const conversations = tx.objectStore('conversations');
        const existing = await conversations.get(direct.id);
        // A record of the same room (a contact made again) keeps its history and vector.
        const merged: Conversation = existing
          ? {
              ...existing,
              kind: 'direct',
              contact: direct.contact,
              title: existing.title || direct.title,
              members: { ...direct.members, ...existing.members },
            }
          : direct;
        await Promise.all([contacts.put(contact), conversations.put(merged)]);
        return storeOk(contact);
      }),
    );
  }

  /** Sets a contact's verified / blocked marks (see ChatStore.updateContact). */
  async updateContact(
    fingerprint: string,
    change: Pick<Contact, 'verified' | 'blocked'>,
  ): Promise<StoreResult<Contact | undefined>> {
    return this.#write('updateContact', () =>
      inTx(this.#db, ['contacts'], 'readwrite', async (tx) => {
        const contacts = tx.objectStore('contacts');
        const known = await contacts.get(fingerprint);
        if (!known) return storeOk(undefined);
        const next = { ...known, ...change };
        await contacts.put(next);
        return storeOk(next);
      }),
    );
  }

  async deleteConversation(id: string): Promise<void> {
    const self = this.#self;
    await this.#writeOrThrow('deleteConversation', () =>
      inTx(this.#db, ['conversations', 'events', 'settings'], 'readwrite', async (tx) => {
        // Remember our highest seq: the members keep those events, so if the room is joined
        // again our next message must not reuse a seq they hold (they would drop it).
        if (self) {
          const conversation = await tx.objectStore('conversations').get(id);
          const used = Math.max(
            await highestUsedSeq(tx, id, self),
            conversation ? vectorSeq(conversation.vector, self) : 0,
          );
          if (used > 0) {
            await tx.objectStore('settings').put({ key: usedSeqKey(id), value: { [self]: used } });
          }
        }
        await tx.objectStore('conversations').delete(id);
        await tx.objectStore('events').delete(convRange(id));
      }),
    );
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
    return this.#write('putSetting', async () => {
      await inTx(this.#db, ['settings'], 'readwrite', (tx) =>
        tx.objectStore('settings').put({ key, value }),
      );
      return storeOk(undefined);
    });
  }

  /** Closes the database connection; later calls fail. */
  close(): void {
    this.#db.close();
  }

  /** Sets a conversation's muted/archived flags (see ChatStore.setConversationFlags). */
  async setConversationFlags(
    conv: string,
    flags: Parameters<ChatStore['setConversationFlags']>[1],
  ): Promise<StoreResult<Conversation>> {
    return this.#write('setConversationFlags', () =>
      inTx(this.#db, ['conversations'], 'readwrite', async (tx) => {
        const store = tx.objectStore('conversations');
        const conversation = await store.get(conv);
        if (!conversation) return storeErr<Conversation>('not-found', `no conversation ${conv}`);
        const next = { ...conversation };
        if (flags.muted !== undefined) next.muted = flags.muted;
        if (flags.archived !== undefined) next.archived = flags.archived;
        if (flags.removedFromRoom !== undefined) next.removedFromRoom = flags.removedFromRoom;
        if (
          next.muted !== conversation.muted ||
          next.archived !== conversation.archived ||
          next.removedFromRoom !== conversation.removedFromRoom
        ) {
          await store.put(next);
        }
        return storeOk(next);
      }),
    );
  }

  /** Records a room's move and adds the room it moved to (see ChatStore.moveRoom). */
  async moveRoom(
    from: string,
    move: RoomMove,
    next: Conversation,
  ): Promise<StoreResult<Conversation>> {
    return this.#write('moveRoom', () =>
      inTx(this.#db, ['conversations'], 'readwrite', async (tx) => {
        const store = tx.objectStore('conversations');
        const conversation = await store.get(from);
        if (!conversation) return storeErr<Conversation>('not-found', `no conversation ${from}`);
        if (conversation.movedTo) return storeOk(conversation);
        const moved = { ...conversation, movedTo: move };
        await store.put(moved);
        if (!(await store.get(next.id))) await store.put(next);
        return storeOk(moved);
      }),
    );
  }
}
