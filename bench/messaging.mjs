// Messaging: send → rendered-at-peer latency (IndexedDB on both sides included) next to a raw
// RTCDataChannel in the same pages, sustained messages per second, and a late joiner receiving a
// long room history (DESIGN §6, §13; issue 3). `npm run bench -- messaging [--samples 200]
// [--warmup 20] [--interval-ms 30] [--rtt-samples 200] [--throughput 2000] [--history 10000]
// [--history-authors 1] [--history-budget-s 240] [--timeout-ms 120000] [--debug-log] [--profile]
// [--trace]`.
//
// --profile records V8 CPU profiles of Alice's and Bob's pages during the throughput phase
// (test-results/bench-messaging-*.cpuprofile, open in DevTools) and reports the functions with the
// most self time, mapped to web/ sources through dist/web's source maps.
//
// --trace records Chromium traces (test-results/bench-messaging-*.trace.json) of Bob's page during
// the latency phase, of Alice's during the throughput phase (her page is the one that limits it)
// and of Carol's late join (every process: Workers, the service worker, the browser's IndexedDB
// threads), and keeps each main thread's self time by trace event in the JSON result.
//
// All clocks are read inside the pages (performance.timeOrigin + performance.now(), one time line
// for every page of the browser); Node only orchestrates. An init script in every context keeps,
// per bench marker ("PB_<phase>_<n>" in a message's text), when a MutationObserver first saw an
// `article` with it in the page, and when a data-channel frame carrying it was sent or received.
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import {
  REPO_ROOT,
  buildInfo,
  cpuMeter,
  cpuSince,
  formatMs,
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

/** The issue's goals. */
const GOALS = {
  p50Ms: 20,
  p99Ms: 50,
  messagesPerSecond: 2000,
  historyEvents: 10_000,
  historyMs: 3000,
  receiverMsPerMessage: 3,
};

const DEFAULTS = {
  samples: 200,
  warmup: 20,
  intervalMs: 30,
  rttSamples: 200,
  throughput: 2000,
  history: 10_000,
  historyBudgetS: 240,
  /** How many members write the late joiner's history, one after another (Alice first). */
  historyAuthors: 1,
  timeoutMs: 120_000,
  debugLog: false,
  trace: false,
  profile: false,
  /** The results' name: bench/results/<out>.md and .json (e.g. messaging-100k for a long history). */
  out: 'messaging',
};
/** Where `--profile` writes the CPU profiles of the throughput phase (git-ignored). */
const PROFILE_DIR = path.join(REPO_ROOT, 'test-results');

/** Latency and raw RTT alternate in blocks of this many samples, so both see the same drift. */
const BLOCK = 50;
/** How long Bob's idle main-thread work is sampled before the latency phase. */
const IDLE_WINDOW_MS = 2000;

/**
 * @param {string[]} argv
 * @param {{ isLoopbackOnly: boolean }} environment
 */
export default async function messagingBenchmark(argv, environment) {
  const options = parseOptions(argv, DEFAULTS);
  for (const key of /** @type {const} */ (['samples', 'rttSamples', 'throughput', 'history'])) {
    if (!Number.isInteger(options[key]) || options[key] < 0) throw new Error(`--${key} ≥ 0`);
  }
  if (!Number.isInteger(options.historyAuthors) || options.historyAuthors < 1) {
    throw new Error('--history-authors ≥ 1');
  }
  const fixtures = await importE2eModule('fixtures');
  if (options.profile) await loadSourceMapSupport();
  const startedAt = Date.now();
  const loadAverageAtStart = loadavg().map((x) => Math.round(x * 100) / 100);
  const buildAtStart = buildInfo();
  const server = await startSignalServer();
  const { browser, settings } = await launchChromium();
  /** @type {Record<string, number>} */
  const phaseSeconds = {};
  const phase = async (/** @type {string} */ name, /** @type {() => Promise<any>} */ run) => {
    const t = Date.now();
    console.info(`messaging: ${name}…`);
    const result = await run();
    phaseSeconds[name] = (Date.now() - t) / 1000;
    console.info(`messaging: ${name} done in ${phaseSeconds[name].toFixed(1)} s`);
    return result;
  };
  try {
    console.info(
      `messaging: server ${server.baseUrl} (pid ${server.pid}), Chromium ${browser.version()}` +
        (environment.isLoopbackOnly ? ', loopback-only network namespace' : ''),
    );
    const users = await phase('setup', async () => {
      const alice = await openUser(browser, settings, server.baseUrl, 'alice');
      const bob = await openUser(browser, settings, server.baseUrl, 'bob');
      for (const user of [alice, bob]) {
        await user.context.addInitScript(installProbes, { debugLog: options.debugLog });
      }
      await fixtures.onboard(alice.page, 'Alice');
      await fixtures.onboard(bob.page, 'Bob');
      for (const user of [alice, bob]) {
        await fixtures.expect(fixtures.connectionStatus(user.page)).toContainText('Online');
      }
      const link = await fixtures.createRoom(alice.page);
      await fixtures.joinRoom(bob.page, link);
      await fixtures.expectMember(bob.page, 'Alice', 'online');
      await fixtures.expectMember(alice.page, 'Bob', 'online');
      await openRawPair(alice, bob);
      return { alice, bob, link };
    });
    const { alice, bob } = users;

    const latency = await phase('latency + raw RTT', () => measureLatency(alice, bob, options));
    const throughput = await phase('throughput', () =>
      measureThroughput(alice, bob, fixtures.roomKey(users.link), options),
    );
    const history = await phase('late joiner', () =>
      measureHistory(browser, settings, server.baseUrl, alice, fixtures, options),
    );

    const report = buildReport({
      latency,
      throughput,
      history,
      options,
      environment,
      loadAverageAtStart,
      buildAtStart,
      browserVersion: browser.version(),
      phaseSeconds,
      totalSeconds: (Date.now() - startedAt) / 1000,
    });
    console.info(`\n${report.markdown}`);
    const written = writeResults(options.out, report.data, report.markdown);
    console.info(
      `messaging: wrote ${path.relative(REPO_ROOT, written.jsonPath)} and ` +
        path.relative(REPO_ROOT, written.markdownPath),
    );
  } finally {
    await browser.close().catch(() => undefined);
    await server.stop();
  }
}

// ---- Phases ---------------------------------------------------------------------------------

/**
 * Paced single messages Alice → Bob through the composer, alternating in blocks with paced
 * ping-pongs over the bare RTCDataChannel pair.
 * @param {import('./lib.mjs').BenchUser} alice
 * @param {import('./lib.mjs').BenchUser} bob
 * @param {typeof DEFAULTS} options
 */
async function measureLatency(alice, bob, options) {
  /** @type {{ marker: string, isWarmup: boolean, t0: number, clearedAt: number }[]} */
  const sends = [];
  /** @type {{ rtt: number, oneWay: number | null, isWarmup: boolean }[]} */
  const pings = [];
  const total = options.warmup + options.samples;
  const phaseStart = Date.now();
  const cpuBefore = await Promise.all([alice, bob].map((user) => mainThreadTimes(user.page)));
  const rttTotal = options.warmup + options.rttSamples;
  // Bob's main thread while nothing is sent (presence pings, timers): subtracted below.
  const idleBefore = await mainThreadTimes(bob.page);
  const idleStart = performance.now();
  await sleep(IDLE_WINDOW_MS);
  const idle = mainThreadDelta(idleBefore, await mainThreadTimes(bob.page));
  const idleWallMs = performance.now() - idleStart;
  const stopBobProfiler = options.profile ? await startProfiler(bob.page, 200) : null;
  const stopBobTrace = options.trace ? await startTrace(bob.page, 'bob-latency') : null;
  /** Bob's main thread during the measured (not warm-up) Parley blocks only. */
  const receiving = { taskMs: 0, threadCpuMs: 0, wallMs: 0, messages: 0 };
  let sent = 0;
  let pinged = 0;
  while (sent < total || pinged < rttTotal) {
    if (sent < total) {
      const count = Math.min(BLOCK, total - sent);
      const markers = Array.from({ length: count }, (_, i) => marker('L', sent + i));
      const bobBefore = await mainThreadTimes(bob.page);
      const blockStart = performance.now();
      const result = await composerOf(alice).evaluate(sendPaced, {
        markers,
        intervalMs: options.intervalMs,
        timeoutMs: options.timeoutMs,
      });
      for (const [i, r] of result.entries()) {
        sends.push({ ...r, isWarmup: sent + i < options.warmup });
      }
      await waitSeen(bob, markers, options.timeoutMs);
      if (sent >= options.warmup) {
        const block = mainThreadDelta(bobBefore, await mainThreadTimes(bob.page));
        receiving.taskMs += block.taskMs;
        receiving.threadCpuMs += block.threadCpuMs;
        receiving.wallMs += performance.now() - blockStart;
        receiving.messages += count;
      }
      sent += count;
    }
    if (pinged < rttTotal) {
      const count = Math.min(BLOCK, rttTotal - pinged);
      const result = await alice.page.evaluate(rawPingPong, {
        count,
        intervalMs: options.intervalMs,
        timeoutMs: options.timeoutMs,
      });
      const oneWays = await bob.page.evaluate(() => window.__benchRaw.oneWays.splice(0));
      for (const [i, rtt] of result.entries()) {
        pings.push({ rtt, oneWay: oneWays[i] ?? null, isWarmup: pinged + i < options.warmup });
      }
      pinged += count;
    }
    console.info(`messaging: latency ${sent}/${total}, raw ${pinged}/${rttTotal}`);
  }
  const cpuAfter = await Promise.all([alice, bob].map((user) => mainThreadTimes(user.page)));
  const traceSummary = stopBobTrace ? await stopBobTrace() : null;
  if (stopBobProfiler) {
    const file = path.join(PROFILE_DIR, 'bench-messaging-bob-latency.cpuprofile');
    mkdirSync(PROFILE_DIR, { recursive: true });
    writeFileSync(file, JSON.stringify(await stopBobProfiler()));
    console.info(
      `messaging: CPU profile of bob (latency phase) in ${path.relative(REPO_ROOT, file)}`,
    );
  }
  const idleTaskPerMs = idle.taskMs / idleWallMs;
  const idleCpuPerMs = idle.threadCpuMs / idleWallMs;
  const mainThread = {
    /** With --trace: Bob's renderer main thread by trace event, self ms (whole latency phase). */
    bobTrace: traceSummary,
    /** Bob's main-thread ms per received message at steady state, idle work subtracted. */
    bobPerMessage: roundFields({
      taskMs: (receiving.taskMs - idleTaskPerMs * receiving.wallMs) / receiving.messages,
      threadCpuMs: (receiving.threadCpuMs - idleCpuPerMs * receiving.wallMs) / receiving.messages,
      idleTaskMsPerSecond: idleTaskPerMs * 1000,
      messages: receiving.messages,
    }),
    wallMs: Date.now() - phaseStart,
    alice: roundFields(mainThreadDelta(cpuBefore[0], cpuAfter[0])),
    bob: roundFields(mainThreadDelta(cpuBefore[1], cpuAfter[1])),
  };
  const markers = sends.map((s) => s.marker);
  const [bobTimes, aliceTimes] = await Promise.all(
    [bob, alice].map((user) => user.page.evaluate(readMarkers, markers)),
  );
  const samples = sends.map((s) => {
    const b = bobTimes[s.marker];
    const a = aliceTimes[s.marker];
    return {
      ...s,
      ms: (b?.shown ?? Number.NaN) - s.t0,
      ownShownMs: (a?.shown ?? Number.NaN) - s.t0,
      clearedMs: s.clearedAt - s.t0,
      frameSentMs: (a?.sent ?? Number.NaN) - s.t0,
      frameReceivedMs: (b?.received ?? Number.NaN) - s.t0,
    };
  });
  return { samples, pings, mainThread };
}

/** @param {import('./lib.mjs').BenchUser} user */
function composerOf(user) {
  return user.page.getByRole('textbox', { name: 'Message' });
}

/**
 * Alice sends `throughput` messages as fast as the composer takes them (it clears at once and
 * the app stores what queued up in batches); the clock runs until Bob has rendered the last one.
 * @param {import('./lib.mjs').BenchUser} alice
 * @param {import('./lib.mjs').BenchUser} bob
 * @param {string} conv the room key (IndexedDB's conversation id)
 * @param {typeof DEFAULTS} options
 */
async function measureThroughput(alice, bob, conv, options) {
  const n = options.throughput;
  if (n === 0) return null;
  const markers = Array.from({ length: n }, (_, i) => marker('T', i));
  await sleep(500);
  const bobStoredBefore = await bob.page.evaluate(countStored, conv);
  const cpuBefore = await Promise.all([alice, bob].map((user) => mainThreadTimes(user.page)));
  const profilers = options.profile
    ? await Promise.all([alice, bob].map((user) => startProfiler(user.page, 200)))
    : [];
  const stopAliceTrace = options.trace ? await startTrace(alice.page, 'alice-throughput') : null;
  const sentResult = await composerOf(alice).evaluate(sendFast, {
    markers,
    timeoutMs: options.timeoutMs,
  });
  // Following the newest, Bob's view keeps the latest pages only: a message of a burst that
  // arrives together with a page of newer ones goes straight to the history behind the view. So the
  // clock stops at the last one rendered, and every one of them must be in Bob's IndexedDB.
  const lastMarker = markers.at(-1) ?? '';
  await waitSeen(bob, [lastMarker], options.timeoutMs);
  const cpuAfter = await Promise.all([alice, bob].map((user) => mainThreadTimes(user.page)));
  const aliceTrace = stopAliceTrace ? await stopAliceTrace() : null;
  const storedBy = Date.now() + options.timeoutMs;
  const bobStoredNow = async () => (await bob.page.evaluate(countStored, conv)) - bobStoredBefore;
  let bobStored = await bobStoredNow();
  while (bobStored < n) {
    if (Date.now() > storedBy) throw new Error(`Bob stored ${bobStored} of ${n} messages`);
    await sleep(50);
    bobStored = await bobStoredNow();
  }
  /** @type {Record<string, import('./support/cpu-profile.mjs').ProfileEntry[]>} */
  const hotspots = {};
  for (const [i, stop] of profilers.entries()) {
    const who = i === 0 ? 'alice' : 'bob';
    const profile = await stop();
    mkdirSync(PROFILE_DIR, { recursive: true });
    const file = path.join(PROFILE_DIR, `bench-messaging-${who}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    hotspots[who] = summarizeProfile(profile, 15).topSelf;
    console.info(`messaging: CPU profile of ${who} in ${path.relative(REPO_ROOT, file)}`);
  }
  const [bobTimes, aliceTimes] = await Promise.all(
    [bob, alice].map((user) => user.page.evaluate(readMarkers, markers)),
  );
  const lastShown = bobTimes[lastMarker]?.shown ?? Number.NaN;
  const lastReceived = Math.max(...markers.map((m) => bobTimes[m]?.received ?? -Infinity));
  const lastOwnShown = aliceTimes[lastMarker]?.shown ?? Number.NaN;
  const bobRendered = markers.filter((m) => bobTimes[m]?.shown !== undefined).length;
  const durationMs = lastShown - sentResult.firstAt;
  const perSecond = (/** @type {number} */ ms) => (n / ms) * 1000;
  return {
    n,
    durationMs,
    messagesPerSecond: perSecond(durationMs),
    aliceAcceptedMs: sentResult.lastAt - sentResult.firstAt,
    aliceAcceptedPerSecond: perSecond(sentResult.lastAt - sentResult.firstAt),
    bobReceivedPerSecond: perSecond(lastReceived - sentResult.firstAt),
    aliceOwnShownMs: lastOwnShown - sentResult.firstAt,
    bobRendered,
    bobStored,
    // Per message, how long Alice's composer was busy (keydown → cleared).
    acceptMs: percentileSummary(sentResult.acceptMs),
    hotspots,
    /** With --trace: Alice's renderer main thread by trace event, self ms (throughput phase). */
    aliceTrace,
    mainThread: {
      alice: roundFields(mainThreadDelta(cpuBefore[0], cpuAfter[0])),
      bob: roundFields(mainThreadDelta(cpuBefore[1], cpuAfter[1])),
    },
  };
}

/**
 * Alice fills a new room (no one else in it) through the composer; then Carol, a fresh context
 * that is onboarded and online on the home page, opens the room link. Measured: until her
 * IndexedDB holds every event of the room, and until her log shows the last one.
 * @param {import('@playwright/test').Browser} browser
 * @param {Awaited<ReturnType<typeof import('./lib.mjs').launchChromium>>['settings']} settings
 * @param {string} baseUrl
 * @param {import('./lib.mjs').BenchUser} alice
 * @param {any} fixtures
 * @param {typeof DEFAULTS} options
 */
async function measureHistory(browser, settings, baseUrl, alice, fixtures, options) {
  const target = options.history;
  if (target === 0) return null;
  await alice.page.evaluate(() => {
    location.hash = '#/';
  });
  await fixtures.expect(fixtures.memberList(alice.page)).toBeHidden();
  const link = await fixtures.createRoom(alice.page);
  const conv = fixtures.roomKey(link);
  // The history's authors: Alice, then fresh members who each join, write their share and
  // leave. Every member stores at most AUTHOR_STORAGE_BUDGET_BYTES of one author per room (and
  // AUTHOR_RATE_BUDGET_BYTES per minute), so a history far past 10,000 needs several authors.
  const authors = options.historyAuthors;
  const share = Math.ceil(target / authors);
  const fillStart = Date.now();
  let created = 0;
  /** @type {{ name: string, written: number, seconds: number }[]} */
  const writers = [];
  for (let a = 0; a < authors && created < target; a++) {
    const name = a === 0 ? 'Alice' : `Writer ${a + 1}`;
    const writer = a === 0 ? alice : await openUser(browser, settings, baseUrl, `writer${a + 1}`);
    try {
      if (a > 0) {
        await writer.context.addInitScript(installProbes, { debugLog: false });
        await fixtures.onboard(writer.page, name);
        await fixtures.expect(fixtures.connectionStatus(writer.page)).toContainText('Online');
        await fixtures.joinRoom(writer.page, link);
        await fixtures.expectMember(writer.page, 'Alice', 'online');
      }
      const writerStart = Date.now();
      const before = created;
      created = await fillThrough(writer, name, before, Math.min(target, before + share), {
        fillStart,
        options,
      });
      writers.push({ name, written: created - before, seconds: (Date.now() - writerStart) / 1000 });
      // The composer clears before the store: wait until Alice's IndexedDB holds every message
      // (a writer's arrive over the link) before the writer leaves.
      await waitStored(alice, conv, created, options.timeoutMs);
      if (a === 0 && authors > 1) {
        // Alice leaves the heavy room view: the others' messages are stored, not drawn.
        await alice.page.evaluate(() => {
          location.hash = '#/';
        });
      }
    } finally {
      if (a > 0) await writer.context.close().catch(() => undefined);
    }
    if ((Date.now() - fillStart) / 1000 > options.historyBudgetS) break;
  }
  const aliceStored = await alice.page.evaluate(countStored, conv);
  const fillSeconds = (Date.now() - fillStart) / 1000;
  // Alice's background work on what she received (the search index reads a flood again once it
  // is over) is done before Carol comes: her history is old news when someone joins.
  const indexWaitStart = Date.now();
  const isIndexed = await waitIndexed(alice, conv, options.timeoutMs);
  const aliceIndexWaitSeconds = (Date.now() - indexWaitStart) / 1000;
  console.info(
    `messaging: Alice's search index ${isIndexed ? 'caught up' : 'still behind'} after ` +
      `${aliceIndexWaitSeconds.toFixed(1)} s`,
  );
  console.info(
    `messaging: history of ${aliceStored} by ${writers.map((w) => `${w.name} ${w.written} in ${w.seconds.toFixed(0)} s`).join(', ')}`,
  );
  // Alice leaves the heavy room view; she stays in the room on the server.
  await alice.page.evaluate(() => {
    location.hash = '#/';
  });
  await sleep(1000);

  const carol = await openUser(browser, settings, baseUrl, 'carol');
  await carol.context.addInitScript(installProbes, { debugLog: options.debugLog });
  try {
    await fixtures.onboard(carol.page, 'Carol');
    await fixtures.expect(fixtures.connectionStatus(carol.page)).toContainText('Online');
    // A fresh page installs the service worker: it downloads and compiles the whole app, about
    // 4 s of a thread on a 2-core VM. A person typing a name gives it that time; the bench's
    // onboarding takes under a second, so Carol waits for it, or it competes with her join.
    const swStart = Date.now();
    await fixtures.waitForServiceWorker(carol.page);
    const swReadyMs = Date.now() - swStart;
    await sleep(500);
    const lastMarker = marker('H', created - 1);
    const cpuBefore = await mainThreadTimes(carol.page);
    const processCpu = await cpuMeter(browser);
    const processCpuBefore = await processCpu();
    const stopProfiler = options.profile ? await startProfiler(carol.page, 200) : null;
    const stopCarolTrace = options.trace ? await startTrace(carol.page, 'carol-late-join') : null;
    const result = await withTimeout(
      carol.page.evaluate(lateJoin, {
        hash: `#/r/${fixtures.roomSecret(link)}`,
        conv,
        expected: aliceStored,
        lastMarker,
        timeoutMs: options.timeoutMs,
      }),
      options.timeoutMs + 5000,
      'late joiner',
    );
    const cpuAfter = await mainThreadTimes(carol.page);
    if (stopCarolTrace) await stopCarolTrace();
    // Every Chromium process from the link's opening until all was stored (Bob's page idles).
    const processCpuMs = cpuSince(processCpuBefore, await processCpu());
    /** @type {import('./support/cpu-profile.mjs').ProfileEntry[] | null} */
    let hotspots = null;
    if (stopProfiler) {
      const profile = await stopProfiler();
      mkdirSync(PROFILE_DIR, { recursive: true });
      const file = path.join(PROFILE_DIR, 'bench-messaging-carol.cpuprofile');
      writeFileSync(file, JSON.stringify(profile));
      hotspots = summarizeProfile(profile, 15).topSelf;
      console.info(`messaging: CPU profile of carol in ${path.relative(REPO_ROOT, file)}`);
    }
    const frames = await carol.page.evaluate(
      (since) => window.__bench.frames.filter((f) => f[0] >= since),
      result.start,
    );
    const eventsFrames = frames.filter((f) => f[1] === 'dc<' && f[2] === 'events');
    return {
      target,
      created,
      aliceStored,
      fillSeconds,
      fillPerSecond: created / fillSeconds,
      writers,
      aliceIndexWaitSeconds,
      isAliceIndexed: isIndexed,
      carolServiceWorkerWaitMs: swReadyMs,
      isExtrapolated: created < target,
      storedMs: result.storedAt - result.start,
      shownMs: result.shownAt - result.start,
      firstEventsFrameMs: (eventsFrames[0]?.[0] ?? Number.NaN) - result.start,
      lastEventsFrameMs: (eventsFrames.at(-1)?.[0] ?? Number.NaN) - result.start,
      eventsFrames: eventsFrames.length,
      eventsFrameBytes: eventsFrames.reduce((sum, f) => sum + f[3], 0),
      progress: result.progress.map(([t, count]) => [round2(t - result.start), count]),
      mainThread: roundFields(mainThreadDelta(cpuBefore, cpuAfter)),
      processCpuMs: roundFields(processCpuMs),
      hotspots,
    };
  } finally {
    await carol.context.close().catch(() => undefined);
  }
}

/**
 * `writer` sends the history's messages `from` … `until - 1` through the composer, in batches of
 * 500, and stops early once the whole fill has taken `--history-budget-s`. Returns where it got.
 * @param {import('./lib.mjs').BenchUser} writer
 * @param {string} name
 * @param {number} from
 * @param {number} until
 * @param {{ fillStart: number, options: typeof DEFAULTS }} budget
 */
async function fillThrough(writer, name, from, until, { fillStart, options }) {
  const batch = 500;
  let created = from;
  while (created < until) {
    const count = Math.min(batch, until - created);
    const markers = Array.from({ length: count }, (_, i) => marker('H', created + i));
    await composerOf(writer).evaluate(sendFast, { markers, timeoutMs: options.timeoutMs });
    created += count;
    const seconds = (Date.now() - fillStart) / 1000;
    console.info(
      `messaging: history ${created}/${options.history} in ${seconds.toFixed(0)} s (${name})`,
    );
    if (seconds > options.historyBudgetS && created < options.history) {
      console.info(`messaging: history budget of ${options.historyBudgetS} s spent; stopping`);
      break;
    }
  }
  return created;
}

/**
 * Waits until `user`'s IndexedDB holds `count` events of conversation `conv`.
 * @param {import('./lib.mjs').BenchUser} user
 * @param {string} conv
 * @param {number} count
 * @param {number} timeoutMs
 */
async function waitStored(user, conv, count, timeoutMs) {
  const by = Date.now() + timeoutMs;
  let stored = await user.page.evaluate(countStored, conv);
  while (stored < count) {
    if (Date.now() > by) throw new Error(`${user.name} stored ${stored} of ${count}`);
    await sleep(100);
    stored = await user.page.evaluate(countStored, conv);
  }
}

/**
 * Waits until `user`'s search index has every event of `conv` in (its mark in `searchState`
 * equals the conversation's vector); false when it did not within `timeoutMs`.
 * @param {import('./lib.mjs').BenchUser} user
 * @param {string} conv
 * @param {number} timeoutMs
 */
async function waitIndexed(user, conv, timeoutMs) {
  const by = Date.now() + timeoutMs;
  for (;;) {
    const isIndexed = await user.page.evaluate(async (room) => {
      const db = await new Promise((resolve, reject) => {
        const request = indexedDB.open('parley');
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      try {
        const tx = db.transaction(['searchState', 'conversations'], 'readonly');
        const read = (/** @type {string} */ store, /** @type {string} */ key) =>
          new Promise((resolve, reject) => {
            const request = tx.objectStore(store).get(key);
            request.onsuccess = () => resolve(request.result);
            request.onerror = () => reject(request.error);
          });
        const [state, conversation] = await Promise.all([
          read('searchState', 'build'),
          read('conversations', room),
        ]);
        const mark = state?.marks?.[room] ?? {};
        const vector = conversation?.vector ?? {};
        const authors = new Set([...Object.keys(mark), ...Object.keys(vector)]);
        return (
          state?.isDone === true && [...authors].every((author) => mark[author] === vector[author])
        );
      } finally {
        db.close();
      }
    }, conv);
    if (isIndexed) return true;
    if (Date.now() > by) return false;
    await sleep(200);
  }
}

/**
 * Starts a Chromium trace (timeline categories); the returned function stops it, keeps the file
 * and yields the self time of each trace event name on the page's renderer main thread.
 * @param {import('@playwright/test').Page} page
 * @param {string} label who and which phase, for the file name
 */
async function startTrace(page, label) {
  const browser = page.context().browser();
  if (!browser) throw new Error('no browser to trace');
  const cdp = await page.context().newCDPSession(page);
  const { frameTree } = await cdp.send('Page.getFrameTree');
  await cdp.detach();
  await browser.startTracing(page, {
    categories: ['toplevel', 'devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8'],
  });
  return async () => {
    const buffer = await browser.stopTracing();
    mkdirSync(PROFILE_DIR, { recursive: true });
    const file = path.join(PROFILE_DIR, `bench-messaging-${label}.trace.json`);
    writeFileSync(file, buffer);
    console.info(`messaging: trace of ${label} in ${path.relative(REPO_ROOT, file)}`);
    /** @type {any[]} */
    const events = JSON.parse(buffer.toString()).traceEvents ?? [];
    let pid = null;
    for (const e of events) {
      for (const f of e.args?.data?.frames ?? []) {
        if (f.frame === frameTree.frame.id && f.processId) pid = f.processId;
      }
    }
    const mainTid = events.find(
      (e) =>
        e.pid === pid &&
        e.ph === 'M' &&
        e.name === 'thread_name' &&
        e.args?.name === 'CrRendererMain',
    )?.tid;
    const spans = events
      .filter((e) => e.pid === pid && e.tid === mainTid && e.ph === 'X' && e.dur > 0)
      .sort((a, b) => a.ts - b.ts || b.dur - a.dur);
    /** @type {Map<string, number>} */
    const self = new Map();
    /** @type {{ end: number, name: string, childUs: number, dur: number }[]} */
    const stack = [];
    const close = (/** @type {number} */ until) => {
      while (stack.length > 0 && stack[stack.length - 1].end <= until) {
        const done = stack.pop();
        if (!done) break;
        self.set(done.name, (self.get(done.name) ?? 0) + (done.dur - done.childUs) / 1000);
      }
    };
    for (const e of spans) {
      close(e.ts);
      const parent = stack[stack.length - 1];
      if (parent) parent.childUs += e.dur;
      stack.push({ end: e.ts + e.dur, name: e.name, childUs: 0, dur: e.dur });
    }
    close(Number.POSITIVE_INFINITY);
    return Object.fromEntries(
      [...self]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 25)
        .map(([k, v]) => [k, Math.round(v * 10) / 10]),
    );
  };
}

/** @param {string} phaseLetter @param {number} i */
function marker(phaseLetter, i) {
  return `PB_${phaseLetter}_${String(i).padStart(6, '0')}`;
}

/**
 * Waits until the page has rendered every marker.
 * @param {import('./lib.mjs').BenchUser} user
 * @param {string[]} markers
 * @param {number} timeoutMs
 */
async function waitSeen(user, markers, timeoutMs) {
  await user.page.waitForFunction(
    (ms) => ms.every((m) => window.__bench.marks.get(m)?.shown),
    markers,
    {
      timeout: timeoutMs,
      polling: 100,
    },
  );
}

/**
 * The bare RTCPeerConnection pair: Alice offers, Bob answers and echoes every message. Complete
 * (non-trickle) SDP goes through Node; no server, no PeerJS.
 * @param {import('./lib.mjs').BenchUser} alice
 * @param {import('./lib.mjs').BenchUser} bob
 */
async function openRawPair(alice, bob) {
  const offer = await alice.page.evaluate(rawOffer);
  const answer = await bob.page.evaluate(rawAnswer, offer);
  await alice.page.evaluate(rawFinish, answer);
}

// ---- In-page code (serialized by Playwright; no references to this module) ------------------

/**
 * Init script: `window.__bench` with the shared clock and, per marker, when the page first showed
 * an article containing it and when a data-channel frame with it went out or came in.
 * @param {{ debugLog: boolean }} config
 */
function installProbes({ debugLog }) {
  if (debugLog) localStorage.setItem('parley:log', 'debug');
  const now = () => performance.timeOrigin + performance.now();
  const MARKER = /PB_[A-Z]_\d{6}/g;
  /** @type {Map<string, { shown?: number, sent?: number, received?: number }>} */
  const marks = new Map();
  /** @type {[number, string, string, number][]} */
  const frames = [];
  const mark = (
    /** @type {string} */ text,
    /** @type {'shown' | 'sent' | 'received'} */ what,
    t = now(),
  ) => {
    if (!text.includes('PB_')) return false;
    for (const [m] of text.matchAll(MARKER)) {
      let entry = marks.get(m);
      if (!entry) marks.set(m, (entry = {}));
      if (entry[what] === undefined) entry[what] = t;
    }
    return true;
  };
  const frameType = (/** @type {unknown} */ data) => {
    if (typeof data !== 'string') return 'binary';
    return /"type":"([A-Za-z-]{1,40})"/.exec(data.slice(0, 200))?.[1] ?? 'unknown';
  };
  const onFrame = (/** @type {string} */ direction, /** @type {unknown} */ data) => {
    const size = typeof data === 'string' ? data.length : 0;
    frames.push([now(), direction, frameType(data), size]);
    if (frames.length > 50_000) frames.splice(0, 10_000);
    if (typeof data === 'string') mark(data, direction === 'dc>' ? 'sent' : 'received');
  };

  const nativeSend = RTCDataChannel.prototype.send;
  RTCDataChannel.prototype.send = function send(/** @type {any} */ data) {
    onFrame('dc>', data);
    return nativeSend.call(this, data);
  };
  const listen = (/** @type {RTCDataChannel} */ channel) =>
    channel.addEventListener('message', (event) => onFrame('dc<', event.data));
  const NativePeerConnection = window.RTCPeerConnection;
  window.RTCPeerConnection = class ProbedPeerConnection extends NativePeerConnection {
    /** @param {ConstructorParameters<typeof RTCPeerConnection>} args */
    constructor(...args) {
      super(...args);
      this.addEventListener('datachannel', (event) => listen(event.channel));
    }
    /** @param {Parameters<RTCPeerConnection['createDataChannel']>} args */
    createDataChannel(...args) {
      const channel = super.createDataChannel(...args);
      listen(channel);
      return channel;
    }
  };

  // Articles with a marker, the moment they (or nodes inside them) enter the DOM. One clock
  // reading per callback (it runs right after the DOM changes); each article is read once it has
  // shown its marker, so a long history rendered at once costs one pass over its articles.
  /** @type {WeakSet<Element>} */
  const doneArticles = new WeakSet();
  const observer = new MutationObserver((records) => {
    /** @type {Set<Element>} */
    const articles = new Set();
    for (const record of records) {
      for (const node of record.addedNodes) {
        const element = node instanceof Element ? node : node?.parentElement;
        if (!element) continue;
        const article = element.closest('article');
        if (article) {
          if (!doneArticles.has(article)) articles.add(article);
        } else if (node === element && element.firstElementChild) {
          // Only an added element can hold new articles; an added text or comment node (the
          // framework's anchors) cannot, and searching its parent would walk the whole log.
          for (const inner of element.getElementsByTagName('article')) {
            if (!doneArticles.has(inner)) articles.add(inner);
          }
        }
      }
    }
    if (articles.size === 0) return;
    const t = now();
    for (const article of articles) {
      if (mark(article.textContent ?? '', 'shown', t)) doneArticles.add(article);
    }
  });
  // Articles come with their text (a template clone), so added nodes are enough; watching text
  // changes too would run this for every delivery-state change of every message.
  observer.observe(document, { subtree: true, childList: true });

  /**
   * Notes when the app clears a text field (`field.value = ''`, how Svelte's bind:value writes):
   * an own `value` property on the element wraps the native one, so nothing polls.
   * @param {HTMLTextAreaElement} field
   */
  const watchClear = (field) => {
    const native = /** @type {PropertyDescriptor} */ (
      Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value')
    );
    /** @type {((at: number) => void) | null} */
    let waiter = null;
    Object.defineProperty(field, 'value', {
      configurable: true,
      get() {
        return native.get?.call(this);
      },
      set(value) {
        native.set?.call(this, value);
        if (value === '' && waiter) {
          const resolve = waiter;
          waiter = null;
          resolve(now());
        }
      },
    });
    return {
      /** Resolves with the time the field is (or was already) empty. */
      next: (/** @type {number} */ timeoutMs, /** @type {string} */ what) =>
        new Promise((resolve, reject) => {
          if (field.value === '') {
            resolve(now());
            return;
          }
          const timer = setTimeout(() => {
            waiter = null;
            reject(new Error(`the composer did not take ${what} within ${timeoutMs} ms`));
          }, timeoutMs);
          waiter = (at) => {
            clearTimeout(timer);
            resolve(at);
          };
        }),
      dispose: () => {
        delete (/** @type {any} */ (field).value);
      },
    };
  };

  window.__bench = { now, marks, frames, watchClear };
}

/**
 * Alice's page, on the composer: one message per marker, one every `intervalMs` (or as soon as
 * the composer has taken the previous one, if that takes longer). t0 is read just before the
 * Enter keydown.
 * @param {HTMLElement} box
 * @param {{ markers: string[], intervalMs: number, timeoutMs: number }} args
 */
async function sendPaced(box, { markers, intervalMs, timeoutMs }) {
  const field = /** @type {HTMLTextAreaElement} */ (box);
  const bench = window.__bench;
  const cleared = bench.watchClear(field);
  const results = [];
  let nextAt = bench.now();
  for (const m of markers) {
    const wait = nextAt - bench.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    field.value = `latency sample ${m}`;
    field.dispatchEvent(new Event('input', { bubbles: true }));
    const t0 = bench.now();
    field.dispatchEvent(
      new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }),
    );
    const clearedAt = await cleared.next(timeoutMs, m);
    results.push({ marker: m, t0, clearedAt });
    nextAt = t0 + intervalMs;
  }
  cleared.dispose();
  return results;
}

/**
 * Alice's page, on the composer: every marker as fast as the composer takes them (each one is
 * typed only after the composer cleared the previous one).
 * @param {HTMLElement} box
 * @param {{ markers: string[], timeoutMs: number }} args
 */
async function sendFast(box, { markers, timeoutMs }) {
  const field = /** @type {HTMLTextAreaElement} */ (box);
  const bench = window.__bench;
  const cleared = bench.watchClear(field);
  const firstAt = bench.now();
  const acceptMs = [];
  for (const m of markers) {
    field.value = `throughput ${m}`;
    field.dispatchEvent(new Event('input', { bubbles: true }));
    const t0 = bench.now();
    field.dispatchEvent(
      new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }),
    );
    const clearedAt = await cleared.next(timeoutMs, m);
    acceptMs.push(clearedAt - t0);
  }
  cleared.dispose();
  return { firstAt, lastAt: bench.now(), acceptMs };
}

