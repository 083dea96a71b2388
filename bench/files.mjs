// File transfer (issue 16, DESIGN §9/§13): a large file between two members against a raw ordered
// RTCDataChannel with backpressure in the same run, the memory both pages use meanwhile, and one
// receiver fetching from two members at once.
// `npm run bench -- files [--size 256] [--quick] [--profile] [--uplink-mbit 32] [--uplink-size 64]`.
//
// 1. Throughput: Alice attaches a file of random bytes through "Attach file" (her preparation —
//    hashing, then storing its chunks — is timed separately, until her message shows); Bob, whose
//    auto-download size is 0 (Settings → Files), presses Download; measured in his page from the
//    click until his "Transfer of <name>" progress bar goes away (every chunk checked and stored;
//    his IndexedDB `files` record is checked to hold every byte afterwards, and the file he saves
//    is compared with the original). The raw baseline moves the same number of bytes over a bare
//    ordered RTCDataChannel between two plain pages (messages of one piece's size, paused above
//    the app's high-water mark and resumed on `bufferedamountlow` at its low-water mark), timed
//    in the receiving page from its "go" message until the last byte; raw runs alternate with
//    Parley's.
// 2. Memory: Runtime.getHeapUsage of both pages every --sample-ms during Parley's transfer (JS
//    heap plus ArrayBuffer backing stores, which live outside the JS heap), peak minus the median
//    of one idle second after a garbage collection.
// 3. Two sources: Carol joins and fetches a second file completely; then Bob fetches it from
//    Alice and Carol at once, against his fetch from Alice alone in (1). On a 2-core machine
//    every page shares the CPU, so that measures the machine; then again with each member's
//    uplink capped at --uplink-mbit (Linux tc on the namespace's loopback, by Bob's UDP port of
//    each link; 0 skips it): the raw channel moves an --uplink-size MiB through the same cap,
//    Bob fetches such a file from Alice alone, and another from Alice and Carol at once.
// 4. CPU: Chromium's CPU time per MiB by process type (SystemInfo.getProcessInfo around each
//    transfer), Parley against raw: on a machine where the CPU, not the link, is the limit,
//    that ratio is the throughput ratio.
//
// --profile adds one more transfer with V8 CPU profiles of Alice and Bob and counters wrapped
// around crypto.subtle.digest, IndexedDB transactions on `blobs` and the file channel (set up
// by an init script; idle unless switched on), so the table says where the time goes.
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  createReadStream,
  mkdirSync,
  openSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import os from 'node:os';
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
  markdownTable,
  median,
  openUser,
  parseOptions,
  round2,
  sleep,
  startSignalServer,
  withTimeout,
  writeResults,
} from './lib.mjs';
import { loadSourceMapSupport, startProfiler, summarizeProfile } from './support/cpu-profile.mjs';

const MiB = 1024 * 1024;
const DEFAULTS = {
  size: 256,
  quick: false,
  runs: 1,
  rawRuns: 3,
  profile: false,
  twoSources: true,
  uplinkMbit: 32,
  uplinkSize: 64,
  verify: true,
  sampleMs: 100,
  timeoutMs: 600_000,
  name: 'files',
};
/** The app's file channel: 64 KiB pieces with a 41-byte header, 4 MiB high / 1 MiB low water. */
const PIECE_BYTES = 64 * 1024 + 41;
const HIGH_WATER = 4 * MiB;
const LOW_WATER = MiB;
const BLANK_ROUTE = '/__bench/blank.html';
const AUTO_DOWNLOAD_LABEL = 'Download files automatically up to (MB)';

/**
 * @param {string[]} argv
 * @param {{ isLoopbackOnly: boolean }} environment
 */
