/**
 * SearchIndex: the full-text index of messages (DESIGN §10 "Search"), kept beside the events it
 * is built from. It stores what it is told; which words a message has (features/search/tokenize.ts)
 * and which events change what (features/search/index-ops.ts) are decided by the search feature.
 * The IndexedDB adapter is storage/idb-search.ts.
 */
import type { VersionVector } from '../domain/version-vector';
import type { StoredEvent } from '../protocol/events';

/** The primary key of an event: [conv, author, seq]. */
export type EventPrimaryKey = [string, string, number];

/** Where an event stands in its conversation's display order. */
export interface EventPosition {
  /** Its clock. */
  hlc: string;
  /** Its author. */
  author: string;
  /** The author's seq. */
  seq: number;
}

/** The index's record of one message. */
export interface SearchDoc {
  /** Conversation id. */
  conv: string;
  /** Author fingerprint. */
  author: string;
  /** The author's seq. */
  seq: number;
  /** The message's clock; absent while only an edit of it is known (it is not searchable yet). */
  hlc?: string;
  /** Its text now (after edits), for the snippet. */
  text: string;
  /** The tokens it is found by (each a posting). */
  tokens: string[];
  /** The clock of the edit that set `text`, if one did. */
  editHlc?: string;
  /** Its author deleted it: it is never indexed again. */
  isDeleted?: true;
}

/** The index's own state. */
export interface SearchState {
  /** Always 'build'. */
  key: 'build';
  /** The version of the index (tokenizer and layout) it was built with (another starts it over). */
  version: number;
  /** The primary key of the last event the background build has read; null before the first. */
  after: EventPrimaryKey | null;
  /** The build has read every event once (new ones are indexed as they are stored). */
  isDone: boolean;
  /** Deleted conversations whose entries are still being removed. */
  purging: string[];
  /**
   * Per conversation, a version vector: every event stored there with a seq up to its author's
   * mark is in the index (or still ahead of the build). At start the events above are read
   * again: the index's own queue of store changes does not outlive the page.
   */
  marks: Record<string, VersionVector>;
}

/** One change to the index. */
export type IndexOp =
  /** A text message: indexed unless known already or deleted. */
  | {
      op: 'message';
      conv: string;
      author: string;
      seq: number;
      hlc: string;
      text: string;
      tokens: string[];
    }
  /** Its author edited message (conv, author, seq): re-indexed with the text of the latest edit. */
  | {
      op: 'edit';
      conv: string;
      author: string;
      seq: number;
      editHlc: string;
      text: string;
      tokens: string[];
    }
  /** Its author deleted message (conv, author, seq): it leaves the index for good. */
  | { op: 'delete'; conv: string; author: string; seq: number }
  /** The store dropped an author's events (all, or those of `seqs`): they leave the index. */
  | { op: 'forget'; conv: string; author: string; seqs?: number[] };

/** A message a search found. */
export interface SearchHit {
  /** Conversation id. */
  conv: string;
  /** Author fingerprint. */
  author: string;
  /** The author's seq. */
  seq: number;
  /** The message's clock (its time and its place in the conversation). */
  hlc: string;
  /** Its text now. */
  text: string;
}

/** What a search asks for. */
export interface SearchQuery {
  /** Every term must match: a token exactly, or (isPrefix) any token starting with it. */
  terms: readonly { token: string; isPrefix: boolean }[];
  /** Only this conversation. */
  conv?: string;
  /** Conversations left out (being removed). */
  exclude?: readonly string[];
  /** Most hits, newest first. */
  limit: number;
  /** Most postings read per term, and most candidates checked word by word. */
  maxCandidates: number;
}

/** The full-text index. Each write is one transaction of its own (never the chat store's). */
export interface SearchIndex {
  /** Applies changes in one transaction; ops of conversations no longer stored are skipped. */
  apply(ops: readonly IndexOp[]): Promise<void>;
  /** The index's state, if it was ever saved. */
  state(): Promise<SearchState | undefined>;
  /** Saves the index's state (alone, or with `ops` in the same transaction). */
  saveState(state: SearchState, ops?: readonly IndexOp[]): Promise<void>;
  /** Up to `limit` stored events after primary key `after` (null: from the start), in key order. */
  readEventsAfter(
    after: EventPrimaryKey | null,
    limit: number,
  ): Promise<{ events: StoredEvent[]; last: EventPrimaryKey | null }>;
  /** Every stored conversation's version vector, by id. */
  storedVectors(): Promise<Map<string, VersionVector>>;
  /**
   * Up to `limit` stored events of `conv` above `marks` (each author's seqs past its mark; every
   * seq of an author without one), in key order after `after` (null: from the first);
   * `last` is where to go on from, null once none is left.
   */
  readEventsAbove(
    conv: string,
    marks: VersionVector,
    after: EventPrimaryKey | null,
    limit: number,
  ): Promise<{ events: StoredEvent[]; last: EventPrimaryKey | null }>;
  /** Removes up to `limit` messages of `conv` from the index; true once none is left. */
  purgeBatch(conv: string, limit: number): Promise<boolean>;
  /**
   * The newest `limit` messages matching every term, newest first (a hit whose event is no
   * longer stored is left out).
   */
  search(query: SearchQuery): Promise<SearchHit[]>;
  /**
   * A conversation's events around one message, in display order: up to `before` events before
   * it, and up to `from` events from it on (it first). `hasOlder`/`hasNewer`: more lie beyond.
   */
  readAround(
    conv: string,
    at: EventPosition,
    before: number,
    from: number,
  ): Promise<{ events: StoredEvent[]; hasOlder: boolean; hasNewer: boolean }>;
  /** Up to `limit` events of `conv` after `after` in display order (paging forward). */
  readAfter(conv: string, after: EventPosition, limit: number): Promise<StoredEvent[]>;
  /**
   * The edits, reactions and deletions of the messages among `events` (of `conv`), wherever in
   * the history they are: a view far from the newest shows its messages as they are now.
   */
  readChanges(conv: string, events: readonly StoredEvent[]): Promise<StoredEvent[]>;
  /** Empties the index (another tokenizer version). */
  clear(): Promise<void>;
}
