/**
 * The clock and received events (DESIGN §6): how far ahead an event may be dated, and how the
 * clock moves past one. Apart from hlc.ts so only the code that receives (sync, storing) loads it.
 */
import { MAX_CLOCK_DRIFT_MS } from '../config';
import { MAX_HLC_MS, decodeHlc, normalize, wallMs, type Hlc } from './hlc';

/**
 * True when an event stamped `hlc` (encoded) is dated more than `maxDriftMs` after wall time
 * `nowMs`, or is not a clock at all: such an event is not stored (yet).
 */
export function isDatedTooFarAhead(
  hlc: string,
  nowMs: number,
  maxDriftMs: number = MAX_CLOCK_DRIFT_MS,
): boolean {
  const decoded = decodeHlc(hlc);
  return !decoded || decoded.ms > nowMs + maxDriftMs;
}

/**
 * The clock after receiving an event stamped `remote` at wall time `nowMs`; after `prev` and after
 * `remote`, unless `remote` is more than `maxDriftMs` ahead: then the clock moves only that far
 * (see the module comment).
 */
export function receiveHlc(
  prev: Hlc,
  remote: Hlc,
  nowMs: number,
  maxDriftMs: number = MAX_CLOCK_DRIFT_MS,
): Hlc {
  const now = wallMs(nowMs);
  const limit = Math.min(now + maxDriftMs, MAX_HLC_MS);
  const believed: Hlc = remote.ms > limit ? { ms: limit, c: 0 } : remote;
  const ms = Math.max(prev.ms, believed.ms, now);
  if (ms === prev.ms && ms === believed.ms) return normalize(ms, Math.max(prev.c, believed.c) + 1);
  if (ms === prev.ms) return normalize(ms, prev.c + 1);
  if (ms === believed.ms) return normalize(ms, believed.c + 1);
  return { ms, c: 0 };
}