export default async function filesBenchmark(argv, environment) {
  const options = parseOptions(argv, DEFAULTS);
  if (options.quick && !argv.some((a) => a.startsWith('--size'))) options.size = 16;
  if (options.quick && !argv.some((a) => a.startsWith('--raw-runs'))) options.rawRuns = 1;
  if (!(options.size > 0 && options.size <= 2048)) throw new Error('--size: 1…2048 MiB');
  const bytes = Math.round(options.size * MiB);
  if (options.profile) await loadSourceMapSupport();
  const fixtures = await importE2eModule('fixtures');
  const { expect } = await import('@playwright/test');
  const startedAt = Date.now();
  const loadAverageAtStart = os.loadavg().map((x) => Math.round(x * 100) / 100);
  const tmp = path.join(os.tmpdir(), `parley-bench-files-${process.pid}`);
  mkdirSync(tmp, { recursive: true });
  const server = await startSignalServer();
  const { browser, settings } = await launchChromium();
  const log = (/** @type {string} */ line) =>
    console.info(`files: ${((Date.now() - startedAt) / 1000).toFixed(0).padStart(4)}s ${line}`);
  browser.on('disconnected', () => log('the browser disconnected'));
  /** @type {import('../bench/lib.mjs').BenchUser[]} */
  const users = [];
  try {
    log(
      `server ${server.baseUrl}, Chromium ${browser.version()}, ${options.size} MiB` +
        (environment.isLoopbackOnly ? ', loopback-only network namespace' : ''),
    );
    const openApp = async (/** @type {string} */ name) => {
      const user = await openUser(browser, settings, server.baseUrl, name);
      await user.context.addInitScript(installProbes);
      user.page.on('close', () => log(`${name}'s page closed`));
      users.push(user);
      return user;
    };
    const alice = await openApp('alice');
    const bob = await openApp('bob');
    await fixtures.onboard(alice.page, 'Alice');
    const link = await fixtures.createRoom(alice.page);
    await fixtures.onboard(bob.page, 'Bob');
    await setAutoDownload(bob.page, 0, expect);
    await fixtures.joinRoom(bob.page, link);
    await fixtures.expectMember(alice.page, 'Bob', 'online');
    await fixtures.expectMember(bob.page, 'Alice', 'online');
    log('Alice and Bob in one room');

    const raw = await openRawPair(browser, settings, server.baseUrl);
    log('raw pair connected');

    /** @type {{ ms: number, mbps: number }[]} */
    const rawRuns = [];
    const cpu = await cpuMeter(browser);
    const runRaw = async () => {
      const before = await cpu();
      const ms = await withTimeout(
        raw.receiver.evaluate(rawReceive, { bytes, timeoutMs: options.timeoutMs }),
        options.timeoutMs + 5000,
        'raw transfer',
      );
      const cpuMs = cpuSince(before, await cpu());
      rawRuns.push({ ms: round2(ms) ?? NaN, mbps: bytes / MiB / (ms / 1000), cpuMs });
      log(`raw: ${formatMs(ms)} ms, ${(bytes / MiB / (ms / 1000)).toFixed(1)} MiB/s`);
      await sleep(1000);
    };

    // Warm-up: the first transfer on a fresh association ramps up (not counted).
    const warmMs = await raw.receiver.evaluate(rawReceive, {
      bytes: 16 * MiB,
      timeoutMs: options.timeoutMs,
    });
    log(`raw warm-up 16 MiB: ${formatMs(warmMs)} ms`);
    const context = { alice, bob, options, bytes, tmp, expect, log, cpu };
    // Parley's link gets the same: one unmeasured 16 MiB file first (each direction of an SCTP
    // association stalls for seconds at its first large transfer, on loopback too).
    const warmUp = {
      ...context,
      bytes: 16 * MiB,
      options: { ...options, size: 16, verify: false },
    };
    await parleyTransfer(warmUp, 'warm-up', [alice]);
    /** @type {any[]} */
    const parleyRuns = [];
    await runRaw();
    for (let run = 0; run < options.runs; run += 1) {
      parleyRuns.push(await parleyTransfer(context, `t${run + 1}`, [alice]));
      while (rawRuns.length < Math.min(options.rawRuns, run + 2)) await runRaw();
    }
    while (rawRuns.length < options.rawRuns) await runRaw();

    /** @type {any} */
    let twoSources = null;
    /** @type {any} */
    let capped = null;
    if (options.twoSources) {
      const carol = await openApp('carol');
      await fixtures.onboard(carol.page, 'Carol');
      await setAutoDownload(carol.page, 0, expect);
      await fixtures.joinRoom(carol.page, link);
      for (const [page, name] of /** @type {const} */ ([
        [alice.page, 'Carol'],
        [bob.page, 'Carol'],
        [carol.page, 'Alice'],
        [carol.page, 'Bob'],
      ])) {
        await fixtures.expectMember(page, name, 'online');
      }
      log('Carol joined');
      // Warm the links into Carol and from Carol to Bob as Alice's was: Carol fetches a 16 MiB
      // file from Alice, then Bob from both.
      await parleyTransfer(warmUp, 'warm-up-two', [alice, carol], { firstFetcher: carol });
      twoSources = await parleyTransfer(context, 'two', [alice, carol], { firstFetcher: carol });
      if (options.uplinkMbit > 0 && environment.isLoopbackOnly) {
        try {
          capped = await cappedTwoSources({ ...context, carol, raw }, warmUp);
        } catch (error) {
          // No tc, or a kernel without HTB: the rest of the table still stands.
          if (!(error instanceof TrafficControlError)) throw error;
          capped = { error: String(error).slice(0, 500) };
          log(`uplink caps failed: ${capped.error}`);
        }
      } else if (options.uplinkMbit > 0) {
        log('uplink caps skipped: they need the loopback-only namespace (tc on its lo, as root)');
      }
    }
    /** @type {any} */
    let profiled = null;
    if (options.profile) {
      profiled = await parleyTransfer(context, 'profile', [alice], { profile: true });
    }
    await raw.close();

    const report = buildReport({
      options,
      bytes,
      rawRuns,
      parleyRuns,
      profiled,
      twoSources,
      capped,
      browserVersion: browser.version(),
      isLoopbackOnly: environment.isLoopbackOnly,
      loadAverageAtStart,
    });
    console.info(`\n${report}`);
    const data = {
      benchmark: 'files',
      options,
      machine: machineInfo({ browserVersion: browser.version() }),
      build: buildInfo(),
      loadAverageAtStart,
      totalSeconds: (Date.now() - startedAt) / 1000,
      rawRuns,
      parleyRuns,
      profiled,
      twoSources,
      capped,
    };
    const written = writeResults(options.name, data, report);
    log(`wrote ${path.relative(REPO_ROOT, written.markdownPath)}`);
  } catch (error) {
    for (const user of users) {
      console.error(`--- ${user.name} (last lines)\n${user.log.slice(-40).join('\n')}`);
    }
    throw error;
  } finally {
    await browser.close().catch(() => undefined);
    await server.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Traffic control could not be set up here (no `tc`, no HTB): the capped runs are skipped. */
class TrafficControlError extends Error {}

/**
 * Two sources where each member's uplink is the limit, as on home and mobile links (here the
 * 2-core machine is: every page shares its CPU, so a second sender slows the first): every
 * packet into Bob's file links is shaped by Linux traffic control on the namespace's loopback,
 * one HTB class of `--uplink-mbit` per link (matched by Bob's UDP port of that link), so Alice
 * and Carol can each send him that much; his downlink is not capped, so two can reach twice one
 * at most. The raw receiver's link is capped alike. Bob then fetches one file from Alice alone,
 * and another from Alice and Carol at once (Carol fetched it first, uncapped). Caps come off
 * afterwards.
 * @param {any} ctx
 * @param {any} warmUp
 */
async function cappedTwoSources(ctx, warmUp) {
  const { alice, bob, carol, raw, options, log } = ctx;
  /** @type {{ address: string, port: number }[]} */
  const links = await bob.page.evaluate(linkPorts);
  if (links.length < 2) throw new Error(`Bob has ${links.length} connected links, not 2`);
  /** @type {{ address: string, port: number }[]} */
  const rawLinks = await raw.receiver.evaluate(linkPorts);
  const tc = (/** @type {string} */ line) => {
    const result = spawnSync('tc', line.split(' '), { encoding: 'utf8' });
    if (result.status !== 0) {
      throw new TrafficControlError(`tc ${line}: ${result.stderr || result.error}`);
    }
  };
  // Unclassified traffic (default 0) passes unshaped.
  tc('qdisc replace dev lo root handle 1: htb');
  /** @type {ReturnType<typeof spawnSync> | undefined} */
  let removed;
  /** @type {any} */
  let measured;
  try {
    for (const [i, link] of [...links, ...rawLinks].entries()) {
      const id = `1:${(10 + i).toString(16)}`;
      const rate = `${options.uplinkMbit}mbit`;
      tc(`class add dev lo parent 1: classid ${id} htb rate ${rate} ceil ${rate} quantum 1514`);
      // A modest uplink buffer (about 50 ms at 32 Mbit/s), as a home router's would be.
      tc(`qdisc add dev lo parent ${id} pfifo limit 160`);
      const family = link.address.includes(':') ? ['ipv6', 'ip6'] : ['ip', 'ip'];
      tc(
        `filter add dev lo parent 1: protocol ${family[0]} prio 1 u32 ` +
          `match ${family[1]} dport ${link.port} 0xffff flowid ${id}`,
      );
    }
    log(
      `uplinks into Bob and the raw receiver capped at ${options.uplinkMbit} Mbit/s each ` +
        `(ports ${[...links, ...rawLinks].map((l) => l.port).join(', ')})`,
    );
    const capCtx = {
      ...ctx,
      bytes: Math.round(options.uplinkSize * MiB),
      options: { ...options, size: options.uplinkSize },
    };
    // The shaped links ramp up again (their congestion windows meet the cap): one file first.
    await parleyTransfer(warmUp, 'warm-up-cap', [alice, carol], { firstFetcher: carol });
    await raw.receiver.evaluate(rawReceive, { bytes: 16 * MiB, timeoutMs: options.timeoutMs });
    const rawMs = await raw.receiver.evaluate(rawReceive, {
      bytes: capCtx.bytes,
      timeoutMs: options.timeoutMs,
    });
    const rawCapped = { ms: round2(rawMs), mbps: capCtx.bytes / MiB / (rawMs / 1000) };
    log(`cap-raw: ${formatMs(rawMs)} ms, ${rawCapped.mbps.toFixed(1)} MiB/s`);
    const one = await parleyTransfer(capCtx, 'cap-one', [alice]);
    const two = await parleyTransfer(capCtx, 'cap-two', [alice, carol], { firstFetcher: carol });
    // A link that reconnected meanwhile got new ports, and ran uncapped.
    const now = [
      ...(await bob.page.evaluate(linkPorts)),
      ...(await raw.receiver.evaluate(linkPorts)),
    ];
    const portsOf = (/** @type {{ port: number }[]} */ list) =>
      list
        .map((l) => l.port)
        .sort((a, b) => a - b)
        .join(', ');
    const was = [...links, ...rawLinks];
    if (portsOf(now) !== portsOf(was)) {
      throw new Error(`a capped link reconnected (ports ${portsOf(was)} → ${portsOf(now)})`);
    }
    measured = {
      uplinkMbit: options.uplinkMbit,
      size: options.uplinkSize,
      links,
      rawLinks,
      raw: rawCapped,
      one,
      two,
    };
  } finally {
    removed = spawnSync('tc', ['qdisc', 'del', 'dev', 'lo', 'root'], { encoding: 'utf8' });
  }
  // Left in place, the caps would slow the runs after this one: that fails the bench.
  if (removed.status !== 0) throw new Error(`removing the caps failed: ${String(removed.stderr)}`);
  return measured;
}

/**
 * Settings → Files: the auto-download size (0: only on Download), kept in IndexedDB.
 * @param {import('@playwright/test').Page} page
 * @param {number} mb
 * @param {any} expect
 */
async function setAutoDownload(page, mb, expect) {
  await page.getByRole('link', { name: 'Settings' }).click();
  const input = page.getByLabel(AUTO_DOWNLOAD_LABEL);
  // The screen loads the stored value after it shows: typed before that, the two mixed ("250").
  await expect(async () => {
    await input.fill(String(mb));
    await input.press('Tab');
    await expect(input).toHaveValue(String(mb), { timeout: 1000 });
  }).toPass({ timeout: 15_000 });
  await sleep(300);
}

/**
 * Writes `bytes` random bytes to a file; its SHA-256 (base64url, the app's content address).
 * @param {string} file
 * @param {number} bytes
 */
function writeRandomFile(file, bytes) {
  const fd = openSync(file, 'w');
  const hash = createHash('sha256');
  try {
    for (let at = 0; at < bytes; at += 16 * MiB) {
      const piece = randomBytes(Math.min(16 * MiB, bytes - at));
      hash.update(piece);
      writeSync(fd, piece);
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest('base64url');
}

/** @param {string} file */
async function sha256Of(file) {
  const hash = createHash('sha256');
  for await (const piece of createReadStream(file)) hash.update(piece);
  return hash.digest('base64url');
}

/**
 * Alice attaches a fresh file; `firstFetcher` (if any) fetches it completely first; then Bob
 * presses Download and the transfer is timed, with the pages' memory sampled meanwhile.
 * @param {any} ctx
 * @param {string} tag
 * @param {import('./lib.mjs').BenchUser[]} sources the members holding the file when Bob asks
 * @param {{ profile?: boolean, firstFetcher?: import('./lib.mjs').BenchUser }} [extra]
 */
async function parleyTransfer(ctx, tag, sources, extra = {}) {
  const { alice, bob, options, bytes, tmp, expect, log } = ctx;
  const name = `parley-bench-${tag}-${options.size}MiB.bin`;
  const file = path.join(tmp, name);
  const sha256 = writeRandomFile(file, bytes);

  // Alice: hashing + storing, until her message shows in her own log.
  await alice.page.evaluate(watchPreparing, { name });
  const attachStartedAt = Date.now();
  await alice.page.locator('input[type="file"][aria-label="Attach file"]').setInputFiles(file);
  const prep = await withTimeout(
    alice.page.evaluate(waitPrepared, { timeoutMs: options.timeoutMs }),
    options.timeoutMs + 5000,
    `Alice preparing ${name}`,
  );
  log(
    `${tag}: Alice prepared ${name} in ${formatMs(prep.totalMs)} ms ` +
      `(hash ${formatMs(prep.hashMs)}, store ${formatMs(prep.storeMs)})`,
  );
  const downloadButton = (/** @type {import('@playwright/test').Page} */ page) =>
    page.getByRole('article').filter({ hasText: name }).getByRole('button', { name: 'Download' });

  if (extra.firstFetcher) {
    const fetcher = extra.firstFetcher;
    await expect(downloadButton(fetcher.page)).toBeEnabled({ timeout: 60_000 });
    const saved = fetcher.page.waitForEvent('download', { timeout: options.timeoutMs });
    const first = await fetcher.page.evaluate(downloadAndWait, {
      name,
      timeoutMs: options.timeoutMs,
    });
    log(`${tag}: ${fetcher.name} fetched it in ${formatMs(first.ms)} ms`);
    await (await saved).delete().catch(() => undefined);
    await sleep(1000);
  }

  await expect(downloadButton(bob.page)).toBeEnabled({ timeout: 60_000 });
  const pages = [
    { label: 'bob', page: bob.page },
    ...sources.map((/** @type {any} */ s) => ({ label: s.name, page: s.page })),
  ];
  const sampler = await memorySampler(pages, options.sampleMs);
  await sampler.collectGarbage();
  await sleep(300);
  const idle = await sampler.sampleIdle(1000);

  /** @type {(() => Promise<any>)[]} */
  let stopProfilers = [];
  for (const p of pages) await p.page.evaluate(() => window.__benchProbes.start());
  if (extra.profile) {
    stopProfilers = await Promise.all(pages.map((p) => startProfiler(p.page)));
  }
  const saved = bob.page.waitForEvent('download', { timeout: options.timeoutMs });
  saved.catch(() => undefined);
  sampler.start();
  const cpuBefore = await ctx.cpu();
  /** @type {any} */
  let result;
  /** @type {string | null} */
  let failure = null;
  try {
    result = await withTimeout(
      bob.page.evaluate(downloadAndWait, { name, timeoutMs: options.timeoutMs }),
      options.timeoutMs + 5000,
      `Bob fetching ${name}`,
    );
  } catch (error) {
    // Profiled: keep what the profiles and counters say about a stalled transfer.
    failure = String(error).slice(0, 2000);
    for (const user of [bob, ...sources]) {
      console.error(`--- ${user.name} (last lines)\n${user.log.slice(-30).join('\n')}`);
    }
    log(`${tag}: FAILED ${failure}`);
    result = { ms: NaN, appearedMs: NaN, curve: [] };
  }
  const cpuMs = cpuSince(cpuBefore, await ctx.cpu());
  const samples = await sampler.stop();
  /** @type {any} */
  let profile = null;
  if (extra.profile) {
    const profiles = await Promise.all(stopProfilers.map((stop) => stop()));
    const outDir = path.join(REPO_ROOT, 'test-results');
    mkdirSync(outDir, { recursive: true });
    for (const [i, p] of pages.entries()) {
      writeFileSync(
        path.join(outDir, `bench-files-${tag}-${p.label}.cpuprofile`),
        JSON.stringify(profiles[i]),
      );
    }
    const probes = await Promise.all(
      pages.map((p) => p.page.evaluate(() => window.__benchProbes.stop())),
    );
    profile = Object.fromEntries(
      pages.map((p, i) => [p.label, { cpu: summarizeProfile(profiles[i], 30), probes: probes[i] }]),
    );
  }
  const mbps = bytes / MiB / (result.ms / 1000);
  log(`${tag}: Bob fetched it in ${formatMs(result.ms)} ms, ${mbps.toFixed(1)} MiB/s`);

  const stored = await bob.page.evaluate(storedRecord, { sha256 });
  if (!extra.profile) {
    const probes = await Promise.all(
      pages.map((p) => p.page.evaluate(() => window.__benchProbes.stop())),
    );
    profile = Object.fromEntries(pages.map((p, i) => [p.label, { probes: probes[i] }]));
  }
  if (failure) {
    const prepared = { ...prep, attachStartedAt };
    return {
      tag,
      name,
      bytes,
      prep: prepared,
      failure,
      stored,
      ms: NaN,
      mbps: NaN,
      profile,
      memory: {},
    };
  }
  const isStored = stored !== null && stored.storedBytes === bytes;
  /** @type {boolean | null} */
  let isSavedIntact = null;
  if (options.verify) {
    try {
      const download = await withTimeout(saved, 120_000, 'the saved file');
      const savedPath = await download.path();
      isSavedIntact = (await sha256Of(savedPath)) === sha256;
      await download.delete();
    } catch (error) {
      log(`${tag}: could not check the saved file: ${String(error)}`);
    }
  }
  rmSync(file, { force: true });
  await sleep(1500);

  const memory = Object.fromEntries(
    pages.map((p) => {
      const own = samples.filter((s) => s.label === p.label);
      const base = idle[p.label] ?? { used: NaN, total: NaN };
      const peakTotal = Math.max(...own.map((s) => s.used + s.backing));
      const peakUsed = Math.max(...own.map((s) => s.used));
      return [
        p.label,
        {
          idleMiB: round2(base.total / MiB),
          peakMiB: round2(peakTotal / MiB),
          aboveIdleMiB: round2((peakTotal - base.total) / MiB),
          heapOnlyAboveIdleMiB: round2((peakUsed - base.used) / MiB),
          samples: own.length,
        },
      ];
    }),
  );
  return {
    tag,
    name,
    bytes,
    sources: sources.map((/** @type {any} */ s) => s.name),
    prep: { ...prep, attachStartedAt },
    ms: round2(result.ms),
    mbps: round2(mbps),
    firstProgressMs: round2(result.appearedMs),
    cpuMs,
    progress: result.curve,
    isStored,
    isSavedIntact,
    memory,
    memorySamples: samples.map((s) => ({ ...s, used: s.used, backing: s.backing })),
    profile,
  };
}

/**
 * Samples Runtime.getHeapUsage of several pages every `intervalMs`.
 * @param {{ label: string, page: import('@playwright/test').Page }[]} pages
 * @param {number} intervalMs
 */
async function memorySampler(pages, intervalMs) {
  const sessions = await Promise.all(pages.map((p) => p.page.context().newCDPSession(p.page)));
  /** @type {{ label: string, t: number, used: number, backing: number }[]} */
  const samples = [];
  const once = async (/** @type {number} */ t0) =>
    Promise.all(
      sessions.map(async (cdp, i) => {
        const usage = /** @type {any} */ (await cdp.send('Runtime.getHeapUsage'));
        return {
          label: pages[i]?.label ?? '?',
          t: Date.now() - t0,
          used: usage.usedSize,
          backing: usage.backingStorageSize ?? 0,
        };
      }),
    );
  let isRunning = false;
  /** @type {Promise<void> | null} */
  let loop = null;
  return {
    collectGarbage: () =>
      Promise.all(sessions.map((cdp) => cdp.send('HeapProfiler.collectGarbage'))),
    /** Median of idle samples per page: { used, total }. */
    sampleIdle: async (/** @type {number} */ ms) => {
      /** @type {Record<string, { used: number[], total: number[] }>} */
      const byLabel = {};
      const t0 = Date.now();
      while (Date.now() - t0 < ms) {
        for (const s of await once(t0)) {
          const entry = (byLabel[s.label] ??= { used: [], total: [] });
          entry.used.push(s.used);
          entry.total.push(s.used + s.backing);
        }
        await sleep(intervalMs);
      }
      return Object.fromEntries(
        Object.entries(byLabel).map(([label, e]) => [
          label,
          { used: median(e.used), total: median(e.total) },
        ]),
      );
    },
    start: () => {
      isRunning = true;
      const t0 = Date.now();
      loop = (async () => {
        while (isRunning) {
          const began = Date.now();
          try {
            samples.push(...(await once(t0)));
          } catch (error) {
            console.error(`files: memory sample failed: ${String(error)}`);
            return;
          }
          await sleep(Math.max(0, intervalMs - (Date.now() - began)));
        }
      })();
    },
    stop: async () => {
      isRunning = false;
      await loop;
      samples.push(...(await once(Date.now()).catch(() => [])));
      await Promise.all(sessions.map((cdp) => cdp.detach().catch(() => undefined)));
      return samples;
    },
  };
}

// ---- Raw baseline ---------------------------------------------------------------------------

/**
 * Two plain pages (own contexts, same origin as the app) joined by a bare RTCPeerConnection
 * whose SDP passes through Node.
 * @param {import('@playwright/test').Browser} browser
 * @param {any} settings
 * @param {string} baseUrl
 */
async function openRawPair(browser, settings, baseUrl) {
  /** @type {import('@playwright/test').BrowserContext[]} */
  const contexts = [];
  /** @type {import('@playwright/test').Page[]} */
  const pages = [];
  for (let i = 0; i < 2; i += 1) {
    const context = await browser.newContext({
      baseURL: baseUrl,
      permissions: settings.permissions,
    });
    await context.route(`${baseUrl}${BLANK_ROUTE}`, (route) =>
      route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>raw</title>' }),
    );
    const page = await context.newPage();
    await page.goto(BLANK_ROUTE);
    contexts.push(context);
    pages.push(page);
  }
  const [sender, receiver] =
    /** @type {[import('@playwright/test').Page, import('@playwright/test').Page]} */ (pages);
  const config = { pieceBytes: PIECE_BYTES, highWater: HIGH_WATER, lowWater: LOW_WATER };
  const offer = await sender.evaluate(rawOffer, config);
  const answer = await receiver.evaluate(rawAnswer, offer);
  await sender.evaluate(rawFinish, answer);
  await receiver.waitForFunction(() => window.__benchRaw?.channel?.readyState === 'open');
  return {
    sender,
    receiver,
    close: async () => {
      for (const context of contexts) await context.close().catch(() => undefined);
    },
  };
}

// ---- In-page code (serialized by Playwright; no references to this module) ------------------

/**
 * Init script of the app's pages: remembers the file channels, and counters (off until
 * `__benchProbes.start()`) around digest, IndexedDB transactions on `blobs` and the channel.
 */
function installProbes() {
  /** @type {any} */
  const state = {
    isOn: false,
    channels: /** @type {RTCDataChannel[]} */ ([]),
    /** Every connection of the page (for --uplink-mbit: their UDP ports). */
    connections: /** @type {RTCPeerConnection[]} */ ([]),
    reset() {
      state.startedAt = performance.now();
      state.digest = { count: 0, bytes: 0, ms: 0, busyMs: 0, inFlight: 0, busySince: 0 };
      state.tx = { readwrite: 0, readwriteMs: 0, readonly: 0, readonlyMs: 0, maxReadwriteMs: 0 };
      state.recv = { messages: 0, bytes: 0, last: 0, gapMs: 0, gaps5: 0, gapsOver5Ms: 0 };
      state.recvLastAt = 0;
      state.sent = { messages: 0, bytes: 0 };
      state.buffered = { samples: 0, empty: 0, low: 0, high: 0 };
      state.arrayBuffer = { count: 0, ms: 0 };
      state.timeline = [];
    },
    start() {
      state.reset();
      state.isOn = true;
      state.timer = setInterval(() => {
        const channel = state.channels.find((c) => c.readyState === 'open');
        if (!channel) return;
        state.buffered.samples += 1;
        const amount = channel.bufferedAmount;
        if (state.buffered.samples % 5 === 0)
          state.timeline.push([
            Math.round(performance.now() - state.startedAt),
            state.recv.bytes,
            state.sent.bytes,
            amount,
          ]);
        state.buffered.last = amount;
        if (amount < 64 * 1024) state.buffered.empty += 1;
        else if (amount <= 1024 * 1024) state.buffered.low += 1;
        else state.buffered.high += 1;
      }, 10);
    },
    stop() {
      state.isOn = false;
      clearInterval(state.timer);
      const elapsed = performance.now() - state.startedAt;
      const { channels: _c, connections: _p, timer: _t, ...rest } = state;
      return JSON.parse(JSON.stringify({ ...rest, elapsedMs: elapsed }));
    },
  };
  state.reset();
  window.__benchProbes = state;

  const subtle = SubtleCrypto.prototype;
  const digest = subtle.digest;
  subtle.digest = function (algorithm, data) {
    if (!state.isOn) return digest.call(this, algorithm, data);
    const t0 = performance.now();
    const d = state.digest;
    if (d.inFlight === 0) d.busySince = t0;
    d.inFlight += 1;
    d.count += 1;
    d.bytes += data.byteLength;
    return digest.call(this, algorithm, data).finally(() => {
      const t1 = performance.now();
      d.ms += t1 - t0;
      d.inFlight -= 1;
      if (d.inFlight === 0) d.busyMs += t1 - d.busySince;
    });
  };

  const transaction = IDBDatabase.prototype.transaction;
  IDBDatabase.prototype.transaction = function (names, mode, ...rest) {
    const tx = transaction.call(this, names, mode, ...rest);
    const list = typeof names === 'string' ? [names] : [...names];
    if (state.isOn && list.includes('blobs')) {
      const t0 = performance.now();
      state.tx.open = (state.tx.open ?? 0) + 1;
      const closed = () => (state.tx.open -= 1);
      tx.addEventListener('abort', closed);
      tx.addEventListener('error', closed);
      tx.addEventListener('complete', closed);
      tx.addEventListener('complete', () => {
        const ms = performance.now() - t0;
        if (mode === 'readwrite') {
          state.tx.readwrite += 1;
          state.tx.readwriteMs += ms;
          state.tx.maxReadwriteMs = Math.max(state.tx.maxReadwriteMs, ms);
        } else {
          state.tx.readonly += 1;
          state.tx.readonlyMs += ms;
        }
      });
    }
    return tx;
  };

  const arrayBuffer = Blob.prototype.arrayBuffer;
  Blob.prototype.arrayBuffer = function () {
    if (!state.isOn) return arrayBuffer.call(this);
    const t0 = performance.now();
    state.arrayBuffer.count += 1;
    return arrayBuffer.call(this).finally(() => {
      state.arrayBuffer.ms += performance.now() - t0;
    });
  };

  // Every connection (dialled or answered) sets a remote description once.
  const setRemote = RTCPeerConnection.prototype.setRemoteDescription;
  /** @type {any} */ (RTCPeerConnection.prototype).setRemoteDescription = function (
    /** @type {any[]} */ ...args
  ) {
    if (!state.connections.includes(this)) state.connections.push(this);
    return /** @type {any} */ (setRemote).apply(this, args);
  };

  const create = RTCPeerConnection.prototype.createDataChannel;
  RTCPeerConnection.prototype.createDataChannel = function (label, init) {
    const channel = create.call(this, label, init);
    if (label === 'parley-files') {
      state.channels.push(channel);
      channel.addEventListener('message', (event) => {
        if (!state.isOn) return;
        const now = performance.now();
        const r = state.recv;
        if (r.last > 0) {
          const gap = now - r.last;
          r.gapMs += gap;
          if (gap > 5) {
            r.gaps5 += 1;
            r.gapsOver5Ms += gap;
          }
        }
        r.last = now;
        state.recvLastAt = now - state.startedAt;
        r.messages += 1;
        r.bytes += typeof event.data === 'string' ? event.data.length : event.data.byteLength;
      });
      const send = channel.send;
      channel.send = function (data) {
        if (state.isOn) {
          state.sent.messages += 1;
          state.sent.bytes += typeof data === 'string' ? data.length : data.byteLength;
        }
        return send.call(this, data);
      };
    }
    return channel;
  };
}

/**
 * The local UDP address and port of every connected link of the page (its selected candidate
 * pair): the app's connections (installProbes), or the raw receiver's.
 */
async function linkPorts() {
  /** @type {RTCPeerConnection[]} */
  const connections =
    window.__benchProbes?.connections ?? (window.__benchRaw ? [window.__benchRaw.pc] : []);
  /** @type {{ address: string, port: number }[]} */
  const ports = [];
  for (const pc of connections) {
    if (pc.connectionState !== 'connected') continue;
    const stats = await pc.getStats();
    /** @type {Map<string, any>} */
    const byId = new Map();
    stats.forEach((report) => byId.set(report.id, report));
    for (const report of byId.values()) {
      if (report.type !== 'transport' || !report.selectedCandidatePairId) continue;
      const pair = byId.get(report.selectedCandidatePairId);
      const local = pair && byId.get(pair.localCandidateId);
      if (local) ports.push({ address: String(local.address), port: Number(local.port) });
    }
  }
  return ports;
}

/**
 * Alice's page: notes when the file input changes and how "Preparing <name>" progresses.
 * @param {{ name: string }} args
 */
function watchPreparing({ name }) {
  const label = `Preparing ${name}`;
  /** @type {any} */
  const state = { changeAt: null, appearAt: null, halfAt: null, goneAt: null, articleAt: null };
  window.__benchPrep = state;
  document.addEventListener('change', () => (state.changeAt ??= performance.now()), {
    capture: true,
    once: true,
  });
  const check = () => {
    const now = performance.now();
    const bar = /** @type {HTMLProgressElement | null} */ (
      document.querySelector(`progress[aria-label="${CSS.escape(label)}"]`)
    );
    if (bar) {
      state.appearAt ??= now;
      if (state.halfAt === null && bar.value >= bar.max / 2) state.halfAt = now;
    } else if (state.appearAt !== null) state.goneAt ??= now;
    if (state.articleAt === null) {
      const article = [...document.querySelectorAll('article')].find((a) =>
        a.textContent?.includes(name),
      );
      if (article) state.articleAt = now;
    }
    const alert = document.querySelector('.preparing [role="alert"]');
    if (alert) state.error = alert.textContent;
  };
  state.timer = setInterval(check, 20);
  state.observer = new MutationObserver(check);
  state.observer.observe(document.body, { childList: true, subtree: true });
}

/** Alice's page: resolves once her message shows (prepared); the phases in ms. */
function waitPrepared({ timeoutMs }) {
  const state = window.__benchPrep;
  return new Promise((resolve, reject) => {
    const began = performance.now();
    const poll = setInterval(() => {
      if (state.error) {
        clearInterval(poll);
        reject(new Error(`preparing failed: ${state.error}`));
      } else if (state.articleAt !== null && state.changeAt !== null) {
        clearInterval(poll);
        clearInterval(state.timer);
        state.observer.disconnect();
        const shown = state.articleAt;
        resolve({
          totalMs: shown - state.changeAt,
          hashMs: (state.halfAt ?? shown) - state.changeAt,
          storeMs: (state.goneAt ?? shown) - (state.halfAt ?? shown),
          sendMs: shown - (state.goneAt ?? shown),
        });
      } else if (performance.now() - began > timeoutMs) {
        clearInterval(poll);
        reject(new Error('preparing: timed out'));
      }
    }, 20);
  });
}

/**
 * The fetching page: presses Download on the file's message and resolves once its "Transfer of
 * <name>" progress bar has come and gone; ms from the click, and the progress over time.
 * @param {{ name: string, timeoutMs: number }} args
 */
function downloadAndWait({ name, timeoutMs }) {
  const article = [...document.querySelectorAll('article')].find((a) =>
    a.textContent?.includes(name),
  );
  const button = [...(article?.querySelectorAll('button') ?? [])].find(
    (b) => b.textContent?.trim() === 'Download',
  );
  if (!button) throw new Error(`no Download button on ${name}`);
  const label = `Transfer of ${name}`;
  const bar = () =>
    /** @type {HTMLProgressElement | null} */ (
      document.querySelector(`progress[aria-label="${CSS.escape(label)}"]`)
    );
  return new Promise((resolve, reject) => {
    /** @type {number | null} */
    let appearedAt = null;
    /** @type {[number, number][]} */
    const curve = [];
    let lastValue = -1;
    const start = performance.now();
    const finish = (/** @type {() => void} */ settle) => {
      observer.disconnect();
      clearInterval(tick);
      settle();
    };
    const check = () => {
      const now = performance.now();
      const progress = bar();
      if (progress) {
        appearedAt ??= now;
        if (progress.value !== lastValue) {
          lastValue = progress.value;
          curve.push([Math.round(now - start), progress.value]);
        }
      } else if (appearedAt !== null) {
        finish(() => resolve({ ms: now - start, appearedMs: appearedAt - start, curve }));
        return;
      }
      const alert = [...document.querySelectorAll('article [role="alert"]')].find((a) =>
        a.closest('article')?.textContent?.includes(name),
      );
      if (alert) finish(() => reject(new Error(`transfer failed: ${alert.textContent}`)));
      else if (now - start > timeoutMs) {
        finish(() =>
          reject(
            new Error(
              `transfer timed out; bar shown at ${appearedAt} ms, ` +
                `progress (ms, %): ${JSON.stringify(curve.slice(-20))}`,
            ),
          ),
        );
      }
    };
    const observer = new MutationObserver(check);
    observer.observe(document.body, { childList: true, subtree: true });
    const tick = setInterval(check, 50);
    button.click();
  });
}

/** The IndexedDB `files` record of a file (storedBytes, chunkCount), or null. */
function storedRecord({ sha256 }) {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open('parley');
    request.onerror = () => reject(request.error);
    request.onsuccess = () => {
      const db = request.result;
      const get = db.transaction('files').objectStore('files').get(sha256);
      get.onsuccess = () => {
        const record = get.result;
        db.close();
        resolve(
          record
            ? {
                storedBytes: record.storedBytes,
                chunkCount: record.chunkCount,
                chunkSize: record.chunkSize,
              }
            : null,
        );
      };
      get.onerror = () => reject(get.error);
    };
  });
}

/** Raw sender page: the offer, and the sending loop run on the receiver's "go". */
async function rawOffer({ pieceBytes, highWater, lowWater }) {
  const pc = new RTCPeerConnection({ iceServers: [] });
  const channel = pc.createDataChannel('raw-files', { ordered: true });
  channel.binaryType = 'arraybuffer';
  channel.bufferedAmountLowThreshold = lowWater;
  const piece = new Uint8Array(pieceBytes);
  crypto.getRandomValues(piece.subarray(0, 65_536));
  channel.onmessage = (event) => {
    const total = Number(String(event.data).split(' ')[1]);
    let sent = 0;
    const pump = () => {
      while (sent < total) {
        if (channel.bufferedAmount > highWater) return;
        const n = Math.min(pieceBytes, total - sent);
        channel.send(n === pieceBytes ? piece : piece.subarray(0, n));
        sent += n;
      }
    };
    channel.onbufferedamountlow = pump;
    pump();
  };
  window.__benchRaw = { pc, channel };
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise((resolve) => {
    if (pc.iceGatheringState === 'complete') resolve(undefined);
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState === 'complete') resolve(undefined);
    });
  });
  return pc.localDescription?.sdp ?? '';
}

