/**
 * The search index's query plan (DESIGN §10 "Search"): newest first, stopping at the page of
 * results. A posting key is [token, hlc, conv, author, seq], so each token's postings are a key
 * range in display order across every conversation; a term is read backwards from its newest
 * posting a block at a time, and the terms are intersected by leapfrogging (each one jumps to
 * the newest position the others can still hold), so a common term next to a rare one reads
 * only around the rare one's positions. Part of the IndexedDB adapter (storage/idb-*.ts).
 */
import type { IDBPTransaction } from 'idb';
import type { ParleyDb } from './idb-schema';
import { requestAll } from './idb-tx';
import type { SearchDoc, SearchHit, SearchQuery } from './search-store';

type ReadTx = IDBPTransaction<ParleyDb, ('searchDocs' | 'searchPostings' | 'events')[], 'readonly'>;

/** Where a message stands across every conversation: [hlc, conv, author, seq]. */
export type Position = readonly [string, string, string, number];

/** A position at most (or, `isOpen`, strictly below) `at`; null is no bound at all. */
export type Bound = { at: Position; isOpen: boolean } | null;

/** The token of the posting every indexed message has (no word is empty): all messages. */
export const ALL_MESSAGES = '';
/** Positions a stream reads first (a page of results and a few more). */
const FIRST_BLOCK = 64;
/** Fewest positions one read asks for (a stream the other terms make jump shrinks to this). */
const MIN_BLOCK = 8;
/** Most positions one read of postings asks for (a stream read through grows to this). */
const MAX_BLOCK = 2048;
/** Most events one read of a conversation asks for (their values come along). */
const MAX_EVENTS_BLOCK = 256;
/** A stream whose heads were fewer than this share of a block is jumping: its block shrinks. */
const JUMPING_SHARE = 1 / 8;
/** A prefix of more words than this is checked against each candidate's tokens instead. */
const MAX_PREFIX_WORDS = 32;

/** Compares positions as IndexedDB compares the keys they come from. */
export function comparePositions(a: Position, b: Position): number {
  for (let i = 0; i < 3; i++) {
    const x = a[i] as string;
    const y = b[i] as string;
    if (x !== y) return x < y ? -1 : 1;
  }
  return a[3] - b[3];
}

function isWithin(p: Position, bound: Bound): boolean {
  if (bound === null) return true;
  const c = comparePositions(p, bound.at);
  return bound.isOpen ? c < 0 : c <= 0;
}

/** The tighter of two bounds. */
function tighter(a: Bound, b: Bound): Bound {
  if (a === null) return b;
  if (b === null) return a;
  const c = comparePositions(a.at, b.at);
  if (c !== 0) return c < 0 ? a : b;
  return a.isOpen ? a : b;
}

/** Reads up to `count` positions within `bound`, newest first. */
export type ReadNewest = (bound: Bound, count: number) => Promise<Position[]>;

/** A source of positions, newest first. */
export interface PositionSource {
  /** The newest position within `bound` (bounds only ever go down); null: none left. */
  seek(bound: Bound): Promise<Position | null>;
}

/** Positions a term may still read (shared by the words of a prefix). */
export interface Budget {
  /** Positions left to read. */
  left: number;
}

/**
 * One list of positions read backwards a block at a time. The block doubles while the list is
 * read through (a fair share of the positions read were heads) and shrinks while the other
 * terms make it jump (nearly all were passed over), so a common word next to a rare one reads a
 * few positions around
 * each of the rare one's. Stops once its budget is spent.
 */
export class PositionStream implements PositionSource {
  readonly #read: ReadNewest;
  readonly #budget: Budget;
  readonly #maxBlock: number;
  #buffer: Position[] = [];
  #next = 0;
  /** Positions of the buffer given as heads. */
  #used = 0;
  #lastUsed = -1;
  /** Everything above this was read (null: nothing yet). */
  #readDownTo: Position | null = null;
  #isExhausted = false;
  #block = FIRST_BLOCK;

  constructor(read: ReadNewest, budget: Budget, maxBlock = MAX_BLOCK) {
    this.#read = read;
    this.#budget = budget;
    this.#maxBlock = maxBlock;
  }