/**
 * The page's times for these markers.
 * @param {string[]} markers
 */
function readMarkers(markers) {
  /** @type {Record<string, { shown?: number, sent?: number, received?: number }>} */
  const out = {};
  for (const m of markers) out[m] = window.__bench.marks.get(m) ?? {};
  return out;
}

/** Alice's page: the offering side of the bare pair. */
async function rawOffer() {
  const pc = new RTCPeerConnection({ iceServers: [] });
  const channel = pc.createDataChannel('raw-bench', { ordered: true });
  window.__benchRaw = { pc, channel, oneWays: [] };
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise((resolve) => {
    if (pc.iceGatheringState === 'complete') resolve(undefined);
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState === 'complete') resolve(undefined);
    });
  });
  return pc.localDescription?.sdp ?? '';
}

/**
 * Bob's page: the answering side; echoes every message and notes its one-way time.
 * @param {string} offer
 */
async function rawAnswer(offer) {
  const pc = new RTCPeerConnection({ iceServers: [] });
  const state = { pc, channel: /** @type {RTCDataChannel | null} */ (null), oneWays: [] };
  window.__benchRaw = state;
  pc.addEventListener('datachannel', (event) => {
    const channel = event.channel;
    state.channel = channel;
    channel.addEventListener('message', (message) => {
      const arrivedAt = window.__bench.now();
      const t0 = Number(String(message.data).split(' ')[1]);
      state.oneWays.push(arrivedAt - t0);
      channel.send(message.data);
    });
  });
  await pc.setRemoteDescription({ type: 'offer', sdp: offer });
  await pc.setLocalDescription(await pc.createAnswer());
  await new Promise((resolve) => {
    if (pc.iceGatheringState === 'complete') resolve(undefined);
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState === 'complete') resolve(undefined);
    });
  });
  return pc.localDescription?.sdp ?? '';
}

