// `npm run bench -- signal-attacks`: the signal server under the attacks of issue 12 (items 1–3),
// with its resident memory and `/healthz` latency measured while they run. Loopback only, bounded
// in count and time; the server is the built one (`node dist/server/signal/src/main.js`), a child process,
// and the attackers are plain `ws` clients in this process.
//
// 1. deep-offer: a room member sends an OFFER whose payload is nested 5,000 levels deep (10 KB)
//    to another member — live, and queued while the victim reconnects. Counts victims cut off.
// 2. queue-flood: four anonymous sockets send OFFERs to absent peers as fast as the frame rate
//    limit lets them (a burst, then just under the sustained rate), reconnecting when closed.
//    Once with frames of ~64 KiB, once with frames of ~16 KiB.
// 3. idle-sockets: 79 client addresses (127.0.0.2…) open as many sockets each as the per-address
//    cap allows and sit idle (or, in the second run, each joins a room); then newcomers from
//    127.0.0.1 try to connect.
//
// Options: --only a,b (scenario names), --flood-seconds N, --observe-seconds N, --addresses N,
// --per-address N, --label TEXT (names the run in the table), --out NAME (result file name),
// --max-connections N (sets PARLEY_MAX_CONNECTIONS; 5000 reproduces PeerServer's stock limit on a
// server that sizes its own), --server-entry PATH (the build under test), --baseline-entry PATH and
// --baseline-label TEXT (another build, e.g. main's signal/dist/main.js: every scenario then runs
// against both, alternating which goes first, so both see the same machine in the same run).
//
// `/healthz` is probed from a child process of its own, so the attackers' work in this process
// does not show up as server latency.
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID, createHash } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';
import {
  REPO_ROOT,
  RESULTS_DIR,
  buildInfo,
  formatMs,
  machineInfo,
  markdownTable,
  parseOptions,
  percentileSummary,
  sleep,
  writeResults,
} from './lib.mjs';

const DEFAULTS = {
  only: 'deep-offer,queue-flood,queue-flood-16k,queue-flood-reconnect,idle-sockets,idle-sockets-in-rooms',
  floodSeconds: 20,
  observeSeconds: 8,
  addresses: 79,
  perAddress: 64,
  label: 'current',
  out: 'signal-attacks-latest',
  maxConnections: 0,
  serverEntry: path.join(REPO_ROOT, 'dist', 'server', 'signal', 'src', 'main.js'),
  baselineEntry: '',
  baselineLabel: 'baseline',
};

/** How often the server's RSS is read from /proc. */
const RSS_SAMPLE_MS = 100;
/** How often `/healthz` is probed, and how long one probe may take before it counts as failed. */
const HEALTH_PROBE_MS = 200;
const HEALTH_TIMEOUT_MS = 3_000;
/** Nesting of the hostile OFFER payload (issue 12: ~5,000 levels, 10 KB). */
const DEEP_LEVELS = 5_000;
const DEEP_ROUNDS = 8;

/**
 * @param {string[]} argv
 * @param {{ isLoopbackOnly: boolean }} environment
 */
export default async function signalAttacks(argv, environment) {
  const options = parseOptions(argv, DEFAULTS);
  if (!environment.isLoopbackOnly) {
    console.info(
      'signal-attacks: not in a loopback-only namespace; the idle-sockets scenario binds ' +
        '127.0.0.x source addresses, which works on Linux loopback anyway.',
    );
  }
  const scenarios = options.only.split(',').map((name) => name.trim());
  const env =
    options.maxConnections > 0 ? { PARLEY_MAX_CONNECTIONS: String(options.maxConnections) } : {};
  /** @type {{ label: string, entry: string }[]} */
  const servers = [
    ...(options.baselineEntry
      ? [{ label: options.baselineLabel, entry: path.resolve(options.baselineEntry) }]
      : []),
    { label: options.label, entry: options.serverEntry },
  ];
  /** @type {Record<string, Record<string, unknown>>} */
  const results = {};
  for (const [index, scenario] of scenarios.entries()) {
    const run = SCENARIOS[/** @type {keyof typeof SCENARIOS} */ (scenario)];
    if (!run) throw new Error(`unknown scenario ${scenario}`);
    results[scenario] = {};
    const order = index % 2 === 0 ? servers : [...servers].reverse();
    for (const { label, entry } of order) {
      console.info(`signal-attacks: ${scenario} against ${label} …`);
      const result = await withServer(entry, env, (server) => run(server, options));
      results[scenario][label] = result;
      console.info(`signal-attacks: ${scenario} against ${label}: ${JSON.stringify(result)}`);
    }
  }
  const data = {
    servers: servers.map(({ label, entry }) => ({ label, entry: path.relative(REPO_ROOT, entry) })),
    options,
    machine: machineInfo(),
    build: buildInfo(),
    results,
  };
  const markdown = renderMarkdown(
    servers.map((server) => server.label),
    results,
    data,
  );
  const { jsonPath, markdownPath } = writeResults(options.out, data, markdown);
  console.info(markdown);
  console.info(`signal-attacks: wrote ${path.relative(RESULTS_DIR, jsonPath)} and ${markdownPath}`);
}

