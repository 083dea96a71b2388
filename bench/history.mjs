// `npm run bench -- history [--sizes 1000,10000,100000] [--opens 10] [--fill-budget-s 900]
// [--timeout-ms 600000]`: a long history (issue 17). For each size, one person fills a room through
// the composer (the app's own path: signed, stored, indexed as it is stored), then: room opened →
// newest message visible; Search messages → results shown; the background index build of an
// existing history (index cleared, page reloaded); JS heap; IndexedDB bytes per message; and, on
// the same texts in the same page, MiniSearch and FlexSearch against Parley's own index.
import { loadavg } from 'node:os';
import path from 'node:path';
import {
  REPO_ROOT,
  buildInfo,
  importE2eModule,
  launchChromium,
  machineInfo,
  markdownTable,
  openUser,
  parseOptions,
  percentileSummary,
  round2,
  sleep,
  startSignalServer,
  writeResults,
} from './lib.mjs';

const DEFAULTS = { sizes: '1000,10000,100000', opens: 10, fillBudgetS: 900, timeoutMs: 600_000 };
const GOALS = { openP50Ms: 100, searchP50Ms: 150, atSize: 100_000 };
/** Search queries: common words, a prefix, accents folded, Chinese, a rare word, two words. */
const QUERIES = [
  'dinner',
  'tomorrow',
  'phot',
  'cafe',
  '下午',
  '公园',
  'needle0',
  'meeting notes',
  'remember',
  'garden',
];
/** Parley's search waits this long after the last keystroke (features/search/search-limits.ts). */
const SEARCH_DEBOUNCE_MS = 120;

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
  const machine = machineInfo({ browserVersion: browser.version() });
  const markdown = renderMarkdown(runs, { machine, build, loadAverageAtStart, environment });
  const { markdownPath } = writeResults(
    'history',
    { machine, build, loadAverageAtStart, options, goals: GOALS, queries: QUERIES, runs },
    markdown,
  );
  console.info(markdown);
  console.info(`history: wrote ${path.relative(REPO_ROOT, markdownPath)}`);

  /** @param {number} size */
  async function measureSize(size) {
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
        if (seconds > options.fillBudgetS) throw new Error(`filling ${size} took over the budget`);
      }
      await waitFor(page, countRows, { conv, store: 'events' }, size, options.timeoutMs);
      const storedSeconds = (Date.now() - fillStart) / 1000;
      await waitFor(page, countRows, { conv, store: 'searchDocs' }, size, options.timeoutMs);
      const indexedSeconds = (Date.now() - fillStart) / 1000;
      const usageAfter = await page.evaluate(storageUsage);
      console.info(
        `history: ${size}: stored in ${storedSeconds} s, indexed in ${indexedSeconds} s`,
      );

      // Room opened → newest message visible.
      const last = texts.at(-1) ?? '';
      await page.evaluate(() => (location.hash = '#/'));
      await fixtures.expect(fixtures.composer(page)).toBeHidden();
      const heapHome = await heapMiB();
      /** @type {number[]} */
      const openMs = [];
      for (let i = 0; i < options.opens; i += 1) {
        await page.evaluate(() => (location.hash = '#/'));
        await fixtures.expect(fixtures.composer(page)).toBeHidden();
        await sleep(200);
        openMs.push(await page.evaluate(openRoom, { hash: roomHash, last, timeoutMs: 60_000 }));
      }
      const heapOpen = await heapMiB();

      // Search messages → results shown (from the keystroke; the debounce is included).
      /** @type {{ query: string, ms: number, results: number }[]} */
      const searches = [];
      const box = page.getByRole('combobox', { name: 'Search messages' });
      for (const query of QUERIES) {
        await box.fill('');
        await fixtures.expect(page.getByRole('option')).toHaveCount(0);
        await sleep(150);
        searches.push({ query, ...(await box.evaluate(searchFor, { query, timeoutMs: 30_000 })) });
      }
      await box.fill('');

      // The background build of an existing history: the index cleared, the page reloaded.
      await page.evaluate(clearSearchIndex);
      const rebuildStart = Date.now();
      await page.reload();
      await waitFor(page, countRows, { conv, store: 'searchDocs' }, size, options.timeoutMs);
      await waitFor(page, isBuildDone, {}, 1, options.timeoutMs);
      const rebuildSeconds = (Date.now() - rebuildStart) / 1000;
      const usageNoSw = await page.evaluate(storageUsage);

      // Libraries on the same texts in the same page.
      const libraries = await compareLibraries(browser, await page.evaluate(loadTexts, conv));

      const result = {
        size,
        fill: {
          seconds: round2(storedSeconds),
          messagesPerSecond: round2(size / storedSeconds),
          indexedAfterSeconds: round2(indexedSeconds),
        },
        openMs: percentileSummary(openMs),
        openSamples: openMs.map(round2),
        search: {
          ...percentileSummary(searches.map((s) => s.ms)),
          samples: searches.map((s) => ({ ...s, ms: round2(s.ms) })),
        },
        rebuild: {
          seconds: round2(rebuildSeconds),
          messagesPerSecond: round2(size / rebuildSeconds),
        },
        heapMiB: { home: heapHome, roomOpen: heapOpen },
        storage: {
          usageBefore,
          usageAfter,
          usageAfterRebuild: usageNoSw,
          bytesPerMessage:
            usageAfter && usageBefore ? Math.round((usageAfter - usageBefore) / size) : null,
        },
        libraries,
      };
      console.info(
        `history: ${size}: ${JSON.stringify({ open: result.openMs, search: result.search.p50 })}`,
      );
      return result;
    } finally {
      await user.context.close();
    }
  }
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

