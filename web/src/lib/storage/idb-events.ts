/**
 * Events in the IndexedDB adapter (DESIGN §6, §10): paging them, the reads that plan own events,
 * signing them, and the writes that store own events with their conversation or delete a
 * conversation with its events, in a transaction the caller runs (received events:
 * idb-receive.ts, loaded with the network). What a conversation record becomes is decided by
 * domain/conversation-rules.ts; this module reads what those rules need (stored seqs, the clock,
 * the newest events) and writes the result.
 */
import type { IDBPTransaction } from 'idb';
import { compareHlc, decodeHlc, encodeHlc, tickHlc, ZERO_HLC, type Hlc } from '../domain/hlc';
import { applyStoredEvents, latestPreview, previewOf } from '../domain/conversation-rules';
import { vectorSeq } from '../domain/version-vector';
import {
  PROTOCOL_VERSION,
  type ChatEvent,
  type StoredEvent,
  type UnsignedEvent,
} from '../protocol/events';
import type { ChatStore, Conversation, ListEventsOptions } from './chat-store';
import { isTombstone, type Db, type EventTombstone, type ParleyDb } from './idb-schema';
import { convRange, inTx, requestAll, requestAllAndCommit } from './idb-tx';
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

/** The seqs and clocks planned for a run of own events. */
export interface OwnEventPlan {
  /** The first event's seq; the rest follow one by one. */
  seq: number;
  /** Each event's clock, ascending. */
  hlcs: Hlc[];
  /** The last of them (the clock after the write). */
  last: Hlc;
}

/** `count` consecutive seqs from `seq`, clocks ticking on from `clock`. */
export function planFrom(seq: number, clock: Hlc, nowMs: number, count: number): OwnEventPlan {
  const hlcs: Hlc[] = [];
  let hlc = clock;
  for (let i = 0; i < count; i++) {
    hlc = tickHlc(hlc, nowMs);
    hlcs.push(hlc);
  }
  return { seq, hlcs, last: hlc };
}

/** Reads the next seqs and clocks for `count` own events (checked again on write); null: no conversation. */
export async function planOwnEvents(
  tx: EventsTx,
  conv: RoomKey,
  author: Fingerprint,
  nowMs: number,
  count: number,
): Promise<OwnEventPlan | null> {
  const conversation = await tx.objectStore('conversations').get(conv);
  if (!conversation) return null;
  const stored = await highestUsedSeq(tx, conv, author);
  const seq = Math.max(stored, vectorSeq(conversation.vector, author)) + 1;
  return planFrom(seq, await readClock(tx, conversation), nowMs, count);
}

/**
 * The events a plan makes of `contents`, signed: outside any transaction (a WebCrypto await would
 * let IndexedDB auto-commit it), side by side since the signatures are independent. A string
 * says what went wrong.
 */
export async function signOwnEvents(
  plan: OwnEventPlan,
  { conv, author, contents, sign }: Omit<Parameters<ChatStore['appendOwnEvents']>[0], 'nowMs'>,
): Promise<[ChatEvent, ...ChatEvent[]] | string> {
  const unsigned = contents.map((content, i): UnsignedEvent => ({
    v: PROTOCOL_VERSION,
    conv,
    author,
    seq: plan.seq + i,
    hlc: encodeHlc(plan.hlcs[i] ?? plan.last),
    ...content,
  }));
  const [first, ...rest] = await Promise.all(unsigned.map((u) => sign(u)));
  if (!first) return 'no event was signed';
  const events: [ChatEvent, ...ChatEvent[]] = [first, ...rest];
  const isSame = events.every(
    (e, i) => e.conv === conv && e.author === author && e.seq === plan.seq + i,
  );
  return isSame ? events : 'sign() returned a different event';
}

/** What `storeOwnEvents` did: stored (the conversation as written, the clock after), or not. */
export type OwnEventsOutcome =
  { outcome: 'stored'; conversation: Conversation; clock: Hlc } | { outcome: 'retry' | 'missing' };

/**
 * Writes signed own events (one author, one conversation, consecutive seqs) if their seqs are
 * still free, with their conversation and the clock, and commits `tx` (nothing may be asked of it
 * after a write); otherwise asks for a retry.
 */
export async function storeOwnEvents(
  tx: EventsWriteTx,
  events: readonly [StoredEvent, ...StoredEvent[]],
  plan: OwnEventPlan,
  nowMs: number,
): Promise<OwnEventsOutcome> {
  const [first] = events;
  const { conv, author } = first;
  // The three checks are independent: asked together, answered in one round trip.
  const [conversation, stored] = await Promise.all([
    tx.objectStore('conversations').get(conv),
    highestUsedSeq(tx, conv, author),
  ]);
  if (!conversation) return { outcome: 'missing' };
  const clock = await readClock(tx, conversation);
  const vectorBefore = vectorSeq(conversation.vector, author);
  // Another tab stored an event of ours meanwhile: re-plan (seqs and clocks follow it).
  if (Math.max(stored, vectorBefore) !== plan.seq - 1) return { outcome: 'retry' };
  // Events received meanwhile may have moved the clock past ours. That is no conflict: ours
  // were stamped before we saw them (concurrent, ordered by clock then author), and still
  // follow our previous own event. The clock keeps the later of the two.
  const clockAfter = compareHlc(clock, plan.last) > 0 ? clock : plan.last;

  const objectStore = tx.objectStore('events');
  const puts = events.map((event) => () => objectStore.put(event));
  const last = events.at(-1) ?? first;
  // Contiguous from the vector when it stood just below (as it does unless a seq was lost).
  const isContiguous = vectorBefore === plan.seq - 1;
  // Stamped after the clock, which every stored event moved: unless a received one passed it,
  // ours is the newest in display order and the preview needs no read.
  const fastPreview = clockAfter === plan.last ? previewOf(last) : undefined;
  const record = (top: number, preview: Conversation['lastPreview']): Conversation => ({
    ...applyStoredEvents(conversation, events, {
      self: author,
      nowMs,
      contiguous: new Map([[author, top]]),
      preview,
    }),
    clock: encodeHlc(clockAfter),
  });
  if (isContiguous && fastPreview !== undefined) {
    // Nothing left to read (the usual case): the events, the record and the commit go together.
    const next = record(last.seq, fastPreview);
    await requestAllAndCommit<unknown>(tx, [
      ...puts,
      () => tx.objectStore('conversations').put(next),
    ]);
    return { outcome: 'stored', conversation: next, clock: clockAfter };
  }
  // Queued together, awaited together: one round trip, not one per event.
  await requestAll<unknown>(puts);
  const top = isContiguous ? last.seq : await contiguousSeq(tx, conv, author, vectorBefore);
  const preview =
    fastPreview ?? (await latestPreview(newestFirst(tx, conv), conversation.lastPreview));
  const next = record(top, preview);
  await requestAllAndCommit(tx, [() => tx.objectStore('conversations').put(next)]);
  return { outcome: 'stored', conversation: next, clock: clockAfter };
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
