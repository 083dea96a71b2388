/**
 * SearchIndex on IndexedDB (DESIGN §10 "Search"): `searchDocs` holds each indexed message's text
 * and tokens by [conv, author, seq]; `searchPostings` is the inverted index, one key
 * [token, hlc, conv, author, seq] per token of a message (and one under the empty token, no
 * word's, for every message), so an exact word is the key range [token] in display order across
 * every conversation and a prefix the range from [prefix] to [prefix + U+FFFF]. How a query reads
 * them: idb-search-query.ts. Part of the IndexedDB adapter (storage/idb-*.ts); on a connection
 * of its own, loaded with the search feature.
 */
import type { IDBPTransaction } from 'idb';
import type { StoredEvent } from '../protocol/events';
import { DEFAULT_DB_NAME, isTombstone, openParleyDb, type Db, type ParleyDb } from './idb-schema';
import { ALL_MESSAGES, searchNewest } from './idb-search-query';
import { inTx, requestAll } from './idb-tx';
import type { VersionVector } from '../domain/version-vector';
import type {
  EventPosition,
  EventPrimaryKey,
  IndexOp,
  SearchDoc,
  SearchHit,
  SearchIndex,
  SearchQuery,
  SearchState,
} from './search-store';

type WriteTx = IDBPTransaction<
  ParleyDb,
  ('searchDocs' | 'searchPostings' | 'searchState')[],
  'readwrite'
>;
type PostingKey = [string, string, string, string, number];

/** Options of `openIdbSearchIndex`. */
export interface OpenIdbSearchIndexOptions {
  /** Database name (default 'parley'). */
  name?: string;
  /** Called after another tab asked to upgrade the schema and this connection closed itself. */
  onVersionChange?: () => void;
}

/** Opens (creating or upgrading) the database on a connection of its own; `close()` ends it. */
export async function openIdbSearchIndex(
  opts: OpenIdbSearchIndexOptions = {},
): Promise<IdbSearchIndex> {
  return new IdbSearchIndex(await openParleyDb(opts.name ?? DEFAULT_DB_NAME, opts.onVersionChange));
}

function postingKeys(doc: SearchDoc): PostingKey[] {
  if (doc.hlc === undefined) return [];
  const hlc = doc.hlc;
  return [ALL_MESSAGES, ...doc.tokens].map((token) => [token, hlc, doc.conv, doc.author, doc.seq]);
}

/** Every doc key of one author in one conversation. */
function authorRange(conv: string, author: string): IDBKeyRange {
  return IDBKeyRange.bound([conv, author], [conv, author, []]);
}

/** The IndexedDB implementation of SearchIndex. */
export class IdbSearchIndex implements SearchIndex {
  readonly #db: Db;

  /** Wraps an open database; see `openIdbSearchIndex`. */
  constructor(db: Db) {
    this.#db = db;
  }

  /** Closes the database connection. */
  close(): void {
    this.#db.close();
  }

  async apply(ops: readonly IndexOp[]): Promise<void> {
    if (ops.length === 0) return;
    const live = await this.#storedConversations(ops);
    await inTx(this.#db, ['searchDocs', 'searchPostings', 'searchState'], 'readwrite', (tx) =>
      applyOps(
        tx,
        ops.filter((op) => live.has(op.conv)),
      ),
    );
  }

