/**
 * Keeps the search index in step with the history (DESIGN §10 "Search"): what the store changes
 * is indexed after it committed, in transactions of the index's own (the receive path never
 * waits for it); the history stored before is read in the background, a batch at a time with
 * the page free in between, from a position saved with each batch so a reload resumes there. A
 * failure is logged and the chat goes on.
 */
import type { Kernel } from '../../kernel/kernel.svelte';
import { createLogger } from '../../log';
import type { StoreChange } from '../../storage/chat-store';
import type { StoredEvent } from '../../protocol/events';
import type { RoomKey } from '../../protocol/ids';
import type {
  EventPosition,
  SearchHit,
  SearchIndex,
  SearchState,
} from '../../storage/search-store';
import { opsOfEvents, workOfChange, type IndexWork } from './index-ops';
import {
  BUILD_BATCH_EVENTS,
  MAX_CANDIDATES,
  MAX_RESULTS,
  PURGE_BATCH_DOCS,
  INDEX_VERSION,
} from './search-limits';
import { queryTerms } from './tokenize';

const log = createLogger('search');

/** Where a fresh index starts. */
function freshState(purging: string[] = []): SearchState {
  return { key: 'build', version: INDEX_VERSION, after: null, isDone: false, purging };
}

/** Lets the page render and handle input before the next batch. */
function yieldToPage(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Options of a new indexer. */
export interface IndexerStart {
  /** Changes stored before the indexer was here, in order. */
  early: readonly StoreChange[];
  /** Messages were stored early that `early` does not hold: the history is read again. */
  isOverflowed: boolean;
}

/** The search feature once loaded: indexing and searching. */
export class SearchIndexer {
  readonly #index: SearchIndex;
  /** Every write to the index, one after another (a failed one is logged; the next still runs). */
  #queue: Promise<void> = Promise.resolve();
  #state: SearchState = freshState();
  /** Set by `stop`: no more writes (the data is being deleted, the page is closing). */
  #isStopped = false;
  #building: Promise<void>;

  constructor(kernel: Kernel, index: SearchIndex, start: IndexerStart) {
    this.#index = index;
    kernel.bus.on({ change: ({ change }) => this.#handle(change) });
    this.#building = this.#start(start);
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
  }

  /** True until the history stored before the index existed has been read. */
  get isBuilding(): boolean {
    return !this.#state.isDone;
  }

  /** Resolves once the background build and every queued change are done (tests, benches). */
  async settled(): Promise<void> {
    await this.#building;
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
    const work = workOfChange(change);
    if (work) void this.#enqueue('indexing a change', () => this.#do(work));
  }

  async #do(work: IndexWork): Promise<void> {
    if ('ops' in work) {
      await this.#index.apply(work.ops);
      this.#changed();
      return;
    }
    if (!this.#state.purging.includes(work.purge)) {
      this.#state = { ...this.#state, purging: [...this.#state.purging, work.purge] };
      await this.#index.saveState(this.#state);
    }
    this.#schedulePurge();
  }

  #enqueue(what: string, task: () => Promise<void>): Promise<void> {
    const run = this.#queue.then(async () => {
      if (this.#isStopped) return;
      await task();
    });
    this.#queue = run.catch((error: unknown) => log.error(`${what} failed`, error));
    return this.#queue;
  }

  async #start({ early, isOverflowed }: IndexerStart): Promise<void> {
    await this.#enqueue('reading the index state', async () => {
      const saved = await this.#index.state();
      if (saved && saved.version === INDEX_VERSION) {
        this.#state = isOverflowed ? freshState(saved.purging) : saved;
      } else {
        if (saved) await this.#index.clear();
        this.#state = freshState();
      }
      if (isOverflowed || !saved) await this.#index.saveState(this.#state);
    });
    for (const change of early) this.#handle(change);
    if (this.#state.purging.length > 0) this.#schedulePurge();
    while (!this.#state.isDone && !this.#isStopped) {
      let isFailed = false;
      await this.#enqueue('building the index', async () => {
        try {
          await this.#buildBatch();
        } catch (error) {
          isFailed = true;
          throw error;
        }
      });
      // A failed batch is tried again on the next start, not in a tight loop now.
      if (isFailed) return;
      await yieldToPage();
    }
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
      let isFailed = false;
      await this.#enqueue('removing a deleted conversation', async () => {
        try {
          if (!(await this.#index.purgeBatch(conv, PURGE_BATCH_DOCS))) return;
          this.#state = { ...this.#state, purging: this.#state.purging.filter((c) => c !== conv) };
          await this.#index.saveState(this.#state);
        } catch (error) {
          isFailed = true;
          throw error;
        }
      });
      if (isFailed) return;
      await yieldToPage();
    }
  }
}