// ---- Scenarios ------------------------------------------------------------------------------

const SCENARIOS = {
  /** @param {Server} server */
  'deep-offer': async (server) => {
    const monitor = startMonitor(server);
    const room = makeRoomKey();
    let liveCutOff = 0;
    let queuedCutOff = 0;
    for (let round = 0; round < DEEP_ROUNDS; round += 1) {
      const attacker = await connect(server.port);
      const victim = await connect(server.port);
      attacker.send({ type: 'X-ROOM-JOIN', payload: { room } });
      victim.send({ type: 'X-ROOM-JOIN', payload: { room } });

      // Live: the victim is connected.
      attacker.sendRaw(deepOffer(victim.id));
      if (!(await survives(attacker, victim))) liveCutOff += 1;

      // Queued: the victim's socket drops; the offer waits for it; it comes back.
      const { id, token } = victim;
      victim.terminate();
      await victim.closed;
      await sleep(100); // let the server see the close before the offer is queued
      attacker.sendRaw(deepOffer(id));
      const back = await connect(server.port, { id, token }).catch(() => null);
      if (!back || !(await survives(attacker, back))) queuedCutOff += 1;
      back?.terminate();
      attacker.terminate();
    }
    const observed = await monitor.stop();
    return {
      rounds: DEEP_ROUNDS,
      liveVictimsCutOff: liveCutOff,
      queuedVictimsCutOff: queuedCutOff,
      ...observed,
    };
  },

  /** @param {Server} server @param {typeof DEFAULTS} options */
  'queue-flood': (server, options) => flood(server, options, 65_000, false),

  /** @param {Server} server @param {typeof DEFAULTS} options */
  'queue-flood-16k': (server, options) => flood(server, options, 16_000, false),

  /** @param {Server} server @param {typeof DEFAULTS} options */
  'queue-flood-reconnect': (server, options) => flood(server, options, 65_000, true),

  /** @param {Server} server @param {typeof DEFAULTS} options */
  'idle-sockets': (server, options) => idleSockets(server, options, false),

  /** @param {Server} server @param {typeof DEFAULTS} options */
  'idle-sockets-in-rooms': (server, options) => idleSockets(server, options, true),
};

/**
 * Four anonymous sockets flood absent peers with OFFERs of `frameBytes`: 300 at once, then 50 a
 * second (the stock limits allow a 300-frame burst and 60 frames/s), reconnecting when closed.
 * With `isReconnecting`, each socket sends only its 300-frame burst and is replaced by a fresh
 * one (a fresh rate-limit bucket), as fast as the server lets it.
 * @param {Server} server
 * @param {typeof DEFAULTS} options
 * @param {number} frameBytes
 * @param {boolean} isReconnecting
 */