  /** Which of the ops' conversations are still stored (a deleted one is not indexed again). */
  async #storedConversations(ops: readonly IndexOp[]): Promise<Set<string>> {
    const convs = [...new Set(ops.map((op) => op.conv))];
    const found = await inTx(this.#db, ['conversations'], 'readonly', (tx) =>
      requestAll(convs.map((conv) => () => tx.objectStore('conversations').getKey(conv))),
    );
    return new Set(convs.filter((_, i) => found[i] !== undefined));
  }

  async state(): Promise<SearchState | undefined> {
    return this.#db.get('searchState', 'build');
  }

  async saveState(state: SearchState, ops: readonly IndexOp[] = []): Promise<void> {
    const live = ops.length > 0 ? await this.#storedConversations(ops) : new Set<string>();
    await inTx(
      this.#db,
      ['searchDocs', 'searchPostings', 'searchState'],
      'readwrite',
      async (tx) => {
        await applyOps(
          tx,
          ops.filter((op) => live.has(op.conv)),
        );
        await tx.objectStore('searchState').put(state);
      },
    );
  }

  async readEventsAfter(
    after: EventPrimaryKey | null,
    limit: number,
  ): Promise<{ events: StoredEvent[]; last: EventPrimaryKey | null }> {
    const range = after ? IDBKeyRange.lowerBound(after, true) : undefined;
    const rows = await this.#db.getAll('events', range, limit);
    const lastRow = rows.at(-1);
    return {
      events: rows.filter((row): row is StoredEvent => !isTombstone(row)),
      last: lastRow ? [lastRow.conv, lastRow.author, lastRow.seq] : null,
    };
  }

  async purgeBatch(conv: string, limit: number): Promise<boolean> {
    return inTx(this.#db, ['searchDocs', 'searchPostings'], 'readwrite', async (tx) => {
      const docs = tx.objectStore('searchDocs');
      const batch = await docs.getAll(IDBKeyRange.bound([conv], [conv, []]), limit);
      await requestAll(removeDocs(tx, batch));
      return batch.length < limit;
    });
  }

  async search(query: SearchQuery): Promise<SearchHit[]> {
    if (query.terms.length === 0) return [];
    return inTx(this.#db, ['searchDocs', 'searchPostings', 'events'], 'readonly', (tx) =>
      searchNewest(tx, query),
    );
  }

  async storedVectors(): Promise<Map<string, VersionVector>> {
    const conversations = await this.#db.getAll('conversations');
    return new Map(conversations.map((c) => [c.id, c.vector]));
  }

  async readEventsAbove(
    conv: string,
    marks: VersionVector,
    after: EventPrimaryKey | null,
    limit: number,
  ): Promise<{ events: StoredEvent[]; last: EventPrimaryKey | null }> {
    return inTx(this.#db, ['events'], 'readonly', async (tx) => {
      const events: StoredEvent[] = [];
      let last: EventPrimaryKey | null = null;
      const range = IDBKeyRange.bound(after ?? [conv], [conv, []], after !== null);
      let cursor = await tx.objectStore('events').openCursor(range);
      while (cursor && events.length < limit) {
        const [, author, seq] = cursor.primaryKey;
        const mark = (marks as Record<string, number>)[author] ?? 0;
        if (seq <= mark) {
          // Held when the mark was taken: on to this author's first event above it.
          cursor = await cursor.continue([conv, author, mark + 1]);
          continue;
        }
        last = [conv, author, seq];
        if (!isTombstone(cursor.value)) events.push(cursor.value);
        cursor = await cursor.continue();
      }
      return { events, last: cursor ? last : null };
    });
  }

  async readAround(
    conv: string,
    at: EventPosition,
    before: number,
    from: number,
  ): Promise<{ events: StoredEvent[]; hasOlder: boolean; hasNewer: boolean }> {
    const position = [conv, at.hlc, at.author, at.seq];
    return inTx(this.#db, ['events'], 'readonly', async (tx) => {
      const order = tx.objectStore('events').index('byConvOrder');
      const older: StoredEvent[] = [];
      let cursor = await order.openCursor(IDBKeyRange.bound([conv], position, false, true), 'prev');
      while (cursor && older.length < before + 1) {
        older.push(cursor.value as StoredEvent);
        cursor = await cursor.continue();
      }
      const hasOlder = older.length > before;
      const newer = (await order.getAll(
        IDBKeyRange.bound(position, [conv, []]),
        from + 1,
      )) as StoredEvent[];
      const hasNewer = newer.length > from;
      return {
        events: [...older.slice(0, before).reverse(), ...newer.slice(0, from)],
        hasOlder,
        hasNewer,
      };
    });
  }

  async readAfter(conv: string, after: EventPosition, limit: number): Promise<StoredEvent[]> {
    const range = IDBKeyRange.bound(
      [conv, after.hlc, after.author, after.seq],
      [conv, []],
      true,
      false,
    );
    return (await this.#db.getAllFromIndex('events', 'byConvOrder', range, limit)) as StoredEvent[];
  }

  async readChanges(conv: string, events: readonly StoredEvent[]): Promise<StoredEvent[]> {
    const messages = events.filter((e) => e.kind === 'text' || e.kind === 'file');
    return inTx(this.#db, ['events'], 'readonly', async (tx) => {
      const byTarget = tx.objectStore('events').index('byTarget');
      const changes = await Promise.all(
        messages.map((e) => byTarget.getAll([conv, e.author, e.seq])),
      );
      return changes.flat() as StoredEvent[];
    });
  }

  async clear(): Promise<void> {
    await inTx(
      this.#db,
      ['searchDocs', 'searchPostings', 'searchState'],
      'readwrite',
      async (tx) => {
        await Promise.all([
          tx.objectStore('searchDocs').clear(),
          tx.objectStore('searchPostings').clear(),
          tx.objectStore('searchState').clear(),
        ]);
      },
    );
  }
}

