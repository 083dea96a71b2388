/**
 * How far a conversation's history has come in (DESIGN §6 "Catching up"): the members told us
 * their vectors (`sync`, `have`; the conversation's `memberVectors`), ours says what is stored
 * here. A member that joins a long room, or comes back after a long time away, sees how much of
 * it is here while the rest arrives. Pure functions and a small clock-driven state; the view
 * (features/messaging/CatchUpBar.svelte) draws it.
 *
 * Vectors come from peers, so a hostile one can claim events that never come; the bar therefore
 * shows only while events keep arriving (`CatchUpWatch`), never as a promise.
 */
import type { Fingerprint } from '../protocol/ids';
import { keysOf } from './records';
import { vectorSeq, type VersionVector } from './version-vector';

/** Events held here, of those the most-ahead member told us about. */
export interface CatchUp {
  /** Of `total`, how many are held here. */
  held: number;
  /** How many events that member holds (of the authors counted). */
  total: number;
}

/**
 * Against the member whose vector is furthest ahead of ours (of equals, the one holding most):
 * how many of their events we hold.
 * Authors for whom `isCounted` is false (blocked: their events are never stored) are left out.
 */
export function catchUpOf(
  ours: Readonly<VersionVector>,
  memberVectors: Readonly<Record<Fingerprint, VersionVector>> | undefined,
  isCounted: (author: Fingerprint) => boolean,
): CatchUp {
  let best: CatchUp = { held: 0, total: 0 };
  for (const member of keysOf(memberVectors ?? {})) {
    const theirs = memberVectors?.[member] ?? {};
    let held = 0;
    let total = 0;
    for (const author of keysOf(theirs)) {
      const seq = theirs[author] ?? 0;
      if (!(seq > 0) || !isCounted(author)) continue;
      total += seq;
      held += Math.min(seq, vectorSeq(ours, author));
    }
    const missing = total - held;
    const bestMissing = best.total - best.held;
    if (missing > bestMissing || (missing === bestMissing && total > best.total)) {
      best = { held, total };
    }
  }
  return best;
}

/** The bar shows when at least this many events are missing (a short burst does not flash it). */
export const CATCH_UP_MIN_MISSING = 300;
/** Once nothing more arrives for this long, the bar goes (the rest is with members not here). */
export const CATCH_UP_IDLE_MS = 4000;

/**
 * Whether the catching-up bar shows, from successive readings: it appears when events arrive
 * while at least CATCH_UP_MIN_MISSING are missing, and goes when all are here or when nothing
 * arrived for CATCH_UP_IDLE_MS.
 */
export class CatchUpWatch {
  #held: number | null = null;
  #lastProgressAt = -Infinity;
  #isShown = false;

  /** Notes a reading at `now` (ms); whether the bar shows. */
  update(progress: CatchUp, now: number): boolean {
    const missing = progress.total - progress.held;
    if (this.#held !== null && progress.held > this.#held) this.#lastProgressAt = now;
    this.#held = progress.held;
    const isArriving = now - this.#lastProgressAt < CATCH_UP_IDLE_MS;
    if (missing <= 0 || !isArriving) this.#isShown = false;
    else if (missing >= CATCH_UP_MIN_MISSING) this.#isShown = true;
    return this.#isShown;
  }

  /** When a reading should be taken again without new events (the bar may go idle), or null. */
  nextCheckAt(): number | null {
    return this.#isShown ? this.#lastProgressAt + CATCH_UP_IDLE_MS : null;
  }
}
