// Call setup: the time from the callee pressing "Accept" to the first remote video frame on its
// screen, in Parley and in a bare PeerJS call (`peer.on('call')` → getUserMedia → `answer()` →
// 'stream' → first frame) in the same browser, pages, server and run (DESIGN §13).
// `npm run bench -- calls [--runs 15] [--warmup 2] [--timeout-ms 20000] [--trace]`.
//
// --trace records a Chromium trace (test-results/bench-calls-trace.json, open it in DevTools'
// Performance panel) of one extra, uncounted Parley call, from while the callee's phone rings
// until its first frame of the caller.
//
// Both sides open the (fake) camera and microphone at "Accept", as a person answering would; the
// first frame is the first `requestVideoFrameCallback` of the callee's video element showing the
// caller. Clocks are read inside the callee's page; Node only orchestrates. The caller's first
// frame of the callee is recorded too ("other side").
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { loadavg } from 'node:os';
import {
  REPO_ROOT,
  buildInfo,
  formatMs,
  importE2eModule,
  launchChromium,
  machineInfo,
  markdownTable,
  openUser,
  parseOptions,
  sleep,
  startSignalServer,
  summarize,
  withTimeout,
  writeResults,
} from './lib.mjs';

const PEERJS_UMD = path.join(REPO_ROOT, 'node_modules', 'peerjs', 'dist', 'peerjs.min.js');
/** Same-origin URL the pages load PeerJS from (the app's CSP allows only 'self' scripts). */
const PEERJS_ROUTE = '/__bench/peerjs.min.js';

const DEFAULTS = { runs: 15, warmup: 2, timeoutMs: 20_000, trace: false };
/** Where `--trace` writes its Chromium trace (git-ignored). */
const TRACE_PATH = path.join(REPO_ROOT, 'test-results', 'bench-calls-trace.json');
/** How long the phone rings before the callee presses Accept, on both sides. */
const RING_BEFORE_ACCEPT_MS = 500;

/**
 * @param {string[]} argv
 * @param {{ isLoopbackOnly: boolean }} environment
 */