/**
 * Alice's page: completes the pair and waits for the channel.
 * @param {string} answer
 */
async function rawFinish(answer) {
  const { pc, channel } = window.__benchRaw;
  await pc.setRemoteDescription({ type: 'answer', sdp: answer });
  if (channel.readyState !== 'open') {
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('raw channel not open in 10 s')), 10_000);
      channel.addEventListener('open', () => {
        clearTimeout(timer);
        resolve(undefined);
      });
    });
  }
}

/**
 * Alice's page: `count` paced ping-pongs on the bare channel; RTT of each.
 * @param {{ count: number, intervalMs: number, timeoutMs: number }} args
 */
async function rawPingPong({ count, intervalMs, timeoutMs }) {
  const { channel } = window.__benchRaw;
  const bench = window.__bench;
  const rtts = [];
  let nextAt = bench.now();
  for (let i = 0; i < count; i += 1) {
    const wait = nextAt - bench.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const t0 = bench.now();
    const echoed = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no echo')), timeoutMs);
      channel.addEventListener(
        'message',
        () => {
          clearTimeout(timer);
          resolve(bench.now());
        },
        { once: true },
      );
    });
    channel.send(`ping ${t0}`);
    rtts.push(/** @type {number} */ (await echoed) - t0);
    nextAt = t0 + intervalMs;
  }
  return rtts;
}