  async seek(bound: Bound): Promise<Position | null> {
    while (this.#next < this.#buffer.length) {
      const head = this.#buffer[this.#next] as Position;
      if (isWithin(head, bound)) {
        if (this.#lastUsed !== this.#next) {
          this.#lastUsed = this.#next;
          this.#used++;
        }
        return head;
      }
      this.#next++;
    }
    if (this.#isExhausted) return null;
    if (this.#readDownTo !== null) {
      const isReadThrough = this.#used >= this.#buffer.length * JUMPING_SHARE;
      this.#block = isReadThrough
        ? Math.min(this.#block * 2, this.#maxBlock)
        : Math.max(this.#block / 4, MIN_BLOCK);
    }
    const count = Math.min(this.#block, this.#budget.left);
    if (count <= 0) {
      this.#isExhausted = true;
      return null;
    }
    const readSoFar: Bound = this.#readDownTo && { at: this.#readDownTo, isOpen: true };
    const got = await this.#read(tighter(bound, readSoFar), count);
    this.#budget.left -= got.length;
    if (got.length < count) this.#isExhausted = true;
    this.#buffer = got;
    this.#next = 0;
    this.#used = 0;
    this.#lastUsed = -1;
    this.#readDownTo = got.at(-1) ?? this.#readDownTo;
    return this.seek(bound);
  }
}

/** Several lists as one (the words a prefix stands for): the newest head of any. */
export class UnionStream implements PositionSource {
  readonly #parts: readonly PositionSource[];

  constructor(parts: readonly PositionSource[]) {
    this.#parts = parts;
  }

  async seek(bound: Bound): Promise<Position | null> {
    const heads = await Promise.all(this.#parts.map((part) => part.seek(bound)));
    let newest: Position | null = null;
    for (const head of heads) {
      if (head && (newest === null || comparePositions(head, newest) > 0)) newest = head;
    }
    return newest;
  }
}

/** The positions every source holds, newest first, a few at a time. */
export class Intersection {
  readonly #sources: readonly PositionSource[];
  #bound: Bound = null;
  #isDone = false;

  constructor(sources: readonly PositionSource[]) {
    this.#sources = sources;
  }

  /** True once no position is left. */
  get isDone(): boolean {
    return this.#isDone;
  }

  /** Up to `count` more common positions (fewer only once none is left). */
  async next(count: number): Promise<Position[]> {
    const found: Position[] = [];
    while (found.length < count && !this.#isDone) {
      const heads = await Promise.all(this.#sources.map((source) => source.seek(this.#bound)));
      let oldest: Position | null = null;
      for (const head of heads) {
        if (head === null) {
          this.#isDone = true;
          return found;
        }
        if (oldest === null || comparePositions(head, oldest) < 0) oldest = head;
      }
      if (oldest === null) break;
      const at = oldest;
      // All at one position: a match. Otherwise no match lies above the oldest head.
      const isMatch = heads.every((head) => head !== null && comparePositions(head, at) === 0);
      if (isMatch) found.push(at);
      this.#bound = { at, isOpen: isMatch };
    }
    return found;
  }
}

/** What reading a key range backwards needs of an idb store or index. */
interface Backwards {
  openKeyCursor(range: IDBKeyRange, direction: 'prev'): Promise<KeyCursor | null>;
}
interface KeyCursor {
  key: unknown;
  continue(): Promise<KeyCursor | null>;
}
/** Reading with IDBGetAllOptions (Chromium 141+, not typed yet), through idb's wrapper. */
interface OptionsReader {
  getAllKeys(options: GetAllOptions): Promise<unknown[]>;
  getAllRecords(options: GetAllOptions): Promise<{ key: unknown }[]>;
}
interface GetAllOptions {
  query: IDBKeyRange;
  count: number;
  direction: IDBCursorDirection;
}

/**
 * The last `count` keys of `range` (a store's own keys, or an index's), last first: in one
 * request where the browser reads backwards in bulk (a store's keys alone; an index's come with
 * its records), else with a cursor backwards (browsers read ahead for a cursor that steps on).
 */
async function lastKeys(
  source: Backwards,
  range: IDBKeyRange,
  count: number,
  isIndex: boolean,
): Promise<unknown[]> {
  if ('getAllRecords' in source) {
    const reader = source as unknown as OptionsReader;
    const options = { query: range, count, direction: 'prev' } as const;
    if (!isIndex) return reader.getAllKeys(options);
    return (await reader.getAllRecords(options)).map((record) => record.key);
  }
  const keys: unknown[] = [];
  let cursor = await source.openKeyCursor(range, 'prev');
  while (cursor) {
    keys.push(cursor.key);
    cursor = keys.length < count ? await cursor.continue() : null;
  }
  return keys;
}

/** The postings of one token, newest first. */
function tokenStream(tx: ReadTx, token: string, budget: Budget): PositionStream {
  const postings: Backwards = tx.objectStore('searchPostings');
  return new PositionStream(async (bound, count) => {
    const upper = bound ? [token, ...bound.at] : [token, []];
    const range = IDBKeyRange.bound([token], upper, false, bound?.isOpen ?? false);
    const keys = await lastKeys(postings, range, count, false);
    return keys.map((key) => (key as unknown[]).slice(1) as unknown as Position);
  }, budget);
}

/** One conversation's events in display order, newest first (its narrowing as a term). */
function conversationStream(tx: ReadTx, conv: string, budget: Budget): PositionStream {
  const order: Backwards = tx.objectStore('events').index('byConvOrder');
  return new PositionStream(
    async (bound, count) => {
      // Within one conversation [hlc, author, seq] orders as [hlc, conv, author, seq] does.
      const upper = bound ? [conv, bound.at[0], bound.at[2], bound.at[3]] : [conv, []];
      const range = IDBKeyRange.bound([conv], upper, false, bound?.isOpen ?? false);
      const keys = await lastKeys(order, range, count, true);
      return keys.map((key) => {
        const [, hlc, author, seq] = key as [string, string, string, number];
        return [hlc, conv, author, seq] as const;
      });
    },
    budget,
    MAX_EVENTS_BLOCK,
  );
}

/** Positions held in memory, newest first (a prefix of many words, read whole). */
function memoryStream(positions: Position[]): PositionStream {
  const newestFirst = positions.sort((a, b) => comparePositions(b, a));
  return new PositionStream(
    (bound, count) => {
      const from = newestFirst.findIndex((p) => isWithin(p, bound));
      return Promise.resolve(from < 0 ? [] : newestFirst.slice(from, from + count));
    },
    { left: Infinity },
  );
}

/** The words of the index starting with `prefix`, up to `max` (null: more than that). */
async function wordsStarting(tx: ReadTx, prefix: string, max: number): Promise<string[] | null> {
  const words: string[] = [];
  const range = IDBKeyRange.bound([prefix], [`${prefix}\uffff`]);
  let cursor = await tx.objectStore('searchPostings').openKeyCursor(range);
  while (cursor) {
    const word = cursor.key[0];
    if (words.length === max) return null;
    words.push(word);
    // Past every posting of this word: the next word's first.
    cursor = await cursor.continue([word, []] as unknown as typeof cursor.key);
  }
  return words;
}

/** How the query reads: the sources to intersect, and a check of each candidate's words. */
interface Plan {
  sources: PositionSource[];
  check: ((doc: SearchDoc) => boolean) | null;
}

async function planQuery(tx: ReadTx, query: SearchQuery): Promise<Plan> {
  const { terms, conv, maxCandidates } = query;
  const sources: PositionSource[] = [];
  let check: Plan['check'] = null;
  for (const { token, isPrefix } of terms) {
    const budget = { left: maxCandidates };
    if (!isPrefix) {
      sources.push(tokenStream(tx, token, budget));
      continue;
    }
    const words = await wordsStarting(tx, token, MAX_PREFIX_WORDS);
    if (words !== null) {
      if (words.length === 0) return { sources: [], check: null };
      const streams = words.map((word) => tokenStream(tx, word, budget));
      sources.push(
        streams.length === 1 ? (streams[0] as PositionStream) : new UnionStream(streams),
      );
      continue;
    }
    // A short prefix of many words: read whole if small, else checked per candidate.
    const postings = tx.objectStore('searchPostings');
    const range = IDBKeyRange.bound([token], [`${token}\uffff`]);
    if ((await postings.count(range)) <= maxCandidates) {
      const keys = await postings.getAllKeys(range, maxCandidates);
      sources.push(memoryStream(keys.map((key) => key.slice(1) as unknown as Position)));
    } else {
      check = (doc) => doc.tokens.some((word) => word.startsWith(token));
    }
  }
  if (conv !== undefined) sources.push(conversationStream(tx, conv, { left: maxCandidates }));
  // Only a prefix checked per candidate: every message, newest first, is a candidate.
  if (sources.length === 0) sources.push(tokenStream(tx, ALL_MESSAGES, { left: maxCandidates }));
  return { sources, check };
}

/**
 * The newest `limit` messages matching every term of `query`, newest first. A term reads at
 * most `maxCandidates` postings and at most `maxCandidates` candidates are checked word by word;
 * past that the search ends with what it found. A hit whose event is no longer stored (its
 * removal from the index was lost to a reload) is left out.
 */
export async function searchNewest(tx: ReadTx, query: SearchQuery): Promise<SearchHit[]> {
  const { limit, maxCandidates } = query;
  if (query.terms.length === 0 || limit <= 0) return [];
  const { sources, check } = await planQuery(tx, query);
  if (sources.length === 0) return [];
  const excluded = new Set(query.exclude);
  const docs = tx.objectStore('searchDocs');
  const order = tx.objectStore('events').index('byConvOrder');
  const join = new Intersection(sources);
  const hits: SearchHit[] = [];
  let checked = 0;
  while (hits.length < limit && !join.isDone && checked < maxCandidates) {
    const need = limit - hits.length;
    const batch = (await join.next(check ? Math.max(need * 2, FIRST_BLOCK) : need)).filter(
      ([, conv]) => !excluded.has(conv),
    );
    checked += batch.length;
    const [found, stored] = await Promise.all([
      requestAll(
        batch.map(
          ([, conv, author, seq]) =>
            () =>
              docs.get([conv, author, seq]),
        ),
      ),
      requestAll(
        batch.map(
          ([hlc, conv, author, seq]) =>
            () =>
              order.getKey([conv, hlc, author, seq]),
        ),
      ),
    ]);
    for (const [i, doc] of found.entries()) {
      if (hits.length === limit) break;
      if (!doc || doc.hlc === undefined || doc.isDeleted || stored[i] === undefined) continue;
      if (check && !check(doc)) continue;
      hits.push({ conv: doc.conv, author: doc.author, seq: doc.seq, hlc: doc.hlc, text: doc.text });
    }
  }
  return hits;
}
