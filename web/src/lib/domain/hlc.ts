/**
 * Hybrid logical clock (Kulkarni et al., "Logical Physical Clocks", 2014): wall-clock milliseconds
 * plus a counter. Events display in HLC order, so a reply sorts after what it answers even when
 * the replier's wall clock is behind.
 *
 * Three deliberate departures from the paper:
 * - Remote clocks are believed at most MAX_CLOCK_DRIFT_MS (config.ts, minutes) ahead of our wall
 *   clock. A peer with a clock hours in the future (or a malicious one) would otherwise drag every
 *   later message of ours into its future. Sync does not store such an event until it is due
 *   (`isDatedTooFarAhead`); should one reach the clock anyway, the clock does not follow it.
 * - Each conversation keeps its own clock (the store keeps it in the conversation record), so
 *   what one room's members send cannot move the time of messages in another.
 * - When the counter would exceed MAX_HLC_COUNTER, the clock borrows one millisecond instead of
 *   failing. It then runs slightly ahead of wall time, which the next tick absorbs.
 */

/** A hybrid logical clock value. */
export interface Hlc {
  /** Wall-clock milliseconds since the epoch (the largest seen so far). */
  ms: number;
  /** Logical counter breaking ties within one millisecond. */
  c: number;
}

/** Largest encodable millisecond value (15 digits; year ~33 000). */
export const MAX_HLC_MS = 999_999_999_999_999;

/** Largest counter value (5 digits). */
export const MAX_HLC_COUNTER = 99_999;

/** The clock before anything happened. */
export const ZERO_HLC: Readonly<Hlc> = Object.freeze({ ms: 0, c: 0 });

const HLC_PATTERN = /^(\d{15})-(\d{5})$/;

function isValidHlc(h: Hlc): boolean {
  return (
    Number.isSafeInteger(h.ms) &&
    h.ms >= 0 &&
    h.ms <= MAX_HLC_MS &&
    Number.isSafeInteger(h.c) &&
    h.c >= 0 &&
    h.c <= MAX_HLC_COUNTER
  );
}

/** Encodes as fixed-width "MMMMMMMMMMMMMMM-CCCCC", so string order equals clock order; throws a RangeError when out of range. */
export function encodeHlc(h: Hlc): string {
  if (!isValidHlc(h)) throw new RangeError(`HLC out of range: ${h.ms}/${h.c}`);
  return `${String(h.ms).padStart(15, '0')}-${String(h.c).padStart(5, '0')}`;
}

/** Decodes an encoded HLC; null unless it is exactly the fixed-width form. */
export function decodeHlc(s: string): Hlc | null {
  const match = HLC_PATTERN.exec(s);
  if (!match) return null;
  return { ms: Number(match[1]), c: Number(match[2]) };
}

/** True when `s` is a well-formed encoded HLC. */
export function isHlcString(s: unknown): s is string {
  return typeof s === 'string' && HLC_PATTERN.test(s);
}

/** Negative, zero or positive as `a` is before, equal to or after `b`. */
export function compareHlc(a: Hlc, b: Hlc): number {
  return a.ms !== b.ms ? a.ms - b.ms : a.c - b.c;
}

/** `nowMs` as a clock's milliseconds (0 for nonsense, capped at MAX_HLC_MS). */
export function wallMs(nowMs: number): number {
  if (!Number.isFinite(nowMs) || nowMs < 0) return 0;
  return Math.min(Math.floor(nowMs), MAX_HLC_MS);
}

/** Builds a clock value, borrowing a millisecond when the counter overflows. */
export function normalize(ms: number, c: number): Hlc {
  if (c <= MAX_HLC_COUNTER) return { ms, c };
  if (ms >= MAX_HLC_MS) throw new RangeError('HLC exhausted');
  return { ms: ms + 1, c: 0 };
}

/** The clock for a local event (send) at wall time `nowMs`; always after `prev`. */
export function tickHlc(prev: Hlc, nowMs: number): Hlc {
  const now = wallMs(nowMs);
  if (now > prev.ms) return { ms: now, c: 0 };
  return normalize(prev.ms, prev.c + 1);
}
