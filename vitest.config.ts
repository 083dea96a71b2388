import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { catalogs } from './scripts/vite-plugin-catalogs.mjs';

/** What the web projects share: Node with fake-indexeddb, and web/src/lib/testing/setup.ts. */
const webTest = {
  environment: 'node',
  setupFiles: ['fake-indexeddb/auto', 'web/src/lib/testing/setup.ts'],
  // Above setup.ts's 20 s deadline for a condition wait: time is a hang guard, never a check.
  testTimeout: 30_000,
  hookTimeout: 30_000,
};

export default defineConfig({
  plugins: [catalogs(), svelte()],
  test: {
    expect: { requireAssertions: true },
    projects: [
      {
        extends: true,
        test: {
          ...webTest,
          name: 'unit',
          include: ['web/src/**/*.test.ts'],
          // Simulations (*.sim.test.ts) run a bounded share of their seeded runs here.
          provide: { simTier: 'bounded' },
        },
      },
      {
        // `npm run test:sim`: the simulations with all their runs (web/src/lib/testing/sim.ts).
        extends: true,
        test: {
          ...webTest,
          name: 'sim',
          include: ['web/src/**/*.sim.test.ts'],
          provide: { simTier: 'full' },
        },
      },
      {
        // The lint self-test: probes that break a boundary must fail lint (tests/lint/).
        test: {
          name: 'lint',
          include: ['tests/lint/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'server',
          include: ['signal/src/**/*.test.ts'],
          environment: 'node',
          testTimeout: 20_000,
        },
      },
    ],
  },
});
