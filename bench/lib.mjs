// Shared helpers for the benchmarks in bench/ (DESIGN §13): statistics, Markdown tables, result
// files, and the real signal server and Chromium, started the way the end-to-end tests start them.
//
// The e2e helpers are TypeScript (tests/e2e/*.ts) and Node 20 runs only JavaScript, so
// `importE2eModule` transpiles them (types stripped, nothing else changed) into
// node_modules/.cache/parley-bench/ and imports that copy. `import.meta.url`/`dirname` are pinned
// to the source file, so paths computed from them (REPO_ROOT…) are the same as under Playwright.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureChromium } from '../scripts/chromium.mjs';

/** The repository root (this file lives in bench/). */
export const REPO_ROOT = path.resolve(import.meta.dirname, '..');
/** Where every benchmark writes `<name>.json` and `<name>.md`. */
export const RESULTS_DIR = path.join(REPO_ROOT, 'bench', 'results');
/** The built app and server; `npm run build` makes both. */
export const BUILD_OUTPUTS = [
  path.join(REPO_ROOT, 'dist', 'web', 'index.html'),
  path.join(REPO_ROOT, 'dist', 'server', 'signal', 'src', 'main.js'),
];

const E2E_DIR = path.join(REPO_ROOT, 'tests', 'e2e');
const TRANSPILE_CACHE = path.join(REPO_ROOT, 'node_modules', '.cache', 'parley-bench');
/** Relative `./x.js` imports between e2e modules; the `.ts` source sits next to the importer. */
const RELATIVE_JS_IMPORT = /(\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"]+)\.js\2/g;

/** @type {Map<string, Promise<string>>} */
const transpiled = new Map();

/**
 * Imports a module of tests/e2e/ (e.g. `'fixtures'`, `'signal-supervisor'`, `'playwright.config'`).
 * @param {string} name file name without `.ts`
 * @returns {Promise<any>}
 */
export async function importE2eModule(name) {
  const url = await transpileTs(path.join(E2E_DIR, `${name}.ts`));
  return import(url);
}

/**
 * Transpiles one TypeScript file (and the local modules it imports) into the cache.
 * @param {string} sourcePath
 * @returns {Promise<string>} file URL of the JavaScript copy
 */
function transpileTs(sourcePath) {
  let pending = transpiled.get(sourcePath);
  if (!pending) {
    pending = doTranspile(sourcePath);
    transpiled.set(sourcePath, pending);
  }
  return pending;
}

/** @param {string} sourcePath */
async function doTranspile(sourcePath) {
  const { default: ts } = await import('typescript');
  const source = readFileSync(sourcePath, 'utf8');
  const { outputText } = ts.transpileModule(source, {
    fileName: sourcePath,
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      verbatimModuleSyntax: true,
    },
  });
  // Local imports point at the transpiled siblings (only `import type` ones are elided).
  const dependencies = [];
  for (const match of outputText.matchAll(RELATIVE_JS_IMPORT)) {
    const specifier = match[3] ?? '';
    dependencies.push(path.resolve(path.dirname(sourcePath), `${specifier}.ts`));
  }
  /** @type {Map<string, string>} */
  const dependencyUrls = new Map();
  for (const dependency of dependencies) {
    dependencyUrls.set(dependency, await transpileTs(dependency));
  }
  const code = outputText
    .replace(RELATIVE_JS_IMPORT, (_, keyword, quote, specifier) => {
      const url = dependencyUrls.get(path.resolve(path.dirname(sourcePath), `${specifier}.ts`));
      return `${keyword}${quote}${url}${quote}`;
    })
    .replaceAll('import.meta.dirname', JSON.stringify(path.dirname(sourcePath)))
    .replaceAll('import.meta.filename', JSON.stringify(sourcePath))
    .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(sourcePath).href));

  const relative = path.relative(REPO_ROOT, sourcePath).replace(/\.ts$/, '.mjs');
  const target = path.join(TRANSPILE_CACHE, relative);
  mkdirSync(path.dirname(target), { recursive: true });
  // Write-then-rename: another benchmark process may be importing the same file.
  const temporary = `${target}.${process.pid}.tmp`;
  writeFileSync(temporary, `// Transpiled from ${relative} by bench/lib.mjs.\n${code}`);
  renameSync(temporary, target);
  return `${pathToFileURL(target).href}?mtime=${statSync(sourcePath).mtimeMs}`;
}

