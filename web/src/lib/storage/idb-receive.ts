/**
 * Storing received events (DESIGN §6, §10): loaded with the network, when the first events
 * arrive, so the first screen does not carry it. Leaves out what is stored already, applies each
 * author's budget, moves each conversation's clock and writes the conversation record.
 */
import { createLogger } from '../log';
import { compareHlc, decodeHlc, encodeHlc, type Hlc } from '../domain/hlc';
import { receiveHlc } from '../domain/hlc-receive';
import { compareEvents } from '../domain/events';
import { applyStoredEvents, latestPreview, previewOf } from '../domain/conversation-rules';
import { vectorSeq } from '../domain/version-vector';
import { admitEvents, type Budgets } from '../domain/budgets';
import type { StoredEvent } from '../protocol/events';
import type { Conversation } from './chat-store';
import { unwrap, type IDBPObjectStore, type StoreNames } from 'idb';
import { requestAll, requestAllAndCommit } from './idb-tx';
import type { ParleyDb } from './idb-schema';
import type { Fingerprint, RoomKey } from '../protocol/ids';
import {
  contiguousSeq,
  highestStoredSeq,
  newestFirst,
  readClock,
  tombstoneOf,
  type EventsTx,
  type EventsWriteTx,
} from './idb-events';

const log = createLogger('store');

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
  /** Per conversation that gained events or refused some, what it gained (in the order first given). */
  stored: ReceivedInConversation[];
}

/** What `storeReceivedEvents` needs to know besides the events. */
export interface ReceiveContext {
  /** When they are stored (ms since epoch). */
  nowMs: number;
  /** Our fingerprint (events by anyone else count as unread). */
  self: Fingerprint | undefined;
  /** Conversations the person reads now: their new events do not count as unread. */
  isReading: (conv: RoomKey) => boolean;
  /** How much each author and each conversation may store. */
  budgets: Budgets;
}

/**
 * Stores verified remote events, leaving out duplicates and events of unknown conversations,
 * updates each conversation and the clock, and commits `tx` (nothing may be asked of it after).
 */
export async function storeReceivedEvents(
  tx: EventsWriteTx,
  events: readonly StoredEvent[],
  context: ReceiveContext,
): Promise<ReceivedOutcome> {
  // The events are put without answers of their own (putWithoutAnswers): one that fails aborts
  // the transaction, which rejects `done` before any request of ours hears of it (handled here,
  // awaited by the caller) and fails the requests after it with AbortError. The transaction's own
  // error says why (say QuotaExceededError).
  tx.done.catch(() => undefined);
  try {
    return await storeInConversations(tx, events, context);
  } catch (error) {
    throw tx.error ?? error;
  }
}

