/**
 * Events in the IndexedDB adapter (DESIGN §6, §10): paging them, the reads that writing own events
 * (idb-append.ts, loaded after the first screen) and received ones (idb-receive.ts, loaded with
 * the network) share, and deleting a conversation with its events, in a transaction the caller
 * runs. What a conversation record becomes is decided by
 * domain/conversation-rules.ts; this module reads what those rules need (stored seqs, the clock,
 * the newest events) and writes the result.
 */
import type { IDBPTransaction } from 'idb';
import { decodeHlc, ZERO_HLC, type Hlc } from '../domain/hlc';
import { latestPreview } from '../domain/conversation-rules';
import { type StoredEvent } from '../protocol/events';
import type { Conversation, ListEventsOptions } from './chat-store';
import { isTombstone, type Db, type EventTombstone, type ParleyDb } from './idb-schema';
import { convRange, inTx } from './idb-tx';
import type { Fingerprint, RoomKey } from '../protocol/ids';

/** A transaction over the stores an event write touches. */
export type EventsTx = IDBPTransaction<
  ParleyDb,
  ('conversations' | 'events' | 'settings')[],
  'readwrite' | 'readonly'
>;

/** A read-write transaction over the stores an event write touches. */
export type EventsWriteTx = IDBPTransaction<
  ParleyDb,
  ('conversations' | 'events' | 'settings')[],
  'readwrite'
>;

/** Highest stored seq of `author` in `conv` (0 if none). */
export async function highestStoredSeq(
  tx: EventsTx,
  conv: RoomKey,
  author: Fingerprint,
): Promise<number> {
  const range = IDBKeyRange.bound([conv, author, 0], [conv, author, Infinity]);
  const cursor = await tx.objectStore('events').openKeyCursor(range, 'prev');
  return cursor ? cursor.primaryKey[2] : 0;
}

/** The settings key that remembers our highest seq in a conversation deleted here. */
export function usedSeqKey(conv: RoomKey): string {
  return `usedSeq:${conv}`;
}

/**
 * Highest seq of `author` in `conv` that must never be used again: stored ones, and for a room
 * deleted and joined again, those used before (its members still hold them).
 */
export async function highestUsedSeq(
  tx: EventsTx,
  conv: RoomKey,
  author: Fingerprint,
): Promise<number> {
  const [stored, record] = await Promise.all([
    highestStoredSeq(tx, conv, author),
    tx.objectStore('settings').get(usedSeqKey(conv)),
  ]);
  const used = record?.value;
  return typeof used === 'object' && used !== null && author in used
    ? Math.max(stored, Number((used as Record<string, unknown>)[author]) || 0)
    : stored;
}

/** Extends `from` over the stored seqs that follow it without a gap. */
export async function contiguousSeq(
  tx: EventsTx,
  conv: RoomKey,
  author: Fingerprint,
  from: number,
): Promise<number> {
  // Keys in pages, not a cursor step per event: one round trip per page.
  const PAGE = 512;
  let top = from;
  for (;;) {
    const range = IDBKeyRange.bound([conv, author, top + 1], [conv, author, Infinity]);
    const keys = await tx.objectStore('events').getAllKeys(range, PAGE);
    for (const key of keys) {
      if (key[2] !== top + 1) return top;
      top++;
    }
    if (keys.length < PAGE) return top;
  }
}

/** A conversation's events, newest first in display order, read one by one as they are asked for. */
export async function* newestFirst(tx: EventsTx, conv: RoomKey): AsyncGenerator<StoredEvent> {
  let cursor = await tx
    .objectStore('events')
    .index('byConvOrder')
    .openCursor(convRange(conv), 'prev');
  while (cursor) {
    yield cursor.value as StoredEvent; // the display-order index holds no tombstones
    cursor = await cursor.continue();
  }
}

/**
 * A conversation's clock: its own (`Conversation.clock`), or for a record written before clocks
 * were kept per conversation, the clock of its newest event (zero when it has none).
 */
export async function readClock(tx: EventsTx, conversation: Conversation): Promise<Hlc> {
  const own = conversation.clock === undefined ? null : decodeHlc(conversation.clock);
  if (own) return own;
  const newest = await newestFirst(tx, conversation.id).next();
  return (newest.done ? null : decodeHlc(newest.value.hlc)) ?? ZERO_HLC;
}

/** The tombstone that keeps `event`'s key once it is refused, deleted or disputed. */
export function tombstoneOf(
  event: { conv: RoomKey; author: Fingerprint; seq: number },
  gone: EventTombstone['gone'],
): EventTombstone {
  return { conv: event.conv, author: event.author, seq: event.seq, gone };
}

/** One author's events in a conversation with `from ≤ seq ≤ to`, ascending, at most `limit`; tombstones skipped. */
export async function readAuthorEvents(
  db: Db,
  conv: RoomKey,
  author: Fingerprint,
  from: number,
  to: number,
  limit: number,
): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  let next = from;
  // Pages, so a run of tombstones does not end the answer early.
  while (events.length < limit && next <= to) {
    const rows = await db.getAll(
      'events',
      IDBKeyRange.bound([conv, author, next], [conv, author, to]),
      limit - events.length,
    );
    const last = rows.at(-1);
    if (!last) break;
    for (const row of rows) if (!isTombstone(row)) events.push(row);
    next = last.seq + 1;
  }
  return events;
}

/** The preview of `conv` from its newest events (`fallback` when none has one). */
export function freshPreview(tx: EventsTx, conv: RoomKey, fallback: string): Promise<string> {
  return latestPreview(newestFirst(tx, conv), fallback);
}

/** A conversation's events in ascending display order (see ChatStore.listEvents). */
export async function readEvents(
  db: Db,
  conv: RoomKey,
  { limit, before, beforeHlc }: ListEventsOptions,
): Promise<StoredEvent[]> {
  const upper: unknown[] = before
    ? [conv, before.hlc, before.author, before.seq]
    : beforeHlc !== undefined
      ? [conv, beforeHlc]
      : [conv, []];
  const range = IDBKeyRange.bound([conv], upper, false, true);
  // The display-order index holds events only: tombstones have no clock.
  if (limit === undefined) {
    return (await db.getAllFromIndex('events', 'byConvOrder', range)) as StoredEvent[];
  }
  if (limit <= 0) return [];
  return inTx(db, ['events'], 'readonly', async (tx) => {
    const newestFirst: StoredEvent[] = [];
    let cursor = await tx.objectStore('events').index('byConvOrder').openCursor(range, 'prev');
    while (cursor && newestFirst.length < limit) {
      newestFirst.push(cursor.value as StoredEvent);
      cursor = await cursor.continue();
    }
    return newestFirst.reverse();
  });
}
