/**
 * Events in the IndexedDB adapter (DESIGN §6, §10): paging them, the reads that plan own events,
 * and the writes that store own and received events with their conversation or delete a
 * conversation with its events, in a transaction the caller runs. What a conversation record becomes is decided by chat/conversation-rules.ts; this module
 * reads what those rules need (stored seqs, the clock, the newest events) and writes the result.
 */
import type { IDBPTransaction } from 'idb';
import { createLogger } from '../log';
import {
  compareHlc,
  decodeHlc,
  encodeHlc,
  receiveHlc,
  tickHlc,
  ZERO_HLC,
  type Hlc,
} from '../domain/hlc';
import { compareEvents } from '../domain/events';
import { applyStoredEvents, latestPreview, previewOf } from '../domain/conversation-rules';
import { vectorSeq } from '../domain/version-vector';
import type { StoredEvent } from '../protocol/events';
import type { Conversation, ListEventsOptions } from './chat-store';
import { CLOCK_SETTING_KEY, type Db, type ParleyDb } from './idb-schema';
import { convRange, inTx, requestAll } from './idb-tx';
import type { Fingerprint, RoomKey } from '../protocol/ids';

const log = createLogger('store');

/** A transaction over the stores an event write touches. */
export type EventsTx = IDBPTransaction<
  ParleyDb,
  ('conversations' | 'events' | 'settings')[],
  'readwrite' | 'readonly'
>;

type EventsWriteTx = IDBPTransaction<
  ParleyDb,
  ('conversations' | 'events' | 'settings')[],
  'readwrite'
>;

/** Highest stored seq of `author` in `conv` (0 if none). */
async function highestStoredSeq(tx: EventsTx, conv: RoomKey, author: Fingerprint): Promise<number> {
  const range = IDBKeyRange.bound([conv, author, 0], [conv, author, Infinity]);
  const cursor = await tx.objectStore('events').openKeyCursor(range, 'prev');
  return cursor ? cursor.primaryKey[2] : 0;
}

/** The settings key that remembers our highest seq in a conversation deleted here. */
function usedSeqKey(conv: RoomKey): string {
  return `usedSeq:${conv}`;
}

/**
 * Highest seq of `author` in `conv` that must never be used again: stored ones, and for a room
 * deleted and joined again, those used before (its members still hold them).
 */