async function storeInConversations(
  tx: EventsWriteTx,
  events: readonly StoredEvent[],
  { nowMs, self, isReading, budgets }: ReceiveContext,
): Promise<ReceivedOutcome> {
  const byConv = new Map<RoomKey, StoredEvent[]>();
  for (const event of events) {
    const list = byConv.get(event.conv);
    if (list) list.push(event);
    else byConv.set(event.conv, [event]);
  }
  const added: StoredEvent[] = [];
  const stored: ReceivedInConversation[] = [];
  /** Writes made last, with the commit (the records, and the writes nothing has to read). */
  const last: (() => Promise<unknown>)[] = [];
  for (const [conv, convEvents] of byConv) {
    // Round trips are what a received message waits for: requests that do not depend on each
    // other's answers are made together (a transaction answers them in order).
    const authorsHere = [...new Set(convEvents.map((event) => event.author))];
    const [conversation, unseen, highest] = await Promise.all([
      tx.objectStore('conversations').get(conv),
      unstored(tx, conv, convEvents),
      Promise.all(authorsHere.map((author) => highestStoredSeq(tx, conv, author))),
    ]);
    if (!conversation) {
      log.warn(`ignored ${convEvents.length} event(s) of unknown conversation`);
      continue;
    }
    if (unseen.length === 0) continue;
    // Over an author's budget: refused for good, its key kept so it counts as held.
    const { admitted: fresh, refused, usage } = admitEvents(conversation.usage, unseen, budgets);
    if (refused.length > 0) {
      log.warn(
        `refused ${refused.length} event(s) over their author's budget (${refused[0]?.reason})`,
      );
    }
    // Read before the writes: for an old record it is the clock of the newest event before them.
    const clockBefore = await readClock(tx, conversation);
    let clock = clockBefore;
    const objectStore = tx.objectStore('events');
    const authors = new Set<Fingerprint>();
    for (const { event } of refused) authors.add(event.author);
    for (const event of fresh) {
      added.push(event);
      authors.add(event.author);
      const remote = decodeHlc(event.hlc);
      if (remote) clock = receiveHlc(clock, remote, nowMs);
    }
    const writes = [
      () =>
        putWithoutAnswers(objectStore, [
          ...fresh,
          ...refused.map(({ event }) => tombstoneOf(event, 'refused')),
        ]),
    ];
    const highestByAuthor = new Map(authorsHere.map((author, i) => [author, highest[i] ?? 0]));
    const known =
      refused.length === 0
        ? knownWithoutReads(conversation, fresh, highestByAuthor, clockBefore)
        : null;
    let contiguous: Map<Fingerprint, number>;
    let preview: string;
    if (known) {
      // Nothing to read after the writes (a live message, most often): they go with the commit.
      ({ contiguous, preview } = known);
      last.push(...writes);
    } else {
      // The writes, and the reads that must see them, made at once: requests of one transaction
      // are answered in the order they were made.
      const [, seqs, latest] = await Promise.all([
        requestAll<unknown>(writes),
        Promise.all(
          [...authors].map((author) =>
            contiguousSeq(tx, conv, author, vectorSeq(conversation.vector, author)),
          ),
        ),
        latestPreview(newestFirst(tx, conv), conversation.lastPreview),
      ]);
      contiguous = new Map([...authors].map((author, i) => [author, seqs[i] ?? 0]));
      preview = latest;
    }
    const next = {
      ...applyStoredEvents(conversation, fresh, {
        self,
        nowMs,
        isRead: isReading(conv),
        contiguous,
        preview,
      }),
      clock: encodeHlc(clock),
      usage,
    };
    stored.push({ conversation: next, events: [...fresh].sort(compareEvents) });
    last.push(() => tx.objectStore('conversations').put(next));
  }
  // The records last, with the commit: nothing after them reads them, and the database commits
  // without waiting for this page to hear that they were written.
  await requestAllAndCommit(tx, last);
  return { added, stored };
}

/**
 * A record's contiguous seqs and preview when they follow from what was read before the writes,
 * so that no read has to see them: nothing refused (checked by the caller), each author's fresh
 * events are exactly the seqs after their vector with nothing of theirs stored above it, and the
 * newest of them in display order is newer than the conversation's clock (every stored event is
 * at or below it) and has a preview. A live message, most often. Null otherwise.
 */
function knownWithoutReads(
  conversation: Conversation,
  fresh: readonly StoredEvent[],
  highestByAuthor: ReadonlyMap<Fingerprint, number>,
  clockBefore: Hlc,
): { contiguous: Map<Fingerprint, number>; preview: string } | null {
  const seqsByAuthor = new Map<Fingerprint, number[]>();
  let newest: StoredEvent | undefined;
  for (const event of fresh) {
    const seqs = seqsByAuthor.get(event.author);
    if (seqs) seqs.push(event.seq);
    else seqsByAuthor.set(event.author, [event.seq]);
    if (!newest || compareEvents(event, newest) > 0) newest = event;
  }
  const contiguous = new Map<Fingerprint, number>();
  for (const [author, seqs] of seqsByAuthor) {
    const vector = vectorSeq(conversation.vector, author);
    if ((highestByAuthor.get(author) ?? 0) > vector) return null;
    seqs.sort((a, b) => a - b);
    if (seqs.some((seq, i) => seq !== vector + 1 + i)) return null;
    contiguous.set(author, vector + seqs.length);
  }
  const newestHlc = newest ? decodeHlc(newest.hlc) : null;
  if (!newest || !newestHlc || compareHlc(newestHlc, clockBefore) <= 0) return null;
  const preview = previewOf(newest);
  return preview === undefined ? null : { contiguous, preview };
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

/**
 * Puts `values` into `store` without a promise for each: a history brings thousands of events in
 * one transaction, and a promise per put runs two listeners per answer on this page's main thread.
 * Nothing is lost by not listening: a put that fails aborts its transaction (a request error nobody
 * handles does), so the requests after it reject and `storeReceivedEvents` throws the
 * transaction's error. Later requests of the transaction still see these values (requests are
 * carried out in the order they were made).
 */
function putWithoutAnswers<Name extends StoreNames<ParleyDb>>(
  store: IDBPObjectStore<ParleyDb, StoreNames<ParleyDb>[], Name, 'readwrite'>,
  values: readonly unknown[],
): Promise<void> {
  const raw = unwrap(store);
  for (const value of values) raw.put(value);
  return Promise.resolve();
}
