/** The limits of the search index (DESIGN §10 "Search"): one constant each. */

/** Longest token kept, in code points (longer words are cut: a prefix still finds them). */
export const MAX_TOKEN_CHARS = 32;
/** Most distinct tokens indexed per message (the rest of a very long message is not searchable). */
export const MAX_TOKENS_PER_MESSAGE = 256;
/**
 * Most postings one query term reads, newest first, and most candidates a search checks word by
 * word (a prefix of many words): past that it shows what it found.
 */
export const MAX_CANDIDATES = 20_000;
/** Most results a search shows. */
export const MAX_RESULTS = 50;
/** Events the background build reads per batch before yielding to the page. */
export const BUILD_BATCH_EVENTS = 250;
/** Messages a deleted conversation's index entries are removed in per batch. */
export const PURGE_BATCH_DOCS = 250;
/**
 * Changes are indexed once the store has been quiet this long (ms): a burst of sync, such as a
 * late joiner's history, is stored first and indexed in one transaction after it, instead of
 * competing with it for IndexedDB message by message.
 */
export const INDEX_QUIET_MS = 1000;
/** … but no change waits longer than this (ms), in a room that is never quiet. */
export const INDEX_MAX_DELAY_MS = 5_000;
/** … nor once this many index changes wait (memory: each holds a message's text and words). */
export const INDEX_MAX_PENDING_OPS = 10_000;
/**
 * A history flooding in (stored bursts that say more is coming) is not indexed as it comes: its conversation is read again from its mark once the store has been
 * quiet for INDEX_QUIET_MS, but no later than this (ms) after the flood began (a 30,000-message
 * late joiner: 7.4–8.3 s against 13.5 s with the index writing alongside).
 */
export const INDEX_FLOOD_MAX_DELAY_MS = 60_000;
/**
 * Stored events that count as a burst of history (a sync answer's frames carry up to 128; a
 * live message comes alone): the background build waits until such bursts have stopped for
 * INDEX_QUIET_MS (at most INDEX_MAX_DELAY_MS per batch).
 */
export const FLOOD_EVENTS = 32;
/** Wait after the last keystroke before searching. */
export const SEARCH_DEBOUNCE_MS = 120;
/**
 * Version of the index, its tokenizer and its key layout: an index of another version starts
 * over. 2: postings keyed [token, hlc, conv, author, seq] (newest first across conversations),
 * every message under the empty token. 3: the state holds the marks.
 */
export const INDEX_VERSION = 3;
