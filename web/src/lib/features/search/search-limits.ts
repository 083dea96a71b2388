/** The limits of the search index (DESIGN §14 "Search"): one constant each. */

/** Longest token kept, in code points (longer words are cut: a prefix still finds them). */
export const MAX_TOKEN_CHARS = 32;
/** Most distinct tokens indexed per message (the rest of a very long message is not searchable). */
export const MAX_TOKENS_PER_MESSAGE = 256;
/** Most postings one query term reads before the rest are left out (the newest come first). */
export const MAX_CANDIDATES = 20_000;
/** Most results a search shows. */
export const MAX_RESULTS = 50;
/** Events the background build reads per batch before yielding to the page. */
export const BUILD_BATCH_EVENTS = 250;
/** Messages a deleted conversation's index entries are removed in per batch. */
export const PURGE_BATCH_DOCS = 250;
/** Wait after the last keystroke before searching. */
export const SEARCH_DEBOUNCE_MS = 120;
/** Version of the tokenizer: a build of another version starts the index over. */
export const TOKENIZER_VERSION = 1;
