/**
 * Exponential backoff with jitter: attempt 0 waits about `minMs`, each further attempt doubles,
 * capped at `maxMs`; the delay is drawn from [½·d, d] so reconnecting clients spread out.
 */
export function backoffDelayMs(
  attempt: number,
  minMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxMs, minMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
