// `npm run bench -- history [--sizes 1000,10000,100000] [--opens 10] [--fill-budget-s 420]
// [--library-timeout-s 180] [--timeout-ms 600000]`: a long history (issue 17). For each size,
// one person fills a room through the composer (the app's own path: signed, stored, indexed as it
// is stored), then: room opened → newest message visible; Search messages → results shown (and
// whether they are the newest matches); the background index build of an existing history (index
// cleared, page reloaded); JS heap; IndexedDB bytes per message; and, on the same texts in the same
// browser, MiniSearch and FlexSearch (in memory, and FlexSearch on its IndexedDB adapter) against
// Parley's own index.
import { loadavg } from 'node:os';
import path from 'node:path';
import {
  REPO_ROOT,
  buildInfo,
  importE2eModule,
  launchChromium,
  machineInfo,
  mainThreadDelta,
  mainThreadTimes,
  markdownTable,
  openUser,
  parseOptions,
  percentileSummary,
  round2,
  sleep,
  startSignalServer,
  withTimeout,
  writeResults,
} from './lib.mjs';
import { loadSourceMapSupport, startProfiler, summarizeProfile } from './support/cpu-profile.mjs';

const DEFAULTS = {
  sizes: '1000,10000,100000',
  opens: 10,
  fillBudgetS: 420,
  libraryTimeoutS: 90,
  timeoutMs: 600_000,
};
const GOALS = { openP50Ms: 100, searchP50Ms: 150, atSize: 100_000 };
/**
 * Search queries: common words, prefixes (one of two letters: a pause after typing "ca"), accents
 * folded both ways, Chinese, a rare word, two words.
 */
const QUERIES = [
  'dinner',
  'tomorrow',
  'phot',
  'cafe',
  'naïve',
  '下午',
  '公园',
  '晚饭',
  'needle0',
  'meeting notes',
  'remember',
  'garden',
  'ca',
];
/** The query profiled at the largest size (a common word as a prefix: two long posting ranges). */
const PROFILED_QUERY = 'phot';
/** Not measured: the first search loads the results panel's code (its time is reported apart). */
const WARM_UP_QUERY = 'weekend';
/** Parley's search waits this long after the last keystroke (features/search/search-limits.ts). */
const SEARCH_DEBOUNCE_MS = 120;
/** Parley shows at most this many results (features/search/search-limits.ts MAX_RESULTS). */
const MAX_RESULTS = 50;
/** A blank page of its own origin for the libraries (the app's CSP refuses injected scripts). */
const LIBRARY_ORIGIN = 'http://127.0.0.1:9';

/**
 * @param {string[]} argv
 * @param {{ isLoopbackOnly: boolean }} environment
 */
