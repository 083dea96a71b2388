// Connection setup: Parley's "open a room link in a warm page → authenticated channel open"
// against a bare PeerJS `connect()` → 'open', in the same browser, pages, server and run
// (DESIGN §13). `npm run bench -- connect [--runs 25] [--warmup 2] [--settle-ms 300]
// [--cold-runs 8] [--cold-settle-ms 2000] [--timeout-ms 20000] [--debug-log] [--traces]
// [--profile]`.
//
// Then the first room of a page (--cold-runs, 0 for none): each run Bob is a fresh browser
// profile that names himself, waits for his service worker's install, waits on the home screen
// for --cold-settle-ms (as a person reads it) and opens the link; raw PeerJS dials from a fresh
// page the same way.
//
// --traces keeps every run's probe records in the JSON; --debug-log sets the app's log level to
// debug and timestamps its lines; --profile records a Chromium trace (open it in DevTools'
// Performance panel) of one extra, uncounted Parley run.
//
// All clocks are read inside the pages (performance.timeOrigin + performance.now(), so the two
// pages share one time line); Node only orchestrates. An init script adds passive probes on
// WebSocket, RTCPeerConnection and RTCDataChannel that timestamp signalling frames, ICE states
// and data-channel frames; the per-stage breakdown comes from them. They apply to both sides.
import { mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import {
  REPO_ROOT,
  buildInfo,
  formatMs,
  importE2eModule,
  launchChromium,
  machineInfo,
  mainThreadDelta,
  mainThreadTimes,
  markdownTable,
  openUser,
  parseOptions,
  round2,
  sleep,
  startSignalServer,
  summarize,
  withTimeout,
  writeResults,
} from './lib.mjs';

const PEERJS_UMD = path.join(REPO_ROOT, 'node_modules', 'peerjs', 'dist', 'peerjs.min.js');
/** Same-origin URL the pages load PeerJS from (the app's CSP allows only 'self' scripts). */
const PEERJS_ROUTE = '/__bench/peerjs.min.js';
/** The issue's goal: Parley's median at most this many times raw PeerJS's. */
const GOAL_RATIO = 1.5;

const DEFAULTS = {
  runs: 25,
  warmup: 2,
  settleMs: 300,
  coldRuns: 8,
  coldSettleMs: 2000,
  timeoutMs: 20_000,
  debugLog: false,
  traces: false,
  profile: false,
};
/** Where `--profile` writes the Chromium trace of one extra Parley run (git-ignored). */
const PROFILE_PATH = path.join(REPO_ROOT, 'test-results', 'bench-connect-trace.json');

const PARLEY_INCLUDES = [
  'hash routing and mounting the room view',
  'room-key derivation (SHA-256 of the secret)',
  'IndexedDB: conversation lookup and write, conversation list reads',
  'X-ROOM-JOIN → X-ROOM-PEERS round trip to the signal server',
  'PeerJS connect (offer/answer via the server, ICE, DTLS, SCTP, data channel open)',
  'hello/auth handshake: key import, fingerprint, ECDSA P-256 sign + verify, HKDF + HMAC-SHA-256',
  'Svelte update of the Members list (measured when the DOM changes; next frame also recorded)',
];
const RAW_INCLUDES = [
  'peer.connect(id, { reliable: true, serialization: "raw" })',
  'offer/answer via the same signal server, ICE, DTLS, SCTP, data channel open',
  "the DataConnection's 'open' event (both Peers already open on the server)",
];

/**
 * One stage of the breakdown: the time between two milestones of the same run.
 * @typedef {{ label: string, from: string, to: string }} Stage
 */

/** @type {Stage[]} */
const PARLEY_STAGES = [
  { label: 'start → room key derived (hashchange, SHA-256)', from: 'start', to: 'keyDerived' },
  {
    label: 'room key → X-ROOM-JOIN sent (local work awaited before asking the server)',
    from: 'keyDerived',
    to: 'joinSent',
  },
  { label: 'X-ROOM-JOIN → X-ROOM-PEERS received', from: 'joinSent', to: 'peersReceived' },
  { label: 'X-ROOM-PEERS → RTCPeerConnection created', from: 'peersReceived', to: 'pcCreated' },
  { label: 'createOffer() until its promise settles', from: 'pcCreated', to: 'offerCreated' },
  { label: 'setLocalDescription() → OFFER sent', from: 'offerCreated', to: 'offerSent' },
  { label: 'OFFER → ANSWER via server (Alice answers)', from: 'offerSent', to: 'answerReceived' },
  {
    label: 'ANSWER → data channel open (ICE, DTLS, SCTP)',
    from: 'answerReceived',
    to: 'channelOpen',
  },
  { label: "channel open → Alice's hello received", from: 'channelOpen', to: 'helloReceived' },
  {
    label: 'hello → auth sent (import key, fingerprint, ECDSA sign, HMAC)',
    from: 'helloReceived',
    to: 'authSent',
  },
  { label: "auth sent → Alice's auth received", from: 'authSent', to: 'authReceived' },
  {
    label: 'auth received → Members list shows Alice (verify, state, render)',
    from: 'authReceived',
    to: 'shown',
  },
];
/** @type {Stage[]} */
const RAW_STAGES = [
  { label: 'connect() → RTCPeerConnection created', from: 'start', to: 'pcCreated' },
  { label: 'createOffer() until its promise settles', from: 'pcCreated', to: 'offerCreated' },
  { label: 'setLocalDescription() → OFFER sent', from: 'offerCreated', to: 'offerSent' },
  { label: 'OFFER → ANSWER via server (Alice answers)', from: 'offerSent', to: 'answerReceived' },
  {
    label: 'ANSWER → data channel open (ICE, DTLS, SCTP)',
    from: 'answerReceived',
    to: 'channelOpen',
  },
  { label: "data channel open → DataConnection 'open'", from: 'channelOpen', to: 'open' },
];

/**
 * @param {string[]} argv
 * @param {{ isLoopbackOnly: boolean }} environment
 */
export default async function connectBenchmark(argv, environment) {
  const options = parseOptions(argv, DEFAULTS);
  if (!Number.isInteger(options.runs) || options.runs < 1) throw new Error('--runs must be ≥ 1');
  if (!Number.isInteger(options.warmup) || options.warmup < 0) {
    throw new Error('--warmup must be ≥ 0');
  }
  if (!Number.isInteger(options.coldRuns) || options.coldRuns < 0) {
    throw new Error('--cold-runs must be ≥ 0');
  }
  const fixtures = await importE2eModule('fixtures');
  const iterations = options.warmup + options.runs;
  // Alice and Bob join one new room per Parley run and stay in all of them; the default cap
  // (32 rooms per peer) would refuse them after 32 runs. Nothing else is changed.
  const serverEnv = {
    PARLEY_MAX_ROOMS_PER_PEER: String(Math.max(32, iterations + options.coldRuns + 8)),
  };
  const startedAt = Date.now();
  const loadAverageAtStart = loadavg().map((x) => Math.round(x * 100) / 100);

  const server = await startSignalServer({ env: serverEnv });
  const { browser, settings } = await launchChromium();
  try {
    console.info(
      `connect: server ${server.baseUrl} (pid ${server.pid}), Chromium ${browser.version()}, ` +
        `${options.warmup} warm-up + ${options.runs} measured runs per side` +
        (environment.isLoopbackOnly ? ', loopback-only network namespace' : ''),
    );
    const openPage = async (/** @type {string} */ name, /** @type {string} */ displayName) => {
      const user = await openUser(browser, settings, server.baseUrl, name);
      await user.context.addInitScript(installProbes, { debugLog: options.debugLog });
      await user.context.route(`${server.baseUrl}${PEERJS_ROUTE}`, (route) =>
        route.fulfill({ contentType: 'text/javascript', path: PEERJS_UMD }),
      );
      await fixtures.onboard(user.page, displayName);
      await fixtures.expect(fixtures.connectionStatus(user.page)).toContainText('Online');
      await user.page.addScriptTag({ url: `${server.baseUrl}${PEERJS_ROUTE}` });
      await user.page.waitForFunction(() => typeof window.peerjs?.Peer === 'function');
      return user;
    };
    // Warm pages: both onboarded and online, Bob idle on the home page.
    const alice = await openPage('alice', 'Alice');
    const bob = await openPage('bob', 'Bob');
    await fixtures.expect(bob.page).toHaveURL(/\/(#\/?)?$/);

    const context = { alice, bob, fixtures, options, port: server.port };
    /** @type {RunRecord[]} */
    const records = [];
    let failures = 0;
    const maxFailures = Math.max(3, Math.ceil(iterations / 5));
    for (let iteration = 0; iteration < iterations; iteration += 1) {
      const isWarmup = iteration < options.warmup;
      // Alternate which side goes first so both share whatever drifts during the run.
      const order = iteration % 2 === 0 ? ['parley', 'raw'] : ['raw', 'parley'];
      for (const kind of order) {
        const wallStart = Date.now();
        try {
          const record =
            kind === 'parley' ? await measureParley(context) : await measureRaw(context);
          records.push({ ...record, iteration, isWarmup, wallMs: Date.now() - wallStart });
        } catch (error) {
          failures += 1;
          console.error(`connect: ${kind} run ${iteration} failed:`, error);
          for (const user of [alice, bob]) await printDiagnostics(user);
          if (failures > maxFailures) {
            throw new Error(`${failures} failed runs; giving up`, { cause: error });
          }
          await recover(context, kind);
        }
      }
      const last = records.filter((r) => r.iteration === iteration);
      console.info(
        `connect: ${isWarmup ? 'warm-up' : 'run'} ${iteration + 1}/${iterations}: ` +
          last.map((r) => `${r.kind} ${formatMs(r.ms)} ms`).join(', '),
      );
    }

    // The first room of a page: a fresh Bob per run (Alice stays), on the home screen meanwhile.
    /** @type {RunRecord[]} */
    const coldRecords = [];
    for (let iteration = 0; iteration < options.coldRuns; iteration += 1) {
      const order = iteration % 2 === 0 ? ['parley', 'raw'] : ['raw', 'parley'];
      for (const kind of order) {
        const fresh = await openPage(`bob-cold-${iteration}-${kind}`, 'Bob');
        try {
          // A fresh page installs the service worker (the whole app downloaded and compiled,
          // seconds of a thread here); a person naming themselves gives it that time.
          await fixtures.waitForServiceWorker(fresh.page);
          await sleep(options.coldSettleMs);
          const freshContext = { ...context, bob: fresh };
          const record =
            kind === 'parley' ? await measureParley(freshContext) : await measureRaw(freshContext);
          coldRecords.push({ ...record, iteration, isWarmup: false, wallMs: 0 });
        } catch (error) {
          failures += 1;
          console.error(`connect: first-room ${kind} run ${iteration} failed:`, error);
          for (const user of [alice, fresh]) await printDiagnostics(user);
          if (failures > maxFailures) {
            throw new Error(`${failures} failed runs; giving up`, { cause: error });
          }
        } finally {
          await fresh.context.close().catch(() => undefined);
        }
      }
      const last = coldRecords.filter((r) => r.iteration === iteration);
      console.info(
        `connect: first-room run ${iteration + 1}/${options.coldRuns}: ` +
          last.map((r) => `${r.kind} ${formatMs(r.ms)} ms`).join(', '),
      );
    }

    if (options.profile) {
      const profiled = await measureParley(context, { browser, path: PROFILE_PATH });
      console.info(
        `connect: profiled Parley run (not counted): ${formatMs(profiled.ms)} ms; Chromium ` +
          `trace in ${path.relative(REPO_ROOT, PROFILE_PATH)}`,
      );
    }

    const report = buildReport({
      records,
      coldRecords,
      failures,
      options,
      environment,
      serverEnv,
      loadAverageAtStart,
      browserVersion: browser.version(),
      totalSeconds: (Date.now() - startedAt) / 1000,
    });
    console.info(`\n${report.markdown}`);
    const written = writeResults('connect', report.data, report.markdown);
    console.info(
      `connect: wrote ${path.relative(REPO_ROOT, written.jsonPath)} and ${path.relative(REPO_ROOT, written.markdownPath)}`,
    );
  } finally {
    await browser.close().catch(() => undefined);
    await server.stop();
  }
}

/**
 * @typedef {object} RunRecord
 * @property {'parley' | 'raw'} kind
 * @property {string[] | null} timeline both pages' probe records (with --traces)
 * @property {{ bob: import('./lib.mjs').MainThreadTimes, alice: import('./lib.mjs').MainThreadTimes }} mainThread
 *   main-thread work in each page from just before the start to just after the end
 * @property {number} iteration
 * @property {boolean} isWarmup
 * @property {number} ms the headline time of this run
 * @property {number | null} otherSideMs Parley: until Alice shows Bob; raw: acceptor's 'open'
 * @property {Record<string, number | null>} milestones ms after the start, per milestone
 * @property {number} wallMs wall time of the whole run including its setup
 */

/**
 * @typedef {object} BenchContext
 * @property {import('./lib.mjs').BenchUser} alice
 * @property {import('./lib.mjs').BenchUser} bob
 * @property {any} fixtures tests/e2e/fixtures.ts
 * @property {typeof DEFAULTS} options
 * @property {number} port
 */

/** Every room secret used so far: each Parley run must be Bob's first join of a new room. */
const usedSecrets = new Set();

/**
 * Alice creates a fresh room and stays in it; Bob, idle at home, opens its link.
 * @param {BenchContext} context
 * @param {{ browser: import('@playwright/test').Browser, path: string } | null} [profile] record
 *   a Chromium trace of this run
 * @returns {Promise<Omit<RunRecord, 'iteration' | 'isWarmup' | 'wallMs'>>}
 */
async function measureParley({ alice, bob, fixtures, options }, profile = null) {
  const { timeoutMs, settleMs } = options;
  await fixtures.expect(fixtures.connectionStatus(bob.page)).toContainText('Online');
  await fixtures.expect(fixtures.memberList(bob.page)).toBeHidden();

  // Alice starts from the home page: createRoom() waits for a room URL, and the previous run's
  // room URL would satisfy it at once.
  await alice.page.evaluate(() => {
    location.hash = '#/';
  });
  await fixtures.expect(fixtures.memberList(alice.page)).toBeHidden();
  const createdAt = await alice.page.evaluate(() => window.__bench.now());
  const link = await fixtures.createRoom(alice.page);
  const secret = fixtures.roomSecret(link);
  if (usedSecrets.has(secret)) throw new Error(`createRoom returned an old room (${link})`);
  usedSecrets.add(secret);
  // Alice must be in the room on the server before Bob asks who is there (she never dials him).
  await alice.page.waitForFunction(
    (since) =>
      window.__bench.trace.some((e) => e[0] >= since && e[1] === 'ws<' && e[2] === 'X-ROOM-PEERS'),
    createdAt,
    { timeout: timeoutMs },
  );
  await sleep(settleMs);

  const cpuBefore = await Promise.all([bob, alice].map((user) => mainThreadTimes(user.page)));
  await alice.page.evaluate(
    ({ name, timeout }) => {
      const watch = window.__bench.watchMember(name, timeout);
      watch.catch(() => undefined);
      window.__benchOtherSide = watch;
    },
    { name: 'Bob', timeout: timeoutMs },
  );
  if (profile) {
    mkdirSync(path.dirname(profile.path), { recursive: true });
    await profile.browser.startTracing(bob.page, { path: profile.path, screenshots: false });
  }
  const joined = await bob.page.evaluate(
    async ({ hash, name, timeout }) => {
      const bench = window.__bench;
      const shown = bench.watchMember(name, timeout);
      // When the room view (with its Members list) first renders; for the breakdown only.
      const roomView = new MutationObserver(() => {
        if (!document.querySelector('ul[aria-label="Members"]')) return;
        roomView.disconnect();
        bench.rec('bench:room-view');
      });
      roomView.observe(document.documentElement, { subtree: true, childList: true });
      const start = bench.now();
      bench.rec('bench:start');
      location.hash = hash;
      const { domAt, frameAt } = await shown;
      return { start, domAt, frameAt };
    },
    { hash: `#/r/${secret}`, name: 'Alice', timeout: timeoutMs },
  );
  const otherSide = await withTimeout(
    alice.page.evaluate(() => window.__benchOtherSide),
    timeoutMs,
    "Alice's Members list showing Bob",
  );
  if (profile) await profile.browser.stopTracing();
  const cpuAfter = await Promise.all([bob, alice].map((user) => mainThreadTimes(user.page)));
  // The same facts through the accessibility tree, the way the e2e tests check them.
  await fixtures.expectMember(bob.page, 'Alice', 'online');
  await fixtures.expectMember(alice.page, 'Bob', 'online');

  const [bobTrace, aliceTrace] = await Promise.all(
    [bob, alice].map((user) => readTrace(user, joined.start)),
  );
  // Bob goes back home, idle for the next run (not timed).
  await bob.page.evaluate(() => {
    location.hash = '#/';
  });
  await fixtures.expect(fixtures.memberList(bob.page)).toBeHidden();

  const milestones = signallingMilestones(bobTrace, aliceTrace, joined.start);
  const bobPc = milestones.bobPc;
  // A run counts only if Bob really joined and connected: a sample without these milestones
  // would measure something else (say, an already linked room).
  for (const [what, kind, detail] of [
    ['X-ROOM-JOIN sent', 'ws>', 'X-ROOM-JOIN'],
    ['OFFER sent', 'ws>', 'OFFER'],
    ['auth received', 'dc<', `${bobPc} auth`],
  ]) {
    const t = find(bobTrace, kind, detail, joined.start);
    if (t === undefined || t > joined.domAt) {
      throw new Error(`Bob showed Alice online without "${what}" first: not a fresh join`);
    }
  }
  const at = (/** @type {number | undefined} */ t) => (t === undefined ? null : t - joined.start);
  return {
    kind: 'parley',
    mainThread: mainThreadOf(cpuBefore, cpuAfter),
    timeline: options.traces ? timeline(bobTrace, aliceTrace, joined.start, otherSide.domAt) : null,
    ms: joined.domAt - joined.start,
    otherSideMs: otherSide.domAt - joined.start,
    milestones: {
      start: 0,
      hashchange: at(find(bobTrace, 'hashchange', '', joined.start)),
      keyDerived: at(find(bobTrace, 'crypto:digest', 'SHA-256 done', joined.start)),
      roomViewShown: at(find(bobTrace, 'bench:room-view', '', joined.start)),
      joinSent: at(find(bobTrace, 'ws>', 'X-ROOM-JOIN', joined.start)),
      peersReceived: at(find(bobTrace, 'ws<', 'X-ROOM-PEERS', joined.start)),
      aliceToldJoined: at(find(aliceTrace, 'ws<', 'X-ROOM-JOINED', joined.start)),
      ...relative(milestones.times, joined.start),
      helloSent: at(find(bobTrace, 'dc>', `${bobPc} hello`, joined.start)),
      helloReceived: at(find(bobTrace, 'dc<', `${bobPc} hello`, joined.start)),
      authSent: at(find(bobTrace, 'dc>', `${bobPc} auth`, joined.start)),
      authReceived: at(find(bobTrace, 'dc<', `${bobPc} auth`, joined.start)),
      shown: joined.domAt - joined.start,
      shownFrame: joined.frameAt - joined.start,
      aliceShowsBob: otherSide.domAt - joined.start,
    },
  };
}

/**
 * Two bare PeerJS Peers in the same pages; Bob's dials Alice's.
 * @param {BenchContext} context
 * @returns {Promise<Omit<RunRecord, 'iteration' | 'isWarmup' | 'wallMs'>>}
 */
async function measureRaw({ alice, bob, options, port }) {
  const { timeoutMs, settleMs } = options;
  const [aliceId] = await Promise.all(
    [alice, bob].map((user) => user.page.evaluate(openRawPeer, { port, timeout: timeoutMs })),
  );
  await sleep(settleMs);
  try {
    const cpuBefore = await Promise.all([bob, alice].map((user) => mainThreadTimes(user.page)));
    const dialled = await bob.page.evaluate(
      ({ remoteId, timeout }) =>
        new Promise((resolve, reject) => {
          const bench = window.__bench;
          const peer = window.__benchRaw.peer;
          const timer = setTimeout(() => reject(new Error(`no 'open' in ${timeout} ms`)), timeout);
          peer.on('error', (error) =>
            reject(new Error(`peer error ${error.type}: ${error.message}`)),
          );
          const start = bench.now();
          bench.rec('bench:start');
          const connection = peer.connect(remoteId, { reliable: true, serialization: 'raw' });
          connection.on('open', () => {
            const openAt = bench.now();
            clearTimeout(timer);
            resolve({ start, openAt });
          });
          connection.on('error', (error) => reject(new Error(`connection error ${error.type}`)));
        }),
      { remoteId: aliceId, timeout: timeoutMs },
    );
    const acceptedAt = await alice.page.waitForFunction(() => window.__benchRaw.acceptedAt, null, {
      timeout: timeoutMs,
    });
    const aliceOpenAt = /** @type {number} */ (await acceptedAt.jsonValue());
    const cpuAfter = await Promise.all([bob, alice].map((user) => mainThreadTimes(user.page)));
    const [bobTrace, aliceTrace] = await Promise.all(
      [bob, alice].map((user) => readTrace(user, dialled.start)),
    );
    const milestones = signallingMilestones(bobTrace, aliceTrace, dialled.start);
    return {
      kind: 'raw',
      mainThread: mainThreadOf(cpuBefore, cpuAfter),
      timeline: options.traces
        ? timeline(bobTrace, aliceTrace, dialled.start, Math.max(dialled.openAt, aliceOpenAt))
        : null,
      ms: dialled.openAt - dialled.start,
      otherSideMs: aliceOpenAt - dialled.start,
      milestones: {
        start: 0,
        ...relative(milestones.times, dialled.start),
        open: dialled.openAt - dialled.start,
        aliceOpen: aliceOpenAt - dialled.start,
      },
    };
  } finally {
    await Promise.all([alice, bob].map((user) => user.page.evaluate(closeRawPeer)));
  }
}

/**
 * Prints what a failed run left behind in one page: URL, Members list, console, probe records.
 * @param {import('./lib.mjs').BenchUser} user
 */
async function printDiagnostics(user) {
  const state = await user.page
    .evaluate(() => ({
      url: location.href,
      members: document.querySelector('ul[aria-label="Members"]')?.textContent ?? '(no list)',
      trace: window.__bench.trace
        .slice(-40)
        .map((e) => `${(e[0] % 100_000).toFixed(1)} ${e[1]} ${e[2]}`),
    }))
    .catch((/** @type {unknown} */ error) => ({ url: '?', members: String(error), trace: [] }));
  console.error(
    [
      `--- ${user.name}: ${state.url}`,
      `members: ${state.members.replace(/\s+/g, ' ').trim()}`,
      'console:',
      ...user.log.slice(-15),
      'probe records (last 40):',
      ...state.trace,
    ].join('\n'),
  );
}

/**
 * After a failed run: Bob back home, raw Peers gone, so the next run starts clean.
 * @param {BenchContext} context
 * @param {string} kind
 */
async function recover({ alice, bob }, kind) {
  try {
    if (kind === 'raw') {
      await Promise.all([alice, bob].map((user) => user.page.evaluate(closeRawPeer)));
    } else {
      await bob.page.evaluate(() => {
        location.hash = '#/';
      });
    }
    await sleep(1000);
  } catch (error) {
    console.error('connect: recovery failed', error);
  }
}

// ---- In-page code (serialized by Playwright; no references to this module) ------------------

/**
 * Init script for both contexts: timestamps (performance.timeOrigin + now, shared by all pages)
 * of signalling frames, RTCPeerConnection life and data-channel frames in `window.__bench.trace`,
 * plus the member watcher. Passive: it only records, it never changes what the page does.
 * @param {{ debugLog: boolean }} config
 */
function installProbes({ debugLog }) {
  if (debugLog) localStorage.setItem('parley:log', 'debug');
  const now = () => performance.timeOrigin + performance.now();
  /** @type {[number, string, string][]} */
  const trace = [];
  const rec = (/** @type {string} */ kind, detail = '') => {
    trace.push([now(), kind, detail]);
    if (trace.length > 20_000) trace.splice(0, 5_000);
  };
  const typeOf = (/** @type {unknown} */ data) => {
    if (typeof data !== 'string') return 'binary';
    const match = /"type":"([A-Za-z-]{1,40})"/.exec(data.slice(0, 200));
    return match?.[1] ?? 'unknown';
  };

  const NativeWebSocket = window.WebSocket;
  window.WebSocket = class ProbedWebSocket extends NativeWebSocket {
    /** @param {ConstructorParameters<typeof WebSocket>} args */
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (event) => {
        const type = typeOf(event.data);
        if (type !== 'HEARTBEAT') rec('ws<', type);
      });
    }
    /** @param {Parameters<WebSocket['send']>[0]} data */
    send(data) {
      const type = typeOf(data);
      if (type !== 'HEARTBEAT') rec('ws>', type);
      super.send(data);
    }
  };

  let connections = 0;
  const probeChannel = (/** @type {string} */ id, /** @type {RTCDataChannel} */ channel) => {
    channel.__benchPc = id;
    channel.addEventListener('open', () => rec('dc:open', id));
    channel.addEventListener('message', (event) => rec('dc<', `${id} ${typeOf(event.data)}`));
  };
  const nativeSend = RTCDataChannel.prototype.send;
  RTCDataChannel.prototype.send = function send(/** @type {any} */ data) {
    rec('dc>', `${this.__benchPc ?? '?'} ${typeOf(data)}`);
    return nativeSend.call(this, data);
  };
  const NativePeerConnection = window.RTCPeerConnection;
  window.RTCPeerConnection = class ProbedPeerConnection extends NativePeerConnection {
    /** @param {ConstructorParameters<typeof RTCPeerConnection>} args */
    constructor(...args) {
      super(...args);
      connections += 1;
      const id = `pc${connections}`;
      this.__benchId = id;
      rec('pc:new', id);
      this.addEventListener('icecandidate', (event) => {
        rec('pc:candidate', `${id} ${event.candidate ? event.candidate.type : 'end'}`);
      });
      this.addEventListener('iceconnectionstatechange', () => {
        rec('pc:ice', `${id} ${this.iceConnectionState}`);
      });
      this.addEventListener('connectionstatechange', () => {
        rec('pc:state', `${id} ${this.connectionState}`);
      });
      this.addEventListener('datachannel', (event) => probeChannel(id, event.channel));
    }
    /** @param {Parameters<RTCPeerConnection['createDataChannel']>} args */
    createDataChannel(...args) {
      const channel = super.createDataChannel(...args);
      probeChannel(this.__benchId, channel);
      return channel;
    }
  };
  // Negotiation steps: call and settle times (the promise forms only; PeerJS uses nothing else).
  for (const method of /** @type {const} */ ([
    'createOffer',
    'createAnswer',
    'setLocalDescription',
    'setRemoteDescription',
  ])) {
    const native = NativePeerConnection.prototype[method];
    window.RTCPeerConnection.prototype[method] = function probed(/** @type {any[]} */ ...args) {
      const id = this.__benchId ?? '?';
      rec(`pc:${method}`, `${id} call`);
      const result = native.apply(this, args);
      result.then(
        () => rec(`pc:${method}`, `${id} done`),
        () => rec(`pc:${method}`, `${id} failed`),
      );
      return result;
    };
  }

  // The app's local work before and after the network: routing, IndexedDB, WebCrypto.
  window.addEventListener('hashchange', () => rec('hashchange'));
  const nativeTransaction = IDBDatabase.prototype.transaction;
  IDBDatabase.prototype.transaction = function transaction(/** @type {any[]} */ ...args) {
    const tx = nativeTransaction.apply(this, /** @type {any} */ (args));
    const what = `${[args[0]].flat().join(',')} ${args[1] ?? 'readonly'}`;
    rec('idb', `${what} begin`);
    tx.addEventListener('complete', () => rec('idb', `${what} complete`));
    return tx;
  };
  for (const method of /** @type {const} */ ([
    'digest',
    'importKey',
    'deriveKey',
    'sign',
    'verify',
  ])) {
    const native = SubtleCrypto.prototype[method];
    SubtleCrypto.prototype[method] = function probed(/** @type {any[]} */ ...args) {
      const algorithm = method === 'importKey' ? args[2] : args[0];
      const name = typeof algorithm === 'string' ? algorithm : (algorithm?.name ?? '?');
      rec(`crypto:${method}`, `${name} call`);
      const result = /** @type {Promise<unknown>} */ (
        native.apply(this, /** @type {any} */ (args))
      );
      result.then(
        () => rec(`crypto:${method}`, `${name} done`),
        () => rec(`crypto:${method}`, `${name} failed`),
      );
      return result;
    };
  }

  if (debugLog) {
    // Timestamps the app's own log lines (createLogger prefixes them with "[parley:").
    for (const level of /** @type {const} */ (['debug', 'info', 'warn', 'error'])) {
      // eslint-disable-next-line no-console -- wraps each level, whichever it is
      const original = console[level].bind(console);
      // eslint-disable-next-line no-console -- see above
      console[level] = (...args) => {
        if (typeof args[0] === 'string' && args[0].startsWith('[parley:')) {
          rec('log', args.map((a) => (typeof a === 'string' ? a : String(a))).join(' '));
        }
        original(...args);
      };
    }
  }

  /** True when the Members list has an item with `name` that says "online". */
  const isMemberOnline = (/** @type {string} */ name) => {
    const list = document.querySelector('ul[aria-label="Members"]');
    if (!list) return false;
    for (const item of list.querySelectorAll('li')) {
      const text = item.textContent ?? '';
      if (text.includes(name) && /\bonline\b/i.test(text)) return true;
    }
    return false;
  };

  /**
   * Resolves with the time the DOM first shows `name` online (MutationObserver, so the time of
   * the DOM change itself) and the start of the next animation frame after it.
   * @param {string} name
   * @param {number} timeoutMs
   * @returns {Promise<{ domAt: number, frameAt: number }>}
   */
  const watchMember = (name, timeoutMs) =>
    new Promise((resolve, reject) => {
      let isDone = false;
      const finish = () => {
        if (isDone || !isMemberOnline(name)) return;
        isDone = true;
        const domAt = now();
        rec('bench:shown', name);
        observer.disconnect();
        clearTimeout(timer);
        requestAnimationFrame(() => resolve({ domAt, frameAt: now() }));
      };
      const observer = new MutationObserver(finish);
      observer.observe(document.documentElement, {
        subtree: true,
        childList: true,
        characterData: true,
      });
      const timer = setTimeout(() => {
        observer.disconnect();
        isDone = true;
        reject(new Error(`${name} not shown online within ${timeoutMs} ms`));
      }, timeoutMs);
      finish();
    });

  window.__bench = { now, rec, trace, watchMember };
}

/**
 * Opens a bare PeerJS Peer on the signal server; resolves with its ID.
 * @param {{ port: number, timeout: number }} args
 */
function openRawPeer({ port, timeout }) {
  const peer = new window.peerjs.Peer({
    host: location.hostname,
    port,
    path: '/peerjs',
    secure: false,
    config: { iceServers: [] },
    debug: 1,
  });
  const state = { peer, acceptedAt: null };
  window.__benchRaw = state;
  peer.on('connection', (connection) => {
    connection.on('open', () => {
      state.acceptedAt = window.__bench.now();
    });
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`raw Peer not open in ${timeout} ms`)),
      timeout,
    );
    peer.on('open', (id) => {
      clearTimeout(timer);
      resolve(id);
    });
    peer.on('error', (error) =>
      reject(new Error(`raw Peer error ${error.type}: ${error.message}`)),
    );
  });
}

