// `npm run bench -- <name> [options]`: runs the benchmark bench/<name>.mjs (DESIGN §13).
//
// Builds first when dist/web or dist/server is missing. Like scripts/e2e.mjs, as root it re-runs
// itself inside a fresh network namespace that holds only the loopback interface, so WebRTC sees
// nothing but 127.0.0.1; the benchmark starts the signal server and Chromium in there too.
//
// PARLEY_BENCH_NETNS=0 never uses a namespace. `npm run bench` alone lists the benchmarks.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { constants } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ensureChromium } from './chromium.mjs';
import { canUseLoopbackNamespace, LOOPBACK_ONLY_SHELL } from './netns.mjs';
import { ensurePrograms } from './system-packages.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const benchDir = path.join(repoRoot, 'bench');
const thisScript = fileURLToPath(import.meta.url);
/** Set in the re-run inside the namespace. */
const IN_NAMESPACE_ENV = 'PARLEY_BENCH_IN_NETNS';
/** Helper modules in bench/ that are not benchmarks. */
const NOT_BENCHMARKS = new Set(['lib']);

const [name, ...benchArgs] = process.argv.slice(2);
const available = listBenchmarks();

if (!name || name === '--help' || name === '-h') {
  console.info(
    `usage: npm run bench -- <name> [options]\nbenchmarks: ${available.join(', ') || '(none)'}`,
  );
  process.exit(name ? 0 : 1);
}
const entry = findEntry(name);

if (process.env[IN_NAMESPACE_ENV] === '1') {
  await runBenchmark(entry, { isLoopbackOnly: true });
} else {
  prepare();
  if (canUseLoopbackNamespace('bench', 'PARLEY_BENCH_NETNS')) {
    reRunInNamespace();
  } else {
    await runBenchmark(entry, { isLoopbackOnly: false });
  }
}

/** The benchmark names: bench/*.mjs except helpers. */
function listBenchmarks() {
  if (!existsSync(benchDir)) return [];
  return readdirSync(benchDir)
    .filter((file) => file.endsWith('.mjs'))
    .map((file) => file.slice(0, -'.mjs'.length))
    .filter((base) => !NOT_BENCHMARKS.has(base))
    .sort();
}

/** @param {string} benchName */
function findEntry(benchName) {
  if (!/^[a-z][a-z0-9-]*$/.test(benchName) || NOT_BENCHMARKS.has(benchName)) {
    fail(`bench: "${benchName}" is not a benchmark name. Available: ${available.join(', ')}`);
  }
  for (const extension of ['.mjs', '.js']) {
    const file = path.join(benchDir, `${benchName}${extension}`);
    if (existsSync(file)) return file;
  }
  if (existsSync(path.join(benchDir, `${benchName}.ts`))) {
    fail(
      `bench: bench/${benchName}.ts exists, but Node ${process.version} cannot run TypeScript ` +
        'and no TypeScript runner is installed; write benchmarks as .mjs with JSDoc types.',
    );
  }
  fail(`bench: no benchmark "${benchName}". Available: ${available.join(', ') || '(none)'}`);
}

/** The newest modification time (ms) of the sources a build is made from. */
function newestSourceMs() {
  const roots = ['web', 'signal', 'public'].map((dir) => path.join(repoRoot, dir));
  let newest = 0;
  for (const root of roots) {
    if (!existsSync(root)) continue;
    for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      newest = Math.max(newest, statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
    }
  }
  for (const file of ['vite.config.ts', 'package.json', 'package-lock.json', 'tsconfig.json']) {
    const full = path.join(repoRoot, file);
    if (existsSync(full)) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

/**
 * Builds when the build is missing or older than its sources (a stale build once hid a
 * first-screen budget overrun), and makes sure Chromium is there (before entering the namespace).
 */
function prepare() {
  const outputs = [
    path.join(repoRoot, 'dist', 'web', 'index.html'),
    path.join(repoRoot, 'dist', 'server', 'signal', 'src', 'main.js'),
  ];
  const isBuilt = outputs.every((file) => existsSync(file));
  const isFresh =
    isBuilt && Math.min(...outputs.map((file) => statSync(file).mtimeMs)) >= newestSourceMs();
  if (isFresh) {
    console.info('bench: using the existing build in dist/web and dist/server.');
  } else {
    console.info(
      isBuilt
        ? 'bench: the sources changed since the last build; running npm run build.'
        : 'bench: dist/web or dist/server is missing; running npm run build.',
    );
    const build = spawnSync('npm', ['run', 'build'], { cwd: repoRoot, stdio: 'inherit' });
    if (build.status !== 0) {
      fail(`bench: npm run build failed (${build.error?.message ?? `exit ${build.status}`}).`);
    }
  }
  process.env.CHROMIUM_PATH = ensureChromium();
  process.env.PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD = '1';
  // The signal benchmark runs nodes on a real redis-server.
  if (name === 'signal') {
    process.env.REDIS_SERVER_PATH = ensurePrograms(['redis-server'])['redis-server'];
  }
}

/** Runs this script again inside `unshare --net`, passing the exit status on. */
function reRunInNamespace() {
  const args = ['--net', 'sh', '-c', LOOPBACK_ONLY_SHELL, 'sh', process.execPath, thisScript];
  const child = spawn('unshare', [...args, name ?? '', ...benchArgs], {
    cwd: repoRoot,
    stdio: 'inherit',
    env: { ...process.env, [IN_NAMESPACE_ENV]: '1' },
  });
  // Ctrl-C reaches the whole foreground process group by itself; forward what is sent to us alone.
  for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
    process.on(signal, () => {
      if (child.pid !== undefined) process.kill(child.pid, signal);
    });
  }
  child.on('error', (error) => fail(`bench: could not start unshare: ${error.message}`));
  child.on('exit', (code, signal) => {
    process.exit(code ?? 128 + (signal ? constants.signals[signal] : 1));
  });
}

/**
 * Imports the benchmark and calls its default export with the remaining arguments.
 * @param {string} file
 * @param {{ isLoopbackOnly: boolean }} environment
 */
async function runBenchmark(file, environment) {
  /** @type {{ default?: (args: string[], environment: { isLoopbackOnly: boolean }) => Promise<void> }} */
  const benchmark = await import(pathToFileURL(file).href);
  if (typeof benchmark.default !== 'function') {
    fail(`bench: ${path.relative(repoRoot, file)} has no default export to run.`);
  }
  try {
    await benchmark.default(benchArgs, environment);
  } catch (error) {
    console.error(`bench: ${name} failed:`, error);
    process.exit(1);
  }
  // Playwright and the server's pipes may hold the event loop a little longer; we are done.
  process.exit(0);
}

/** @param {string} message @returns {never} */
function fail(message) {
  console.error(message);
  process.exit(1);
}