async function flood(server, options, frameBytes, isReconnecting) {
  const monitor = startMonitor(server);
  await sleep(1_000); // a baseline before the attack, in the same run
  const baseline = monitor.snapshot();
  const deadline = Date.now() + options.floodSeconds * 1_000;
  let sent = 0;
  let closedByServer = 0;
  let reconnects = 0;
  let refusedFrames = 0;
  const attackers = Array.from({ length: 4 }, async () => {
    while (Date.now() < deadline) {
      const socket = await connect(server.port).catch(() => null);
      if (!socket) {
        await sleep(200);
        continue;
      }
      reconnects += 1;
      socket.onFrame = (frame) => {
        if (frame.type.startsWith('X-RELAY')) refusedFrames += 1;
      };
      let burst = 300;
      while (Date.now() < deadline && socket.isOpen) {
        const count = burst > 0 ? burst : 1;
        for (let i = 0; i < count; i += 1) {
          if (socket.sendRaw(bigOffer(randomPeerId(), frameBytes))) sent += 1;
        }
        burst = 0;
        if (isReconnecting) break;
        await sleep(20); // 50 frames/s
      }
      if (isReconnecting) {
        // Let the burst leave before the socket goes (terminate would drop what is unsent).
        socket.close();
      }
      await Promise.race([socket.closed, sleep(2_000)]);
      if (socket.closeCode === 1008) closedByServer += 1;
      socket.terminate();
    }
  });
  await Promise.all(attackers);
  const duringAttack = monitor.snapshot();
  await sleep(options.observeSeconds * 1_000);
  const observed = await monitor.stop();
  return {
    frameBytes,
    isReconnecting,
    framesSent: sent,
    attackerSockets: reconnects,
    attackerSocketsClosedByServer: closedByServer,
    refusalFramesSeen: refusedFrames,
    baselineRssMiB: baseline.peakRssMiB,
    baselineHealth: baseline.health,
    attackHealth: duringAttack.health,
    ...observed,
  };
}

/**
 * Fills the server with sockets from many addresses, then tries newcomers.
 * @param {Server} server
 * @param {typeof DEFAULTS} options
 * @param {boolean} joinRooms
 */
async function idleSockets(server, options, joinRooms) {
  const monitor = startMonitor(server);
  await sleep(500);
  const baseline = monitor.snapshot();
  const started = performance.now();
  /** @type {Peer[]} */
  const sockets = [];
  let refused = 0;
  const addresses = Array.from({ length: options.addresses }, (_, i) => `127.0.0.${i + 2}`);
  for (const address of addresses) {
    const opened = await Promise.all(
      Array.from({ length: options.perAddress }, () =>
        connect(server.port, { localAddress: address }).catch(() => null),
      ),
    );
    for (const peer of opened) {
      if (!peer) {
        refused += 1;
        continue;
      }
      peer.onFrame = () => undefined;
      sockets.push(peer);
      if (joinRooms) peer.send({ type: 'X-ROOM-JOIN', payload: { room: makeRoomKey() } });
    }
  }
  const fillMs = performance.now() - started;
  const stillOpenAfterFill = sockets.filter((peer) => peer.isOpen).length;
  // Newcomers from an address the attacker does not use, a few seconds later.
  await sleep(2_000);
  let newcomersIn = 0;
  const newcomerOutcomes = [];
  for (let i = 0; i < 5; i += 1) {
    const newcomer = await connect(server.port).catch((/** @type {Error} */ error) => error);
    if (newcomer instanceof Error) {
      newcomerOutcomes.push(newcomer.message.slice(0, 80));
      continue;
    }
    newcomersIn += 1;
    newcomerOutcomes.push('OPEN');
    newcomer.send({ type: 'X-ROOM-JOIN', payload: { room: makeRoomKey() } });
  }
  await sleep(options.observeSeconds * 1_000);
  const attackerSocketsOpenAtEnd = sockets.filter((peer) => peer.isOpen).length;
  for (const peer of sockets) peer.terminate();
  const observed = await monitor.stop();
  return {
    joinRooms,
    attempted: addresses.length * options.perAddress,
    opened: sockets.length,
    refused,
    fillMs: Math.round(fillMs),
    stillOpenAfterFill,
    attackerSocketsOpenAtEnd,
    newcomersIn,
    newcomerOutcomes,
    baselineRssMiB: baseline.peakRssMiB,
    baselineHealth: baseline.health,
    ...observed,
  };
}

// ---- Clients --------------------------------------------------------------------------------

/**
 * @typedef {object} Peer
 * @property {string} id
 * @property {string} token
 * @property {boolean} isOpen
 * @property {number | null} closeCode the code of the close frame received, if any
 * @property {Promise<void>} closed
 * @property {(frame: { type: string }) => void} onFrame
 * @property {(frame: object) => void} send
 * @property {(text: string) => boolean} sendRaw true when the frame was handed to the socket
 * @property {(type: string, accepts: (frame: any) => boolean, timeoutMs: number) => Promise<boolean>} waitFor
 * @property {() => void} close
 * @property {() => void} terminate
 */