async function highestUsedSeq(tx: EventsTx, conv: RoomKey, author: Fingerprint): Promise<number> {
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
async function contiguousSeq(
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
async function* newestFirst(tx: EventsTx, conv: RoomKey): AsyncGenerator<StoredEvent> {
  let cursor = await tx
    .objectStore('events')
    .index('byConvOrder')
    .openCursor(convRange(conv), 'prev');
  while (cursor) {
    yield cursor.value;
    cursor = await cursor.continue();
  }
}

/** The persisted clock (zero when none was stored yet). */
export async function readClock(tx: EventsTx): Promise<Hlc> {
  const record = await tx.objectStore('settings').get(CLOCK_SETTING_KEY);
  const decoded = typeof record?.value === 'string' ? decodeHlc(record.value) : null;
  return decoded ?? ZERO_HLC;
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
  return planFrom(seq, await readClock(tx), nowMs, count);
}

/** What `storeOwnEvents` did: stored (the conversation as written, the clock after), or not. */
export type OwnEventsOutcome =
  { outcome: 'stored'; conversation: Conversation; clock: Hlc } | { outcome: 'retry' | 'missing' };

/**
 * Writes signed own events (one author, one conversation, consecutive seqs) if their seqs are
 * still free, with their conversation and the clock; otherwise asks for a retry.
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
  const [conversation, stored, clock] = await Promise.all([
    tx.objectStore('conversations').get(conv),
    highestUsedSeq(tx, conv, author),
    readClock(tx),
  ]);
  if (!conversation) return { outcome: 'missing' };
  const vectorBefore = vectorSeq(conversation.vector, author);
  // Another tab stored an event of ours meanwhile: re-plan (seqs and clocks follow it).
  if (Math.max(stored, vectorBefore) !== plan.seq - 1) return { outcome: 'retry' };
  // Events received meanwhile may have moved the clock past ours. That is no conflict: ours
  // were stamped before we saw them (concurrent, ordered by clock then author), and still
  // follow our previous own event. The clock keeps the later of the two.
  const clockAfter = compareHlc(clock, plan.last) > 0 ? clock : plan.last;

  const objectStore = tx.objectStore('events');
  // Queued together, awaited together: one round trip, not one per event.
  await requestAll<unknown>([
    ...events.map((event) => () => objectStore.put(event)),
    () => tx.objectStore('settings').put({ key: CLOCK_SETTING_KEY, value: encodeHlc(clockAfter) }),
  ]);
  const last = events.at(-1) ?? first;
  // Contiguous from the vector when it stood just below (as it does unless a seq was lost).
  const top =
    vectorBefore === plan.seq - 1 ? last.seq : await contiguousSeq(tx, conv, author, vectorBefore);
  // Stamped after the clock, which every stored event moved: unless a received one passed it,
  // ours is the newest in display order and the preview needs no read.
  const preview =
    (clockAfter === plan.last ? previewOf(last) : undefined) ??
    (await latestPreview(newestFirst(tx, conv), conversation.lastPreview));
  const next = applyStoredEvents(conversation, events, {
    self: author,
    nowMs,
    contiguous: new Map([[author, top]]),
    preview,
  });
  await tx.objectStore('conversations').put(next);
  return { outcome: 'stored', conversation: next, clock: clockAfter };
}

/** What one conversation gained from `storeReceivedEvents`. */
export interface ReceivedInConversation {
  /** The conversation as written. */
  conversation: Conversation;
  /** Its newly stored events, in display order. */
  events: StoredEvent[];
}

/** What `storeReceivedEvents` did. */
export interface ReceivedOutcome {
  /** The newly stored events, in the order given. */
  added: StoredEvent[];
  /** Per conversation that gained events, what it gained (in the order first given). */
  stored: ReceivedInConversation[];
  /** The clock after, when the events moved it (null: unchanged). */
  clock: Hlc | null;
}

/** What `storeReceivedEvents` needs to know besides the events. */
export interface ReceiveContext {
  /** When they are stored (ms since epoch). */
  nowMs: number;
  /** Our fingerprint (events by anyone else count as unread). */
  self: Fingerprint | undefined;
  /** Conversations the person reads now: their new events do not count as unread. */
  isReading: (conv: RoomKey) => boolean;
}

/**
 * Stores verified remote events, leaving out duplicates and events of unknown conversations, and
 * updates each conversation and the clock.
 */
export async function storeReceivedEvents(
  tx: EventsWriteTx,
  events: readonly StoredEvent[],
  { nowMs, self, isReading }: ReceiveContext,
): Promise<ReceivedOutcome> {
  const byConv = new Map<RoomKey, StoredEvent[]>();
  for (const event of events) {
    const list = byConv.get(event.conv);
    if (list) list.push(event);
    else byConv.set(event.conv, [event]);
  }
  const added: StoredEvent[] = [];
  const stored: ReceivedInConversation[] = [];
  const clockBefore = await readClock(tx);
  let clock = clockBefore;
  for (const [conv, convEvents] of byConv) {
    const conversation = await tx.objectStore('conversations').get(conv);
    if (!conversation) {
      log.warn(`ignored ${convEvents.length} event(s) of unknown conversation`);
      continue;
    }
    const fresh = await unstored(tx, conv, convEvents);
    if (fresh.length === 0) continue;
    const objectStore = tx.objectStore('events');
    // All writes queued at once: they are answered together.
    await requestAll(fresh.map((event) => () => objectStore.put(event)));
    const contiguous = new Map<Fingerprint, number>();
    for (const event of fresh) {
      added.push(event);
      contiguous.set(event.author, 0);
      const remote = decodeHlc(event.hlc);
      if (remote) clock = receiveHlc(clock, remote, nowMs);
    }
    for (const author of contiguous.keys()) {
      contiguous.set(
        author,
        await contiguousSeq(tx, conv, author, vectorSeq(conversation.vector, author)),
      );
    }
    const next = applyStoredEvents(conversation, fresh, {
      self,
      nowMs,
      isRead: isReading(conv),
      contiguous,
      preview: await latestPreview(newestFirst(tx, conv), conversation.lastPreview),
    });
    await tx.objectStore('conversations').put(next);
    stored.push({ conversation: next, events: [...fresh].sort(compareEvents) });
  }
  const hasClockMoved = compareHlc(clock, clockBefore) !== 0;
  if (hasClockMoved) {
    await tx.objectStore('settings').put({ key: CLOCK_SETTING_KEY, value: encodeHlc(clock) });
  }
  return { added, stored, clock: hasClockMoved ? clock : null };
}

/** Those of `events` (all of `conv`) not stored yet, each once. */
async function unstored(
  tx: EventsTx,
  conv: RoomKey,
  events: readonly StoredEvent[],
): Promise<StoredEvent[]> {
  // Which are stored already: one key range per author, not a lookup per event (each request
  // is a round trip through the browser, and a history brings thousands).
  const seqRanges = new Map<string, { from: number; to: number }>();
  for (const { author, seq } of events) {
    const range = seqRanges.get(author);
    if (!range) seqRanges.set(author, { from: seq, to: seq });
    else seqRanges.set(author, { from: Math.min(range.from, seq), to: Math.max(range.to, seq) });
  }
  const objectStore = tx.objectStore('events');
  const storedKeys = await requestAll(
    [...seqRanges].map(
      ([author, { from, to }]) =>
        () =>
          objectStore.getAllKeys(IDBKeyRange.bound([conv, author, from], [conv, author, to])),
    ),
  );
  const seen = new Set(storedKeys.flat().map(([, author, seq]) => `${author}/${seq}`));
  return events.filter((event) => {
    const key = `${event.author}/${event.seq}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
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
  if (limit === undefined) return db.getAllFromIndex('events', 'byConvOrder', range);
  if (limit <= 0) return [];
  return inTx(db, ['events'], 'readonly', async (tx) => {
    const newestFirst: StoredEvent[] = [];
    let cursor = await tx.objectStore('events').index('byConvOrder').openCursor(range, 'prev');
    while (cursor && newestFirst.length < limit) {
      newestFirst.push(cursor.value);
      cursor = await cursor.continue();
    }
    return newestFirst.reverse();
  });
}

/** Deletes conversation `id` and all its events; true when there was such a conversation. */
export async function deleteConversationRecords(
  tx: EventsWriteTx,
  id: RoomKey,
  self: Fingerprint | undefined,
): Promise<boolean> {
  const conversation = await tx.objectStore('conversations').get(id);
  // Remember our highest seq: the members keep those events, so if the room is joined again our
  // next message must not reuse a seq they hold (they would drop it).
  if (self) {
    const used = Math.max(
      await highestUsedSeq(tx, id, self),
      conversation ? vectorSeq(conversation.vector, self) : 0,
    );
    if (used > 0) {
      await tx.objectStore('settings').put({ key: usedSeqKey(id), value: { [self]: used } });
    }
  }
  await tx.objectStore('conversations').delete(id);
  await tx.objectStore('events').delete(convRange(id));
  return conversation !== undefined;
}
