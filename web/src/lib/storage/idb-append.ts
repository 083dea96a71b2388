/**
 * Writing our own events (DESIGN §6 "Sending"): planning their seqs and clocks, signing them and
 * storing them with their conversation. Loaded right after the first screen (the outbox asks
 * for it when the app is ready), not part of it.
 */
import { compareHlc, encodeHlc, tickHlc, type Hlc } from '../domain/hlc';
import { applyStoredEvents, latestPreview, previewOf } from '../domain/conversation-rules';
import { vectorSeq } from '../domain/version-vector';
import {
  PROTOCOL_VERSION,
  type ChatEvent,
  type StoredEvent,
  type UnsignedEvent,
} from '../protocol/events';
import type { ChatStore, Conversation } from './chat-store';
import { requestAll, requestAllAndCommit } from './idb-tx';
import type { Fingerprint, RoomKey } from '../protocol/ids';
import {
  contiguousSeq,
  highestUsedSeq,
  newestFirst,
  readClock,
  type EventsTx,
  type EventsWriteTx,
} from './idb-events';

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
