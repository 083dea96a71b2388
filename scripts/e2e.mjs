// `npm run test:e2e`: build the app and the signal server, then run Playwright against them.
//
// WebRTC in Chromium offers ICE candidates for every network interface. The tests must see only
// 127.0.0.1, so as root we run Playwright (and with it the signal server its global setup starts)
// inside a fresh network namespace that holds nothing but the loopback interface.
//
// Arguments are passed on to `playwright test`, e.g. `npm run test:e2e -- room-chat --headed`.
// PARLEY_E2E_SKIP_BUILD=1 reuses the last builds (dist/web, dist/web-next, dist/server);
// PARLEY_E2E_NETNS=0 never uses a namespace.
import { spawn, spawnSync } from 'node:child_process';
import { constants } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureChromium } from './chromium.mjs';
import { canUseLoopbackNamespace, LOOPBACK_ONLY_SHELL } from './netns.mjs';
import { ensurePrograms } from './system-packages.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const playwrightBin = path.join(repoRoot, 'node_modules', '.bin', 'playwright');
const playwrightArgs = ['test', '-c', 'tests/e2e/playwright.config.ts', ...process.argv.slice(2)];

/** The version string of the second build (dist/web-next); the update test looks for it. */
const NEXT_VERSION = 'e2e-next';

const chromiumPath = ensureChromium();
// Scale-out runs two nodes on a real redis-server; relay-only calls go through a real coturn.
const programs = ensurePrograms(['redis-server', 'turnserver']);
const env = {
  ...process.env,
  CHROMIUM_PATH: chromiumPath,
  REDIS_SERVER_PATH: programs['redis-server'],
  TURNSERVER_PATH: programs.turnserver,
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1',
};

if (process.env.PARLEY_E2E_SKIP_BUILD === '1') {
  console.info('e2e: PARLEY_E2E_SKIP_BUILD=1, using the existing dist/web and dist/server.');
} else {
  const build = spawnSync('npm', ['run', 'build'], { cwd: repoRoot, stdio: 'inherit', env });
  if (build.status !== 0) {
    console.error(`e2e: npm run build failed (${build.error?.message ?? `exit ${build.status}`}).`);
    process.exit(build.status || 1);
  }
  // A second build of the same code with another version string, for the update prompt test
  // (pwa-update.e2e.ts switches the server to it). Only the version differs.
  const next = spawnSync('npx', ['vite', 'build', '--outDir', '../dist/web-next'], {
    cwd: repoRoot,
    stdio: 'inherit',
    env: { ...env, PARLEY_VERSION: NEXT_VERSION },
  });
  if (next.status !== 0) {
    console.error(
      `e2e: the second build failed (${next.error?.message ?? `exit ${next.status}`}).`,
    );
    process.exit(next.status || 1);
  }
}

const [command, args] = canUseLoopbackNamespace('e2e', 'PARLEY_E2E_NETNS')
  ? ['unshare', ['--net', 'sh', '-c', LOOPBACK_ONLY_SHELL, 'sh', playwrightBin, ...playwrightArgs]]
  : [playwrightBin, playwrightArgs];

const child = spawn(command, args, { cwd: repoRoot, stdio: 'inherit', env });
// Ctrl-C reaches the whole foreground process group by itself; forward what is sent to us alone.
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
  process.on(signal, () => {
    if (child.pid !== undefined) process.kill(child.pid, signal);
  });
}
child.on('error', (error) => {
  console.error(`e2e: could not start ${command}: ${error.message}`);
  process.exit(1);
});
child.on('exit', (code, signal) => {
  process.exit(code ?? 128 + (signal ? constants.signals[signal] : 1));
});