/**
 * A PeerJS-protocol client that resolves once the server sent OPEN.
 * @param {number} port
 * @param {{ id?: string, token?: string, localAddress?: string }} [options]
 * @returns {Promise<Peer>}
 */
function connect(port, options = {}) {
  const id = options.id ?? randomPeerId();
  const token = options.token ?? randomUUID();
  const url = `ws://127.0.0.1:${port}/peerjs/peerjs?key=peerjs&id=${id}&token=${token}`;
  const socket = new WebSocket(url, { localAddress: options.localAddress });
  /** @type {{ type: string, accepts: (frame: any) => boolean, resolve: (ok: boolean) => void }[]} */
  const waiters = [];
  /** @type {Peer} */
  const peer = {
    id,
    token,
    isOpen: false,
    closeCode: null,
    closed: new Promise((resolve) => socket.once('close', () => resolve())),
    onFrame: () => undefined,
    send: (frame) => peer.sendRaw(JSON.stringify(frame)),
    sendRaw: (text) => {
      if (socket.readyState !== WebSocket.OPEN) return false;
      socket.send(text);
      return true;
    },
    waitFor: (type, accepts, timeoutMs) =>
      new Promise((resolve) => {
        const waiter = { type, accepts, resolve };
        waiters.push(waiter);
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          resolve(false);
        }, timeoutMs);
        peer.closed.then(
          () => {
            clearTimeout(timer);
            if (waiters.includes(waiter)) waiters.splice(waiters.indexOf(waiter), 1);
            resolve(false);
          },
          () => undefined,
        );
        waiter.resolve = (ok) => {
          clearTimeout(timer);
          resolve(ok);
        };
      }),
    close: () => socket.close(),
    terminate: () => socket.terminate(),
  };
  socket.on('close', (code) => {
    peer.isOpen = false;
    peer.closeCode = code;
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error('no OPEN within 10 s'));
    }, 10_000);
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('unexpected-response', (_request, response) => {
      clearTimeout(timer);
      reject(new Error(`HTTP ${response.statusCode}`));
      response.destroy();
    });
    socket.on('close', () => {
      clearTimeout(timer);
      reject(new Error('closed before OPEN'));
    });
    socket.on('message', (data) => {
      /** @type {{ type: string, payload?: { msg?: string } }} */
      let frame;
      try {
        frame = JSON.parse(String(data));
      } catch {
        return;
      }
      if (frame.type === 'OPEN') {
        peer.isOpen = true;
        clearTimeout(timer);
        resolve(peer);
      } else if (frame.type === 'ERROR' || frame.type === 'ID-TAKEN') {
        clearTimeout(timer);
        reject(new Error(`${frame.type} ${frame.payload?.msg ?? ''}`.trim()));
      }
      peer.onFrame(frame);
      const waiter = waiters.find((w) => w.type === frame.type && w.accepts(frame));
      if (waiter) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(true);
      }
    });
  });
}

/**
 * True when `victim` still receives what `sender` sends it: a well-formed CANDIDATE marker.
 * @param {Peer} sender
 * @param {Peer} victim
 */
async function survives(sender, victim) {
  const marker = `dc_${randomBytes(6).toString('hex')}`;
  const arrived = victim.waitFor(
    'CANDIDATE',
    (frame) => frame.payload?.connectionId === marker,
    2_000,
  );
  sender.send({
    type: 'CANDIDATE',
    dst: victim.id,
    payload: {
      candidate: {
        candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host',
        sdpMid: '0',
        sdpMLineIndex: 0,
      },
      type: 'data',
      connectionId: marker,
    },
  });
  return arrived;
}

/** @param {string} dst */
function deepOffer(dst) {
  const payload = `${'['.repeat(DEEP_LEVELS)}${']'.repeat(DEEP_LEVELS)}`;
  return `{"type":"OFFER","dst":${JSON.stringify(dst)},"payload":${payload}}`;
}

/**
 * An OFFER shaped like PeerJS's, its SDP padded so the whole frame has about `bytes` bytes.
 * @param {string} dst
 * @param {number} bytes
 */