export default async function historyBenchmark(argv, environment) {
  const options = parseOptions(argv, DEFAULTS);
  const sizes = options.sizes.split(',').map((s) => Number(s.trim()));
  if (sizes.some((n) => !Number.isInteger(n) || n < 100 || n > 200_000)) {
    throw new Error('--sizes: whole numbers from 100 to 200000');
  }
  const benchStart = Date.now();
  const fixtures = await importE2eModule('fixtures');
  const loadAverageAtStart = loadavg().map((x) => round2(x));
  const build = buildInfo();
  const server = await startSignalServer();
  const { browser, settings } = await launchChromium();
  /** @type {any[]} */
  const runs = [];
  try {
    console.info(
      `history: server ${server.baseUrl}, Chromium ${browser.version()}` +
        (environment.isLoopbackOnly ? ', loopback-only network namespace' : ''),
    );
    for (const size of sizes) runs.push(await measureSize(size));
  } finally {
    await browser.close();
    await server.stop();
  }
  const loadAverageAtEnd = loadavg().map((x) => round2(x));
  const totalSeconds = Math.round((Date.now() - benchStart) / 1000);
  const machine = machineInfo({ browserVersion: browser.version() });
  const context = {
    machine,
    build,
    loadAverageAtStart,
    loadAverageAtEnd,
    totalSeconds,
    environment,
  };
  const markdown = renderMarkdown(runs, context);
  const { markdownPath } = writeResults(
    'history',
    {
      machine,
      build,
      loadAverageAtStart,
      loadAverageAtEnd,
      totalSeconds,
      options,
      goals: GOALS,
      queries: QUERIES,
      runs,
    },
    markdown,
  );
  console.info(markdown);
  console.info(`history: wrote ${path.relative(REPO_ROOT, markdownPath)}`);

  /** @param {number} size */
  async function measureSize(size) {
    const sizeStart = Date.now();
    const loadAverage = loadavg().map((x) => round2(x));
    const user = await openUser(browser, settings, server.baseUrl, `h${size}`);
    const cdp = await user.context.newCDPSession(user.page);
    const heapMiB = async () => {
      await cdp.send('HeapProfiler.collectGarbage');
      const { usedSize } = await cdp.send('Runtime.getHeapUsage');
      return round2(usedSize / 2 ** 20);
    };
    try {
      const { page } = user;
      await fixtures.onboard(page, 'Hana');
      const link = await fixtures.createRoom(page);
      const conv = fixtures.roomKey(link);
      const roomHash = `#/r/${fixtures.roomSecret(link)}`;
      const usageBefore = await page.evaluate(storageUsage);

      // Fill through the composer, 500 at a time.
      const texts = makeTexts(size);
      const fillStart = Date.now();
      let sent = 0;
      for (let i = 0; i < texts.length; i += 500) {
        const batch = texts.slice(i, i + 500);
        await fixtures.composer(page).evaluate(typeThrough, { texts: batch });
        sent += batch.length;
        // Keep the composer at most 2,000 ahead of the store, as a fast person would be: the
        // outbox journals what is unstored in localStorage (a few MB), and a backlog of tens of
        // thousands would fill it.
        await waitFor(page, countRows, { conv, store: 'events' }, sent - 2000, options.timeoutMs);
        const seconds = (Date.now() - fillStart) / 1000;
        if (sent % 10_000 === 0 || sent === size) {
          console.info(`history: ${size}: ${sent} sent in ${seconds.toFixed(0)} s`);
        }
        if (seconds > options.fillBudgetS) {
          throw new Error(
            `filling ${size} took over --fill-budget-s ${options.fillBudgetS} (${sent} sent)`,
          );
        }
      }
      const sentSeconds = (Date.now() - fillStart) / 1000;
      await waitFor(page, countRows, { conv, store: 'events' }, size, options.timeoutMs);
      const storedSeconds = (Date.now() - fillStart) / 1000;
      const liveIndexed = await page.evaluate(countRows, { conv, store: 'searchDocs' });
      console.info(
        `history: ${size}: stored in ${storedSeconds} s; ${liveIndexed} in the live index by then`,
      );

      // The background build of an existing history: the index cleared, the page reloaded (not
      // waiting for the live index to catch up first saves a whole indexing pass at 100,000).
      await page.evaluate(clearSearchIndex);
      await page.reload();
      const buildThreadBefore = await mainThreadTimes(page);
      const buildWindowStart = Date.now();
      const rebuild = await page.evaluate(watchBuild, { timeoutMs: options.timeoutMs });
      const buildThread = mainThreadDelta(buildThreadBefore, await mainThreadTimes(page));
      const buildWindowMs = Date.now() - buildWindowStart;
      const rebuiltDocs = await page.evaluate(countRows, { conv, store: 'searchDocs' });
      if (rebuiltDocs !== size) throw new Error(`the build indexed ${rebuiltDocs} of ${size}`);
      const buildSeconds = (rebuild.doneMs - rebuild.startedMs) / 1000;
      console.info(`history: ${size}: index build ${buildSeconds.toFixed(2)} s`);
      const usageAfter = await page.evaluate(storageUsage);

      // Room opened → newest message visible, from the conversation list.
      const last = texts.at(-1) ?? '';
      await page.evaluate(() => (location.hash = '#/'));
      await fixtures.expect(fixtures.composer(page)).toBeHidden();
      const heapHome = await heapMiB();
      /** @type {{ ms: number, articles: number, mainThread: import('./lib.mjs').MainThreadTimes }[]} */
      const opens = [];
      for (let i = 0; i < options.opens; i += 1) {
        await page.evaluate(() => (location.hash = '#/'));
        await fixtures.expect(fixtures.composer(page)).toBeHidden();
        await sleep(200);
        const before = await mainThreadTimes(page);
        const open = await page.evaluate(openRoom, { hash: roomHash, last, timeoutMs: 60_000 });
        opens.push({ ...open, mainThread: mainThreadDelta(before, await mainThreadTimes(page)) });
      }
      const heapOpen = await heapMiB();

      // Search messages → results shown (from the input event; the debounce is included).
      const box = page.getByRole('combobox', { name: 'Search messages' });
      const firstSearch = await box.evaluate(searchFor, {
        query: WARM_UP_QUERY,
        timeoutMs: 60_000,
      });
      /** @type {any[]} */
      const searches = [];
      for (const query of QUERIES) {
        await box.fill('');
        await fixtures.expect(page.getByRole('option')).toHaveCount(0);
        await sleep(150);
        const before = await mainThreadTimes(page);
        const shown = await box.evaluate(searchFor, { query, timeoutMs: 30_000 });
        const mainThread = mainThreadDelta(before, await mainThreadTimes(page));
        const ids = await page
          .locator('#search-results [role="option"] .snippet')
          .evaluateAll((spans) =>
            spans.map((span) => Number(/#(\d+)\s*$/.exec(span.textContent ?? '')?.[1] ?? -1)),
          );
        const expected = expectedMatches(texts, query);
        const newest = expected.newestIds.slice(0, MAX_RESULTS);
        searches.push({
          query,
          ms: round2(shown.ms),
          results: shown.results,
          matchesInRoom: expected.count,
          areNewestShown: ids.length === newest.length && ids.every((id, k) => id === newest[k]),
          newestAmongShown: ids.filter((id) => newest.includes(id)).length,
          firstShownId: ids[0] ?? null,
          newestMatchId: newest[0] ?? null,
          mainThread,
        });
      }
      await box.fill('');
      const heapAfterSearch = await heapMiB();

      // One more open and one more search under V8's sampling profiler, at the largest size only
      // (not among the samples above): where the main thread's time goes.
      /** @type {any} */
      let profiles = null;
      if (size === Math.max(...sizes)) {
        await loadSourceMapSupport();
        await page.evaluate(() => (location.hash = '#/'));
        await fixtures.expect(fixtures.composer(page)).toBeHidden();
        await sleep(200);
        const open = await profiled(page, () =>
          page.evaluate(openRoom, { hash: roomHash, last, timeoutMs: 60_000 }),
        );
        await sleep(200);
        const search = await profiled(page, () =>
          box.evaluate(searchFor, { query: PROFILED_QUERY, timeoutMs: 30_000 }),
        );
        await box.fill('');
        profiles = { open, search };
      }

      // Every message read back from IndexedDB: what a library index rebuilt at start reads first.
      const { texts: storedTexts, ms: readAllMs } = await page.evaluate(loadTexts, conv);

      // Libraries on the same texts, in the same browser.
      const libraries = await compareLibraries(
        browser,
        storedTexts,
        options.libraryTimeoutS * 1000,
      );

      const result = {
        size,
        fill: {
          sentSeconds: round2(sentSeconds),
          seconds: round2(storedSeconds),
          messagesPerSecond: round2(size / storedSeconds),
          liveIndexedWhenStored: liveIndexed,
        },
        openMs: percentileSummary(opens.map((o) => o.ms)),
        opens: opens.map((o) => ({
          ms: round2(o.ms),
          articles: o.articles,
          mainThread: roundFields(o.mainThread),
        })),
        firstSearch: { query: WARM_UP_QUERY, ms: round2(firstSearch.ms) },
        search: {
          ...percentileSummary(searches.map((s) => s.ms)),
          afterDebounceP50: round2(
            percentileSummary(searches.map((s) => s.ms - SEARCH_DEBOUNCE_MS)).p50,
          ),
          samples: searches.map((s) => ({ ...s, mainThread: roundFields(s.mainThread) })),
        },
        rebuild: {
          seconds: round2(buildSeconds),
          messagesPerSecond: round2(size / buildSeconds),
          reloadToDoneSeconds: round2(rebuild.doneMs / 1000),
          polls: rebuild.polls,
          mainThread: roundFields(buildThread),
          mainThreadWindowMs: buildWindowMs,
          docs: rebuiltDocs,
        },
        heapMiB: { home: heapHome, roomOpen: heapOpen, afterSearches: heapAfterSearch },
        profiles,
        storage: {
          usageBefore,
          usageAfter,
          bytesPerMessage:
            usageAfter !== null && usageBefore !== null
              ? Math.round((usageAfter - usageBefore) / size)
              : null,
        },
        readAllMs: round2(readAllMs),
        libraries,
        seconds: Math.round((Date.now() - sizeStart) / 1000),
        loadAverage,
      };
      console.info(
        `history: ${size}: open p50 ${ms(result.openMs.p50)} ms, search p50 ` +
          `${ms(result.search.p50)} ms, build ${Math.round(result.rebuild.messagesPerSecond)} msg/s`,
      );
      return result;
    } catch (error) {
      console.error(`history: ${size}: page log tail:\n${user.log.slice(-30).join('\n')}`);
      throw error;
    } finally {
      await user.context.close();
    }
  }
}

/**
 * @template {Record<string, number>} T
 * @param {T} fields
 * @param {(x: number) => number | null} [round]
 * @returns {T}
 */
function roundFields(fields, round = round2) {
  return /** @type {T} */ (
    Object.fromEntries(Object.entries(fields).map(([key, value]) => [key, round(value)]))
  );
}

/** Rounds to 0.0001 (the libraries' query times are means of many calls). @param {number} x */
function round4(x) {
  return Number.isFinite(x) ? Math.round(x * 10_000) / 10_000 : null;
}

/** Case and accents folded, as Parley's tokenizer does. @param {string} text */
function fold(text) {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .normalize('NFC')
    .toLowerCase();
}

/**
 * The messages of `texts` a query should find (all words, the last as a prefix; Chinese as a
 * substring), counted, newest first by their number. Enough for these generated texts.
 * @param {string[]} texts
 * @param {string} query
 */
function expectedMatches(texts, query) {
  const folded = fold(query);
  /** @type {(text: string) => boolean} */
  let matches;
  if (/\p{Script=Han}/u.test(folded)) {
    matches = (text) => fold(text).includes(folded);
  } else {
    const words = folded.split(/\s+/).filter(Boolean);
    const prefix = words.pop() ?? '';
    matches = (text) => {
      const own = fold(text).split(/[\s#]+/);
      return words.every((w) => own.includes(w)) && own.some((w) => w.startsWith(prefix));
    };
  }
  /** @type {number[]} */
  const newestIds = [];
  for (let i = texts.length - 1; i >= 0; i -= 1) {
    if (matches(texts[i] ?? '')) newestIds.push(i);
  }
  return { count: newestIds.length, newestIds };
}

/**
 * Deterministic message texts: everyday English with some Chinese, a few rare words.
 * @param {number} count
 */
function makeTexts(count) {
  const words = (
    'dinner tomorrow morning meeting notes photo photos garden remember coffee café naïve ' +
    'train station ticket weekend family birthday cake movie tonight later please thanks ' +
    'school homework doctor appointment weather rain sunny walk park dog cat lunch office ' +
    'project deadline draft review call video phone battery charger keys door window car ' +
    'bus late early sorry great idea plan trip holiday beach mountain river book music ' +
    'song concert game match team win lose score market bread milk eggs apples dinnertime'
  ).split(' ');
  const chinese = [
    '我们明天下午三点见面',
    '周末去公园散步',
    '晚饭吃什么',
    '记得带钥匙',
    '下午开会',
  ];
  let seed = 42;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const texts = [];
  for (let i = 0; i < count; i += 1) {
    const n = 5 + Math.floor(random() * 10);
    const parts = Array.from({ length: n }, () => words[Math.floor(random() * words.length)]);
    if (i % 7 === 0) parts.push(chinese[Math.floor(random() * chinese.length)] ?? '');
    if (i % 1000 === 100) parts.push(`needle${Math.floor(i / 1000)}`);
    texts.push(`${parts.join(' ')} #${i}`);
  }
  return texts;
}

/**
 * Page: types each text into the composer and presses Enter, waiting until it clears.
 * @param {Element} element
 * @param {{ texts: string[] }} args
 */
async function typeThrough(element, { texts }) {
  const field = /** @type {HTMLTextAreaElement} */ (element);
  // Resolve as soon as the app clears the field (its value setter), not on a timer.
  const native = /** @type {PropertyDescriptor} */ (
    Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value')
  );
  /** @type {(() => void) | null} */
  let cleared = null;
  Object.defineProperty(field, 'value', {
    configurable: true,
    get() {
      return native.get?.call(this);
    },
    set(value) {
      native.set?.call(this, value);
      if (value === '' && cleared) cleared();
    },
  });
  try {
    for (const text of texts) {
      field.value = text;
      field.dispatchEvent(new Event('input', { bubbles: true }));
      const taken = new Promise((resolve, reject) => {
        cleared = () => resolve(undefined);
        setTimeout(() => reject(new Error('the composer did not take a message')), 30_000);
      });
      field.dispatchEvent(
        new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }),
      );
      if (field.value !== '') await taken;
      cleared = null;
    }
  } finally {
    delete (/** @type {any} */ (field).value);
  }
}

/**
 * Page: rows of `store` for the conversation (the events' display index, or the search docs).
 * @param {{ conv: string, store: 'events' | 'searchDocs' }} args
 */
async function countRows({ conv, store }) {
  const db = await openParleyDb();
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction(store, 'readonly');
      const source =
        store === 'events' ? tx.objectStore(store).index('byConvOrder') : tx.objectStore(store);
      const request = source.count(IDBKeyRange.bound([conv], [conv, []]));
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  } finally {
    db.close();
  }

  /** @returns {Promise<IDBDatabase>} */
  function openParleyDb() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open('parley');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }
}