/** A doc's key as one string, for the docs read ahead of a batch. */
function docId(conv: string, author: string, seq: number): string {
  return `${conv}\n${author}\n${seq}`;
}

/** The requests removing docs and their postings. */
function removeDocs(tx: WriteTx, docs: readonly SearchDoc[]): (() => Promise<unknown>)[] {
  const postings = tx.objectStore('searchPostings');
  const store = tx.objectStore('searchDocs');
  return docs.flatMap((doc) => [
    ...postingKeys(doc).map((key) => () => postings.delete(key)),
    () => store.delete([doc.conv, doc.author, doc.seq]),
  ]);
}

/** The requests replacing `before` (if any) by `after`: its postings go, the new ones come. */
function replaceDoc(
  tx: WriteTx,
  before: SearchDoc | undefined,
  after: SearchDoc,
): (() => Promise<unknown>)[] {
  const postings = tx.objectStore('searchPostings');
  const kept = new Set(postingKeys(after).map((key) => key.join('\n')));
  const gone = before ? postingKeys(before).filter((key) => !kept.has(key.join('\n'))) : [];
  return [
    ...gone.map((key) => () => postings.delete(key)),
    ...postingKeys(after).map((key) => () => postings.put(1, key)),
    () => tx.objectStore('searchDocs').put(after),
  ];
}

/**
 * Applies index changes in order, each idempotent and indifferent to arrival order. The docs the
 * changes name are read at once first and kept up to date here, and the writes are made without
 * waiting for each (a transaction runs its requests in order), so a batch of received messages
 * costs two round trips, not two per message.
 */
async function applyOps(tx: WriteTx, ops: readonly IndexOp[]): Promise<void> {
  const docs = tx.objectStore('searchDocs');
  const named = [
    ...new Map(
      ops.flatMap((op) =>
        op.op === 'forget'
          ? []
          : [[docId(op.conv, op.author, op.seq), [op.conv, op.author, op.seq] as const]],
      ),
    ).entries(),
  ];
  const read = await requestAll(
    named.map(
      ([, key]) =>
        () =>
          docs.get([...key]),
    ),
  );
  const known = new Map(named.map(([id], i) => [id, read[i]]));
  const writes: Promise<unknown>[] = [];
  const write = (requests: (() => Promise<unknown>)[]) => {
    const made = requestAll(requests);
    made.catch(() => undefined); // awaited below; the transaction aborts on the first failure
    writes.push(made);
  };
  const put = (before: SearchDoc | undefined, after: SearchDoc) => {
    write(replaceDoc(tx, before, after));
    known.set(docId(after.conv, after.author, after.seq), after);
  };
  for (const op of ops) {
    if (op.op === 'forget') {
      // Read after the writes made so far (requests run in order), so it sees them.
      const gone = op.seqs
        ? (
            await requestAll(op.seqs.map((seq) => () => docs.get([op.conv, op.author, seq])))
          ).filter((doc): doc is SearchDoc => doc !== undefined)
        : await docs.getAll(authorRange(op.conv, op.author));
      write(removeDocs(tx, gone));
      for (const doc of gone) known.set(docId(doc.conv, doc.author, doc.seq), undefined);
      continue;
    }
    const { conv, author, seq } = op;
    const doc = known.get(docId(conv, author, seq));
    if (doc?.isDeleted) continue;
    if (op.op === 'delete') {
      write(removeDocs(tx, doc ? [doc] : []));
      put(undefined, { conv, author, seq, text: '', tokens: [], isDeleted: true });
    } else if (op.op === 'message') {
      // Known already (the build and the live feed both bring it): the stored one stands.
      if (doc?.hlc !== undefined) continue;
      const edited = doc?.editHlc !== undefined ? doc : undefined;
      put(doc, {
        conv,
        author,
        seq,
        hlc: op.hlc,
        text: edited ? edited.text : op.text,
        tokens: edited ? edited.tokens : op.tokens,
        ...(edited?.editHlc !== undefined ? { editHlc: edited.editHlc } : {}),
      });
    } else {
      // An older edit than the one applied changes nothing.
      if (doc?.editHlc !== undefined && doc.editHlc >= op.editHlc) continue;
      put(doc, {
        conv,
        author,
        seq,
        ...(doc?.hlc !== undefined ? { hlc: doc.hlc } : {}),
        text: op.text,
        tokens: op.tokens,
        editHlc: op.editHlc,
      });
    }
  }
  await Promise.all(writes);
}