function bigOffer(dst, bytes) {
  const frame = {
    type: 'OFFER',
    dst,
    payload: {
      sdp: { type: 'offer', sdp: '' },
      type: 'data',
      connectionId: 'dc_flood',
      label: 'chat',
      reliable: true,
      serialization: 'raw',
      metadata: { room: 'x', v: 1 },
    },
  };
  const overhead = JSON.stringify(frame).length;
  frame.payload.sdp.sdp = 'v'.repeat(Math.max(0, bytes - overhead));
  return JSON.stringify(frame);
}

function randomPeerId() {
  return `p${randomBytes(16).toString('hex')}`;
}

function makeRoomKey() {
  return createHash('sha256').update(randomBytes(16)).digest('base64url');
}

// ---- Server and measurements ----------------------------------------------------------------

/**
 * @typedef {object} Server
 * @property {number} port
 * @property {string} baseUrl
 * @property {number} pid
 */

/**
 * Runs `body` against a fresh server (`node entry`, a child process on a free loopback port) and
 * stops it afterwards.
 * @template T
 * @param {string} entry
 * @param {Record<string, string>} env
 * @param {(server: Server) => Promise<T>} body
 */
async function withServer(entry, env, body) {
  const child = spawn(process.execPath, [entry], {
    cwd: REPO_ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', PARLEY_LOG_LEVEL: 'error', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise((resolve, reject) => {
    createInterface({ input: /** @type {import('node:stream').Readable} */ (child.stdout) }).on(
      'line',
      (line) => {
        const match = /listening on http:\/\/\S+:(\d+)/.exec(line);
        if (match) resolve(Number(match[1]));
      },
    );
    child.once('exit', (code) => reject(new Error(`server exited (${code}) before listening`)));
  });
  try {
    return await body({
      port: /** @type {number} */ (port),
      baseUrl: `http://127.0.0.1:${port}`,
      pid: /** @type {number} */ (child.pid),
    });
  } finally {
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(10_000)]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

/**
 * The `/healthz` prober, run as its own process: one probe every HEALTH_PROBE_MS, one JSON line
 * per probe on stdout (`{"ms": …}` or `{"failed": true}`).
 */
const PROBER_SOURCE = `
const [url, everyMs, timeoutMs] = process.argv.slice(1);
let stopping = false;
process.on('SIGTERM', () => { stopping = true; });
while (!stopping) {
  const started = performance.now();
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(Number(timeoutMs)) });
    await response.arrayBuffer();
    if (!response.ok) throw new Error(String(response.status));
    process.stdout.write(JSON.stringify({ ms: performance.now() - started }) + '\\n');
  } catch {
    process.stdout.write('{"failed":true}\\n');
  }
  await new Promise((resolve) => setTimeout(resolve, Number(everyMs)));
}
`;

/**
 * Samples the server's RSS and probes `/healthz` (from another process) until stopped.
 * @param {Server} server
 */
function startMonitor(server) {
  /** @type {number[]} */
  const rssMiB = [];
  /** @type {number[]} */
  const latencyMs = [];
  let failures = 0;
  const statusFile = `/proc/${server.pid}/status`;
  const rssTimer = setInterval(() => {
    if (!existsSync(statusFile)) return;
    const kib = /VmRSS:\s+(\d+)/.exec(readFileSync(statusFile, 'utf8'))?.[1];
    if (kib) rssMiB.push(Number(kib) / 1024);
  }, RSS_SAMPLE_MS);
  const prober = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      PROBER_SOURCE,
      `${server.baseUrl}/healthz`,
      String(HEALTH_PROBE_MS),
      String(HEALTH_TIMEOUT_MS),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  createInterface({ input: /** @type {import('node:stream').Readable} */ (prober.stdout) }).on(
    'line',
    (line) => {
      /** @type {{ ms?: number, failed?: boolean }} */
      const probe = JSON.parse(line);
      if (probe.failed) failures += 1;
      else if (probe.ms !== undefined) latencyMs.push(probe.ms);
    },
  );
  const snapshot = () => ({
    peakRssMiB: Math.round(Math.max(0, ...rssMiB)),
    health: healthSummary(latencyMs, failures),
  });
  return {
    snapshot,
    stop: async () => {
      clearInterval(rssTimer);
      const exited = once(prober, 'exit');
      prober.kill('SIGTERM');
      await exited;
      return {
        peakRssMiB: Math.round(Math.max(0, ...rssMiB)),
        endRssMiB: Math.round(rssMiB.at(-1) ?? 0),
        health: healthSummary(latencyMs, failures),
      };
    },
  };
}

/** @param {number[]} latencyMs @param {number} failures */
function healthSummary(latencyMs, failures) {
  const summary = percentileSummary(latencyMs);
  return {
    probes: latencyMs.length + failures,
    failures,
    p50Ms: Math.round(summary.p50 * 10) / 10,
    p99Ms: Math.round(summary.p99 * 10) / 10,
    maxMs: Math.round(summary.max * 10) / 10,
  };
}

// ---- Output ---------------------------------------------------------------------------------

/**
 * @param {string[]} labels the servers, baseline first
 * @param {Record<string, Record<string, any>>} results scenario → server label → result
 * @param {{ options: typeof DEFAULTS, machine: ReturnType<typeof machineInfo> }} data
 */
export function renderMarkdown(labels, results, { options, machine }) {
  const lines = [
    `# Signal server under attack (${labels.join(' vs ')})`,
    '',
    '`npm run bench -- signal-attacks` (bench/signal-attacks.mjs; issue 12, items 1–3). Each',
    'scenario runs against a fresh server process per build, the builds alternating which goes',
    'first, in one run on one machine: ' +
      `${machine.cores} cores (${machine.cpuModel}), load average ${machine.loadAverage.join(' / ')} ` +
      `at the end, Node ${machine.node}, ${machine.date.slice(0, 10)}. Loopback only.` +
      (options.maxConnections > 0
        ? ` Both servers with PARLEY_MAX_CONNECTIONS=${options.maxConnections} (PeerServer's stock` +
          ' `concurrent_limit`; the old server ignores the variable and has exactly that).'
        : ''),
    '',
    '- **deep-offer**: a room member sends a member an OFFER nested 5,000 levels deep (10 KB),',
    `  live and while the victim reconnects (queued), ${DEEP_ROUNDS} rounds each.`,
    '- **queue-flood**: 4 anonymous sockets send OFFERs to made-up peers, 300 at once then 50/s',
    `  (within the stock frame limit), for ${options.floodSeconds} s, reconnecting when closed;`,
    '  **-16k** with 16 kB frames; **-reconnect** with a fresh socket (a fresh rate limit) per 300.',
    `- **idle-sockets**: ${options.addresses} addresses (127.0.0.2…) open ${options.perAddress}`,
    '  sockets each and idle (**-in-rooms**: each joins a room); then 5 newcomers try.',
    '',
    'RSS is read from /proc every 100 ms; `/healthz` is probed every 200 ms from a separate',
    'process (3 s timeout).',
    '',
  ];
  const health = (/** @type {any} */ h) =>
    h
      ? `${formatMs(h.p50Ms)} / ${formatMs(h.p99Ms)} / ${formatMs(h.maxMs)} ms, ${h.failures}/${h.probes} failed`
      : '–';
  const rows = Object.entries(results).flatMap(([name, byServer]) =>
    labels.map((label) => {
      const r = byServer[label];
      const outcome =
        name === 'deep-offer'
          ? `victims cut off: live ${r.liveVictimsCutOff}/${r.rounds}, queued ${r.queuedVictimsCutOff}/${r.rounds}`
          : name.startsWith('queue-flood')
            ? `${r.framesSent} frames of ${r.frameBytes} B sent${r.isReconnecting ? ', a fresh socket per 300' : ''}; attacker sockets closed (1008) ${r.attackerSocketsClosedByServer}/${r.attackerSockets}`
            : `${r.opened}/${r.attempted} attacker sockets opened in ${r.fillMs} ms, ${r.attackerSocketsOpenAtEnd} open at end; newcomers admitted ${r.newcomersIn}/5`;
      return [
        name,
        label,
        r.baselineRssMiB === undefined ? '–' : String(r.baselineRssMiB),
        String(r.peakRssMiB),
        String(r.endRssMiB),
        health(r.attackHealth ?? r.health),
        outcome,
      ];
    }),
  );
  lines.push(
    markdownTable(
      [
        'scenario',
        'server',
        'RSS idle (MiB)',
        'RSS peak (MiB)',
        'RSS end (MiB)',
        '/healthz during attack: p50 / p99 / max, failed',
        'outcome',
      ],
      rows,
      ['l', 'l', 'r', 'r', 'r', 'l', 'l'],
    ),
  );
  return lines.join('\n');
}
