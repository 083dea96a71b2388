/**
 * Per-holder windows (DESIGN §9 "Fetching"): how many chunks one member is asked for at once, and
 * which chunks each holder of a file is asked for next when its window has room: the next missing
 * ones it has, a holder still busy only once a batch of its window is free (one `want` per batch),
 * several holders each for different chunks. Part of transfers.ts, which sends the `want`s. (Not
 * in chunk-plan.ts: it plans over transfer-model.ts's downloads, and transfer-model.ts reads
 * chunk-plan.ts.)
 */
import { MAX_WANT_CHUNKS } from '../../protocol/file-frames';
import { hasChunk } from './chunk-plan';
import type { Download, Holder } from './transfer-model';

/** Bytes one member is asked for at once: enough to keep a fast link busy while chunks are checked. */
export const BYTES_IN_FLIGHT_PER_MEMBER = 8 * 1024 * 1024;
/** Most chunks one member is asked for at once (across files; it queues MAX_SERVE_QUEUE). */
export const CHUNKS_IN_FLIGHT_PER_MEMBER = 32;
/** Fewest chunks one member is asked for at once, however large they are. */
const MIN_CHUNKS_IN_FLIGHT = 2;

/**
 * How many chunks of `chunkSize` one member is asked for at once (`chunks`), and how many must
 * be free before it is asked for more (`refill`: one `want` per batch, not one per chunk).
 */
export function windowFor(chunkSize: number): { chunks: number; refill: number } {
  const chunks = Math.max(
    MIN_CHUNKS_IN_FLIGHT,
    Math.min(CHUNKS_IN_FLIGHT_PER_MEMBER, Math.floor(BYTES_IN_FLIGHT_PER_MEMBER / chunkSize)),
  );
  return { chunks, refill: Math.max(1, Math.floor(chunks / 4)) };
}

/**
 * Refills the windows of the download's `holders` (in turn; those not in `peers`, by key, are
 * skipped): `ask` is called with each holder's chunks and marks them in flight, so the next holder
 * is asked for others. True when anything of the download is in flight.
 */
export function refillWindows(
  download: Download,
  holders: readonly (readonly [string, Holder])[],
  peers: ReadonlyMap<string, { load: number }>,
  ask: (key: string, indices: number[]) => void,
): boolean {
  const window = windowFor(download.meta.chunkSize);
  let next = 0;
  let isAsked = download.inFlight.size > 0;
  // Each holder gets the next missing chunks it has, until its window is full; a holder still
  // busy is asked again only once a batch of its window is free (one `want` per batch).
  for (const [key, holder] of holders) {
    const state = peers.get(key);
    if (!state) continue;
    const free = window.chunks - state.load;
    if (free <= 0 || (free < window.refill && state.load > 0)) continue;
    const wanted: number[] = [];
    let scan = next;
    while (wanted.length < Math.min(free, MAX_WANT_CHUNKS) && scan < download.count) {
      if (
        !hasChunk(download.have, scan) &&
        !download.inFlight.has(scan) &&
        !download.landed.has(scan) &&
        (holder.bits === null || hasChunk(holder.bits, scan))
      ) {
        wanted.push(scan);
      }
      scan++;
    }
    if (wanted.length > 0) {
      ask(key, wanted);
      isAsked = true;
      next = holder.bits === null ? scan : next;
    }
  }
  return isAsked;
}
