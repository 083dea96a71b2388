/**
 * One search box's state (DESIGN §10 "Search"): what is typed, whether it is narrowed to the open
 * conversation, and the results, searched a moment after the last keystroke. A slower earlier
 * search never replaces a later one's results. Loaded with the search feature.
 */
import type { Parley } from '../../parley';
import type { RoomKey } from '../../protocol/ids';
import type { SearchHit } from '../../storage/search-store';
import { createLogger } from '../../log';
import { SEARCH_DEBOUNCE_MS } from './search-limits';
import { queryTerms, type QueryTerm } from './tokenize';

export type { SearchHit } from '../../storage/search-store';

const log = createLogger('search');

/** Where a search is. */
export type SearchStatus = 'idle' | 'searching' | 'done' | 'failed';

/** The results of a search box. */
export class SearchSession {
  readonly #app: Parley;
  #results = $state.raw<SearchHit[]>([]);
  #terms = $state.raw<QueryTerm[]>([]);
  #status = $state<SearchStatus>('idle');
  #isBuilding = $state(false);
  #generation = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** The query shown, searched again when the index changes. */
  #last: { query: string; room: RoomKey | null } | null = null;
  #isFollowing = false;

  constructor(app: Parley) {
    this.#app = app;
  }

  /** The messages found, newest first. */
  get results(): SearchHit[] {
    return this.#results;
  }
  /** The terms of the query the results are for (to mark them in snippets). */
  get terms(): QueryTerm[] {
    return this.#terms;
  }
  /** Where the search is. */
  get status(): SearchStatus {
    return this.#status;
  }
  /** The index is still reading older history: results may be missing some. */
  get isBuilding(): boolean {
    return this.#isBuilding;
  }

  /** Searches for `query` (in `room` only, when given) once typing pauses. */
  update(query: string, room: RoomKey | null): void {
    this.#last = { query, room };
    clearTimeout(this.#timer);
    const generation = ++this.#generation;
    if (queryTerms(query).length === 0) {
      this.#results = [];
      this.#status = 'idle';
      return;
    }
    this.#status = 'searching';
    this.#timer = setTimeout(() => void this.#run(generation, query, room), SEARCH_DEBOUNCE_MS);
  }

  /** Searches the shown query again (the index changed), keeping its results meanwhile. */
  #refresh(): void {
    const last = this.#last;
    if (!last || this.#status === 'searching' || queryTerms(last.query).length === 0) return;
    clearTimeout(this.#timer);
    const generation = ++this.#generation;
    this.#timer = setTimeout(
      () => void this.#run(generation, last.query, last.room),
      SEARCH_DEBOUNCE_MS,
    );
  }

  /** Stops a pending search. */
  cancel(): void {
    clearTimeout(this.#timer);
    this.#generation++;
  }

  async #run(generation: number, query: string, room: RoomKey | null): Promise<void> {
    try {
      const index = await this.#app.search.load();
      if (!this.#isFollowing) {
        this.#isFollowing = true;
        // New, edited and deleted messages (and the build going on) change what a search finds.
        index.subscribe(() => this.#refresh());
      }
      const hits = await index.search(query, room ?? undefined);
      if (generation !== this.#generation) return;
      // Conversations deleted meanwhile (or left) are not offered.
      this.#results = hits.filter((hit) =>
        this.#app.conversations.conversation(hit.conv as RoomKey),
      );
      this.#terms = queryTerms(query);
      this.#isBuilding = index.isBuildingIn(room ?? undefined);
      this.#status = 'done';
    } catch (error) {
      log.error('search failed', error);
      if (generation === this.#generation) this.#status = 'failed';
    }
  }
}