export default async function callsBenchmark(argv, environment) {
  const options = parseOptions(argv, DEFAULTS);
  if (!Number.isInteger(options.runs) || options.runs < 1) throw new Error('--runs must be ≥ 1');
  const fixtures = await importE2eModule('fixtures');
  const startedAt = Date.now();
  const loadAverageAtStart = loadavg().map((x) => Math.round(x * 100) / 100);
  const server = await startSignalServer();
  const { browser, settings } = await launchChromium();
  try {
    console.info(
      `calls: server ${server.baseUrl}, Chromium ${browser.version()}, ` +
        `${options.warmup} warm-up + ${options.runs} measured runs per side` +
        (environment.isLoopbackOnly ? ', loopback-only network namespace' : ''),
    );
    const alice = await openUser(browser, settings, server.baseUrl, 'alice');
    const bob = await openUser(browser, settings, server.baseUrl, 'bob');
    for (const user of [alice, bob]) {
      await user.context.route(`${server.baseUrl}${PEERJS_ROUTE}`, (route) =>
        route.fulfill({ contentType: 'text/javascript', path: PEERJS_UMD }),
      );
    }
    await fixtures.meetInRoom(alice.page, bob.page);
    for (const user of [alice, bob]) {
      await user.page.addScriptTag({ url: `${server.baseUrl}${PEERJS_ROUTE}` });
      await user.page.waitForFunction(() => typeof window.peerjs?.Peer === 'function');
    }
    const bobId = await bob.page.evaluate(openRawPeer, { port: server.port });
    await alice.page.evaluate(openRawPeer, { port: server.port });

    /** @type {{ kind: 'parley' | 'raw', ms: number, otherSideMs: number, isWarmup: boolean }[]} */
    const records = [];
    const iterations = options.warmup + options.runs;
    for (let iteration = 0; iteration < iterations; iteration += 1) {
      const isWarmup = iteration < options.warmup;
      const order = iteration % 2 === 0 ? ['parley', 'raw'] : ['raw', 'parley'];
      const line = [];
      for (const kind of order) {
        const run =
          kind === 'parley'
            ? await measureParley(alice, bob, fixtures, options.timeoutMs)
            : await measureRaw(alice, bob, bobId, options.timeoutMs);
        records.push({ kind: /** @type {'parley' | 'raw'} */ (kind), ...run, isWarmup });
        line.push(`${kind} ${formatMs(run.ms)} ms`);
        await sleep(300);
      }
      console.info(
        `calls: ${isWarmup ? 'warm-up' : 'run'} ${iteration + 1}/${iterations}: ${line.join(', ')}`,
      );
    }

    if (options.trace) {
      mkdirSync(path.dirname(TRACE_PATH), { recursive: true });
      await measureParley(alice, bob, fixtures, options.timeoutMs, { browser, path: TRACE_PATH });
      console.info(
        `calls: trace of one more Parley call in ${path.relative(REPO_ROOT, TRACE_PATH)}`,
      );
    }

    const measured = records.filter((r) => !r.isWarmup);
    const stats = (/** @type {'parley' | 'raw'} */ kind, /** @type {'ms' | 'otherSideMs'} */ key) =>
      summarize(measured.filter((r) => r.kind === kind).map((r) => r[key]));
    const parley = stats('parley', 'ms');
    const raw = stats('raw', 'ms');
    const parleyOther = stats('parley', 'otherSideMs');
    const rawOther = stats('raw', 'otherSideMs');
    const row = (/** @type {string} */ label, /** @type {ReturnType<typeof summarize>} */ s) => [
      label,
      formatMs(s.median),
      formatMs(s.p90),
      formatMs(s.min),
      formatMs(s.max),
      String(s.n),
    ];
    const markdown = [
      '# Calls: "Accept" → first remote video frame',
      '',
      `Measured ${new Date().toISOString()} on ${machineInfo().cpuModel} (${machineInfo().cores} cores, shared), ` +
        `Chromium ${browser.version()} with fake devices, loopback${environment.isLoopbackOnly ? ' only (network namespace)' : ''}. ` +
        `${options.runs} runs per side after ${options.warmup} warm-up, alternating which goes first. ` +
        `Load average at start: ${loadAverageAtStart.join(' / ')} (other work shares the cores).`,
      '',
      markdownTable(
        ['ms', 'median', 'p90', 'min', 'max', 'n'],
        [
          row('Parley: callee Accept → first frame of the caller', parley),
          row('raw PeerJS: answer (getUserMedia + answer) → first frame', raw),
          row('Parley: callee Accept → caller sees first frame of the callee', parleyOther),
          row('raw PeerJS: the same, other side', rawOther),
        ],
        ['', 'r', 'r', 'r', 'r', 'r'],
      ),
      '',
      `Parley / raw (median): ${(parley.median / raw.median).toFixed(2)}×.`,
      '',
      `Both callees press Accept ${RING_BEFORE_ACCEPT_MS} ms after their phone starts ringing (a ` +
        'person takes longer). Parley includes: opening the camera and microphone, answering ' +
        'the media connection the caller dialled while it rang (held unanswered until Accept), ' +
        'the `call-accept` frame over the authenticated data link, ICE and DTLS-SRTP, Svelte ' +
        'rendering the call view, and the video element decoding its first frame. Raw PeerJS: ' +
        'the caller sent its offer while it rang, and the callee answers it.',
      '',
    ].join('\n');
    console.info(`\n${markdown}`);
    const data = {
      benchmark: 'calls',
      options,
      machine: machineInfo({ browserVersion: browser.version() }),
      build: buildInfo(),
      loadAverageAtStart,
      totalSeconds: (Date.now() - startedAt) / 1000,
      summary: { parley, raw, parleyOther, rawOther },
      records,
    };
    const written = writeResults('calls', data, markdown);
    console.info(`calls: wrote ${path.relative(REPO_ROOT, written.markdownPath)}`);
  } finally {
    await browser.close().catch(() => undefined);
    await server.stop();
  }
}

/**
 * One Parley call: Alice video-calls Bob from the Members list; Bob's page times "Accept" → the
 * first frame of Alice's video, Alice's page the first frame of Bob's; then Bob hangs up. With
 * `trace`, Bob's page is traced from while it rings until that first frame.
 */
async function measureParley(alice, bob, fixtures, timeoutMs, trace) {
  await fixtures.memberList(alice.page).getByRole('button', { name: 'Video call: Bob' }).click();
  const dialog = bob.page.getByRole('dialog', { name: 'Incoming call from Alice' });
  await dialog.waitFor();
  // Started while it rings: starting a trace stalls the pages for a moment.
  if (trace) await trace.browser.startTracing(bob.page, { path: trace.path, screenshots: false });
  // A person takes longer than this to reach for Accept; the caller dials meanwhile.
  await sleep(RING_BEFORE_ACCEPT_MS);
  const aliceSees = alice.page.evaluate(firstFrameOf, { name: 'Bob', timeout: timeoutMs });
  const ms = await bob.page.evaluate(
    async ({ timeout }) => {
      const dialog = document.querySelector('dialog[open]');
      const accept = [...(dialog?.querySelectorAll('button') ?? [])].find(
        (b) => b.textContent?.trim() === 'Accept',
      );
      if (!accept) throw new Error('no Accept button');
      const start = performance.now();
      accept.click();
      const shown = await window.__benchFirstFrame('Alice', timeout);
      return { ms: shown - start, startAbs: performance.timeOrigin + start };
    },
    { timeout: timeoutMs },
  );
  if (trace) await trace.browser.stopTracing();
  const aliceAt = await withTimeout(aliceSees, timeoutMs, "Alice's first frame of Bob");
  // Both clocks on one time line: each page's timeOrigin + performance.now().
  const aliceOrigin = await alice.page.evaluate(() => performance.timeOrigin);
  const otherSideMs = aliceOrigin + aliceAt - ms.startAbs;
  await bob.page
    .getByRole('region', { name: 'Call' })
    .getByRole('button', { name: 'Hang up' })
    .click();
  await alice.page.getByRole('region', { name: 'Call' }).waitFor({ state: 'hidden' });
  return { ms: ms.ms, otherSideMs };
}