/** Raw receiver page: answers. @param {string} offer */
async function rawAnswer(offer) {
  const pc = new RTCPeerConnection({ iceServers: [] });
  /** @type {any} */
  const state = { pc, channel: null };
  window.__benchRaw = state;
  pc.addEventListener('datachannel', (event) => {
    state.channel = event.channel;
    state.channel.binaryType = 'arraybuffer';
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

/** Raw sender page: completes the pair. @param {string} answer */
async function rawFinish(answer) {
  const { pc } = window.__benchRaw;
  await pc.setRemoteDescription({ type: 'answer', sdp: answer });
}

/**
 * Raw receiver page: asks for `bytes` and times until the last one arrived.
 * @param {{ bytes: number, timeoutMs: number }} args
 */
function rawReceive({ bytes, timeoutMs }) {
  const { channel } = window.__benchRaw;
  return new Promise((resolve, reject) => {
    let received = 0;
    const timer = setTimeout(() => reject(new Error(`raw: ${received} of ${bytes} B`)), timeoutMs);
    const start = performance.now();
    channel.onmessage = (/** @type {MessageEvent<ArrayBuffer>} */ event) => {
      received += event.data.byteLength;
      if (received >= bytes) {
        clearTimeout(timer);
        channel.onmessage = null;
        resolve(performance.now() - start);
      }
    };
    channel.send(`go ${bytes}`);
  });
}

// ---- Report ---------------------------------------------------------------------------------

/**
 * Where the CPU goes: Chromium's CPU time per MiB moved, by process type, Parley against raw
 * (medians over the runs), and what that allows on this machine's cores.
 * @param {any[]} parleyRuns
 * @param {any[]} rawRuns
 * @param {number} mib
 * @param {(x: number, digits?: number) => string} fmt
 */
function cpuSection(parleyRuns, rawRuns, mib, fmt) {
  const withCpu = (/** @type {any[]} */ runs) => runs.filter((r) => r.cpuMs);
  const parley = withCpu(parleyRuns);
  const raw = withCpu(rawRuns);
  if (parley.length === 0 || raw.length === 0) return [];
  const types = [...new Set([...parley, ...raw].flatMap((r) => Object.keys(r.cpuMs)))];
  const perMiB = (/** @type {any[]} */ runs, /** @type {string} */ type) =>
    median(runs.map((r) => (r.cpuMs[type] ?? 0) / mib));
  const total = (/** @type {any[]} */ runs) =>
    median(runs.map((r) => Object.values(r.cpuMs).reduce((sum, ms) => sum + Number(ms), 0) / mib));
  const rows = types
    .map((type) => [type, perMiB(parley, type), perMiB(raw, type)])
    .filter(([, p, r]) => Number(p) >= 0.05 || Number(r) >= 0.05)
    .map(([type, p, r]) => [
      String(type),
      fmt(Number(p)),
      fmt(Number(r)),
      fmt(Number(p) - Number(r)),
    ]);
  const [p, r] = [total(parley), total(raw)];
  const cores = os.availableParallelism();
  return [
    '### Chromium CPU per MiB moved, by process',
    '',
    markdownTable(
      ['ms of CPU per MiB', 'Parley', 'raw', 'Parley − raw'],
      [...rows, ['all', fmt(p), fmt(r), fmt(p - r)]],
      ['l', 'r', 'r', 'r'],
    ),
    '',
    `SystemInfo.getProcessInfo before and after each transfer (renderer: every page and its ` +
      `Workers; Parley's include the bench's own probes and heap sampling, which the raw runs ` +
      `do without). With ${cores} cores doing nothing else, those costs would allow at most ` +
      `${fmt((cores * 1000) / p)} MiB/s for Parley and ${fmt((cores * 1000) / r)} MiB/s raw ` +
      `(${fmt((r / p) * 100, 0)} %).`,
    '',
  ];
}

/** @param {any} args */
function buildReport(args) {
  const { options, bytes, rawRuns, parleyRuns, profiled, twoSources, capped } = args;
  const mib = bytes / MiB;
  const rawMbps = median(rawRuns.map((/** @type {any} */ r) => r.mbps));
  const parleyMbps = median(parleyRuns.map((/** @type {any} */ r) => r.mbps));
  const failed = [
    ...parleyRuns,
    ...(twoSources ? [twoSources] : []),
    ...(capped?.one ? [capped.one, capped.two] : []),
    ...(profiled ? [profiled] : []),
  ].filter((/** @type {any} */ r) => r.failure);
  const parleyMs = median(parleyRuns.map((/** @type {any} */ r) => r.ms));
  const rawMs = median(rawRuns.map((/** @type {any} */ r) => r.ms));
  const ratio = parleyMbps / rawMbps;
  const fmt = (/** @type {number} */ x, digits = 1) =>
    Number.isFinite(x) ? x.toFixed(digits) : '–';
  const verdict = (/** @type {boolean} */ ok) => (ok ? 'met' : '**missed**');
  const machine = machineInfo();
  const lines = [
    `# Files: ${fmt(mib, 0)} MiB between two members`,
    '',
    `Measured ${new Date().toISOString()} on ${machine.cpuModel} (${machine.cores} cores, shared), ` +
      `Chromium ${args.browserVersion}, loopback${args.isLoopbackOnly ? ' only (network namespace)' : ''}. ` +
      `Load average at start: ${args.loadAverageAtStart.join(' / ')}. ` +
      `At the end: ${os
        .loadavg()
        .map((x) => x.toFixed(2))
        .join(' / ')}. ` +
      `${parleyRuns.length} Parley run(s), ${rawRuns.length} raw run(s), alternating; medians. ` +
      'Every link is warmed by one unmeasured 16 MiB transfer first (the raw channel, Alice → Bob, ' +
      'and before the two-source run Alice → Carol and Carol → Bob): the first large transfer in ' +
      'each direction of an SCTP association stalls for seconds.',
    '',
    '## Throughput',
    '',
    markdownTable(
      ['', 'ms', 'MiB/s', 'MB/s', 'n'],
      [
        [
          'Parley: Bob presses Download → every chunk checked and stored',
          formatMs(parleyMs),
          fmt(parleyMbps),
          fmt((parleyMbps * MiB) / 1e6),
          String(parleyRuns.length),
        ],
        [
          `raw ordered RTCDataChannel, ${PIECE_BYTES} B messages, ${HIGH_WATER / MiB} MiB high / ${LOW_WATER / MiB} MiB low water`,
          formatMs(rawMs),
          fmt(rawMbps),
          fmt((rawMbps * MiB) / 1e6),
          String(rawRuns.length),
        ],
      ],
      ['l', 'r', 'r', 'r', 'r'],
    ),
    '',
    `Parley / raw: **${fmt(ratio * 100, 0)} %** (goal ≥ 90 %: ${verdict(ratio >= 0.9)}). ` +
      `Checks: Bob's \`files\` record holds every byte: ${parleyRuns.every((/** @type {any} */ r) => r.isStored) ? 'yes' : '**no**'}; ` +
      `the file he saved equals the original: ${parleyRuns.map((/** @type {any} */ r) => (r.isSavedIntact === null ? 'not checked' : r.isSavedIntact ? 'yes' : '**no**')).join(', ')}.`,
    '',
    `Raw runs (MiB/s): ${rawRuns.map((/** @type {any} */ r) => fmt(r.mbps)).join(', ')}. ` +
      `Parley runs (MiB/s): ${parleyRuns.map((/** @type {any} */ r) => fmt(r.mbps)).join(', ')}.`,
    '',
    ...cpuSection(parleyRuns, rawRuns, mib, fmt),
    ...(failed.length > 0
      ? [
          `**Stalled transfers** (progress stopped, no warning logged, never resumed within --timeout-ms): ` +
            failed
              .map(
                (/** @type {any} */ r) =>
                  `${r.tag}: ${r.failure.replace(/\n[\s\S]*/, '').slice(0, 400)} — counters: ` +
                  JSON.stringify(
                    Object.fromEntries(
                      Object.entries(r.profile ?? {}).map(([k, v]) => [
                        k,
                        {
                          tx: /** @type {any} */ (v).probes?.tx,
                          buffered: /** @type {any} */ (v).probes?.buffered,
                          recvLastAt: /** @type {any} */ (v).probes?.recvLastAt,
                          digest: /** @type {any} */ (v).probes?.digest,
                        },
                      ]),
                    ),
                  ),
              )
              .join('; '),
          '',
        ]
      : []),
    '## Alice preparing the file (before her message is sent)',
    '',
    markdownTable(
      ['ms', 'hash (Worker)', 'store chunks', 'send', 'total', 'MiB/s overall'],
      parleyRuns.map((/** @type {any} */ r) => [
        r.tag,
        formatMs(r.prep.hashMs),
        formatMs(r.prep.storeMs),
        formatMs(r.prep.sendMs),
        formatMs(r.prep.totalMs),
        fmt(mib / (r.prep.totalMs / 1000)),
      ]),
      ['l', 'r', 'r', 'r', 'r', 'r'],
    ),
    '',
    'From the file input\'s `change` to her message in her own log; "hash" until the "Preparing" ' +
      'bar reaches half (the app reports hashing as the first half), "store" until the bar goes, ' +
      '"send" until the message shows.',
    '',
    '## Memory during the transfer (peak above idle)',
    '',
  ];
  const memoryRows = [];
  for (const run of [...parleyRuns, ...(twoSources ? [twoSources] : [])]) {
    for (const [label, m] of Object.entries(run.memory ?? {})) {
      const mm = /** @type {any} */ (m);
      memoryRows.push([
        `${run.tag}: ${label}`,
        fmt(mm.idleMiB),
        fmt(mm.peakMiB),
        fmt(mm.aboveIdleMiB),
        fmt(mm.heapOnlyAboveIdleMiB),
        String(mm.samples),
        verdict(mm.aboveIdleMiB < 64),
      ]);
    }
  }
  lines.push(
    markdownTable(
      ['MiB', 'idle', 'peak', 'above idle', 'JS heap only, above idle', 'samples', 'goal < 64'],
      memoryRows,
      ['l', 'r', 'r', 'r', 'r', 'r', 'l'],
    ),
    '',
    `Runtime.getHeapUsage every ${options.sampleMs} ms: V8 heap used plus ArrayBuffer backing ` +
      'stores (outside the V8 heap); idle = median of 1 s after a forced GC. Blobs handed to ' +
      'IndexedDB live in the browser process and are not counted.',
    '',
  );
  if (twoSources) {
    const one = parleyMs;
    const speedup = one / twoSources.ms;
    lines.push(
      '## Two sources',
      '',
      'Uncapped, every page shares the 2 cores: the machine is the limit, not a link.',
      '',
      markdownTable(
        ['', 'ms', 'MiB/s'],
        [
          ['Bob from Alice alone (throughput run)', formatMs(one), fmt(parleyMbps)],
          ['Bob from Alice and Carol at once', formatMs(twoSources.ms), fmt(twoSources.mbps)],
        ],
        ['l', 'r', 'r'],
      ),
      '',
      `Speed-up, uncapped: **${fmt(speedup, 2)}×**. ` +
        `Stored completely: ${twoSources.isStored ? 'yes' : '**no**'}.`,
      '',
    );
  }
  if (capped?.error) {
    lines.push(
      `### Each member's uplink capped at ${options.uplinkMbit} Mbit/s`,
      '',
      `Not measured: ${capped.error}`,
      '',
    );
  } else if (capped) {
    const speedup = capped.one.ms / capped.two.ms;
    lines.push(
      `### Each member's uplink capped at ${capped.uplinkMbit} Mbit/s`,
      '',
      `Where a second holder pays off: each sender's uplink is the limit (a home or mobile ` +
        `uplink), as in most real rooms. Traffic control on the namespace's loopback shapes ` +
        `every packet into Bob's links and into the raw receiver's (HTB, one ${capped.uplinkMbit} Mbit/s class per link, ` +
        `matched by the receiving UDP port ${[...capped.links, ...capped.rawLinks].map((/** @type {any} */ l) => l.port).join(' / ')}; ` +
        `a 160-packet queue). ${fmt(capped.size, 0)} MiB files; the capped links were warmed ` +
        'by one 16 MiB file from both first.',
      '',
      markdownTable(
        ['', 'ms', 'MiB/s'],
        [
          ['raw RTCDataChannel, one sender', formatMs(capped.raw.ms), fmt(capped.raw.mbps)],
          ['Bob from Alice alone', formatMs(capped.one.ms), fmt(capped.one.mbps)],
          ['Bob from Alice and Carol at once', formatMs(capped.two.ms), fmt(capped.two.mbps)],
        ],
        ['l', 'r', 'r'],
      ),
      '',
      `Speed-up: **${fmt(speedup, 2)}×** (goal ≥ 1.5×: ${verdict(speedup >= 1.5)}). ` +
        `From one holder, Parley moves ${fmt((capped.one.mbps / capped.raw.mbps) * 100, 0)} % ` +
        `of what the raw channel moves through the same cap (its link into the raw receiver ` +
        `capped alike; one run each). Bob's downlink is not capped, so twice one holder is the ` +
        `most two can give. ` +
        `Stored completely: ${capped.one.isStored && capped.two.isStored ? 'yes' : '**no**'}; ` +
        `saved files equal the originals: ${
          capped.one.isSavedIntact && capped.two.isSavedIntact ? 'yes' : '**no**'
        }.`,
      '',
    );
  }
  if (profiled?.profile) {
    lines.push(
      '## Where the time goes (profiled run)',
      '',
      profiled.failure
        ? `One more transfer with V8's sampling profiler on in every page. **It stalled**: ` +
            `${profiled.failure.replace(/\n[\s\S]*/, '')} Bob's record then held ` +
            `${fmt((profiled.stored?.storedBytes ?? 0) / MiB)} MiB. Profiles and counters below cover the whole wait.`
        : `One more transfer with V8's sampling profiler on in every page (${formatMs(profiled.ms)} ms, ` +
            `${fmt(profiled.mbps)} MiB/s while profiled).`,
      '',
    );
    for (const [label, p] of Object.entries(profiled.profile)) {
      const pp = /** @type {any} */ (p);
      const cpu = pp.cpu;
      const pr = pp.probes;
      lines.push(
        `### ${label}`,
        '',
        `Main thread: ${cpu.sampledMs} ms sampled, idle ${cpu.idleMs} ms ` +
          `(${fmt((cpu.idleMs / cpu.sampledMs) * 100, 0)} %), GC ${cpu.gcMs} ms, program ${cpu.programMs} ms. ` +
          `digest: ${pr.digest.count} calls, ${fmt(pr.digest.bytes / MiB)} MiB, busy ${formatMs(pr.digest.busyMs)} ms; ` +
          `IndexedDB on blobs: ${pr.tx.readwrite} read-write transactions (${formatMs(pr.tx.readwriteMs)} ms summed, ` +
          `longest ${formatMs(pr.tx.maxReadwriteMs)} ms), ${pr.tx.readonly} read-only (${formatMs(pr.tx.readonlyMs)} ms summed); ` +
          `Blob.arrayBuffer: ${pr.arrayBuffer.count} (${formatMs(pr.arrayBuffer.ms)} ms summed); ` +
          `file channel in: ${pr.recv.messages} messages, gaps > 5 ms: ${pr.recv.gaps5} (${formatMs(pr.recv.gapsOver5Ms)} ms); ` +
          `last message in at ${formatMs(pr.recvLastAt)} ms; read-write/read-only transactions on blobs still open at the end: ${pr.tx.open ?? 0}; ` +
          `out: ${pr.sent.messages} messages; bufferedAmount sampled every 10 ms (last ${pr.buffered.last ?? '–'} B): ` +
          `< 64 KiB ${pct(pr.buffered.empty, pr.buffered.samples)}, ≤ 1 MiB ${pct(pr.buffered.low, pr.buffered.samples)}, ` +
          `> 1 MiB ${pct(pr.buffered.high, pr.buffered.samples)}.`,
        '',
        markdownTable(
          ['self ms', 'share', 'total ms', 'function', 'source'],
          cpu.topSelf
            .slice(0, 15)
            .map((/** @type {any} */ e) => [
              String(e.selfMs),
              `${e.share} %`,
              String(e.totalMs),
              e.fn,
              e.at,
            ]),
          ['r', 'r', 'r', 'l', 'l'],
        ),
        '',
        'Self time per source: ' +
          cpu.byFile
            .slice(0, 10)
            .map((/** @type {any} */ f) => `${f.file} ${f.selfMs} ms (${f.share} %)`)
            .join('; ') +
          '.',
        '',
      );
    }
  }
  return lines.join('\n');
}

/** @param {number} part @param {number} whole */
function pct(part, whole) {
  return whole > 0 ? `${Math.round((part / whole) * 100)} %` : '–';
}