/** Destroys the page's bare Peer, if any. */
function closeRawPeer() {
  window.__benchRaw?.peer.destroy();
  window.__benchRaw = null;
}

// ---- Trace analysis -------------------------------------------------------------------------

/**
 * The page's probe records from `since` on.
 * @param {import('./lib.mjs').BenchUser} user
 * @param {number} since
 * @returns {Promise<[number, string, string][]>}
 */
function readTrace(user, since) {
  return user.page.evaluate((from) => window.__bench.trace.filter((e) => e[0] >= from), since);
}

/**
 * Time of the first record of `kind` whose detail is `detail`, at or after `since`.
 * @param {[number, string, string][]} trace
 * @param {string} kind
 * @param {string} detail
 * @param {number} since
 */
function find(trace, kind, detail, since) {
  return trace.find((e) => e[0] >= since && e[1] === kind && e[2] === detail)?.[0];
}

/**
 * The WebRTC milestones both sides share: Bob's new connection, its offer, Alice's answer, ICE
 * and the data channel. Bob's connection is the first one his page creates after the start.
 * @param {[number, string, string][]} bobTrace
 * @param {[number, string, string][]} aliceTrace
 * @param {number} start
 */
function signallingMilestones(bobTrace, aliceTrace, start) {
  const bobCreated = bobTrace.find((e) => e[0] >= start && e[1] === 'pc:new');
  const aliceCreated = aliceTrace.find((e) => e[0] >= start && e[1] === 'pc:new');
  const bobPc = bobCreated?.[2] ?? '?';
  const alicePc = aliceCreated?.[2] ?? '?';
  const bobCandidate = bobTrace.find(
    (e) => e[0] >= start && e[1] === 'pc:candidate' && e[2].startsWith(`${bobPc} `),
  );
  return {
    bobPc,
    times: {
      pcCreated: bobCreated?.[0],
      offerCreated: find(bobTrace, 'pc:createOffer', `${bobPc} done`, start),
      firstCandidate: bobCandidate?.[0],
      offerSent: find(bobTrace, 'ws>', 'OFFER', start),
      aliceOfferReceived: find(aliceTrace, 'ws<', 'OFFER', start),
      alicePcCreated: aliceCreated?.[0],
      aliceAnswerSent: find(aliceTrace, 'ws>', 'ANSWER', start),
      answerReceived: find(bobTrace, 'ws<', 'ANSWER', start),
      iceConnected: find(bobTrace, 'pc:ice', `${bobPc} connected`, start),
      channelOpen: find(bobTrace, 'dc:open', bobPc, start),
      aliceChannelOpen: find(aliceTrace, 'dc:open', alicePc, start),
    },
  };
}

