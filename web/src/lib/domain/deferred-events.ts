/**
 * Events dated too far ahead (DESIGN §6 "Hostile members"): sync does not store an event stamped
 * more than MAX_CLOCK_DRIFT_MS after our wall clock, since it is signed and its time cannot be
 * changed. Until it is due, asking its author's history again would only bring it back (and the
 * events after it, again and again), so we remember it and do not ask for that gap.
 *
 * Plain functions over a plain map, bounded in size; the sync engine owns the map.
 */
import type { Fingerprint, RoomKey } from '../protocol/ids';

/** One deferred event: the seq we lack and when it may be stored. */
export interface Deferral {
  /** The author's seq that was dated too far ahead. */
  seq: number;
  /** Wall time from which it is within the allowed drift. */
  dueMs: number;
}

/** Per room and author (`${room}/${author}`), the lowest deferred seq. */
export type Deferrals = Map<string, Deferral>;

function keyOf(room: RoomKey, author: Fingerprint): string {
  return `${room}/${author}`;
}

/**
 * Remembers that `author`'s event `seq` in `room`, stamped at `stampedMs`, is not due until it is
 * within `maxDriftMs` of the wall clock. Keeps the lowest seq per author; beyond `maxEntries` the
 * oldest entry is forgotten (which costs at most a resend).
 */
export function noteDeferred(
  deferrals: Deferrals,
  room: RoomKey,
  author: Fingerprint,
  seq: number,
  stampedMs: number,
  maxDriftMs: number,
  maxEntries: number,
): void {
  const key = keyOf(room, author);
  const known = deferrals.get(key);
  if (known && known.seq <= seq) return;
  deferrals.delete(key);
  deferrals.set(key, { seq, dueMs: stampedMs - maxDriftMs });
  while (deferrals.size > maxEntries) {
    const oldest = deferrals.keys().next();
    if (oldest.done) break;
    deferrals.delete(oldest.value);
  }
}

/**
 * True when the first event of `author` we lack in `room` (`nextSeq`) is one dated too far ahead
 * and not due yet: asking for it would only bring it back. Forgets entries that fell due.
 */
export function isWaitingForDue(
  deferrals: Deferrals,
  room: RoomKey,
  author: Fingerprint,
  nextSeq: number,
  nowMs: number,
): boolean {
  const key = keyOf(room, author);
  const deferral = deferrals.get(key);
  if (!deferral) return false;
  if (nowMs >= deferral.dueMs || nextSeq > deferral.seq) {
    deferrals.delete(key);
    return false;
  }
  return deferral.seq === nextSeq;
}