// ---- Build, server, browser -----------------------------------------------------------------

/** True when dist/web and dist/server both exist. */
export function isBuilt() {
  return BUILD_OUTPUTS.every((file) => existsSync(file));
}

/**
 * Facts about the build under test: its age and the commit, with a warning flag when web/ or
 * signal/ have uncommitted changes (the build may not match HEAD then).
 */
export function buildInfo() {
  const git = (/** @type {string[]} */ ...args) =>
    spawnSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8' }).stdout?.trim() ?? '';
  const webIndex = BUILD_OUTPUTS[0] ?? '';
  return {
    commit: git('rev-parse', 'HEAD') || null,
    uncommittedSourceFiles: git('status', '--porcelain', '--', 'web', 'signal')
      .split('\n')
      .filter(Boolean).length,
    webBuiltAt: existsSync(webIndex) ? statSync(webIndex).mtime.toISOString() : null,
  };
}

/**
 * @typedef {object} SignalServer
 * @property {string} baseUrl `http://127.0.0.1:<port>`
 * @property {number} port
 * @property {number | null} pid
 * @property {(lines?: number) => string[]} logTail the server's last output lines
 * @property {() => Promise<void>} stop graceful stop (SIGKILL after a grace period)
 */

/**
 * Starts the real signal server with tests/e2e/signal-supervisor.ts (port 0 on 127.0.0.1).
 * @param {{ env?: Record<string, string> }} [options] extra environment for the server
 * @returns {Promise<SignalServer>}
 */
export async function startSignalServer(options = {}) {
  const { SignalSupervisor } = await importE2eModule('signal-supervisor');
  // The supervisor passes our environment on to the server.
  Object.assign(process.env, options.env ?? {});
  const supervisor = new SignalSupervisor();
  const killOnExit = () => supervisor.killNow();
  process.once('exit', killOnExit);
  await supervisor.start();
  const status = supervisor.status;
  return {
    baseUrl: status.baseUrl,
    port: status.port,
    pid: status.pid,
    logTail: (lines = 40) => supervisor.logSince(0).slice(-lines),
    stop: async () => {
      await supervisor.stop();
      process.removeListener('exit', killOnExit);
    },
  };
}

/**
 * Chromium settings of the e2e suite (tests/e2e/playwright.config.ts): executable, flags,
 * viewport and permissions (the media permissions are what make Chromium offer ICE candidates).
 */
export async function e2eBrowserSettings() {
  const { default: config } = await importE2eModule('playwright.config');
  /** @type {{ args: string[] }} */
  const launchOptions = config.use.launchOptions;
  return {
    executablePath: process.env.CHROMIUM_PATH ?? ensureChromium(),
    args: [...launchOptions.args],
    /** @type {string[]} */
    permissions: [...config.use.permissions],
    /** @type {{ width: number, height: number }} */
    viewport: { ...config.use.viewport },
  };
}

/**
 * Launches headless Chromium the way the e2e suite does.
 * @returns {Promise<{ browser: import('@playwright/test').Browser, settings: Awaited<ReturnType<typeof e2eBrowserSettings>> }>}
 */
export async function launchChromium() {
  const { chromium } = await import('@playwright/test');
  const settings = await e2eBrowserSettings();
  const browser = await chromium.launch({
    executablePath: settings.executablePath,
    args: settings.args,
    headless: true,
  });
  return { browser, settings };
}