/**
 * Both pages' records between `start` and `end` on one time line (ms after the start), without
 * the pings of links from earlier runs: for `--traces`, to see a run step by step.
 * @param {[number, string, string][]} bobTrace
 * @param {[number, string, string][]} aliceTrace
 * @param {number} start
 * @param {number} end
 * @returns {string[]}
 */
function timeline(bobTrace, aliceTrace, start, end) {
  const isPing = (/** @type {string} */ detail) => / (ping|pong)$/.test(detail);
  return [
    ...bobTrace.map((e) => /** @type {const} */ ([e, 'bob  '])),
    ...aliceTrace.map((e) => /** @type {const} */ ([e, 'alice'])),
  ]
    .filter(([e]) => e[0] >= start && e[0] <= end + 1 && !isPing(e[2]))
    .sort((a, b) => a[0][0] - b[0][0])
    .map(([e, who]) => `${(e[0] - start).toFixed(1).padStart(6)} ${who} ${e[1]} ${e[2]}`);
}

/**
 * Main-thread work of both pages between two readings.
 * @param {import('./lib.mjs').MainThreadTimes[]} before Bob's, then Alice's
 * @param {import('./lib.mjs').MainThreadTimes[]} after
 */
function mainThreadOf(before, after) {
  const [bobBefore, aliceBefore] = before;
  const [bobAfter, aliceAfter] = after;
  if (!bobBefore || !aliceBefore || !bobAfter || !aliceAfter) throw new Error('missing metrics');
  return {
    bob: mainThreadDelta(bobBefore, bobAfter),
    alice: mainThreadDelta(aliceBefore, aliceAfter),
  };
}

