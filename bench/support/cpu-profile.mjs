// V8 CPU profiles of a page through CDP, summarised for a benchmark table: the functions with
// the most self time, their inclusive time, and self time per source file, with bundle positions
// mapped to web/ sources through dist/web's source maps (source-map-js, a Vite dependency).
// Shared by the files, messaging and history benchmarks.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../lib.mjs';

/**
 * Starts V8's sampling profiler in a page; the returned function stops it and yields the profile.
 * @param {import('@playwright/test').Page} page
 * @param {number} [intervalUs] sampling interval
 */
export async function startProfiler(page, intervalUs = 250) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: intervalUs });
  await cdp.send('Profiler.start');
  return async () => {
    const { profile } = await cdp.send('Profiler.stop');
    await cdp.detach().catch(() => undefined);
    return profile;
  };
}

/**
 * @typedef {{ selfMs: number, totalMs: number, share: number, fn: string, at: string }} ProfileEntry
 */

/**
 * Summary of a Profiler.Profile: total sampled time, idle/GC/program, top functions by self
 * time (with inclusive time), and self time per source file.
 * @param {any} profile
 * @param {number} count
 */
export function summarizeProfile(profile, count = 25) {
  /** @type {Map<number, any>} */
  const nodes = new Map(profile.nodes.map((/** @type {any} */ n) => [n.id, n]));
  /** @type {Map<number, number>} parent of each node */
  const parents = new Map();
  for (const node of profile.nodes) {
    for (const child of node.children ?? []) parents.set(child, node.id);
  }
  /** @type {Map<number, number>} */
  const hits = new Map();
  const deltas = /** @type {number[]} */ (profile.timeDeltas ?? []);
  const samples = /** @type {number[]} */ (profile.samples ?? []);
  for (const [i, id] of samples.entries()) {
    hits.set(id, (hits.get(id) ?? 0) + (deltas[i + 1] ?? deltas[i] ?? 0) / 1000);
  }
  const keyOf = (/** @type {any} */ node) => {
    const frame = node.callFrame;
    const at = mapPosition(frame.url, frame.lineNumber, frame.columnNumber);
    const fn = frame.functionName || '(anonymous)';
    return { key: `${fn} ${at}`, fn, at };
  };
  /** @type {Map<number, { key: string, fn: string, at: string }>} */
  const keys = new Map();
  for (const node of profile.nodes) keys.set(node.id, keyOf(node));

  /** @type {Map<string, { selfMs: number, totalMs: number, fn: string, at: string }>} */
  const byFunction = new Map();
  /** @type {Map<string, number>} */
  const byFile = new Map();
  let total = 0;
  for (const [id, ms] of hits) {
    total += ms;
    const own = keys.get(id);
    if (!own) continue;
    const entry = byFunction.get(own.key) ?? { selfMs: 0, totalMs: 0, fn: own.fn, at: own.at };
    entry.selfMs += ms;
    byFunction.set(own.key, entry);
    const file = own.at.replace(/:\d+(:\d+)?$/, '') || own.fn;
    byFile.set(file, (byFile.get(file) ?? 0) + ms);
    // Inclusive time: every distinct function on the stack gets the sample once.
    /** @type {Set<string>} */
    const seen = new Set();
    for (let at = /** @type {number | undefined} */ (id); at !== undefined; at = parents.get(at)) {
      const frame = keys.get(at);
      if (!frame || seen.has(frame.key)) continue;
      seen.add(frame.key);
      const e = byFunction.get(frame.key) ?? { selfMs: 0, totalMs: 0, fn: frame.fn, at: frame.at };
      e.totalMs += ms;
      byFunction.set(frame.key, e);
    }
  }
  void nodes;
  const round = (/** @type {number} */ x) => Math.round(x);
  const share = (/** @type {number} */ x) => Math.round((x / total) * 1000) / 10;
  const entries = [...byFunction.values()];
  const special = (/** @type {string} */ name) =>
    round(entries.find((e) => e.fn === name)?.selfMs ?? 0);
  return {
    sampledMs: round(total),
    idleMs: special('(idle)'),
    gcMs: special('(garbage collector)'),
    programMs: special('(program)'),
    topSelf: entries
      .sort((a, b) => b.selfMs - a.selfMs)
      .slice(0, count)
      .map((e) => ({
        fn: e.fn,
        at: e.at,
        selfMs: round(e.selfMs),
        totalMs: round(e.totalMs),
        share: share(e.selfMs),
      })),
    topTotal: [...byFunction.values()]
      .filter((e) => !e.fn.startsWith('('))
      .sort((a, b) => b.totalMs - a.totalMs)
      .slice(0, count)
      .map((e) => ({ fn: e.fn, at: e.at, selfMs: round(e.selfMs), totalMs: round(e.totalMs) })),
    byFile: [...byFile]
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(([file, ms]) => ({ file, selfMs: round(ms), share: share(ms) })),
  };
}

/** @type {Map<string, any>} */
const sourceMaps = new Map();
/** @type {Map<string, any>} */
const consumers = new Map();
/** @type {any} */
let SourceMapConsumer = null;

/** Loads source-map-js for `mapPosition`; without it positions stay raw. */
export async function loadSourceMapSupport() {
  try {
    ({ SourceMapConsumer } = await import('source-map-js'));
  } catch {
    SourceMapConsumer = null;
  }
}

/**
 * `url:line:col` of a bundle position as `source:line` when dist/web has the bundle's map.
 * @param {string} url
 * @param {number} line 0-based
 * @param {number} column 0-based
 */
export function mapPosition(url, line, column) {
  const match = /\/assets\/([^/?#]+\.js)$/.exec(url);
  if (!match) return url ? `${url.replace(/^.*\//, '')}:${line + 1}` : '';
  const mapFile = path.join(REPO_ROOT, 'dist', 'web', 'assets', `${match[1]}.map`);
  if (!sourceMaps.has(mapFile)) {
    sourceMaps.set(mapFile, existsSync(mapFile) ? JSON.parse(readFileSync(mapFile, 'utf8')) : null);
  }
  if (SourceMapConsumer && !consumers.has(mapFile)) {
    const raw = sourceMaps.get(mapFile);
    consumers.set(mapFile, raw ? new SourceMapConsumer(raw) : null);
  }
  const consumer = consumers.get(mapFile);
  const original = consumer?.originalPositionFor({ line: line + 1, column });
  if (!original?.source) return `${match[1]}:${line + 1}:${column + 1}`;
  return `${original.source.replace(/^(\.\.\/)+/, '')}:${original.line}`;
}