/**
 * @typedef {object} BenchUser
 * @property {string} name
 * @property {import('@playwright/test').BrowserContext} context
 * @property {import('@playwright/test').Page} page
 * @property {string[]} log console lines, page errors and crashes, newest last (bounded)
 */

/**
 * One person: a fresh browser context (own storage and identity) with one page, permissions
 * and viewport as in the e2e suite, and the page's console kept for diagnostics.
 * @param {import('@playwright/test').Browser} browser
 * @param {Awaited<ReturnType<typeof e2eBrowserSettings>>} settings
 * @param {string} baseUrl
 * @param {string} name
 * @returns {Promise<BenchUser>}
 */
export async function openUser(browser, settings, baseUrl, name) {
  const context = await browser.newContext({
    baseURL: baseUrl,
    viewport: settings.viewport,
    permissions: settings.permissions,
  });
  const page = await context.newPage();
  /** @type {string[]} */
  const log = [];
  const started = Date.now();
  const push = (/** @type {string} */ line) => {
    log.push(`${String(Date.now() - started).padStart(7)}ms ${line}`);
    if (log.length > 2000) log.splice(0, 500);
  };
  page.on('console', (message) => push(`[${message.type()}] ${message.text()}`));
  page.on('pageerror', (error) => push(`[pageerror] ${error.stack ?? String(error)}`));
  page.on('crash', () => push('[crash] the page crashed'));
  return { name, context, page, log };
}

/**
 * @typedef {object} MainThreadTimes
 * @property {number} taskMs all tasks on the page's main thread
 * @property {number} scriptMs JavaScript
 * @property {number} layoutMs layout
 * @property {number} styleMs style recalculation
 * @property {number} otherMs tasks that are none of these (IPC replies, paint, DevTools, …)
 * @property {number} threadCpuMs CPU time of the main thread
 */

/** @type {WeakMap<import('@playwright/test').Page, Promise<import('@playwright/test').CDPSession>>} */
const metricSessions = new WeakMap();

/**
 * Cumulative main-thread times of a page so far (Chromium's Performance.getMetrics, the numbers
 * behind DevTools' performance monitor; cheap enough to read around every run). Subtract two
 * readings to get the main-thread work in between.
 * @param {import('@playwright/test').Page} page
 * @returns {Promise<MainThreadTimes>}
 */
export async function mainThreadTimes(page) {
  let session = metricSessions.get(page);
  if (!session) {
    session = page
      .context()
      .newCDPSession(page)
      .then(async (cdp) => {
        await cdp.send('Performance.enable');
        return cdp;
      });
    metricSessions.set(page, session);
  }
  const { metrics } = await (await session).send('Performance.getMetrics');
  const seconds = (/** @type {string} */ name) =>
    metrics.find((metric) => metric.name === name)?.value ?? Number.NaN;
  return {
    taskMs: seconds('TaskDuration') * 1000,
    scriptMs: seconds('ScriptDuration') * 1000,
    layoutMs: seconds('LayoutDuration') * 1000,
    styleMs: seconds('RecalcStyleDuration') * 1000,
    otherMs: seconds('TaskOtherDuration') * 1000,
    threadCpuMs: seconds('ThreadTime') * 1000,
  };
}

/**
 * `after - before`, field by field.
 * @param {MainThreadTimes} before
 * @param {MainThreadTimes} after
 * @returns {MainThreadTimes}
 */
export function mainThreadDelta(before, after) {
  return /** @type {MainThreadTimes} */ (
    Object.fromEntries(
      Object.entries(after).map(([key, value]) => [
        key,
        value - before[/** @type {keyof MainThreadTimes} */ (key)],
      ]),
    )
  );
}

// ---- Statistics -----------------------------------------------------------------------------

/**
 * The q-quantile (0…1) of ascending `sorted`, interpolated linearly between order statistics
 * (the "type 7" definition of R and NumPy).
 * @param {number[]} sorted
 * @param {number} q
 */