/** Page: empties the search index's stores (the app rebuilds it in the background). */
async function clearSearchIndex() {
  const db = await new Promise((resolve, reject) => {
    const request = indexedDB.open('parley');
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  try {
    await new Promise((resolve, reject) => {
      const tx = db.transaction(['searchDocs', 'searchPostings', 'searchState'], 'readwrite');
      for (const name of ['searchDocs', 'searchPostings', 'searchState'])
        tx.objectStore(name).clear();
      tx.oncomplete = () => resolve(undefined);
      tx.onerror = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

/** Page: bytes this origin uses (IndexedDB, caches). */
async function storageUsage() {
  const estimate = await navigator.storage.estimate();
  return estimate.usage ?? null;
}

/**
 * Polls `probe(args)` in the page until it returns at least `target`.
 * @param {import('@playwright/test').Page} page
 * @param {(args: any) => Promise<number>} probe
 * @param {any} args
 * @param {number} target
 * @param {number} timeoutMs
 */
async function waitFor(page, probe, args, target, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await page.evaluate(probe, args);
    if (value >= target) return;
    if (Date.now() > deadline)
      throw new Error(`${probe.name}: ${value} of ${target} after ${timeoutMs} ms`);
    await sleep(100);
  }
}

/**
 * Page: opens the room (its hash); resolves with the ms until the newest message is shown and
 * how many messages the log then holds.
 * @param {{ hash: string, last: string, timeoutMs: number }} args
 */
function openRoom({ hash, last, timeoutMs }) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const shown = () => {
      const articles = document.querySelectorAll('[role="log"] article');
      const newest = articles[articles.length - 1];
      return (
        !!newest && newest.textContent?.includes(last) && newest.getBoundingClientRect().height > 0
      );
    };
    const check = () => {
      if (shown()) {
        const ms = performance.now() - t0;
        resolve({ ms, articles: document.querySelectorAll('[role="log"] article').length });
      } else if (performance.now() - t0 > timeoutMs)
        reject(new Error('the room did not show its newest message'));
      else requestAnimationFrame(check);
    };
    location.hash = hash;
    requestAnimationFrame(check);
  });
}

/**
 * Page: types `query` into Search messages and resolves with the ms until results are shown.
 * @param {Element} element
 * @param {{ query: string, timeoutMs: number }} args
 */
function searchFor(element, { query, timeoutMs }) {
  const box = /** @type {HTMLInputElement} */ (element);
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const check = () => {
      const options = document.querySelectorAll('#search-results [role="option"]');
      if (options.length > 0) resolve({ ms: performance.now() - t0, results: options.length });
      else if (performance.now() - t0 > timeoutMs) reject(new Error(`no results for ${query}`));
      else requestAnimationFrame(check);
    };
    box.focus();
    box.value = query;
    box.dispatchEvent(new Event('input', { bubbles: true }));
    requestAnimationFrame(check);
  });
}