/** Page: 1 once the search index says its background build is done, else 0. */
async function isBuildDone() {
  const db = await new Promise((resolve, reject) => {
    const request = indexedDB.open('parley');
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  try {
    const state = await new Promise((resolve, reject) => {
      const request = db
        .transaction('searchState', 'readonly')
        .objectStore('searchState')
        .get('build');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    return state?.isDone === true ? 1 : 0;
  } finally {
    db.close();
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
 * Page: opens the room (its hash) and resolves with the ms until the newest message is shown.
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
      if (shown()) resolve(performance.now() - t0);
      else if (performance.now() - t0 > timeoutMs)
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
 * MiniSearch and FlexSearch over the room's texts, in a blank page of the same browser (the
 * app's Content-Security-Policy rightly refuses injected scripts): build time, query time, heap,
 * serialized size. Parley's index is measured by the app itself.
 * @param {import('@playwright/test').Browser} browser
 * @param {string[]} texts
 */
async function compareLibraries(browser, texts) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
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
    const heapBefore = await heapMiB();
    const mini = await page.evaluate(buildMini);
    const heapMini = await heapMiB();
    const flex = await page.evaluate(buildFlex);
    const heapFlex = await heapMiB();
    const queries = await page.evaluate(queryLibraries, QUERIES);
    return {
      documents: texts.length,
      minisearch: {
        buildMs: round2(mini.buildMs),
        heapMiB: round2(heapMini - heapBefore),
        serializeMs: round2(mini.serializeMs),
        serializedBytes: mini.serializedBytes,
        query: percentileSummary(queries.map((q) => q.miniMs)),
      },
      flexsearch: {
        buildMs: round2(flex.buildMs),
        heapMiB: round2(heapFlex - heapMini),
        query: percentileSummary(queries.map((q) => q.flexMs)),
      },
      queries: queries.map((q) => ({ ...q, miniMs: round2(q.miniMs), flexMs: round2(q.flexMs) })),
    };
  } finally {
    await context.close();
  }
}

/**
 * Page: the conversation's texts, in display order.
 * @param {string} conv
 */
async function loadTexts(conv) {
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
    return rows.filter((e) => e.kind === 'text').map((e) => String(e.body.text));
  } finally {
    db.close();
  }
}

/** Page: MiniSearch over window.__texts (prefix search as Parley does for the last word). */
function buildMini() {
  const w = /** @type {any} */ (window);
  const t0 = performance.now();
  const index = new w.MiniSearch({ fields: ['text'], idField: 'id' });
  index.addAll(
    w.__texts.map((/** @type {string} */ text, /** @type {number} */ id) => ({ id, text })),
  );
  const buildMs = performance.now() - t0;
  const t1 = performance.now();
  const serialized = JSON.stringify(index);
  const serializeMs = performance.now() - t1;
  w.__mini = index;
  return { buildMs, serializeMs, serializedBytes: serialized.length };
}

/** Page: FlexSearch (forward tokenizer: prefixes) over window.__texts. */
function buildFlex() {
  const w = /** @type {any} */ (window);
  const t0 = performance.now();
  const index = new w.FlexSearch.Index({ tokenize: 'forward' });
  w.__texts.forEach((/** @type {string} */ text, /** @type {number} */ id) => index.add(id, text));
  const buildMs = performance.now() - t0;
  w.__flex = index;
  return { buildMs };
}

/**
 * Page: each query through both libraries: ms and how many results (up to 50, as Parley shows).
 * @param {string[]} queries
 */
function queryLibraries(queries) {
  const w = /** @type {any} */ (window);
  return queries.map((query) => {
    const t0 = performance.now();
    const mini = w.__mini.search(query, { prefix: true, combineWith: 'AND' }).slice(0, 50);
    const miniMs = performance.now() - t0;
    const t1 = performance.now();
    const flex = w.__flex.search(query, { limit: 50 });
    const flexMs = performance.now() - t1;
    return { query, miniMs, miniResults: mini.length, flexMs, flexResults: flex.length };
  });
}

/**
 * @param {any[]} runs
 * @param {{ machine: any, build: any, loadAverageAtStart: number[], environment: { isLoopbackOnly: boolean } }} context
 */
function renderMarkdown(runs, { machine, build, loadAverageAtStart, environment }) {
  const at = runs.find((r) => r.size === GOALS.atSize);
  const verdict = (/** @type {number | undefined} */ value, /** @type {number} */ goal) =>
    value === undefined ? 'not measured' : value < goal ? 'pass' : '**fail**';
  const lines = [
    '# History: a long room, search and the index',
    '',
    `${machine.date} · ${machine.cpuModel} (${machine.cores} cores) · Node ${machine.node} · ` +
      `Chromium ${machine.chromium}` +
      (environment.isLoopbackOnly ? ' · loopback-only network namespace' : '') +
      ` · load average at start ${loadAverageAtStart.join(' / ')}`,
    '',
    `Build under test: commit ${build.commit?.slice(0, 7) ?? 'unknown'}` +
      (build.uncommittedSourceFiles
        ? ` (${build.uncommittedSourceFiles} web/signal files changed since)`
        : '') +
      `, dist/web built ${build.webBuiltAt ?? 'unknown'}.`,
    '',
    markdownTable(
      [
        'Messages in the room',
        'filled, msg/s',
        'open → newest shown p50 / p90 ms',
        'search → results p50 / p90 ms',
        'index build of the existing history',
        'heap home / room open MiB',
        'storage bytes/msg',
      ],
      runs.map((r) => [
        r.size.toLocaleString('en'),
        String(Math.round(r.fill.messagesPerSecond)),
        `${ms(r.openMs.p50)} / ${ms(r.openMs.p90)}`,
        `${ms(r.search.p50)} / ${ms(r.search.p90)}`,
        `${r.rebuild.seconds} s (${Math.round(r.rebuild.messagesPerSecond)} msg/s)`,
        `${r.heapMiB.home} / ${r.heapMiB.roomOpen}`,
        r.storage.bytesPerMessage === null ? '–' : r.storage.bytesPerMessage.toLocaleString('en'),
      ]),
      ['r', 'r', 'r', 'r', 'r', 'r', 'r'],
    ),
    '',
    markdownTable(
      ['Goal (at 100,000 messages)', 'measured', 'goal', 'result'],
      [
        [
          'room opened → newest message visible, p50',
          at ? `${ms(at.openMs.p50)} ms` : '–',
          `< ${GOALS.openP50Ms} ms`,
          verdict(at?.openMs.p50, GOALS.openP50Ms),
        ],
        [
          'search → results shown, p50 (120 ms debounce included)',
          at ? `${ms(at.search.p50)} ms` : '–',
          `< ${GOALS.searchP50Ms} ms`,
          verdict(at?.search.p50, GOALS.searchP50Ms),
        ],
      ],
    ),
    '',
    '## Parley’s own index against MiniSearch and FlexSearch (same texts, same page)',
    '',
    markdownTable(
      [
        'Messages',
        'index',
        'build ms',
        'build time ÷ Parley’s',
        'heap MiB',
        'query p50 ms',
        'serialized',
      ],
      runs.flatMap((r) => [
        [
          r.size.toLocaleString('en'),
          'Parley (IndexedDB, incremental)',
          String(Math.round(r.rebuild.seconds * 1000)),
          '1×',
          '– (on disk)',
          `${ms(r.search.p50 - SEARCH_DEBOUNCE_MS)} (UI, after the debounce)`,
          'nothing to save: it is the store',
        ],
        [
          '',
          'MiniSearch 7 (memory)',
          String(Math.round(r.libraries.minisearch.buildMs)),
          `${ratio(r.libraries.minisearch.buildMs, r.rebuild.seconds * 1000)}`,
          String(r.libraries.minisearch.heapMiB),
          ms(r.libraries.minisearch.query.p50),
          `${(r.libraries.minisearch.serializedBytes / 2 ** 20).toFixed(1)} MiB JSON in ${Math.round(r.libraries.minisearch.serializeMs)} ms`,
        ],
        [
          '',
          'FlexSearch 0.8 (memory, forward)',
          String(Math.round(r.libraries.flexsearch.buildMs)),
          `${ratio(r.libraries.flexsearch.buildMs, r.rebuild.seconds * 1000)}`,
          String(r.libraries.flexsearch.heapMiB),
          ms(r.libraries.flexsearch.query.p50),
          '–',
        ],
      ]),
      ['r', '', 'r', 'r', 'r', 'r', ''],
    ),
    '',
    'Results per query at the largest size (Parley shows at most 50):',
    '',
    markdownTable(
      ['query', 'Parley', 'MiniSearch', 'FlexSearch'],
      (runs.at(-1)?.search.samples ?? []).map((/** @type {any} */ s, /** @type {number} */ i) => {
        const lib = runs.at(-1)?.libraries.queries[i];
        return [
          s.query,
          String(s.results),
          String(lib?.miniResults ?? '–'),
          String(lib?.flexResults ?? '–'),
        ];
      }),
    ),
    '',
    '## How',
    '',
    '- Each size is a fresh browser context: onboarded, one new room, filled through the composer ' +
      '(value set, Enter dispatched, next once it cleared; at most 2,000 ahead of the store, as the ' +
      'outbox journals unstored messages in localStorage), so every message is signed, stored and ' +
      'indexed by the app’s own code. Texts are everyday English words with a Chinese phrase in ' +
      'every seventh message and a rare word (`needle<k>`) in every thousandth.',
    '- Open: from `location.hash` set to the room (from the conversation list) until the log’s last ' +
      '`article` holds the newest text and has a size; one sample per open, the list shown between.',
    '- Search: from the input event in **Search messages** until the **Search results** listbox ' +
      'has an option; the box is emptied between queries. Parley waits 120 ms after the last ' +
      'keystroke before it searches, so that is part of every sample.',
    '- Index build: the three search stores cleared, the page reloaded, until every message is ' +
      'indexed and the build says done (the build yields to the page between batches of 250).',
    '- Heap: `Runtime.getHeapUsage` after `HeapProfiler.collectGarbage`, on the conversation list ' +
      'and with the room open. Storage: `navigator.storage.estimate()` after filling minus before, ' +
      'per message (messages, their index entries and search postings).',
    '- Libraries: the same texts read back from IndexedDB, indexed in memory in the same page; ' +
      'MiniSearch with prefix search and AND, FlexSearch with the forward tokenizer; query time is ' +
      'the call alone (no UI). A library index lives in memory: a page must rebuild it at every ' +
      'start or save and load it whole (the serialized size), while Parley’s is written as messages ' +
      'are stored and read a key range at a time.',
  ];
  return lines.join('\n');
}

/** @param {number} x milliseconds, to a readable precision */
function ms(x) {
  return x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : String(Math.round(x));
}

/** @param {number} a @param {number} b a ÷ b, to 2 significant digits */
function ratio(a, b) {
  return `${Number((a / b).toPrecision(2))}×`;
}
