/**
 * The rarer event writes and reads of the IndexedDB adapter (DESIGN §6 "Hostile members"):
 * deleting what one author wrote, hiding a disputed event, counting what each author wrote.
 * Loaded when first used (the members list, a dispute), not with the first screen; what it needs
 * of the first screen's modules is handed in (`Ports`), so the bundler does not split those off.
 */
import { eventSizeBytes } from '../domain/budgets';
import type { StoredEvent } from '../protocol/events';
import type { AuthorStats, Conversation } from './chat-store';
import type { EventsWriteTx, freshPreview, tombstoneOf } from './idb-events';
import { isTombstone, type Db } from './idb-schema';
import { convRange, requestAll } from './idb-tx';
import type { Fingerprint, RoomKey } from '../protocol/ids';

/** What these writes need of idb-events.ts and config.ts. */
export interface Ports {
  /** idb-events.ts `freshPreview`. */
  preview: typeof freshPreview;
  /** idb-events.ts `tombstoneOf`. */
  tombstoneOf: typeof tombstoneOf;
  /** config.ts MAX_DISPUTED_SEQS. */
  maxDisputedSeqs: number;
}

/**
 * Replaces every event of `author` in `conv` by its tombstone; the number replaced and the
 * conversation as written (its preview may change), or null when there is no such conversation.
 */
export async function deleteAuthorRecords(
  tx: EventsWriteTx,
  conv: RoomKey,
  author: Fingerprint,
  ports: Ports,
): Promise<{ deleted: number; conversation: Conversation } | null> {
  const conversation = await tx.objectStore('conversations').get(conv);
  if (!conversation) return null;
  const objectStore = tx.objectStore('events');
  const rows = await objectStore.getAll(
    IDBKeyRange.bound([conv, author, 0], [conv, author, Infinity]),
  );
  const live = rows.filter((row): row is StoredEvent => !isTombstone(row));
  await requestAll(live.map((row) => () => objectStore.put(ports.tombstoneOf(row, 'deleted'))));
  if (live.length === 0) return { deleted: 0, conversation };
  const next: Conversation = {
    ...conversation,
    lastPreview: await ports.preview(tx, conv, ''),
  };
  await tx.objectStore('conversations').put(next);
  return { deleted: live.length, conversation: next };
}

/**
 * Replaces `author`'s event `seq` in `conv` by a 'disputed' tombstone and records the dispute;
 * the conversation as written, or null when there is none or the dispute was known.
 */
export async function disputeRecord(
  tx: EventsWriteTx,
  conv: RoomKey,
  author: Fingerprint,
  seq: number,
  ports: Ports,
): Promise<Conversation | null> {
  const conversation = await tx.objectStore('conversations').get(conv);
  const known = conversation?.disputes?.[author] ?? [];
  if (!conversation || known.includes(seq)) return null;
  await tx.objectStore('events').put(ports.tombstoneOf({ conv, author, seq }, 'disputed'));
  const seqs = [...known, seq].sort((a, b) => a - b).slice(0, ports.maxDisputedSeqs);
  const next: Conversation = {
    ...conversation,
    disputes: { ...conversation.disputes, [author]: seqs },
    lastPreview: await ports.preview(tx, conv, ''),
  };
  await tx.objectStore('conversations').put(next);
  return next;
}

/** Events read per transaction by `readAuthorStats`. */
const STATS_BATCH = 500;

/**
 * Per author, how many events `conv` holds and their size (tombstones left out), without those
 * `isCounted` says are counted elsewhere. Read a batch at a time, each in a transaction of its
 * own with the page free in between: a whole room in one read-only transaction would hold every
 * write to `events` (receiving, sending) until it ended, seconds in a long room.
 */
export async function readAuthorStats(
  db: Db,
  conv: RoomKey,
  isCounted: (author: Fingerprint, seq: number) => boolean = () => false,
): Promise<Record<Fingerprint, AuthorStats>> {
  const stats: Record<Fingerprint, AuthorStats> = {};
  for (let range = convRange(conv); ;) {
    const rows = await db.getAll('events', range, STATS_BATCH);
    for (const row of rows) {
      if (isTombstone(row) || isCounted(row.author, row.seq)) continue;
      const known = stats[row.author] ?? { events: 0, bytes: 0 };
      stats[row.author] = { events: known.events + 1, bytes: known.bytes + eventSizeBytes(row) };
    }
    const last = rows.at(-1);
    if (!last || rows.length < STATS_BATCH) return stats;
    range = IDBKeyRange.bound([conv, last.author, last.seq], [conv, []], true);
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}