/**
 * Runs `action` under V8's sampling profiler (0.2 ms) in `page`: its result, the profile's total,
 * idle, program (native: IPC, IndexedDB replies, rendering), GC and script time, and the six
 * script functions with the most self time (support/cpu-profile.mjs, positions mapped to sources).
 * @template T
 * @param {import('@playwright/test').Page} page
 * @param {() => Promise<T>} action
 */
async function profiled(page, action) {
  const stop = await startProfiler(page, 200);
  /** @type {any} */
  let result;
  /** @type {unknown} */
  let failure = null;
  try {
    result = await action();
  } catch (error) {
    failure = error ?? new Error('failed');
  }
  const summary = summarizeProfile(await stop(), 40);
  if (failure) throw failure;
  const scriptMs = summary.sampledMs - summary.idleMs - summary.programMs - summary.gcMs;
  const top = summary.topSelf.filter((e) => !e.fn.startsWith('(')).slice(0, 6);
  return {
    result,
    totalMs: summary.sampledMs,
    idleMs: summary.idleMs,
    programMs: summary.programMs,
    gcMs: summary.gcMs,
    scriptMs,
    top,
  };
}

/**
 * Page, after a reload with the index cleared: polls the index's saved state every 25 ms; resolves
 * with when the build started (the indexer saved its fresh state) and when it said done, in ms
 * since the navigation, and how many polls saw it under way.
 * @param {{ timeoutMs: number }} args
 */
