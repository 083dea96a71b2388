/**
 * Search as the first screen sees it (DESIGN §14 "Search"): a handle that loads the index code
 * (indexer.ts and its storage) once the first screen is up, or when the person starts a search.
 * What the store changes before it is here is kept and handed to it on load, so the index
 * misses nothing; past MAX_EARLY_CHANGES messages it rather reads them again from the store.
 */
import type { Kernel } from '../../kernel/kernel.svelte';
import { createLogger } from '../../log';
import type { StoreChange } from '../../storage/chat-store';
import type { SearchIndex } from '../../storage/search-store';
import type { SearchIndexer } from './indexer';
import { MAX_EARLY_CHANGES } from './search-limits';

const log = createLogger('search');

/** What the search feature needs from outside. */
export interface SearchDeps {
  /** Opens the index's storage (the app: IndexedDB, storage/idb-search.ts). */
  openSearchIndex(): Promise<SearchIndex>;
  /** How long after the first screen the index code loads and its background build starts. */
  startDelayMs: number;
}

/** Loads the search feature on first need. */
export class SearchLinks {
  #loading: Promise<SearchIndexer> | null = null;
  /** Changes stored before the feature was here (null once it is). */
  #early: StoreChange[] | null = [];
  #earlyMessages = 0;
  /** Too much arrived early: the build reads the history again instead. */
  #isOverflowed = false;

  constructor(
    private readonly kernel: Kernel,
    private readonly deps: SearchDeps,
  ) {
    kernel.bus.on({
      ready: () => {
        setTimeout(() => this.#loadSoon(), deps.startDelayMs);
      },
      change: ({ change }) => this.#keep(change),
    });
  }

  #keep(change: StoreChange): void {
    if (!this.#early) return;
    if (change.type === 'events') {
      if (this.#isOverflowed) return;
      this.#earlyMessages += change.events.length;
      if (this.#earlyMessages > MAX_EARLY_CHANGES) {
        this.#isOverflowed = true;
        this.#early = this.#early.filter((c) => c.type !== 'events');
        return;
      }
    } else if (change.type !== 'events-deleted' && change.type !== 'conversation-deleted') {
      return;
    }
    this.#early.push(change);
  }

  #loadSoon(): void {
    this.load().catch((error: unknown) => log.error('loading search failed', error));
  }

  /** The feature, loading it first if needed (after a failure the next call tries again). */
  load(): Promise<SearchIndexer> {
    return (this.#loading ??= Promise.all([import('./indexer'), this.deps.openSearchIndex()]).then(
      ([{ SearchIndexer }, index]) => {
        const indexer = new SearchIndexer(this.kernel, index, {
          early: this.#early ?? [],
          isOverflowed: this.#isOverflowed,
        });
        this.#early = null;
        return indexer;
      },
      (error: unknown) => {
        this.#loading = null;
        throw error;
      },
    ));
  }
}