export function quantile(sorted, q) {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.ceil(position);
  const low = sorted[below] ?? Number.NaN;
  const high = sorted[above] ?? Number.NaN;
  return low + (high - low) * (position - below);
}

/**
 * @typedef {object} Summary
 * @property {number} n
 * @property {number} median
 * @property {number} p90
 * @property {number} min
 * @property {number} max
 * @property {number} mean
 */

/**
 * Summary statistics of a sample; NaN fields for an empty one.
 * @param {number[]} samples
 * @returns {Summary}
 */
export function summarize(samples) {
  const sorted = samples.filter(Number.isFinite).sort((a, b) => a - b);
  const sum = sorted.reduce((total, x) => total + x, 0);
  return {
    n: sorted.length,
    median: quantile(sorted, 0.5),
    p90: quantile(sorted, 0.9),
    min: sorted[0] ?? Number.NaN,
    max: sorted.at(-1) ?? Number.NaN,
    mean: sorted.length > 0 ? sum / sorted.length : Number.NaN,
  };
}

/**
 * @typedef {object} PercentileSummary
 * @property {number} n
 * @property {number} p50
 * @property {number} p90
 * @property {number} p99
 * @property {number} min
 * @property {number} max
 * @property {number} mean
 */

/**
 * Tail-latency summary of a sample (p50, p90, p99 by `quantile`); NaN fields for an empty one.
 * @param {number[]} samples
 * @returns {PercentileSummary}
 */
export function percentileSummary(samples) {
  const sorted = samples.filter(Number.isFinite).sort((a, b) => a - b);
  const sum = sorted.reduce((total, x) => total + x, 0);
  return {
    n: sorted.length,
    p50: quantile(sorted, 0.5),
    p90: quantile(sorted, 0.9),
    p99: quantile(sorted, 0.99),
    min: sorted[0] ?? Number.NaN,
    max: sorted.at(-1) ?? Number.NaN,
    mean: sorted.length > 0 ? sum / sorted.length : Number.NaN,
  };
}

/** Median of the finite values, NaN when there are none. @param {number[]} samples */
export function median(samples) {
  return summarize(samples).median;
}

/** Rounds for JSON: 0.01 ms is far below what these measurements resolve. @param {number} x */
export function round2(x) {
  return Number.isFinite(x) ? Math.round(x * 100) / 100 : null;
}

/** Milliseconds for a table cell. @param {number} x */
export function formatMs(x) {
  if (!Number.isFinite(x)) return '–';
  return x >= 100 ? x.toFixed(0) : x.toFixed(1);
}

// ---- Output ---------------------------------------------------------------------------------

/**
 * A GitHub Markdown table. `align` per column: 'l' or 'r' (default 'l').
 * @param {string[]} header
 * @param {string[][]} rows
 * @param {('l' | 'r')[]} [align]
 */
export function markdownTable(header, rows, align = []) {
  const escape = (/** @type {string} */ cell) => cell.replaceAll('|', '\\|');
  const line = (/** @type {string[]} */ cells) => `| ${cells.map(escape).join(' | ')} |`;
  const rule = header.map((_, i) => (align[i] === 'r' ? '---:' : '---'));
  return [line(header), line(rule), ...rows.map(line)].join('\n');
}

/**
 * The machine and software the numbers come from.
 * @param {{ browserVersion?: string }} [extra]
 */
export function machineInfo(extra = {}) {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    chromium: extra.browserVersion ?? null,
    playwright: readPackageVersion('@playwright/test'),
    peerjs: readPackageVersion('peerjs'),
    peerServer: readPackageVersion('peer'),
    loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100),
    date: new Date().toISOString(),
  };
}

/** @param {string} name */
function readPackageVersion(name) {
  try {
    const file = path.join(REPO_ROOT, 'node_modules', name, 'package.json');
    return /** @type {{ version: string }} */ (JSON.parse(readFileSync(file, 'utf8'))).version;
  } catch {
    return null;
  }
}