async function watchBuild({ timeoutMs }) {
  /** @type {IDBDatabase} */
  const db = await new Promise((resolve, reject) => {
    const request = indexedDB.open('parley');
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  try {
    const t0 = performance.now();
    /** @type {number | null} */
    let startedMs = null;
    let polls = 0;
    for (;;) {
      /** @type {{ isDone?: boolean } | undefined} */
      const state = await new Promise((resolve, reject) => {
        const request = db
          .transaction('searchState', 'readonly')
          .objectStore('searchState')
          .get('build');
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      const now = performance.now();
      if (state && startedMs === null) startedMs = now;
      if (state?.isDone === true) return { startedMs: startedMs ?? now, doneMs: now, polls };
      if (state) polls += 1;
      if (now - t0 > timeoutMs) throw new Error('the index build did not finish');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  } finally {
    db.close();
  }
}

/**
 * Page: the conversation's texts in display order, and the ms reading them took.
 * @param {string} conv
 */
async function loadTexts(conv) {
  const t0 = performance.now();
  /** @type {IDBDatabase} */
  const db = await new Promise((resolve, reject) => {
    const request = indexedDB.open('parley');
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  try {
    /** @type {any[]} */
    const rows = await new Promise((resolve, reject) => {
      const index = db.transaction('events', 'readonly').objectStore('events').index('byConvOrder');
      const request = index.getAll(IDBKeyRange.bound([conv], [conv, []]));
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    const texts = rows.filter((e) => e.kind === 'text').map((e) => String(e.body.text));
    return { texts, ms: performance.now() - t0 };
  } finally {
    db.close();
  }
}

/**
 * MiniSearch and FlexSearch over the room's texts in a blank page of its own origin in the same
 * browser (the app's Content-Security-Policy rightly refuses injected scripts): build time, heap,
 * query time, saving and loading the index; FlexSearch also on its IndexedDB adapter (build,
 * commit, query, bytes on disk). Parley's index is measured in the app.
 * @param {import('@playwright/test').Browser} browser
 * @param {string[]} texts
 * @param {number} timeoutMs for each library step in the page
 */
async function compareLibraries(browser, texts, timeoutMs) {
  const context = await browser.newContext();
  try {
    await context.route(`${LIBRARY_ORIGIN}/**`, (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: '<!doctype html><meta charset="utf-8"><title>libraries</title>',
      }),
    );
    const page = await context.newPage();
    await page.goto(`${LIBRARY_ORIGIN}/`);
    const cdp = await context.newCDPSession(page);
    const heapMiB = async () => {
      await cdp.send('HeapProfiler.collectGarbage');
      const { usedSize } = await cdp.send('Runtime.getHeapUsage');
      return usedSize / 2 ** 20;
    };
    await page.addScriptTag({
      path: path.join(REPO_ROOT, 'node_modules/minisearch/dist/umd/index.js'),
    });
    await page.addScriptTag({
      path: path.join(REPO_ROOT, 'node_modules/flexsearch/dist/flexsearch.bundle.min.js'),
    });
    await page.evaluate((all) => {
      /** @type {any} */ (window).__texts = all;
    }, texts);
    const step = (/** @type {string} */ what, /** @type {Promise<any>} */ promise) =>
      withTimeout(promise, timeoutMs, what);

    const heapBefore = await heapMiB();
    const mini = await step('MiniSearch', page.evaluate(buildMini));
    const heapMini = await heapMiB();
    const flex = await step('FlexSearch', page.evaluate(buildFlex));
    const heapFlex = await heapMiB();
    const queries = await page.evaluate(queryLibraries, QUERIES);
    // The in-memory indexes go before the one on IndexedDB is measured.
    await page.evaluate(() => {
      const w = /** @type {any} */ (window);
      w.__mini = null;
      w.__flex = null;
    });
    const heapFreed = await heapMiB();
    /** @type {any} */
    let flexDb;
    try {
      flexDb = await step('FlexSearch on IndexedDB', page.evaluate(buildFlexDb)).catch(
        async (/** @type {unknown} */ error) => {
          const progress = await page.evaluate(() => /** @type {any} */ (window).__flexDbProgress);
          const done = progress?.at(-1);
          throw new Error(
            `${Math.round(timeoutMs / 1000)} s: ${done?.committed ?? 0} of ${texts.length} ` +
              'committed by then' +
              (progress?.length > 1
                ? ` (${progress.map((/** @type {any} */ p) => `${p.committed / 1000}k at ${(p.ms / 1000).toFixed(0)} s`).join(', ')})`
                : '') +
              ` — ${error instanceof Error ? error.message : String(error)}`,
          );
        },
      );
      flexDb.heapMiB = round2((await heapMiB()) - heapFreed);
      flexDb.queries = await step(
        'FlexSearch on IndexedDB queries',
        page.evaluate(queryFlexDb, QUERIES),
      );
      flexDb.query = percentileSummary(flexDb.queries.map((/** @type {any} */ q) => q.ms));
    } catch (error) {
      flexDb = { error: error instanceof Error ? error.message : String(error) };
    }
    return {
      documents: texts.length,
      minisearch: {
        buildMs: round2(mini.buildMs),
        heapMiB: round2(heapMini - heapBefore),
        serializeMs: round2(mini.serializeMs),
        serializedBytes: mini.serializedBytes,
        loadMs: round2(mini.loadMs),
        query: roundFields(percentileSummary(queries.map((q) => q.miniMs)), round4),
      },
      flexsearch: {
        buildMs: round2(flex.buildMs),
        heapMiB: round2(heapFlex - heapMini),
        exportMs: round2(flex.exportMs),
        exportedBytes: flex.exportedBytes,
        query: roundFields(percentileSummary(queries.map((q) => q.flexMs)), round4),
      },
      flexsearchIndexedDb: flexDb,
      queries: queries.map((q) => ({ ...q, miniMs: round4(q.miniMs), flexMs: round4(q.flexMs) })),
    };
  } finally {
    await context.close();
  }
}

/**
 * Page: MiniSearch over window.__texts (prefix search as Parley does for the last word), saved
 * with JSON.stringify and loaded back with MiniSearch.loadJSON, as a page would at every start.
 */
function buildMini() {
  const w = /** @type {any} */ (window);
  const options = { fields: ['text'], idField: 'id' };
  const t0 = performance.now();
  const index = new w.MiniSearch(options);
  index.addAll(
    w.__texts.map((/** @type {string} */ text, /** @type {number} */ id) => ({ id, text })),
  );
  const buildMs = performance.now() - t0;
  const t1 = performance.now();
  const serialized = JSON.stringify(index);
  const serializeMs = performance.now() - t1;
  const t2 = performance.now();
  w.MiniSearch.loadJSON(serialized, options);
  const loadMs = performance.now() - t2;
  w.__mini = index;
  return { buildMs, serializeMs, serializedBytes: new Blob([serialized]).size, loadMs };
}

/** Page: FlexSearch (forward tokenizer: prefixes) over window.__texts, and its export. */
async function buildFlex() {
  const w = /** @type {any} */ (window);
  const t0 = performance.now();
  const index = new w.FlexSearch.Index({ tokenize: 'forward' });
  w.__texts.forEach((/** @type {string} */ text, /** @type {number} */ id) => index.add(id, text));
  const buildMs = performance.now() - t0;
  let exportedBytes = 0;
  const t1 = performance.now();
  await index.export((/** @type {string} */ key, /** @type {string | undefined} */ data) => {
    exportedBytes += new Blob([key, data ?? '']).size;
  });
  const exportMs = performance.now() - t1;
  w.__flex = index;
  return { buildMs, exportMs, exportedBytes };
}

/**
 * Page: FlexSearch on its own IndexedDB adapter (the library's persistent index): every text
 * added, then committed; the bytes the origin's storage grew by.
 */
async function buildFlexDb() {
  const w = /** @type {any} */ (window);
  const usage = async () => (await navigator.storage.estimate()).usage ?? 0;
  const before = await usage();
  const t0 = performance.now();
  const index = new w.FlexSearch.Index({ tokenize: 'forward' });
  await index.mount(new w.FlexSearch.IndexedDB('flexsearch-bench'));
  const texts = /** @type {string[]} */ (w.__texts);
  // Committed in steps, as an app adding messages as they come would; progress kept for a timeout.
  /** @type {{ committed: number, ms: number }[]} */
  const progress = [];
  w.__flexDbProgress = progress;
  for (let i = 0; i < texts.length; i += 1000) {
    texts.slice(i, i + 1000).forEach((text, k) => index.add(i + k, text));
    await index.commit();
    const committed = Math.min(texts.length, i + 1000);
    if (committed % 10_000 === 0) progress.push({ committed, ms: performance.now() - t0 });
  }
  const buildMs = performance.now() - t0;
  w.__flexDb = index;
  return { buildMs, storageBytes: (await usage()) - before };
}

/**
 * Page: each query through the in-memory libraries: ms (the mean of as many calls as fill 20 ms,
 * at least 5: the page's clock ticks in 0.1 ms steps) and how many results (up to 50, as Parley
 * shows).
 * @param {string[]} queries
 */
function queryLibraries(queries) {
  const w = /** @type {any} */ (window);
  /** @param {() => any[]} search @returns {{ ms: number, found: any[] }} */
  const time = (search) => {
    let found = search();
    let calls = 0;
    const t0 = performance.now();
    while (calls < 5 || (performance.now() - t0 < 20 && calls < 100_000)) {
      found = search();
      calls += 1;
    }
    return { ms: (performance.now() - t0) / calls, found };
  };
  return queries.map((query) => {
    const mini = time(() =>
      w.__mini.search(query, { prefix: true, combineWith: 'AND' }).slice(0, 50),
    );
    const flex = time(() => w.__flex.search(query, { limit: 50 }));
    return {
      query,
      miniMs: mini.ms,
      miniResults: mini.found.length,
      flexMs: flex.ms,
      flexResults: flex.found.length,
    };
  });
}

/**
 * Page: each query through FlexSearch on IndexedDB.
 * @param {string[]} queries
 */
async function queryFlexDb(queries) {
  const w = /** @type {any} */ (window);
  const out = [];
  for (const query of queries) {
    const t0 = performance.now();
    const found = await w.__flexDb.search(query, { limit: 50 });
    out.push({ query, ms: performance.now() - t0, results: found.length });
  }
  return out;
}

/**
 * @param {any[]} runs
 * @param {{ machine: any, build: any, loadAverageAtStart: number[], loadAverageAtEnd: number[], totalSeconds: number, environment: { isLoopbackOnly: boolean } }} context
 */
function renderMarkdown(runs, context) {
  const { machine, build, loadAverageAtStart, loadAverageAtEnd, totalSeconds, environment } =
    context;
  const verdict = (/** @type {number} */ value, /** @type {number} */ goal) =>
    value < goal ? 'pass' : '**fail**';
  const largest = runs.at(-1);
  const lines = [
    '# History: a long room, search and the index',
    '',
    `${machine.date} · ${machine.cpuModel} (${machine.cores} cores) · Node ${machine.node} · ` +
      `Chromium ${machine.chromium}` +
      (environment.isLoopbackOnly ? ' · loopback-only network namespace' : '') +
      ` · load average at start ${loadAverageAtStart.join(' / ')}, at end ` +
      `${loadAverageAtEnd.join(' / ')} (the machine is shared) · the whole run took ${totalSeconds} s`,
    '',
    `Build under test: commit ${build.commit?.slice(0, 7) ?? 'unknown'}` +
      (build.uncommittedSourceFiles
        ? ` (${build.uncommittedSourceFiles} web/signal files changed since)`
        : ', web/ and signal/ unchanged') +
      `, dist/web built ${build.webBuiltAt ?? 'unknown'}.`,
    '',
    markdownTable(
      [
        'Messages in the room',
        'filled through the composer',
        'open → newest shown p50 / p90 ms',
        'search → results p50 / p90 ms (after the 120 ms debounce: p50)',
        'index build of the existing history',
        'JS heap, list / room open MiB',
        'IndexedDB bytes/msg',
      ],
      runs.map((r) => [
        r.size.toLocaleString('en'),
        `${r.fill.seconds} s (${Math.round(r.fill.messagesPerSecond)} msg/s)`,
        `${ms(r.openMs.p50)} / ${ms(r.openMs.p90)}`,
        `${ms(r.search.p50)} / ${ms(r.search.p90)} (${ms(r.search.afterDebounceP50)})`,
        `${r.rebuild.seconds} s, ${Math.round(r.rebuild.messagesPerSecond).toLocaleString('en')} msg/s`,
        `${r.heapMiB.home} / ${r.heapMiB.roomOpen}`,
        r.storage.bytesPerMessage === null ? '–' : r.storage.bytesPerMessage.toLocaleString('en'),
      ]),
      ['r', 'r', 'r', 'r', 'r', 'r', 'r'],
    ),
    '',
    markdownTable(
      ['Goal (issue 17, at 100,000 messages)', 'messages', 'measured p50', 'goal', 'result'],
      runs.flatMap((r) => [
        [
          'room opened → newest message visible',
          r.size.toLocaleString('en'),
          `${ms(r.openMs.p50)} ms`,
          `< ${GOALS.openP50Ms} ms`,
          verdict(r.openMs.p50, GOALS.openP50Ms) +
            (r.size === GOALS.atSize ? '' : ' (not the goal’s size)'),
        ],
        [
          'search → results shown (120 ms debounce included)',
          r.size.toLocaleString('en'),
          `${ms(r.search.p50)} ms`,
          `< ${GOALS.searchP50Ms} ms`,
          verdict(r.search.p50, GOALS.searchP50Ms) +
            (r.size === GOALS.atSize ? '' : ' (not the goal’s size)'),
        ],
      ]),
    ),
    '',
    `Searches at ${largest?.size.toLocaleString('en') ?? '–'} messages (the warm-up query ` +
      `“${WARM_UP_QUERY}”, which also loads the results panel: ${ms(largest?.firstSearch.ms ?? NaN)} ms):`,
    '',
    markdownTable(
      [
        'query',
        'results shown ms',
        'matches in the room',
        'shown',
        'the newest matches?',
        'MiniSearch',
        'FlexSearch',
        'FlexSearch on IndexedDB',
      ],
      (largest?.search.samples ?? []).map((/** @type {any} */ s, /** @type {number} */ i) => {
        const lib = largest?.libraries.queries[i];
        const db = largest?.libraries.flexsearchIndexedDb.queries?.[i];
        return [
          s.query,
          ms(s.ms),
          s.matchesInRoom.toLocaleString('en'),
          String(s.results),
          s.areNewestShown
            ? 'yes'
            : `**no**: ${s.newestAmongShown} of the newest ${Math.min(MAX_RESULTS, s.matchesInRoom)}`,
          String(lib?.miniResults ?? '–'),
          String(lib?.flexResults ?? '–'),
          String(db?.results ?? '–'),
        ];
      }),
      ['l', 'r', 'r', 'r', 'l', 'r', 'r', 'r'],
    ),
    '',
    '## Parley’s own index against MiniSearch and FlexSearch (same texts, same browser)',
    '',
    markdownTable(
      [
        'Messages',
        'index',
        'build ms (÷ Parley’s)',
        'query p50 ms (÷ Parley’s)',
        'heap MiB',
        'kept across reloads',
        'at every start',
      ],
      runs.flatMap((r) => libraryRows(r)),
      ['r', 'l', 'r', 'r', 'r', 'l', 'l'],
    ),
    '',
    ...recommendation(runs),
    '',
    '## How',
    '',
    '- Each size is a fresh browser context: onboarded, one new room, filled through the composer ' +
      '(value set, Enter dispatched, next once it cleared; at most 2,000 ahead of the store, as the ' +
      'outbox journals unstored messages in localStorage), so every message is signed, stored and ' +
      'indexed by the app’s own code — no test hook, no write into IndexedDB from outside. The ' +
      'composer clears at once and the app signs and stores what queued up meanwhile in one ' +
      'transaction, so this is also the store’s batch path. Texts are 5–14 words drawn evenly ' +
      'from 95 everyday English words (so every word is in about one message in ten: long posting ' +
      'lists, a hard case for any index), a Chinese phrase in every seventh message, a rare word ' +
      '(`needle<k>`) in every thousandth, and the message’s number (`#<i>`) at the end.',
    '- Open: from `location.hash` set to the room (from the conversation list) until the log’s last ' +
      '`article` holds the newest text and has a size (checked every animation frame); one sample ' +
      'per open, the list shown for 200 ms between.',
    '- Search: from the input event in **Search messages** until the **Search results** listbox ' +
      'has an option (checked every animation frame); the box is emptied between queries. Parley ' +
      'waits 120 ms after the last keystroke before it searches, so that is part of every sample; ' +
      'the p50 after it is shown in brackets. The shown results (by the `#<i>` at the end of each ' +
      'snippet) are compared with the newest 50 matches computed from the texts.',
    '- Index build: once every message is stored (the live index, which follows the store, is ' +
      'usually behind by then), the three search stores are cleared and the page reloaded; the ' +
      'index’s saved state is polled every 25 ms from when the indexer starts (it loads 2 s ' +
      'after the first screen) until it says done (batches of 250 events, the page free between ' +
      'them), and every message must then be in it. msg/s = messages ÷ that time. Open and ' +
      'search are measured after it, on the complete index, in the reloaded page.',
    '- Heap: `Runtime.getHeapUsage` after `HeapProfiler.collectGarbage`, on the conversation list ' +
      'and with the room open. Storage: `navigator.storage.estimate()` once the index is built, ' +
      'minus before filling, per message: the event, its display index entry, its search doc and ' +
      'postings, as Chromium’s LevelDB files hold them then (what compaction has not yet dropped ' +
      'counts too).',
    '- Libraries: the same texts read back from IndexedDB, indexed in a blank page of its own ' +
      'origin in the same browser: MiniSearch 7 (prefix search, AND), FlexSearch 0.8 (forward ' +
      'tokenizer) in memory, and FlexSearch on its IndexedDB adapter (added and committed 1,000 ' +
      'at a time). Query time is the call alone (no UI); Parley’s is the UI’s time after the ' +
      'debounce, rendering included, so the ratios favour the libraries. Build ratios compare ' +
      'with Parley’s background build (read from IndexedDB, tokenized, written back, yielding ' +
      'between batches). Heap: after GC, with the index minus without.',
    '',
    '## Where the time goes',
    '',
    'Chromium’s `Performance.getMetrics` read before and after each phase: the time in ' +
      'main-thread tasks (script, style, layout, other: IndexedDB replies, paint, input) and the ' +
      'main thread’s CPU time. Tasks well above CPU mean the thread had work but waited for a ' +
      'core: the machine has 2 and is shared, so the wall times here are upper bounds.',
    '',
    ...whereTimeGoes(runs),
    '',
    ...profileLines(runs),
    '',
    '## Notes',
    '',
    ...notes(runs),
  ];
  return lines.join('\n');
}

/** @param {any} r one size's result */
function libraryRows(r) {
  const parleyBuildMs = r.rebuild.seconds * 1000;
  const parleyQueryMs = r.search.afterDebounceP50;
  const lib = r.libraries;
  const db = lib.flexsearchIndexedDb;
  const mib = (/** @type {number} */ bytes) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  return [
    [
      r.size.toLocaleString('en'),
      'Parley (own inverted index in IndexedDB)',
      `${Math.round(parleyBuildMs)} (1×)`,
      `${ms(parleyQueryMs)} (1×; UI, rendering included)`,
      '≈ 0 (on disk; app heap with the room open: ' + `${r.heapMiB.roomOpen})`,
      'yes: written as messages are stored',
      'nothing',
    ],
    [
      '',
      'MiniSearch 7 (memory)',
      `${Math.round(lib.minisearch.buildMs)} (${ratio(lib.minisearch.buildMs, parleyBuildMs)})`,
      `${ms(lib.minisearch.query.p50)} (${ratio(lib.minisearch.query.p50, parleyQueryMs)})`,
      String(lib.minisearch.heapMiB),
      `no: save it whole (JSON ${mib(lib.minisearch.serializedBytes)}, ` +
        `${Math.round(lib.minisearch.serializeMs)} ms to serialize)`,
      `load it (${Math.round(lib.minisearch.loadMs)} ms) or read every message ` +
        `(${Math.round(r.readAllMs)} ms) and rebuild`,
    ],
    [
      '',
      'FlexSearch 0.8 (memory, forward)',
      `${Math.round(lib.flexsearch.buildMs)} (${ratio(lib.flexsearch.buildMs, parleyBuildMs)})`,
      `${ms(lib.flexsearch.query.p50)} (${ratio(lib.flexsearch.query.p50, parleyQueryMs)})`,
      String(lib.flexsearch.heapMiB),
      `no: export it whole (${mib(lib.flexsearch.exportedBytes)}, ` +
        `${Math.round(lib.flexsearch.exportMs)} ms)`,
      'import it, or read every message and rebuild',
    ],
    db.error
      ? [
          '',
          'FlexSearch 0.8 on its IndexedDB adapter',
          `did not finish: ${db.error}`,
          '',
          '',
          '',
          '',
        ]
      : [
          '',
          'FlexSearch 0.8 on its IndexedDB adapter',
          `${Math.round(db.buildMs)} (${ratio(db.buildMs, parleyBuildMs)})`,
          `${ms(db.query.p50)} (${ratio(db.query.p50, parleyQueryMs)})`,
          String(db.heapMiB),
          `yes (${Math.round(db.storageBytes / r.size)} bytes/msg on disk)`,
          'nothing',
        ],
  ];
}

/** @param {any[]} runs */
function recommendation(runs) {
  const r = runs.at(-1);
  if (!r) return [];
  const lib = r.libraries;
  const db = lib.flexsearchIndexedDb;
  const size = r.size.toLocaleString('en');
  const mib = (/** @type {number} */ bytes) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  const parleyBuildMs = r.rebuild.seconds * 1000;
  const parleyQueryMs = r.search.afterDebounceP50;
  /** "3.1× faster" or "1.5× slower": how `a` compares with Parley's `b` (times: lower is faster). */
  const than = (/** @type {number} */ a, /** @type {number} */ b) =>
    a === 0 || b === 0
      ? '(not measurable)'
      : a <= b
        ? `${Number((b / a).toPrecision(2))}× faster`
        : `${Number((a / b).toPrecision(2))}× slower`;
  const query = (/** @type {string} */ q) =>
    r.search.samples.find((/** @type {any} */ s) => s.query === q);
  const queryIndex = (/** @type {string} */ q) =>
    r.search.samples.findIndex((/** @type {any} */ s) => s.query === q);
  const park = query('公园');
  const parkLib = lib.queries[queryIndex('公园')];
  const cafeLib = lib.queries[queryIndex('cafe')];
  const finished = runs.filter((x) => !x.libraries.flexsearchIndexedDb.error).at(-1);
  const finishedDb = finished?.libraries.flexsearchIndexedDb;
  const flexDbLine = db.error
    ? `- FlexSearch on its IndexedDB adapter (the persistent kind, like ours) did not finish ` +
      `building at ${size} within ${db.error}` +
      (finished
        ? `. At ${finished.size.toLocaleString('en')} it built in ` +
          `${Math.round(finishedDb.buildMs)} ms (${ratio(finishedDb.buildMs, finished.rebuild.seconds * 1000)} ` +
          `Parley’s build) and answered in ${ms(finishedDb.query.p50)} ms: each commit reads and ` +
          'rewrites the whole id list of every word it touches, so its build grows faster than the ' +
          'history.'
        : '.')
    : `- FlexSearch on its IndexedDB adapter is the fair rival (on disk, incremental, nothing to ` +
      `load at start): at ${size} it built ${than(db.buildMs, parleyBuildMs)} than Parley’s ` +
      `background build (${Math.round(db.buildMs)} ms) and answered ` +
      `${than(db.query.p50, parleyQueryMs)} (${ms(db.query.p50)} ms p50, the call alone against ` +
      `Parley’s UI time), with ${Math.round(db.storageBytes / r.size).toLocaleString('en')} ` +
      'bytes per message on disk: one record per word holding every message id, where Parley ' +
      'writes one key per word and message.';
  return [
    '### Recommendation: keep Parley’s own index (and make its build faster)',
    '',
    `- In memory, at ${size} messages, MiniSearch builds ${than(lib.minisearch.buildMs, parleyBuildMs)} ` +
      `than Parley’s background build and answers ${than(lib.minisearch.query.p50, parleyQueryMs)}; ` +
      `FlexSearch ${than(lib.flexsearch.buildMs, parleyBuildMs)} and ` +
      `${than(lib.flexsearch.query.p50, parleyQueryMs)}. But an index in memory costs ` +
      `${lib.minisearch.heapMiB} MiB (MiniSearch) or ${lib.flexsearch.heapMiB} MiB (FlexSearch) of ` +
      `heap next to the app’s ${r.heapMiB.roomOpen} MiB with the room open, and it must come back ` +
      `at every start: ${Math.round(lib.minisearch.loadMs)} ms to parse a ${mib(lib.minisearch.serializedBytes)} ` +
      `saved MiniSearch index (and ${Math.round(lib.minisearch.serializeMs)} ms to write it whole ` +
      `again after changes), or ${Math.round(r.readAllMs)} ms to read every message back plus the ` +
      'build — main-thread work that grows with the history, before the first search, which is ' +
      'what the lazy-loaded, on-disk design avoids.',
    flexDbLine,
    `- Neither library, as configured, finds a Chinese word inside a phrase: 公园 matches ` +
      `${park?.matchesInRoom.toLocaleString('en') ?? '–'} messages; Parley shows ` +
      `${park?.results ?? '–'}, MiniSearch ${parkLib?.miniResults ?? '–'}, FlexSearch ` +
      `${parkLib?.flexResults ?? '–'}; MiniSearch does not fold accents either (cafe: ` +
      `${cafeLib?.miniResults ?? '–'} results). Either needs Parley’s tokenizer plugged in, and ` +
      'neither knows edits, deletions, per-conversation narrowing or newest-first order: that ' +
      'code stays ours whichever index holds the postings.',
    '- So the choice by these numbers: no library in memory (start-up and heap grow with the ' +
      'history); Parley’s index stays, and its weak point is the build’s throughput (one ' +
      'IndexedDB write per posting). Grouping postings per word and batch, as FlexSearch’s adapter ' +
      'does, is the lead to follow if the build must get faster; the open and search goals are ' +
      'judged in the tables above.',
  ];
}

/** @param {any[]} runs */
function whereTimeGoes(runs) {
  /** @param {Record<string, number>} t */
  const split = (t) =>
    `tasks ${ms(t.taskMs)} ms: script ${ms(t.scriptMs)}, style ${ms(t.styleMs)}, layout ` +
    `${ms(t.layoutMs)}, other ${ms(t.otherMs)}; main-thread CPU ${ms(t.threadCpuMs)} ms`;
  return runs.flatMap((r) => {
    const perOpen = averageMainThread(r.opens.map((/** @type {any} */ o) => o.mainThread));
    const perSearch = averageMainThread(
      r.search.samples.map((/** @type {any} */ s) => s.mainThread),
    );
    const build = r.rebuild.mainThread;
    const articles = r.opens[0]?.articles ?? 0;
    return [
      `- ${r.size.toLocaleString('en')} messages (load average ${r.loadAverage.join(' / ')} ` +
        `at the start of this size). **Open** (mean ${ms(r.openMs.mean)} ms, ${articles} ` +
        `messages rendered in the log): around each, ${split(perOpen)}. **Search** (mean ` +
        `${ms(r.search.mean)} ms, 120 of it the debounce): ${split(perSearch)}; slowest ` +
        `${slowest(r.search.samples)}. **Build** (${r.rebuild.seconds} s): over the ` +
        `${ms(r.rebuild.mainThreadWindowMs)} ms from the reloaded page’s load to the build’s ` +
        `end (the indexer starts 2 s after the first screen), ${split(build)}.`,
    ];
  });
}

/** @param {any[]} runs the largest size's profiles, when taken */
function profileLines(runs) {
  const r = runs.find((x) => x.profiles);
  if (!r) return [];
  /** @param {string} what @param {any} p */
  const line = (what, p) =>
    `- ${what}: ${ms(p.totalMs)} ms profiled — idle ${ms(p.idleMs)}, native (program: ` +
    `IndexedDB replies, style, layout, paint) ${ms(p.programMs)}, GC ${ms(p.gcMs)}, script ` +
    `${ms(p.scriptMs)}; most script self time: ` +
    p.top
      .map((/** @type {any} */ t) => `${t.fn}${t.at ? ` (${t.at})` : ''} ${ms(t.selfMs)} ms`)
      .join('; ') +
    '.';
  return [
    '',
    `V8 sampling profile (0.2 ms) of one more open and one more search (“${PROFILED_QUERY}”) at ` +
      `${r.size.toLocaleString('en')} messages, not among the samples above (open took ` +
      `${ms(r.profiles.open.result?.ms ?? NaN)} ms, the search ` +
      `${ms(r.profiles.search.result?.ms ?? NaN)} ms under the profiler):`,
    '',
    line('Open', r.profiles.open),
    line('Search', r.profiles.search),
  ];
}

/** @param {any[]} samples */
function slowest(samples) {
  const s = [...samples].sort((a, b) => b.ms - a.ms)[0];
  return s ? `“${s.query}” ${ms(s.ms)} ms (${s.matchesInRoom.toLocaleString('en')} matches)` : '–';
}

/** @param {any[]} list main-thread deltas @returns {Record<string, number>} */
function averageMainThread(list) {
  /** @type {Record<string, number>} */
  const sum = {};
  for (const item of list) {
    for (const [key, value] of Object.entries(item)) sum[key] = (sum[key] ?? 0) + value;
  }
  return Object.fromEntries(
    Object.entries(sum).map(([key, value]) => [key, value / Math.max(1, list.length)]),
  );
}

/** @param {any[]} runs */
function notes(runs) {
  return runs.map(
    (r) =>
      `- ${r.size.toLocaleString('en')}: filled in ${r.fill.seconds} s (the composer took the ` +
      `last one after ${r.fill.sentSeconds} s); the live index held ` +
      `${r.fill.liveIndexedWhenStored.toLocaleString('en')} of them when the last was stored; ` +
      `storage ${mibOrDash(r.storage.usageAfter)} once indexed; heap after the searches ` +
      `${r.heapMiB.afterSearches} MiB; reading every message back ${Math.round(r.readAllMs)} ms; ` +
      `this size took ${r.seconds} s.`,
  );
}

/** @param {number | null} bytes */
function mibOrDash(bytes) {
  return bytes === null ? '–' : `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

/** @param {number} x milliseconds, to a readable precision */
function ms(x) {
  if (!Number.isFinite(x)) return '–';
  if (x < 1) return String(Number(x.toPrecision(2)));
  return x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : String(Math.round(x));
}

/** @param {number} a @param {number} b a ÷ b, to 2 significant digits */
function ratio(a, b) {
  if (a === 0 || b === 0) return '–';
  return `${Number((a / b).toPrecision(2))}×`;
}
