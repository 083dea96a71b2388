/**
 * The simulation tier (not part of the app): `*.sim.test.ts` files run long seeded simulations.
 * The `unit` project (`npm test`, CI) runs a bounded share of their runs; the `sim` project
 * (`npm run test:sim`) runs all of them. vitest.config.ts provides which one is running.
 */
import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `bounded` in the unit project, `full` in the sim project. */
    simTier: 'bounded' | 'full';
  }
}

/** Vitest timeout for a simulation in the bounded tier: more than ten times what it takes alone. */
export const SIM_BOUNDED_TIMEOUT_MS = 120_000;
/** In the full tier: the whole count on a busy machine, with room to spare. */
export const SIM_FULL_TIMEOUT_MS = 30 * 60_000;

/** Whether this run is the full simulation tier. */
export function isFullSim(): boolean {
  return inject('simTier') === 'full';
}

/** Runs of a simulation in this tier: `full` on demand, `bounded` (the first ones) in CI. */
export function simRuns(counts: { full: number; bounded: number }): number {
  return isFullSim() ? counts.full : counts.bounded;
}

/** The Vitest timeout for a simulation in this tier. */
export function simTimeoutMs(): number {
  return isFullSim() ? SIM_FULL_TIMEOUT_MS : SIM_BOUNDED_TIMEOUT_MS;
}
