/**
 * How unit property tests (fast-check) are bounded so they hold on a busy 2-core machine (not
 * part of the app). Each names its seed (a failure replays) and run count through
 * `propertyParams`, and gives `it` a 60 s timeout — written as the literal `60_000`, which keeps
 * Prettier's test layout — over ten times what the slowest takes alone (0.1–4 s).
 */

/**
 * fast-check starts no new run after this long and passes with the runs done (all from the same
 * seed, so they are the first ones of the full sequence): a machine slow enough to need it checks
 * fewer cases instead of failing on the clock. Well under the tests' 60 s, so the checks after
 * the property still fit.
 */
export const PROPERTY_TIME_LIMIT_MS = 40_000;

/** fast-check parameters for a property test: its seed and run count, and the time limit. */
export function propertyParams(
  seed: number,
  numRuns: number,
): { seed: number; numRuns: number; interruptAfterTimeLimit: number } {
  return { seed, numRuns, interruptAfterTimeLimit: PROPERTY_TIME_LIMIT_MS };
}
