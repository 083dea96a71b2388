import { defineConfig } from '@playwright/test';

/** Chromium flags for headless WebRTC on a server. No --disable-features: Chromium keeps only the
 * last one, and Playwright passes its own list. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  '--allow-loopback-in-peer-connection',
];

export default defineConfig({
  testDir: '.',
  testMatch: '*.e2e.ts',
  outputDir: '../../test-results',
  // Two cores, and every test drives two or three browser contexts at once.
  workers: 1,
  fullyParallel: false,
  // A test that passes only on retry is a bug in the app or in the test.
  retries: 0,
  forbidOnly: true,
  timeout: 60_000,
  expect: { timeout: 10_000, toPass: { timeout: 10_000 } },
  reporter: [['list'], ['html', { open: 'never', outputFolder: '../../playwright-report' }]],
  globalSetup: './global-setup.ts',
  globalTeardown: './global-teardown.ts',
  use: {
    browserName: 'chromium',
    headless: true,
    // Set by global-setup.ts; workers inherit the runner's environment and load this file again.
    baseURL: process.env.PARLEY_BASE_URL,
    viewport: { width: 1280, height: 720 },
    // Without a media permission Chromium gathers no ICE candidates at all.
    permissions: ['camera', 'microphone', 'clipboard-read', 'clipboard-write'],
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: CHROMIUM_ARGS,
    },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
});