/**
 * Writes bench/results/<name>.json and <name>.md; returns their paths.
 * @param {string} name
 * @param {unknown} data
 * @param {string} markdown
 */
export function writeResults(name, data, markdown) {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const jsonPath = path.join(RESULTS_DIR, `${name}.json`);
  const markdownPath = path.join(RESULTS_DIR, `${name}.md`);
  writeFileSync(jsonPath, `${JSON.stringify(data, null, 2)}\n`);
  writeFileSync(markdownPath, markdown.endsWith('\n') ? markdown : `${markdown}\n`);
  return { jsonPath, markdownPath };
}

// ---- Small utilities ------------------------------------------------------------------------

/**
 * Parses `--name value`, `--name=value` and `--flag` into an object. Every option must be known.
 * @template {Record<string, string | number | boolean>} T
 * @param {string[]} argv
 * @param {T} defaults the known options and their defaults; the default's type parses the value
 * @returns {T}
 */
export function parseOptions(argv, defaults) {
  /** @type {Record<string, string | number | boolean>} */
  const options = { ...defaults };
  for (let i = 0; i < argv.length; i += 1) {
    const argument = argv[i] ?? '';
    const match = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/.exec(argument);
    if (!match) throw new Error(`unexpected argument ${argument}`);
    const name = match[1] ?? '';
    const key = name.replace(/-([a-z0-9])/g, (_, c) => String(c).toUpperCase());
    if (!(key in defaults)) throw new Error(`unknown option --${name}`);
    const fallback = defaults[key];
    if (typeof fallback === 'boolean') {
      options[key] = match[2] === undefined ? true : match[2] !== 'false';
      continue;
    }
    const value = match[2] ?? argv[(i += 1)];
    if (value === undefined) throw new Error(`--${name} needs a value`);
    if (typeof fallback === 'number') {
      const number = Number(value);
      if (!Number.isFinite(number)) throw new Error(`--${name} needs a number, got ${value}`);
      options[key] = number;
    } else {
      options[key] = value;
    }
  }
  return /** @type {T} */ (options);
}

/** @param {number} ms */
export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Rejects with a message naming `what` when `promise` takes longer than `ms`.
 * @template T
 * @param {Promise<T>} promise
 * @param {number} ms
 * @param {string} what
 * @returns {Promise<T>}
 */
export function withTimeout(promise, ms, what) {
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms);
  });
  return /** @type {Promise<T>} */ (Promise.race([promise, timeout])).finally(() =>
    clearTimeout(timer),
  );
}

/**
 * The CPU time (ms) every Chromium process used so far, summed by process type (browser,
 * renderer: every page and its Workers, GPU, network and storage services), from
 * SystemInfo.getProcessInfo.
 * @param {import('@playwright/test').Browser} browser
 * @returns {Promise<() => Promise<Record<string, number>>>}
 */
export async function cpuMeter(browser) {
  const cdp = await browser.newBrowserCDPSession();
  return async () => {
    const { processInfo } = /** @type {{ processInfo: { type: string, cpuTime: number }[] }} */ (
      await cdp.send('SystemInfo.getProcessInfo')
    );
    /** @type {Record<string, number>} */
    const byType = {};
    for (const p of processInfo) {
      // network.mojom.NetworkService → network service (WebRTC's UDP sockets live there).
      const type = p.type.replace(/^(\w+)\.mojom\.\w*Service$/, '$1 service');
      byType[type] = (byType[type] ?? 0) + p.cpuTime * 1000;
    }
    return byType;
  };
}

/**
 * CPU ms per process type between two cpuMeter readings (a process that ended meanwhile
 * counts as 0).
 * @param {Record<string, number>} before
 * @param {Record<string, number>} after
 */
export function cpuSince(before, after) {
  return Object.fromEntries(
    Object.entries(after).map(([type, ms]) => [type, Math.max(0, ms - (before[type] ?? 0))]),
  );
}
