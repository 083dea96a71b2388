/**
 * Search as the first screen sees it (DESIGN §10 "Search"): a handle that loads the index code
 * (indexer.ts and its storage) once the first screen is up, or when the person starts a search.
 * What the store changed before then is found at start above the index's marks (indexer.ts).
 */
import type { Kernel } from '../../kernel/kernel.svelte';
import { createLogger } from '../../log';
import type { SearchIndex } from '../../storage/search-store';
import type { SearchIndexer } from './indexer';
import { SEARCH_START_DELAY_MS } from '../../config';

const log = createLogger('search');

/** The search feature's handle: `load()` gives the feature, loading it on first need. */
export type SearchLinks = ReturnType<typeof searchLinks>;

/**
 * Starts following the store for the search feature and loads it a while after the first
 * screen (SEARCH_START_DELAY_MS). A closure rather than a class: it is on the first screen, where every byte counts.
 */
export function searchLinks(
  kernel: Kernel,
  /** Opens the index's storage (the app: IndexedDB, storage/idb-search.ts). */
  openIndex: () => Promise<SearchIndex>,
) {
  let loading: Promise<SearchIndexer> | null = null;

  /** The feature, loading it first if needed (after a failure the next call tries again). */
  const load = (): Promise<SearchIndexer> =>
    (loading ??= Promise.all([import('./indexer'), openIndex()]).then(
      ([{ SearchIndexer }, index]) => new SearchIndexer(kernel, index),
      (error: unknown) => {
        loading = null;
        throw error;
      },
    ));

  kernel.bus.on({
    ready: () => {
      setTimeout(() => {
        load().catch((error: unknown) => log.error('loading search failed', error));
      }, SEARCH_START_DELAY_MS);
    },
  });
  return { load };
}