/**
 * @param {Record<string, number | undefined>} times
 * @param {number} start
 * @returns {Record<string, number | null>}
 */
function relative(times, start) {
  return Object.fromEntries(
    Object.entries(times).map(([name, t]) => [name, t === undefined ? null : t - start]),
  );
}

// ---- Report ---------------------------------------------------------------------------------

/**
 * @param {{
 *   records: RunRecord[],
 *   coldRecords: RunRecord[],
 *   failures: number,
 *   options: typeof DEFAULTS,
 *   environment: { isLoopbackOnly: boolean },
 *   serverEnv: Record<string, string>,
 *   loadAverageAtStart: number[],
 *   browserVersion: string,
 *   totalSeconds: number,
 * }} input
 */
function buildReport({
  records,
  coldRecords,
  failures,
  options,
  environment,
  serverEnv,
  loadAverageAtStart,
  browserVersion,
  totalSeconds,
}) {
  const measured = records.filter((r) => !r.isWarmup);
  const parley = measured.filter((r) => r.kind === 'parley');
  const raw = measured.filter((r) => r.kind === 'raw');
  const summaryOf = (
    /** @type {RunRecord[]} */ rs,
    /** @type {(r: RunRecord) => number | null | undefined} */ pick,
  ) => summarize(rs.map(pick).filter((x) => typeof x === 'number'));

  const rows = [
    {
      label: 'Parley: room link opened → Alice shown online in Bob’s Members list',
      summary: summaryOf(parley, (r) => r.ms),
    },
    {
      label: '  … → next animation frame after that DOM change',
      summary: summaryOf(parley, (r) => r.milestones.shownFrame),
    },
    {
      label: '  … → Bob shown online in Alice’s Members list (both sides authenticated)',
      summary: summaryOf(parley, (r) => r.otherSideMs),
    },
    {
      label: "Raw PeerJS: connect() → DataConnection 'open' (dialler)",
      summary: summaryOf(raw, (r) => r.ms),
    },
    {
      label: "  … → 'open' on the accepting side",
      summary: summaryOf(raw, (r) => r.otherSideMs),
    },
  ];
  const parleyMedian = rows[0]?.summary.median ?? Number.NaN;
  const rawMedian = rows[3]?.summary.median ?? Number.NaN;
  const ratio = parleyMedian / rawMedian;
  const meetsGoal = ratio <= GOAL_RATIO;

  const stageRows = (/** @type {Stage[]} */ stages, /** @type {RunRecord[]} */ rs) =>
    stages.map((stage) => {
      const summary = summaryOf(rs, (r) => {
        const from = r.milestones[stage.from];
        const to = r.milestones[stage.to];
        return typeof from === 'number' && typeof to === 'number' ? to - from : null;
      });
      return { stage: stage.label, from: stage.from, to: stage.to, ...roundSummary(summary) };
    });
  const parleyStages = stageRows(PARLEY_STAGES, parley);
  const rawStages = stageRows(RAW_STAGES, raw);

  // The first room of a page (fresh browser profiles): the same measurement, and Parley's stages.
  const coldParley = coldRecords.filter((r) => r.kind === 'parley');
  const coldRaw = coldRecords.filter((r) => r.kind === 'raw');
  const cold = {
    parley: summaryOf(coldParley, (r) => r.ms),
    raw: summaryOf(coldRaw, (r) => r.ms),
    stages: stageRows(PARLEY_STAGES, coldParley),
    bobTaskMs: round2(summaryOf(coldParley, (r) => r.mainThread.bob.taskMs).median),
  };
  const coldRatio = cold.parley.median / cold.raw.median;

  // Main-thread work per page and run, median over the runs.
  const cpuRows = /** @type {const} */ ([
    ['bob', 'taskMs', 'Bob: main-thread tasks, all'],
    ['bob', 'scriptMs', 'Bob: … JavaScript'],
    ['bob', 'styleMs', 'Bob: … style recalculation'],
    ['bob', 'layoutMs', 'Bob: … layout'],
    ['bob', 'otherMs', 'Bob: … other (IPC replies, paint, …)'],
    ['bob', 'threadCpuMs', 'Bob: main-thread CPU time'],
    ['alice', 'taskMs', 'Alice: main-thread tasks, all'],
    ['alice', 'scriptMs', 'Alice: … JavaScript'],
    ['alice', 'threadCpuMs', 'Alice: main-thread CPU time'],
  ]).map(([who, field, label]) => ({
    label,
    parley: round2(summaryOf(parley, (r) => r.mainThread[who][field]).median),
    raw: round2(summaryOf(raw, (r) => r.mainThread[who][field]).median),
  }));

  // Drift check: Alice and Bob keep every earlier room and its link, so later runs have more.
  const half = Math.floor(parley.length / 2);
  const drift = {
    parleyFirstHalfMedian: round2(summaryOf(parley.slice(0, half), (r) => r.ms).median),
    parleySecondHalfMedian: round2(summaryOf(parley.slice(half), (r) => r.ms).median),
    rawFirstHalfMedian: round2(summaryOf(raw.slice(0, half), (r) => r.ms).median),
    rawSecondHalfMedian: round2(summaryOf(raw.slice(half), (r) => r.ms).median),
  };
  const machine = machineInfo({ browserVersion });
  const build = buildInfo();
  const buildLine =
    `Build under test: commit ${build.commit?.slice(0, 7) ?? 'unknown'}` +
    (build.uncommittedSourceFiles > 0
      ? ` plus ${build.uncommittedSourceFiles} uncommitted file(s) in web/ and signal/`
      : ', web/ and signal/ unchanged') +
    `, dist/web built ${build.webBuiltAt ?? 'at an unknown time'}.`;
  const wall = {
    parleyRunMedianMs: round2(summaryOf(parley, (r) => r.wallMs).median),
    rawRunMedianMs: round2(summaryOf(raw, (r) => r.wallMs).median),
    totalSeconds: round2(totalSeconds),
  };

  const summaryTable = (
    /** @type {{ label: string, summary: import('./lib.mjs').Summary }[]} */ tableRows,
  ) =>
    markdownTable(
      ['Measurement', 'n', 'median ms', 'p90 ms', 'min ms', 'max ms'],
      tableRows.map(({ label, summary }) => [
        label,
        String(summary.n),
        formatMs(summary.median),
        formatMs(summary.p90),
        formatMs(summary.min),
        formatMs(summary.max),
      ]),
      ['l', 'r', 'r', 'r', 'r', 'r'],
    );
  const table = summaryTable(rows);
  const stageTable = (/** @type {ReturnType<typeof stageRows>} */ stages) =>
    markdownTable(
      ['Stage (Bob, the dialler)', 'n', 'median ms', 'p90 ms'],
      stages.map((s) => [s.stage, String(s.n), formatMs(s.median ?? NaN), formatMs(s.p90 ?? NaN)]),
      ['l', 'r', 'r', 'r'],
    );

  const coldSection =
    coldRecords.length === 0
      ? []
      : [
          '## The first room of a page',
          '',
          `${options.coldRuns} runs per side, interleaved: each run Bob is a fresh browser ` +
            `profile that names himself, goes online, waits for his service worker to be ` +
            `installed (a person typing a name gives it that time), stays on the home screen ` +
            `for ${options.coldSettleMs} ms (as a person reads it) and then opens the link (raw ` +
            'PeerJS: the same fresh page dials bare Peers). Everything the page has not done yet ' +
            'is paid here: the room view’s code and styles, the browser’s date and number ' +
            'formats, the first RTCPeerConnection of the process (DESIGN §11 “Readying the room view”).',
          '',
          summaryTable([
            {
              label: 'Parley: room link opened → Alice shown online (first room)',
              summary: cold.parley,
            },
            {
              label: "Raw PeerJS: connect() → 'open' (first connection of the page)",
              summary: cold.raw,
            },
          ]),
          '',
          `Ratio of medians, Parley / raw: ${coldRatio.toFixed(2)}× (the warm pages above: ` +
            `${ratio.toFixed(2)}×). Bob’s main-thread tasks per Parley run: ` +
            `${formatMs(cold.bobTaskMs ?? NaN)} ms.`,
          '',
          stageTable(cold.stages),
          '',
        ];

  const markdown = [
    '# Connection setup: Parley vs raw PeerJS',
    '',
    `${machine.date} · ${machine.cpuModel} (${machine.cores} cores) · Node ${machine.node} · ` +
      `Chromium ${browserVersion} · PeerJS ${machine.peerjs} · peer ${machine.peerServer} · ` +
      `${environment.isLoopbackOnly ? 'loopback-only network namespace' : 'host network'}`,
    '',
    buildLine,
    '',
    `${options.runs} measured runs per side after ${options.warmup} warm-up runs, interleaved ` +
      `(the order alternates every run), same browser, same two pages, same signal server.` +
      (failures > 0 ? ` ${failures} run(s) failed and are not counted.` : ''),
    '',
    table,
    '',
    `**Ratio of medians, Parley / raw: ${ratio.toFixed(2)}×** (goal ≤ ${GOAL_RATIO}×: ` +
      `${meetsGoal ? 'met' : 'not met'}).`,
    '',
    '## What each side includes',
    '',
    'Parley (Bob is on the home page, signed in and online; Alice created the room moments ' +
      'before and is in it; the clock starts when Bob sets `location.hash` to the room link and ' +
      'stops when a MutationObserver sees Alice with “online” in his Members list):',
    '',
    ...PARLEY_INCLUDES.map((item) => `- ${item}`),
    '',
    'Raw PeerJS (two bare `Peer` objects from peerjs.min.js, both already open on the same ' +
      'server, new pair every run; the clock starts at `connect()` in Bob’s page):',
    '',
    ...RAW_INCLUDES.map((item) => `- ${item}`),
    '',
    '## Where the time goes (median per stage over the runs)',
    '',
    'From passive probes on WebSocket, RTCPeerConnection and RTCDataChannel in both pages. ' +
      'Medians of stages do not add up exactly to the median of the total.',
    '',
    '### Parley',
    '',
    stageTable(parleyStages),
    '',
    '### Raw PeerJS',
    '',
    stageTable(rawStages),
    '',
    ...coldSection,
    '### Main-thread work during a run',
    '',
    'Chromium’s per-page counters (Performance.getMetrics), read just before the start and ' +
      'just after the end of each run; median ms over the runs. On loopback every network step ' +
      'takes a millisecond or two, so work on Bob’s main thread is on the critical path: a ' +
      'frame, a reply or a promise that settles while it is busy waits for it.',
    '',
    markdownTable(
      ['Main thread', 'Parley ms', 'raw PeerJS ms'],
      cpuRows.map((row) => [row.label, formatMs(row.parley ?? NaN), formatMs(row.raw ?? NaN)]),
      ['l', 'r', 'r'],
    ),
    '',
    '## Notes',
    '',
    `- One iteration (one Parley run + one raw run, with room creation, Peer setup and the ` +
      `${options.settleMs} ms settle pauses) takes about ` +
      `${(((wall.parleyRunMedianMs ?? 0) + (wall.rawRunMedianMs ?? 0)) / 1000).toFixed(1)} s; ` +
      `the whole benchmark took ${totalSeconds.toFixed(0)} s.`,
    `- Signal server started with ${Object.entries(serverEnv)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}: Alice and Bob stay in every room of the run, each with its own idle link ` +
      `(pinging every 5 s), like someone in many rooms. Medians of the first and second half ` +
      `of the runs: Parley ${formatMs(drift.parleyFirstHalfMedian ?? NaN)} / ` +
      `${formatMs(drift.parleySecondHalfMedian ?? NaN)} ms, raw ` +
      `${formatMs(drift.rawFirstHalfMedian ?? NaN)} / ${formatMs(drift.rawSecondHalfMedian ?? NaN)} ms.`,
    '- Passive probes in both pages wrap WebSocket, RTCPeerConnection, RTCDataChannel.send, ' +
      'IDBDatabase.transaction and SubtleCrypto to timestamp events (a few µs each); both ' +
      'sides pay them. Load average at start / end: ' +
      `${loadAverageAtStart.join(' ')} / ${machine.loadAverage.join(' ')}.`,
    '- Times are read in the pages with `performance.timeOrigin + performance.now()`; Node ' +
      'round trips are not part of any number.',
    '',
  ].join('\n');

  const data = {
    benchmark: 'connect',
    description:
      'Opening a room link in a warm page until the authenticated channel is open (Parley), vs ' +
      "PeerJS connect() → 'open' (raw), same run.",
    options,
    environment: {
      loopbackOnlyNetworkNamespace: environment.isLoopbackOnly,
      serverEnv,
      loadAverageAtStart,
      loadAverageAtEnd: machine.loadAverage,
    },
    machine,
    build,
    summary: {
      parley: roundSummary(rows[0]?.summary),
      parleyNextFrame: roundSummary(rows[1]?.summary),
      parleyBothSides: roundSummary(rows[2]?.summary),
      raw: roundSummary(rows[3]?.summary),
      rawAcceptor: roundSummary(rows[4]?.summary),
      ratioOfMedians: round2(ratio),
      firstRoom: {
        parley: roundSummary(cold.parley),
        raw: roundSummary(cold.raw),
        ratioOfMedians: round2(coldRatio),
        bobTaskMs: cold.bobTaskMs,
      },
      goalRatio: GOAL_RATIO,
      meetsGoal,
      failures,
    },
    includes: { parley: PARLEY_INCLUDES, raw: RAW_INCLUDES },
    breakdown: {
      parley: parleyStages,
      raw: rawStages,
      mainThread: cpuRows,
      firstRoomParley: cold.stages,
    },
    wallTime: wall,
    drift,
    samples: records.map((r) => ({
      iteration: r.iteration,
      kind: r.kind,
      isWarmup: r.isWarmup,
      ms: round2(r.ms),
      otherSideMs: r.otherSideMs === null ? null : round2(r.otherSideMs),
      wallMs: r.wallMs,
      mainThread: roundFields(r.mainThread),
      milestones: Object.fromEntries(
        Object.entries(r.milestones).map(([k, v]) => [k, v === null ? null : round2(v)]),
      ),
      ...(r.timeline ? { timeline: r.timeline } : {}),
    })),
    firstRoomSamples: coldRecords.map((r) => ({
      iteration: r.iteration,
      kind: r.kind,
      ms: round2(r.ms),
      mainThread: roundFields(r.mainThread),
      milestones: Object.fromEntries(
        Object.entries(r.milestones).map(([k, v]) => [k, v === null ? null : round2(v)]),
      ),
    })),
  };
  return { markdown, data };
}

/**
 * The same object with every number rounded to 0.01, one level deep per page.
 * @param {Record<string, Record<string, number>>} byPage
 */
function roundFields(byPage) {
  return Object.fromEntries(
    Object.entries(byPage).map(([page, fields]) => [
      page,
      Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, round2(v)])),
    ]),
  );
}

/** @param {import('./lib.mjs').Summary | undefined} summary */
function roundSummary(summary) {
  if (!summary) return null;
  return {
    n: summary.n,
    median: round2(summary.median),
    p90: round2(summary.p90),
    min: round2(summary.min),
    max: round2(summary.max),
    mean: round2(summary.mean),
  };
}
