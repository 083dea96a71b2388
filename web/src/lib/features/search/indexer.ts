/**
 * Keeps the search index in step with the history (DESIGN §10 "Search"): what the store changes
 * is indexed after it committed, once the store has been quiet for a moment (INDEX_QUIET_MS: a
 * burst of sync is stored first, then indexed at once), in transactions of the index's own (the
 * receive path never waits for it), with each conversation's mark (how far its events are in); at start the events
 * above the marks are read again, so changes still queued when the page went are not lost. The
 * history stored before the index is read in the background, a batch at a time with the page
 * free in between and the store quiet (a history flooding in is stored first), from a position
 * saved with each batch so a reload resumes there. A failure
 * is logged and the chat goes on.
 */
import type { Kernel } from '../../kernel/kernel.svelte';
import { createLogger } from '../../log';
import type { VersionVector } from '../../domain/version-vector';
import type { StoreChange } from '../../storage/chat-store';
import type { StoredEvent } from '../../protocol/events';
import type { RoomKey } from '../../protocol/ids';
import type {
  EventPosition,
  EventPrimaryKey,
  IndexOp,
  SearchHit,
  SearchIndex,
  SearchState,
} from '../../storage/search-store';
import { isIndexed, isSameVector, opsOfEvents, withoutMarks, workOfChange } from './index-ops';
import {
  BUILD_BATCH_EVENTS,
  FLOOD_EVENTS,
  INDEX_FLOOD_MAX_DELAY_MS,
  INDEX_MAX_DELAY_MS,
  INDEX_MAX_PENDING_OPS,
  INDEX_QUIET_MS,
  MAX_CANDIDATES,
  MAX_RESULTS,
  INDEX_VERSION,
  PURGE_BATCH_DOCS,
} from './search-limits';
import { queryTerms } from './tokenize';

const log = createLogger('search');

/** Where a fresh index starts: the build will read every event held now (`marks`). */
function freshState(marks: Record<string, VersionVector>): SearchState {
  return { key: 'build', version: INDEX_VERSION, after: null, isDone: false, purging: [], marks };
}