/** One raw PeerJS call with the same shape: Alice calls, Bob "accepts" (getUserMedia + answer). */
async function measureRaw(alice, bob, bobId, timeoutMs) {
  await alice.page.evaluate(
    async ({ bobId }) => {
      const state = window.__benchRaw;
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
      const call = state.peer.call(bobId, stream);
      state.call = call;
      state.local = stream;
      state.firstFrame = new Promise((resolve) => {
        call.on('stream', (remote) => resolve(window.__benchShowStream(remote)));
      });
    },
    { bobId },
  );
  await bob.page.waitForFunction(() => window.__benchRaw.incoming !== null);
  await sleep(RING_BEFORE_ACCEPT_MS);
  const result = await bob.page.evaluate(
    async ({ timeout }) => {
      const state = window.__benchRaw;
      const call = state.incoming;
      const start = performance.now();
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
      state.local = stream;
      const shown = new Promise((resolve, reject) => {
        setTimeout(() => reject(new Error('raw: no frame')), timeout);
        call.on('stream', (remote) => resolve(window.__benchShowStream(remote)));
      });
      call.answer(stream);
      const at = await shown;
      return { ms: at - start, startAbs: performance.timeOrigin + start };
    },
    { timeout: timeoutMs },
  );
  const aliceAbs = await alice.page.evaluate(
    async () => performance.timeOrigin + (await window.__benchRaw.firstFrame),
  );
  for (const user of [alice, bob]) {
    await user.page.evaluate(() => {
      const state = window.__benchRaw;
      (state.call ?? state.incoming)?.close();
      for (const track of state.local?.getTracks() ?? []) track.stop();
      for (const video of document.querySelectorAll('video.bench-raw')) video.remove();
      state.call = null;
      state.incoming = null;
    });
  }
  return { ms: result.ms, otherSideMs: aliceAbs - result.startAbs };
}

// ---- In-page code (serialized by Playwright) -------------------------------------------------

/** Opens a raw PeerJS peer on the same signal server and installs the in-page timing helpers. */
function openRawPeer({ port }) {
  /** Resolves with performance.now() of the first frame of `stream` in a new video element. */
  window.__benchShowStream = (stream) =>
    new Promise((resolve) => {
      const video = document.createElement('video');
      video.className = 'bench-raw';
      video.muted = true;
      video.autoplay = true;
      video.playsInline = true;
      video.style.cssText = 'position:fixed;left:0;top:0;width:160px;height:120px';
      document.body.append(video);
      video.srcObject = stream;
      video.requestVideoFrameCallback((now) => resolve(now));
      video.play().catch(() => undefined);
    });
  /** Resolves with performance.now() of the first frame of the app's video labelled `name`. */
  window.__benchFirstFrame = (name, timeout) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no frame of ${name}`)), timeout);
      const look = () => {
        const video = document.querySelector(`section video[aria-label="${name}"]`);
        if (video && video.srcObject) {
          video.requestVideoFrameCallback((now) => {
            clearTimeout(timer);
            resolve(now);
          });
        } else {
          requestAnimationFrame(look);
        }
      };
      look();
    });
  return new Promise((resolve, reject) => {
    const peer = new window.peerjs.Peer({
      host: location.hostname,
      port,
      path: '/peerjs',
      secure: false,
      config: { iceServers: [] },
      debug: 1,
    });
    const state = { peer, incoming: null, call: null, local: null, firstFrame: null };
    window.__benchRaw = state;
    peer.on('call', (call) => {
      state.incoming = call;
    });
    peer.on('open', (id) => resolve(id));
    peer.on('error', (error) => reject(new Error(String(error.type))));
  });
}

/** Alice's side: performance.now() of the first frame of the app's video labelled `name`. */
function firstFrameOf({ name, timeout }) {
  return window.__benchFirstFrame(name, timeout);
}