/**
 * How many events of conversation `conv` the page's IndexedDB holds.
 * @param {string} conv
 */
async function countStored(conv) {
  const db = await new Promise((resolve, reject) => {
    const request = indexedDB.open('parley');
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  try {
    return await new Promise((resolve, reject) => {
      const index = db.transaction('events', 'readonly').objectStore('events').index('byConvOrder');
      const request = index.count(IDBKeyRange.bound([conv], [conv, []]));
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  } finally {
    db.close();
  }
}

/**
 * Carol's page: opens the room link and waits until IndexedDB holds `expected` events of the room
 * (polled every 20 ms, each count noted) and until the log shows `lastMarker`.
 * @param {{ hash: string, conv: string, expected: number, lastMarker: string, timeoutMs: number }} args
 */
async function lateJoin({ hash, conv, expected, lastMarker, timeoutMs }) {
  const bench = window.__bench;
  const db = await new Promise((resolve, reject) => {
    const request = indexedDB.open('parley');
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const count = () =>
    new Promise((resolve, reject) => {
      const index = db.transaction('events', 'readonly').objectStore('events').index('byConvOrder');
      const request = index.count(IDBKeyRange.bound([conv], [conv, []]));
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  /** @type {[number, number][]} */
  const progress = [];
  const start = bench.now();
  location.hash = hash;
  let storedAt = Number.NaN;
  let shownAt = Number.NaN;
  try {
    while (Number.isNaN(storedAt) || Number.isNaN(shownAt)) {
      if (bench.now() - start > timeoutMs) {
        throw new Error(
          `late joiner: ${progress.at(-1)?.[1] ?? 0}/${expected} after ${timeoutMs} ms`,
        );
      }
      if (Number.isNaN(storedAt)) {
        const n = /** @type {number} */ (await count());
        const t = bench.now();
        if (progress.at(-1)?.[1] !== n) progress.push([t, n]);
        if (n >= expected) storedAt = t;
      }
      if (Number.isNaN(shownAt)) {
        const shown = bench.marks.get(lastMarker)?.shown;
        if (shown !== undefined) shownAt = shown;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    db.close();
  }
  return { start, storedAt, shownAt, progress };
}

// ---- Report ---------------------------------------------------------------------------------

/**
 * @param {Record<string, number>} fields
 * @returns {Record<string, number | null>}
 */
function roundFields(fields) {
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, round2(v)]));
}

/**
 * @param {{
 *   latency: Awaited<ReturnType<typeof measureLatency>>,
 *   throughput: Awaited<ReturnType<typeof measureThroughput>>,
 *   history: Awaited<ReturnType<typeof measureHistory>>,
 *   options: typeof DEFAULTS,
 *   environment: { isLoopbackOnly: boolean },
 *   loadAverageAtStart: number[],
 *   buildAtStart: ReturnType<typeof buildInfo>,
 *   browserVersion: string,
 *   phaseSeconds: Record<string, number>,
 *   totalSeconds: number,
 * }} input
 */
function buildReport({
  latency,
  throughput,
  history,
  options,
  environment,
  loadAverageAtStart,
  buildAtStart,
  browserVersion,
  phaseSeconds,
  totalSeconds,
}) {
  const measured = latency.samples.filter((s) => !s.isWarmup);
  const pings = latency.pings.filter((p) => !p.isWarmup);
  const of = (/** @type {(s: (typeof measured)[number]) => number} */ pick) =>
    percentileSummary(measured.map(pick));
  const stats = {
    latency: of((s) => s.ms),
    cleared: of((s) => s.clearedMs),
    ownShown: of((s) => s.ownShownMs),
    frameSent: of((s) => s.frameSentMs),
    network: of((s) => s.frameReceivedMs - s.frameSentMs),
    bobLocal: of((s) => s.ms - s.frameReceivedMs),
    rawOneWay: percentileSummary(pings.map((p) => p.oneWay ?? Number.NaN)),
    rawHalfRtt: percentileSummary(pings.map((p) => p.rtt / 2)),
    rawRtt: percentileSummary(pings.map((p) => p.rtt)),
  };
  const pass = (/** @type {boolean} */ ok) => (ok ? 'pass' : '**fail**');
  const lat = stats.latency;
  const row = (
    /** @type {string} */ label,
    /** @type {ReturnType<typeof percentileSummary>} */ s,
    goal = '',
    result = '',
  ) => [
    label,
    String(s.n),
    formatMs(s.p50),
    formatMs(s.p90),
    formatMs(s.p99),
    formatMs(s.max),
    goal,
    result,
  ];
  const latencyTable = markdownTable(
    ['Latency', 'n', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'goal', 'result'],
    [
      row(
        'Parley: Enter in Alice’s composer → article rendered in Bob’s log',
        lat,
        `p50 < ${GOALS.p50Ms}, p99 < ${GOALS.p99Ms}`,
        `p50 ${pass(lat.p50 < GOALS.p50Ms)}, p99 ${pass(lat.p99 < GOALS.p99Ms)}`,
      ),
      row('  Alice: Enter → events frame handed to the data channel', stats.frameSent),
      row('  data channel: Alice sent → Bob received', stats.network),
      row('  Bob: frame received → article rendered', stats.bobLocal),
      row('  Alice: Enter → own article rendered', stats.ownShown),
      row('  Alice: Enter → composer cleared (ready for the next)', stats.cleared),
      row('Raw RTCDataChannel: one-way (same clock)', stats.rawOneWay),
      row('Raw RTCDataChannel: RTT / 2', stats.rawHalfRtt),
      row('Raw RTCDataChannel: RTT', stats.rawRtt),
    ],
    ['l', 'r', 'r', 'r', 'r', 'r', 'l', 'l'],
  );

  const rateRows = [];
  const perMessage = latency.mainThread.bobPerMessage;
  rateRows.push([
    `Bob’s main thread per received message at ${options.intervalMs} ms pacing (tasks; idle ` +
      `${formatMs(perMessage.idleTaskMsPerSecond)} ms/s subtracted)`,
    `${formatMs(perMessage.taskMs)} ms (CPU ${formatMs(perMessage.threadCpuMs)} ms; ` +
      `${perMessage.messages} messages)`,
    `< ${GOALS.receiverMsPerMessage} ms`,
    perMessage.messages > 0 ? pass(meetsReceiverGoal(perMessage)) : 'not measured',
  ]);
  if (throughput) {
    rateRows.push([
      `Throughput: ${throughput.n} messages, Alice’s first Enter → last one rendered at Bob`,
      `${throughput.messagesPerSecond.toFixed(0)} msg/s (${(throughput.durationMs / 1000).toFixed(2)} s)`,
      `≥ ${GOALS.messagesPerSecond} msg/s`,
      pass(throughput.messagesPerSecond >= GOALS.messagesPerSecond),
    ]);
    rateRows.push([
      '  Alice’s composer took them (each typed after the previous one cleared)',
      `${throughput.aliceAcceptedPerSecond.toFixed(0)} msg/s; per message p50 ` +
        `${formatMs(throughput.acceptMs.p50)} ms, p99 ${formatMs(throughput.acceptMs.p99)} ms`,
      '',
      '',
    ]);
    rateRows.push([
      '  Bob received the frames; his main thread per message',
      `${throughput.bobReceivedPerSecond.toFixed(0)} msg/s; ` +
        `${formatMs((throughput.mainThread.bob.taskMs ?? NaN) / throughput.n)} ms`,
      '',
      '',
    ]);
    rateRows.push([
      '  Bob stored / rendered as they came (the rest: paged in on scrolling back)',
      `${throughput.bobStored} / ${throughput.bobRendered} of ${throughput.n}`,
      '',
      '',
    ]);
  }
  if (history) {
    const scale = GOALS.historyEvents / history.aliceStored;
    const label = history.isExtrapolated
      ? `Late joiner: ${history.aliceStored} events (EXTRAPOLATED linearly to ${GOALS.historyEvents})`
      : `Late joiner: ${history.aliceStored}-event history, room link opened → all in IndexedDB`;
    const isGoalSize = history.target <= GOALS.historyEvents;
    rateRows.push([
      label,
      history.isExtrapolated
        ? `${formatMs(history.storedMs)} ms measured → ~${formatMs(history.storedMs * scale)} ms`
        : `${formatMs(history.storedMs)} ms`,
      isGoalSize
        ? `< ${GOALS.historyMs} ms for ${GOALS.historyEvents}`
        : `measured (the goal is for ${GOALS.historyEvents})`,
      isGoalSize ? pass(meetsHistoryGoal(history)) : '',
    ]);
    rateRows.push([
      '  … → the last one rendered in Carol’s log',
      `${formatMs(history.shownMs)} ms`,
      '',
      '',
    ]);
    rateRows.push([
      '  … → first / last events frame received',
      `${formatMs(history.firstEventsFrameMs)} / ${formatMs(history.lastEventsFrameMs)} ms ` +
        `(${history.eventsFrames} frames, ${(history.eventsFrameBytes / 1024).toFixed(0)} KiB)`,
      '',
      '',
    ]);
  }
  const rateTable = markdownTable(['Rate / size', 'result', 'goal', ''], rateRows, [
    'l',
    'r',
    'l',
    'l',
  ]);

  const machine = machineInfo({ browserVersion });
  const build = buildInfo();
  const buildLine =
    `Build under test: commit ${build.commit?.slice(0, 7) ?? 'unknown'}` +
    (build.uncommittedSourceFiles > 0
      ? ` plus ${build.uncommittedSourceFiles} uncommitted file(s) in web/ and signal/`
      : ', web/ and signal/ unchanged') +
    `, dist/web built ${buildAtStart.webBuiltAt ?? 'at an unknown time'}.` +
    (build.webBuiltAt !== buildAtStart.webBuiltAt || build.commit !== buildAtStart.commit
      ? ` **dist/web was rebuilt during the run (${build.webBuiltAt}, commit ` +
        `${build.commit?.slice(0, 7)}): pages opened after that (Carol) ran the newer build.**`
      : '');
  const progress = history?.progress ?? [];
  const markdown = [
    '# Messaging: latency, throughput, late joiner',
    '',
    `${machine.date} · ${machine.cpuModel} (${machine.cores} cores) · Node ${machine.node} · ` +
      `Chromium ${browserVersion} · ` +
      `${environment.isLoopbackOnly ? 'loopback-only network namespace' : 'host network'}`,
    '',
    buildLine,
    '',
    `Alice and Bob in one room, same browser, same pages, same signal server. ` +
      `${options.samples} latency samples after ${options.warmup} warm-up, one every ` +
      `${options.intervalMs} ms, alternating in blocks of ${BLOCK} with ping-pongs on a bare ` +
      `RTCPeerConnection pair between the same two pages (${options.rttSamples} samples).`,
    '',
    latencyTable,
    '',
    rateTable,
    '',
    '## How',
    '',
    '- Latency: in Alice’s page the composer’s value is set (an `input` event), t0 is read, and ' +
      'an Enter `keydown` is dispatched; a MutationObserver in Bob’s page notes when an ' +
      '`article` with that message’s unique text appears. Both clocks are ' +
      '`performance.timeOrigin + performance.now()`. Included: Alice signs the event and writes ' +
      'it to IndexedDB, sends the `events` frame; Bob verifies, stores, renders. The breakdown ' +
      'comes from wrapping `RTCDataChannel.send` and the channels’ `message` events.',
    '- Raw baseline: an ordered, reliable RTCDataChannel between the same two pages (no PeerJS, ' +
      'no app code), `ping <t0>` strings (~25 bytes; an app `events` frame with one short text ' +
      'is larger) echoed by Bob; one-way from the shared clock, and RTT / 2.',
    '- Throughput: through Alice’s composer, one message at a time: set value, Enter, wait ' +
      'until the composer is cleared, next. The composer clears at once; the app signs and ' +
      'stores what queued up meanwhile in one transaction and pushes it as one frame. The clock ' +
      'runs from the first Enter to the last article rendered in Bob’s log. Alice and Bob have ' +
      'the latency phase’s messages in the room.',
    '- Late joiner: Alice creates a new room alone and fills it through her composer the same ' +
      'way, until her IndexedDB holds every message' +
      (options.historyAuthors > 1
        ? `; then ${options.historyAuthors - 1} more members, one after another, each join the ` +
          'room (receiving what is there), write their share through their composers and leave ' +
          'once Alice has stored it (each member stores at most 8 MiB of one author per room, ' +
          '4 MiB per minute)'
        : '') +
      (history
        ? `; once Alice's search index held all of it too (${
            history.isAliceIndexed ? 'after' : 'NOT within'
          } ${history.aliceIndexWaitSeconds.toFixed(1)} s; it reads a received flood again ` +
          'once it is over)'
        : '') +
      '; then Carol, a fresh context onboarded and online at home with her service worker ' +
      'installed (' +
      (history
        ? `it was ready ${history.carolServiceWorkerWaitMs} ms after she was online; `
        : '') +
      'a person typing a name gives it that time), opens the room link ' +
      '(`location.hash`). Stored: her IndexedDB count of the room’s events, polled every 20 ms. ' +
      'Only Alice is in the room to send the history.' +
      (history
        ? ` Filling ${history.created} messages took ${history.fillSeconds.toFixed(0)} s ` +
          `(${history.fillPerSecond.toFixed(0)} msg/s` +
          (history.writers.length > 1
            ? `; ${history.writers.map((w) => `${w.name} ${w.written}`).join(', ')}`
            : '') +
          ').'
        : ''),
    '',
    '## Where the time goes',
    '',
    `Main-thread work during the latency phase (${formatMs(latency.mainThread.wallMs)} ms of ` +
      `wall time, both latency and raw blocks): Alice tasks ` +
      `${formatMs(latency.mainThread.alice.taskMs ?? NaN)} ms (JS ` +
      `${formatMs(latency.mainThread.alice.scriptMs ?? NaN)}, layout ` +
      `${formatMs(latency.mainThread.alice.layoutMs ?? NaN)}), Bob tasks ` +
      `${formatMs(latency.mainThread.bob.taskMs ?? NaN)} ms (JS ` +
      `${formatMs(latency.mainThread.bob.scriptMs ?? NaN)}, layout ` +
      `${formatMs(latency.mainThread.bob.layoutMs ?? NaN)}). Per latency sample, Bob spends ` +
      `${formatMs((latency.mainThread.bob.taskMs ?? NaN) / latency.samples.length)} ms of ` +
      `main-thread tasks; above the ${options.intervalMs} ms pacing, messages queue behind ` +
      'each other and the tail measures that queue.',
    '',
    ...(throughput
      ? [
          `Main-thread work during the throughput phase (Chromium Performance.getMetrics, ms): ` +
            `Alice tasks ${formatMs(throughput.mainThread.alice.taskMs ?? NaN)}, JS ` +
            `${formatMs(throughput.mainThread.alice.scriptMs ?? NaN)}, style ` +
            `${formatMs(throughput.mainThread.alice.styleMs ?? NaN)}, layout ` +
            `${formatMs(throughput.mainThread.alice.layoutMs ?? NaN)}; Bob tasks ` +
            `${formatMs(throughput.mainThread.bob.taskMs ?? NaN)}, JS ` +
            `${formatMs(throughput.mainThread.bob.scriptMs ?? NaN)}, style ` +
            `${formatMs(throughput.mainThread.bob.styleMs ?? NaN)}, layout ` +
            `${formatMs(throughput.mainThread.bob.layoutMs ?? NaN)} ` +
            `(phase wall time ${formatMs(throughput.durationMs)} ms).`,
          '',
        ]
      : []),
    ...Object.entries(throughput?.hotspots ?? {}).flatMap(([who, entries]) => [
      `CPU profile of ${who === 'alice' ? 'Alice (sender)' : 'Bob (receiver)'} during the ` +
        'throughput phase, functions with the most self time:',
      '',
      markdownTable(
        ['self ms', 'share', 'function', 'source'],
        entries.map((e) => [String(e.selfMs), `${e.share}%`, e.fn, e.at]),
        ['r', 'r', 'l', 'l'],
      ),
      '',
    ]),
    ...(history
      ? [
          `Carol’s main thread while receiving the history: tasks ` +
            `${formatMs(history.mainThread.taskMs ?? NaN)} ms, JS ` +
            `${formatMs(history.mainThread.scriptMs ?? NaN)} ms, style ` +
            `${formatMs(history.mainThread.styleMs ?? NaN)} ms, layout ` +
            `${formatMs(history.mainThread.layoutMs ?? NaN)} ms. Stored count over time ` +
            `(ms after the link was opened → events): ` +
            sampleProgress(progress)
              .map(([t, n]) => `${formatMs(t ?? NaN)} → ${n}`)
              .join(', ') +
            '.',
          '',
          `Chromium's CPU while Carol caught up (SystemInfo.getProcessInfo, every process; the ` +
            `renderer line holds Alice's, Bob's (idle) and Carol's pages with their Workers, ` +
            `the browser process IndexedDB's writing): ` +
            Object.entries(history.processCpuMs)
              .filter(([, ms]) => (ms ?? 0) >= 1)
              .map(([type, ms]) => `${type} ${formatMs(ms ?? NaN)} ms`)
              .join(', ') +
            ` — ${formatMs(
              Object.values(history.processCpuMs).reduce((sum, ms) => sum + (ms ?? 0), 0),
            )} ms in all over ${formatMs(history.storedMs)} ms of wall time ` +
            `(${machineInfo({ browserVersion }).cores} cores).`,
          '',
        ]
      : []),
    ...(history?.hotspots
      ? [
          'CPU profile of Carol (late joiner) from opening the link until all was stored and ' +
            'shown, functions with the most self time:',
          '',
          markdownTable(
            ['self ms', 'share', 'function', 'source'],
            history.hotspots.map((e) => [String(e.selfMs), `${e.share}%`, e.fn, e.at]),
            ['r', 'r', 'l', 'l'],
          ),
          '',
        ]
      : []),
    '## Notes',
    '',
    `- Phases (s): ${Object.entries(phaseSeconds)
      .map(([k, v]) => `${k} ${v.toFixed(0)}`)
      .join(', ')}; the whole benchmark took ${totalSeconds.toFixed(0)} s.`,
    `- Load average at start / end: ${loadAverageAtStart.join(' ')} / ` +
      `${machine.loadAverage.join(' ')} (the machine is shared; other work competes for its ` +
      `${machine.cores} cores).`,
    '',
  ].join('\n');

  const data = {
    benchmark: 'messaging',
    goals: GOALS,
    options,
    environment: {
      loopbackOnlyNetworkNamespace: environment.isLoopbackOnly,
      loadAverageAtStart,
      loadAverageAtEnd: machine.loadAverage,
    },
    machine,
    build: { atStart: buildAtStart, atEnd: build },
    summary: Object.fromEntries(Object.entries(stats).map(([k, s]) => [k, roundSummary(s)])),
    meetsGoals: {
      p50: lat.p50 < GOALS.p50Ms,
      p99: lat.p99 < GOALS.p99Ms,
      receiverMsPerMessage:
        latency.mainThread.bobPerMessage.messages > 0
          ? meetsReceiverGoal(latency.mainThread.bobPerMessage)
          : null,
      throughput: throughput ? throughput.messagesPerSecond >= GOALS.messagesPerSecond : null,
      history: history && history.target <= GOALS.historyEvents ? meetsHistoryGoal(history) : null,
    },
    throughput: throughput && {
      ...roundFields({
        n: throughput.n,
        durationMs: throughput.durationMs,
        messagesPerSecond: throughput.messagesPerSecond,
        aliceAcceptedMs: throughput.aliceAcceptedMs,
        aliceAcceptedPerSecond: throughput.aliceAcceptedPerSecond,
        bobReceivedPerSecond: throughput.bobReceivedPerSecond,
        aliceOwnShownMs: throughput.aliceOwnShownMs,
      }),
      acceptMs: roundSummary(throughput.acceptMs),
      hotspots: throughput.hotspots,
      aliceTrace: throughput.aliceTrace,
      mainThread: throughput.mainThread,
    },
    history: history && {
      ...history,
      storedMs: round2(history.storedMs),
      shownMs: round2(history.shownMs),
      fillSeconds: round2(history.fillSeconds),
      fillPerSecond: round2(history.fillPerSecond),
      firstEventsFrameMs: round2(history.firstEventsFrameMs),
      lastEventsFrameMs: round2(history.lastEventsFrameMs),
    },
    latencyMainThread: latency.mainThread,
    phaseSeconds,
    totalSeconds: round2(totalSeconds),
    samples: {
      latency: latency.samples.map((s) => ({
        marker: s.marker,
        isWarmup: s.isWarmup,
        ms: round2(s.ms),
        frameSentMs: round2(s.frameSentMs),
        frameReceivedMs: round2(s.frameReceivedMs),
        ownShownMs: round2(s.ownShownMs),
        clearedMs: round2(s.clearedMs),
      })),
      raw: latency.pings.map((p) => ({
        isWarmup: p.isWarmup,
        rttMs: round2(p.rtt),
        oneWayMs: p.oneWay === null ? null : round2(p.oneWay),
      })),
    },
  };
  return { markdown, data };
}

/**
 * Whether Bob's main thread per received message met its goal (null: nothing measured).
 * @param {{ taskMs: number | null }} perMessage
 */
function meetsReceiverGoal(perMessage) {
  return perMessage.taskMs !== null && perMessage.taskMs < GOALS.receiverMsPerMessage;
}

/**
 * Whether the late joiner met its goal: a history of GOALS.historyEvents stored in time, or a
 * smaller one (the fill ran out of time) extrapolated linearly.
 * @param {{ storedMs: number, aliceStored: number, isExtrapolated: boolean }} history
 */
function meetsHistoryGoal(history) {
  const scale = history.isExtrapolated ? GOALS.historyEvents / history.aliceStored : 1;
  return history.storedMs * scale < GOALS.historyMs;
}

/**
 * About ten evenly spaced points of the progress curve, and the last.
 * @param {(number | null)[][]} progress
 */
function sampleProgress(progress) {
  if (progress.length <= 12) return progress;
  const step = Math.ceil(progress.length / 10);
  const picked = progress.filter((_, i) => i % step === 0);
  return (progress.length - 1) % step === 0 ? picked : [...picked, ...progress.slice(-1)];
}

/** @param {ReturnType<typeof percentileSummary>} s */
function roundSummary(s) {
  return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, k === 'n' ? v : round2(v)]));
}