/** Lets the page render and handle input before the next batch. */
function yieldToPage(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** The conversation whose events a change brings or whose record it is (null: neither). */
function asideConvOf(change: StoreChange): string | null {
  if (change.type === 'events') return change.conv;
  if (change.type === 'conversation') return change.conversation.id;
  return null;
}

/** The search feature once loaded: indexing and searching. */
export class SearchIndexer {
  readonly #index: SearchIndex;
  /** Every write to the index, one after another (a failed one is logged; the next still runs). */
  #queue: Promise<void> = Promise.resolve();
  #state: SearchState = freshState({});
  /** Store changes waiting for the queue, applied together. */
  #pending: StoreChange[] = [];
  /** Conversations whose events above their marks are still being read again at start. */
  #catchingUp: Set<string> | null = null;
  /** Set by `stop`: no more writes (the data is being deleted, the page is closing). */
  #isStopped = false;
  #building: Promise<void>;

  /**
   * Follows the store from now on; what it stored before (while the index code loaded, or before
   * a reload) is above the index's marks, read again at start.
   */
  constructor(kernel: Kernel, index: SearchIndex) {
    this.#index = index;
    kernel.bus.on({ change: ({ change }) => this.#handle(change) });
    this.#building = this.#start();
  }

  readonly #listeners = new Set<() => void>();

  /** Calls `listener` after the index changed (searches shown may be out of date); unsubscribe. */
  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #changed(): void {
    for (const listener of this.#listeners) listener();
  }

  /** Stops indexing; what is queued is dropped. */
  stop(): void {
    this.#isStopped = true;
    if (this.#drainTimer !== null) clearTimeout(this.#drainTimer);
    this.#drainTimer = null;
  }

  /**
   * True while a search may miss messages: the history stored before the index existed is still
   * being read, or a history that flooded in (into `conv`, or anywhere when none is given) waits
   * to be read again from the store.
   */
  isBuildingIn(conv?: string): boolean {
    if (!this.#state.isDone) return true;
    const reading = [...this.#aside, ...(this.#catchingUp ?? [])];
    return conv === undefined ? reading.length > 0 : reading.includes(conv);
  }

  /** Resolves once the background build and every queued change are done (tests, benches). */
  async settled(): Promise<void> {
    await this.#building;
    while (this.#rereading) await this.#rereading;
    this.#flush();
    for (;;) {
      const queue = this.#queue;
      await queue;
      if (queue === this.#queue) return;
    }
  }

  /** A conversation's events around a message (see SearchIndex.readAround). */
  readAround(conv: RoomKey, at: EventPosition, before: number, from: number) {
    return this.#index.readAround(conv, at, before, from);
  }

  /** Events of a conversation after one (see SearchIndex.readAfter). */
  readAfter(conv: RoomKey, after: EventPosition, limit: number): Promise<StoredEvent[]> {
    return this.#index.readAfter(conv, after, limit);
  }

  /** Later changes of the messages among `events` (see SearchIndex.readChanges). */
  readChanges(conv: RoomKey, events: readonly StoredEvent[]): Promise<StoredEvent[]> {
    return this.#index.readChanges(conv, events);
  }

  /** The messages matching `text` (all words; the last one as a prefix), newest first. */
  async search(text: string, conv?: string): Promise<SearchHit[]> {
    const terms = queryTerms(text);
    if (terms.length === 0) return [];
    return this.#index.search({
      terms,
      exclude: this.#state.purging,
      limit: MAX_RESULTS,
      maxCandidates: MAX_CANDIDATES,
      ...(conv === undefined ? {} : { conv }),
    });
  }

  #handle(change: StoreChange): void {
    // A burst of history (more to come, or many at once) holds the background reading back; a
    // live message does not (in a busy room that would starve the build).
    const isFlood =
      change.type === 'events' && (change.more || change.events.length >= FLOOD_EVENTS);
    if (isFlood) this.#lastFloodAt = Date.now();
    if (this.#isStopped || !isIndexed(change)) return;
    // A history flooding in (a burst with more behind it; never our own writes) is not indexed
    // from here: once the store is quiet, the conversation is read again from its mark (memory
    // stays flat, and the index's writes wait for the flood).
    if (change.type === 'conversation-deleted') this.#aside.delete(change.conv);
    if (change.type === 'events' && change.more) this.#setAside(change.conv);
    const conv = asideConvOf(change);
    if (conv !== null && this.#aside.has(conv)) return;
    const now = Date.now();
    if (this.#pending.length === 0) this.#firstPendingAt = now;
    // Turned into index work (words cut, which costs) when applied, after the burst.
    this.#pending.push(change);
    if (change.type === 'events') this.#pendingOps += change.events.length;
    if (this.#drainTimer !== null) clearTimeout(this.#drainTimer);
    this.#drainTimer = null;
    const dueAt = this.#firstPendingAt + INDEX_MAX_DELAY_MS;
    if (now >= dueAt || this.#pendingOps >= INDEX_MAX_PENDING_OPS) {
      this.#flush();
      return;
    }
    this.#drainTimer = setTimeout(() => this.#flush(), Math.min(INDEX_QUIET_MS, dueAt - now));
  }

  /** When the store last stored a burst of history (Date.now()). */
  #lastFloodAt = 0;
  /** Conversations a flood came into: their changes are dropped until they are read again. */
  #aside = new Set<string>();
  /** Reading the set-aside conversations again, once the store is quiet. */
  #rereading: Promise<void> | null = null;

  /** Drops what waits of `conv` (read again with the rest) and schedules reading it again. */
  #setAside(conv: string): void {
    if (!this.#aside.has(conv)) {
      this.#aside.add(conv);
      // A search shown now may miss the flood's messages: it says so (isBuildingIn).
      this.#changed();
      this.#pending = this.#pending.filter((change) => asideConvOf(change) !== conv);
      this.#pendingOps = this.#pending.reduce(
        (sum, change) => sum + (change.type === 'events' ? change.events.length : 0),
        0,
      );
    }
    this.#scheduleReread();
  }

  /** Reads the set-aside conversations again once the store is quiet (once at a time). */
  #scheduleReread(): void {
    this.#rereading ??= this.#reread().finally(() => {
      this.#rereading = null;
      // A flood that came while they were read: once more.
      if (this.#aside.size > 0 && !this.#isStopped) this.#scheduleReread();
    });
  }

  /**
   * Once the store has been quiet for INDEX_QUIET_MS (at most INDEX_FLOOD_MAX_DELAY_MS), reads
   * the set-aside conversations again from their marks. From the moment their vectors are read,
   * their changes are queued again; their marks move only once the reading is through.
   */
  async #reread(): Promise<void> {
    await this.#whenQuiet(INDEX_FLOOD_MAX_DELAY_MS);
    const vectors = new Map<string, VersionVector>();
    const isRead = await this.#step('reading a history that flooded in', async () => {
      const stored = await this.#index.storedVectors();
      for (const conv of this.#aside) {
        const vector = stored.get(conv);
        if (vector) vectors.set(conv, vector);
      }
    });
    // Failed (logged): their marks stay where they are until the next start reads them again.
    const convs = isRead ? [...vectors.keys()] : [...this.#aside];
    this.#aside.clear();
    this.#catchingUp = new Set([...(this.#catchingUp ?? []), ...convs]);
    if (isRead && vectors.size > 0) await this.#catchUp(vectors);
  }

  /**
   * Before each batch of background reading (the build, the catch-up at start): lets the page
   * render, then waits until no burst of history has been stored for INDEX_QUIET_MS, at most
   * INDEX_MAX_DELAY_MS. A history flooding in is stored first: reading the events table in
   * between held up its writes (a 10,000-message late joiner: 3.03 s against 2.55 s, median).
   */
  async #whenQuiet(maxMs = INDEX_MAX_DELAY_MS): Promise<void> {
    await yieldToPage();
    const until = Date.now() + maxMs;
    for (;;) {
      const wait = Math.min(this.#lastFloodAt + INDEX_QUIET_MS, until) - Date.now();
      if (wait <= 0 || this.#isStopped) return;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  /** When the oldest change waiting arrived (Date.now()). */
  #firstPendingAt = 0;
  /** Events waiting (each at most one index change). */
  #pendingOps = 0;
  #drainTimer: ReturnType<typeof setTimeout> | null = null;
  #isDrainQueued = false;

  /** Queues the changes waiting to be applied (once; the drain takes what is waiting then). */
  #flush(): void {
    if (this.#drainTimer !== null) clearTimeout(this.#drainTimer);
    this.#drainTimer = null;
    if (this.#pending.length === 0 || this.#isDrainQueued) return;
    this.#isDrainQueued = true;
    void this.#enqueue('indexing changes', () => {
      this.#isDrainQueued = false;
      return this.#drain();
    });
  }

  /** Applies the changes waiting, with the marks they reach, in one transaction. */
  async #drain(): Promise<void> {
    const works = this.#pending.flatMap((change) => workOfChange(change) ?? []);
    this.#pending = [];
    this.#pendingOps = 0;
    const ops: IndexOp[] = [];
    let state = this.#state;
    for (const work of works) {
      if ('ops' in work) {
        ops.push(...work.ops);
      } else if ('purge' in work) {
        if (!state.purging.includes(work.purge)) {
          const { purge } = work;
          state = {
            ...state,
            purging: [...state.purging, purge],
            marks: withoutMarks(state.marks, [purge]),
          };
        }
      } else if (
        !this.#catchingUp?.has(work.mark) &&
        !isSameVector(state.marks[work.mark], work.vector)
      ) {
        // Every change told before this record is in `ops` or applied already.
        state = { ...state, marks: { ...state.marks, [work.mark]: work.vector } };
      }
    }
    if (state !== this.#state) await this.#index.saveState(state, ops);
    else await this.#index.apply(ops);
    this.#state = state;
    if (ops.length > 0) this.#changed();
    if (state.purging.length > 0) this.#schedulePurge();
  }

  #enqueue(what: string, task: () => Promise<void>): Promise<void> {
    const run = this.#queue.then(async () => {
      if (this.#isStopped) return;
      await task();
    });
    this.#queue = run.catch((error: unknown) => log.error(`${what} failed`, error));
    return this.#queue;
  }

  /** Runs `task` in the queue; false when it failed (logged). */
  async #step(what: string, task: () => Promise<void>): Promise<boolean> {
    let isFailed = false;
    await this.#enqueue(what, async () => {
      try {
        await task();
      } catch (error) {
        isFailed = true;
        throw error;
      }
    });
    return !isFailed;
  }

  async #start(): Promise<void> {
    let vectors = new Map<string, VersionVector>();
    await this.#enqueue('reading the index state', async () => {
      const saved = await this.#index.state();
      vectors = await this.#index.storedVectors();
      if (saved?.version === INDEX_VERSION) {
        // Conversations deleted while their removal was still queued: removed now.
        const gone = Object.keys(saved.marks).filter((conv) => !vectors.has(conv));
        this.#state = {
          ...saved,
          purging: [...new Set([...saved.purging, ...gone])],
          marks: withoutMarks(saved.marks, gone),
        };
        this.#catchingUp = new Set(vectors.keys());
        if (gone.length > 0) await this.#index.saveState(this.#state);
      } else {
        if (saved) await this.#index.clear();
        this.#state = freshState(Object.fromEntries(vectors));
        await this.#index.saveState(this.#state);
      }
    });
    if (this.#state.purging.length > 0) this.#schedulePurge();
    if (this.#catchingUp) await this.#catchUp(vectors);
    while (!this.#state.isDone && !this.#isStopped) {
      await this.#whenQuiet();
      // A failed batch is tried again on the next start, not in a tight loop now.
      if (!(await this.#step('building the index', () => this.#buildBatch()))) return;
    }
  }

  /**
   * Reads again the events stored above each conversation's mark (changes the last page queued
   * but never applied), a batch at a time; a conversation's mark becomes its vector as read
   * before, once every event above the old mark is in.
   */
  async #catchUp(vectors: ReadonlyMap<string, VersionVector>): Promise<void> {
    const convs = [...vectors.keys()];
    let after: EventPrimaryKey | null = null;
    while (convs.length > 0 && !this.#isStopped) {
      await this.#whenQuiet();
      const isDone = await this.#step('reading changes the last page did not index', async () => {
        const ops: IndexOp[] = [];
        let read = 0;
        let state = this.#state;
        const caughtUp: string[] = [];
        for (const conv of convs) {
          const marks = state.marks[conv] ?? {};
          const batch = await this.#index.readEventsAbove(
            conv,
            marks,
            after,
            BUILD_BATCH_EVENTS - read,
          );
          ops.push(...opsOfEvents(batch.events));
          read += batch.events.length;
          after = batch.last;
          if (after !== null) break;
          caughtUp.push(conv);
          const vector = vectors.get(conv) ?? {};
          if (!isSameVector(state.marks[conv], vector)) {
            state = { ...state, marks: { ...state.marks, [conv]: vector } };
          }
          if (read >= BUILD_BATCH_EVENTS) break;
        }
        if (state !== this.#state || ops.length > 0) await this.#index.saveState(state, ops);
        this.#state = state;
        convs.splice(0, caughtUp.length);
        for (const conv of caughtUp) this.#catchingUp?.delete(conv);
        if (ops.length > 0 || caughtUp.length > 0) this.#changed();
      });
      if (!isDone) return;
    }
    if (this.#catchingUp?.size === 0) this.#catchingUp = null;
  }

  async #buildBatch(): Promise<void> {
    const { events, last } = await this.#index.readEventsAfter(
      this.#state.after,
      BUILD_BATCH_EVENTS,
    );
    const next: SearchState =
      last === null ? { ...this.#state, isDone: true } : { ...this.#state, after: last };
    await this.#index.saveState(next, opsOfEvents(events));
    this.#state = next;
    this.#changed();
  }

  #isPurging = false;

  #schedulePurge(): void {
    if (this.#isPurging) return;
    this.#isPurging = true;
    void this.#purgeAll().finally(() => {
      this.#isPurging = false;
    });
  }

  async #purgeAll(): Promise<void> {
    while (this.#state.purging.length > 0 && !this.#isStopped) {
      const [conv] = this.#state.purging;
      if (conv === undefined) return;
      const isDone = await this.#step('removing a deleted conversation', async () => {
        if (!(await this.#index.purgeBatch(conv, PURGE_BATCH_DOCS))) return;
        const next = { ...this.#state, purging: this.#state.purging.filter((c) => c !== conv) };
        await this.#index.saveState(next);
        this.#state = next;
      });
      if (!isDone) return;
      await yieldToPage();
    }
  }
}
