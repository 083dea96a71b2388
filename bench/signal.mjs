// `npm run bench -- signal`: the signal server's capacity (issue 13), each measurement side by
// side with a stock PeerServer from the same `peer` package in the same run:
//
// 1. connections: 10k and as many clients as one process may hold connected (PeerJS handshake
//    until OPEN); the server's RSS once they are all in and how long connecting took; and 50k
//    (goal: < 1 GB) — on one process where the open-file limit allows, else the per-client RSS
//    measured up to that limit, extrapolated, and 50k for real across three nodes on Redis;
// 2. joins: 10k room joins (X-ROOM-JOIN → X-ROOM-PEERS), in memory and on Redis (the stock
//    server has no rooms);
// 3. relay: OFFERs relayed between connected pairs as fast as they go (goal: within 10 % of
//    stock), alternating servers over several rounds;
// 4. scale-out: two nodes on one redis-server, the cross-node relay rate and the latency a
//    cross-node hop adds (p50/p99) over a same-node one, in the same run.
//
// Loopback only (inside the bench's network namespace), bounded in count and time. 50k sockets
// need several source addresses (127.0.0.2…) and open-file limits far above the default: the
// servers and the load generators (bench/support/signal-load.mjs) run under `ulimit -n` as high
// as the hard limit allows (raising it needs CAP_SYS_RESOURCE), and
// Parley's admission limits are set for the benchmark explicitly (BENCH_PARLEY_ENV, in the table).
//
// Options: --only connections,joins,relay,scale-out  --counts 10000,50000  --spread 50000
// --joins 10000
// --relay-pairs 50 --relay-frames 2000 --relay-window 32 --rounds 3 --latency-rate 400
// --latency-seconds 5 --out signal
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import {
  REPO_ROOT,
  buildInfo,
  machineInfo,
  markdownTable,
  parseOptions,
  percentileSummary,
  sleep,
  writeResults,
} from './lib.mjs';

const DEFAULTS = {
  only: 'connections,joins,relay,scale-out',
  counts: '10000,50000',
  spread: 50_000,
  joins: 10_000,
  relayPairs: 50,
  relayFrames: 2_000,
  relayWindow: 32,
  rounds: 3,
  latencyRate: 400,
  latencySeconds: 5,
  out: 'signal',
};

const PARLEY_ENTRY = path.join(REPO_ROOT, 'dist', 'server', 'signal', 'src', 'main.js');
const STOCK_ENTRY = path.join(REPO_ROOT, 'bench', 'support', 'stock-peer-server.mjs');
const LOAD_ENTRY = path.join(REPO_ROOT, 'bench', 'support', 'signal-load.mjs');
/** Open files wanted for servers and load generators (raising the hard limit needs CAP_SYS_RESOURCE). */
const OPEN_FILES = 250_000;
/** Raise the soft limit to OPEN_FILES if allowed, else to the hard limit; then run "$0" "$@". */
const RAISE_AND_EXEC = `ulimit -n ${OPEN_FILES} 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$0" "$@"`;
/** File descriptors a server keeps for itself (listener, epoll, stdio, Redis …). */
const SERVER_RESERVED_FDS = 300;
/** Source addresses 127.0.0.2 … 127.0.0.251: 200 sockets each at 50k. */
const ADDRESSES = Array.from({ length: 250 }, (_, i) => `127.0.0.${i + 2}`);
/** Sockets per load-generator process. */
const SOCKETS_PER_WORKER = 10_000;
/** Handshakes in flight per load generator. */
const CONNECT_CONCURRENCY = 200;
const SETTLE_MS = 3_000;

/**
 * Parley's limits for the benchmark: room for 60,000 sockets, 256 per address (250 addresses
 * hold 50k; the handshake burst per address follows the cap), and rate limits out of the way of a
 * relay flood (its defaults close a socket past 60 frames/s).
 */
const BENCH_PARLEY_ENV = {
  PARLEY_MAX_CONNECTIONS: '60000',
  PARLEY_MAX_CONNECTIONS_PER_IP: '256',
  PARLEY_RATE_LIMIT_BURST: '1000000',
  PARLEY_RATE_LIMIT_PER_SEC: '1000000',
  PARLEY_RATE_LIMIT_BURST_BYTES: '1073741824',
  PARLEY_RATE_LIMIT_BYTES_PER_SEC: '1073741824',
  PARLEY_RATE_LIMIT_BURST_BYTES_PER_IP: '1073741824',
  PARLEY_RATE_LIMIT_BYTES_PER_SEC_PER_IP: '1073741824',
  PARLEY_LOG_LEVEL: 'error',
};
/** The stock server's `concurrent_limit` (5,000 by default). */
const BENCH_STOCK_ENV = { PEER_CONCURRENT_LIMIT: '60000' };

/** @typedef {{ label: string, entry: string, env: Record<string, string>, wsPath: string }} ServerKind */
/** @type {ServerKind} */
const STOCK = {
  label: 'stock PeerServer',
  entry: STOCK_ENTRY,
  env: BENCH_STOCK_ENV,
  wsPath: '/peerjs',
};
/** @type {ServerKind} */
const PARLEY = {
  label: 'Parley (in memory)',
  entry: PARLEY_ENTRY,
  env: BENCH_PARLEY_ENV,
  wsPath: '/peerjs/peerjs',
};
/** @param {string} redisUrl @returns {ServerKind} */
const parleyOnRedis = (redisUrl) => ({
  label: 'Parley (Redis)',
  entry: PARLEY_ENTRY,
  env: { ...BENCH_PARLEY_ENV, REDIS_URL: redisUrl },
  wsPath: '/peerjs/peerjs',
});

/**
 * @param {string[]} argv
 * @param {{ isLoopbackOnly: boolean }} environment
 */
export default async function signalBench(argv, environment) {
  const options = parseOptions(argv, DEFAULTS);
  if (!existsSync(PARLEY_ENTRY)) throw new Error(`${PARLEY_ENTRY} is missing: npm run build`);
  if (!environment.isLoopbackOnly) {
    console.info(
      'signal: not in a loopback-only namespace; binding 127.0.0.x works on Linux anyway.',
    );
  }
  const only = new Set(options.only.split(',').map((name) => name.trim()));
  const redis = await startRedis();
  /** @type {Record<string, unknown>} */
  const results = {};
  try {
    if (only.has('connections')) {
      results.connections = [];
      const openFiles = openFilesLimit();
      const perProcess = openFiles - SERVER_RESERVED_FDS;
      const counts = options.counts.split(',').map(Number);
      // Where one process may not hold a count, measure up to what it may hold instead.
      const feasible = [...new Set(counts.map((count) => Math.min(count, perProcess)))];
      for (const count of feasible) {
        const kinds = count <= 10_000 ? [STOCK, PARLEY, parleyOnRedis(redis.url)] : [STOCK, PARLEY];
        for (const kind of kinds) {
          log(`connections: ${count} to ${kind.label} …`);
          const measured = await withServer(kind, (server) => connections(server, kind, count));
          log(`connections: ${count} to ${kind.label}: ${JSON.stringify(measured)}`);
          /** @type {unknown[]} */ (results.connections).push({
            server: kind.label,
            count,
            ...measured,
          });
        }
      }
      results.unreachableCounts = counts.filter((count) => count > perProcess);
      if (options.spread > 0) {
        const nodes = Math.max(3, Math.ceil(options.spread / perProcess));
        log(`connections: ${options.spread} across ${nodes} nodes on Redis …`);
        results.spread = await spread(parleyOnRedis(redis.url), options.spread, nodes);
        log(`connections across nodes: ${JSON.stringify(results.spread)}`);
      }
    }
    if (only.has('joins')) {
      results.joins = [];
      for (const kind of [PARLEY, parleyOnRedis(redis.url)]) {
        log(`joins: ${options.joins} on ${kind.label} …`);
        const measured = await withServer(kind, (server) => joins(server, kind, options.joins));
        log(`joins on ${kind.label}: ${JSON.stringify({ ...measured, latency: undefined })}`);
        /** @type {unknown[]} */ (results.joins).push({ server: kind.label, ...measured });
      }
    }
    if (only.has('relay')) {
      /** @type {Record<string, number[]>} */
      const rates = {};
      for (let round = 0; round < options.rounds; round += 1) {
        const kinds = round % 2 === 0 ? [STOCK, PARLEY] : [PARLEY, STOCK];
        for (const kind of kinds) {
          const measured = await withServer(kind, (server) =>
            relay({ sender: server, receiver: server, kind, options, idPrefix: `relay${round}` }),
          );
          log(`relay round ${round + 1} on ${kind.label}: ${Math.round(measured.ratePerSec)}/s`);
          (rates[kind.label] ??= []).push(measured.ratePerSec);
        }
      }
      results.relay = rates;
    }
    if (only.has('scale-out')) {
      results.scaleOut = await scaleOut(redis.url, options);
    }
  } finally {
    await redis.stop();
  }
  const data = {
    options,
    openFilesLimit: openFilesLimit(),
    parleyEnv: BENCH_PARLEY_ENV,
    stockEnv: BENCH_STOCK_ENV,
    machine: machineInfo(),
    build: buildInfo(),
    results,
  };
  const markdown = renderMarkdown(data);
  const { markdownPath } = writeResults(options.out, data, markdown);
  console.info(markdown);
  log(`wrote ${path.relative(REPO_ROOT, markdownPath)}`);
}

// ---- Scenarios ------------------------------------------------------------------------------

/**
 * `count` clients connect through several load generators; the server's RSS once all are in.
 * @param {Server} server @param {ServerKind} kind @param {number} count
 */
async function connections(server, kind, count, idPrefix = 'c') {
  const idleRssMiB = rssMiB(server.pid);
  const workers = Math.ceil(count / SOCKETS_PER_WORKER);
  const perWorker = Math.ceil(count / workers);
  const loads = Array.from({ length: workers }, (_, w) =>
    startLoad({
      mode: 'connect',
      port: server.port,
      path: kind.wsPath,
      count: Math.min(perWorker, count - w * perWorker),
      // Each generator starts on other addresses, so all 250 fill evenly.
      addresses: rotate(ADDRESSES, (w * perWorker) % ADDRESSES.length),
      idPrefix: `${idPrefix}${w}`,
      concurrency: CONNECT_CONCURRENCY,
    }),
  );
  const outcomes = await Promise.all(loads.map((load) => load.result));
  await sleep(SETTLE_MS);
  const rss = rssMiB(server.pid);
  const peakRss = peakRssMiB(server.pid);
  await Promise.all(loads.map((load) => load.stop()));
  return {
    connected: outcomes.reduce((sum, o) => sum + o.connected, 0),
    failed: outcomes.reduce((sum, o) => sum + o.failed, 0),
    firstError: outcomes.find((o) => o.firstError)?.firstError ?? null,
    connectSeconds: Math.max(...outcomes.map((o) => o.ms)) / 1000,
    idleRssMiB,
    rssMiB: rss,
    peakRssMiB: peakRss,
  };
}

/**
 * `count` clients spread over `nodes` Parley nodes on one Redis: each node's RSS, and the total.
 * @param {ServerKind} kind @param {number} count @param {number} nodes
 */
async function spread(kind, count, nodes) {
  /** @type {Server[]} */
  const servers = [];
  /** @type {(() => void)[]} */
  const releases = [];
  const running = Array.from({ length: nodes }, () =>
    withServer(kind, (server) => {
      servers.push(server);
      return new Promise((resolve) => releases.push(() => resolve(undefined)));
    }),
  );
  while (servers.length < nodes) await sleep(100);
  const perNode = Math.ceil(count / nodes);
  const idleRssMiB = servers.map((server) => rssMiB(server.pid));
  try {
    const measured = await Promise.all(
      servers.map((server, n) =>
        connections(server, kind, Math.min(perNode, count - n * perNode), `n${n}`),
      ),
    );
    return {
      nodes,
      connected: measured.reduce((sum, m) => sum + m.connected, 0),
      failed: measured.reduce((sum, m) => sum + m.failed, 0),
      connectSeconds: Math.max(...measured.map((m) => m.connectSeconds)),
      idleRssMiB,
      rssMiB: measured.map((m) => m.rssMiB),
      totalRssMiB: measured.reduce((sum, m) => sum + m.rssMiB, 0),
    };
  } finally {
    for (const release of releases) release();
    await Promise.all(running);
  }
}

/** The soft open-file limit a child gets after RAISE_AND_EXEC. */
function openFilesLimit() {
  const result = spawnSync('sh', ['-c', `${RAISE_AND_EXEC.replace(/; exec.*$/, '')}; ulimit -n`], {
    encoding: 'utf8',
  });
  return Number(result.stdout.trim()) || 1024;
}

/** @param {Server} server @param {ServerKind} kind @param {number} count */
async function joins(server, kind, count) {
  const load = startLoad({
    mode: 'joins',
    port: server.port,
    path: kind.wsPath,
    count,
    addresses: ADDRESSES,
    roomSize: 10,
    concurrency: CONNECT_CONCURRENCY,
  });
  const outcome = await load.result;
  await load.stop();
  return {
    joins: outcome.joins,
    seconds: outcome.ms / 1000,
    perSec: (outcome.joins / outcome.ms) * 1000,
    latencyMs: percentileSummary(outcome.latency),
  };
}

/**
 * @param {{ sender: Server, receiver: Server, kind: ServerKind, options: typeof DEFAULTS, idPrefix: string }} run
 */
async function relay({ sender, receiver, kind, options, idPrefix }) {
  const load = startLoad({
    mode: 'relay',
    senderPort: sender.port,
    receiverPort: receiver.port,
    path: kind.wsPath,
    pairs: options.relayPairs,
    frames: options.relayFrames,
    window: options.relayWindow,
    addresses: ADDRESSES,
    idPrefix,
  });
  const outcome = await load.result;
  await load.stop();
  if (outcome.frames !== outcome.expected) {
    throw new Error(
      `relay on ${kind.label}: ${outcome.frames} of ${outcome.expected} frames arrived`,
    );
  }
  return outcome;
}

/**
 * Two Parley nodes on one Redis: relay rate and latency, same node and across nodes.
 * @param {string} redisUrl @param {typeof DEFAULTS} options
 */
async function scaleOut(redisUrl, options) {
  const kind = parleyOnRedis(redisUrl);
  return withServer(kind, (one) =>
    withServer(kind, async (two) => {
      /** @type {Record<string, number[]>} */
      const rates = { 'same node': [], 'across nodes': [] };
      for (let round = 0; round < options.rounds; round += 1) {
        for (const [label, receiver] of /** @type {const} */ ([
          ['same node', one],
          ['across nodes', two],
        ])) {
          const measured = await relay({
            sender: one,
            receiver,
            kind,
            options,
            idPrefix: `so${round}${label[0]}`,
          });
          log(`scale-out relay ${label}: ${Math.round(measured.ratePerSec)}/s`);
          rates[label]?.push(measured.ratePerSec);
        }
      }
      /** @type {Record<string, ReturnType<typeof percentileSummary>>} */
      const latency = {};
      for (const [label, receiver] of /** @type {const} */ ([
        ['same node', one],
        ['across nodes', two],
      ])) {
        const load = startLoad({
          mode: 'latency',
          senderPort: one.port,
          receiverPort: receiver.port,
          path: kind.wsPath,
          pairs: 10,
          ratePerSec: options.latencyRate,
          seconds: options.latencySeconds,
          addresses: ADDRESSES,
          idPrefix: `lat${label[0]}`,
        });
        const outcome = await load.result;
        await load.stop();
        latency[label] = percentileSummary(outcome.latencyMs);
        log(`scale-out latency ${label}: ${JSON.stringify(latency[label])}`);
      }
      return { rates, latency };
    }),
  );
}

// ---- Processes ------------------------------------------------------------------------------

/** @typedef {{ port: number, pid: number }} Server */

/**
 * Runs `body` with a server of `kind` (a child process under a raised open-file limit).
 * @template T
 * @param {ServerKind} kind @param {(server: Server) => Promise<T>} body
 * @returns {Promise<T>}
 */
async function withServer(kind, body) {
  const child = spawn('sh', ['-c', RAISE_AND_EXEC, process.execPath, kind.entry], {
    cwd: REPO_ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...kind.env },
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
    child.once('exit', (code) =>
      reject(new Error(`${kind.label} exited (${code}) before listening`)),
    );
  });
  await sleep(1_000);
  try {
    return await body({
      port: /** @type {number} */ (port),
      pid: /** @type {number} */ (child.pid),
    });
  } finally {
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(15_000)]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

/**
 * Starts a load generator; `result` resolves with its RESULT line, `stop` ends it.
 * @param {Record<string, unknown>} spec
 */
function startLoad(spec) {
  const child = spawn(
    'sh',
    [
      '-c',
      RAISE_AND_EXEC,
      process.execPath,
      '--max-old-space-size=4096',
      LOAD_ENTRY,
      JSON.stringify(spec),
    ],
    { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const exited = once(child, 'exit');
  /** @type {Promise<any>} */
  const result = new Promise((resolve, reject) => {
    createInterface({ input: /** @type {import('node:stream').Readable} */ (child.stdout) }).on(
      'line',
      (line) => {
        if (line.startsWith('RESULT ')) resolve(JSON.parse(line.slice('RESULT '.length)));
      },
    );
    void exited.then(([code]) =>
      reject(new Error(`load generator exited (${code}) without a result`)),
    );
  });
  return {
    result,
    stop: async () => {
      child.stdin?.end();
      await Promise.race([exited, sleep(20_000)]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/** A redis-server for the Redis runs (no persistence, a free port). */
async function startRedis() {
  const port = await freePort();
  const child = spawn(
    process.env.REDIS_SERVER_PATH ?? 'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--maxclients',
      '10000',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise((resolve, reject) => {
    createInterface({ input: /** @type {import('node:stream').Readable} */ (child.stdout) }).on(
      'line',
      (line) => {
        if (line.includes('Ready to accept connections')) resolve(undefined);
      },
    );
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code})`)));
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function freePort() {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  return typeof address === 'object' && address ? address.port : 0;
}

/** @param {number} pid */
function rssMiB(pid) {
  const kib = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Math.round(Number(kib) / 1024);
}

/** @param {number} pid */
function peakRssMiB(pid) {
  const kib = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Math.round(Number(kib) / 1024);
}

/** @template T @param {T[]} list @param {number} by */
function rotate(list, by) {
  return [...list.slice(by), ...list.slice(0, by)];
}

/** @param {string} message */
function log(message) {
  console.info(`signal: ${message}`);
}

// ---- Table ----------------------------------------------------------------------------------

/** @param {number[]} values */
function medianOf(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] ?? NaN)
    : ((sorted[middle - 1] ?? NaN) + (sorted[middle] ?? NaN)) / 2;
}

/** @param {number} value */
const thousands = (value) => Math.round(value).toLocaleString('en-US');

/** @param {any} data */
function renderMarkdown(data) {
  const { results, machine, options } = data;
  const lines = [
    `# Signal server capacity: Parley vs a stock PeerServer (${data.build.commit?.slice(0, 7) ?? 'uncommitted'})`,
    '',
    '`npm run bench -- signal` (bench/signal.mjs; issue 13). Every number below comes from one run on one',
    `machine: ${machine.cores} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB, Node ${machine.node}, peer ${machine.peerServer},`,
    `load average ${machine.loadAverage.join(' / ')} at the end, ${machine.date.slice(0, 10)}. Loopback only, in a network namespace;`,
    'servers and load generators (plain `ws` clients speaking PeerJS signalling, in processes of their own)',
    `share the 2 cores. Clients come from ${ADDRESSES.length} source addresses (127.0.0.2…), ≤ ${SOCKETS_PER_WORKER.toLocaleString('en-US')} per load generator;`,
    `every process runs with ${thousands(data.openFilesLimit)} open files (\`ulimit -n\`, as high as the hard limit allows).`,
    '',
    'Limits set for the benchmark: Parley `' +
      Object.entries(data.parleyEnv)
        .filter(([key]) => key !== 'PARLEY_LOG_LEVEL')
        .map(([key, value]) => `${key}=${value}`)
        .join('`, `') +
      '` (the defaults cap 64 sockets per address and close a socket past 60 frames/s); stock PeerServer `concurrent_limit` 60000 (default 5,000).',
    '',
  ];
  if (results.connections) {
    lines.push('## Clients connected', '');
    lines.push(
      markdownTable(
        [
          'clients',
          'server',
          'connected',
          'connect time',
          'RSS idle',
          'RSS with all connected',
          'peak RSS',
        ],
        results.connections.map((/** @type {any} */ r) => [
          thousands(r.count),
          r.server,
          `${thousands(r.connected)}${r.failed ? ` (${r.failed} failed: ${r.firstError})` : ''}`,
          `${r.connectSeconds.toFixed(1)} s`,
          `${r.idleRssMiB} MiB`,
          `**${r.rssMiB} MiB**`,
          `${r.peakRssMiB} MiB`,
        ]),
        ['r', 'l', 'r', 'r', 'r', 'r', 'r'],
      ),
      '',
    );
    for (const count of results.unreachableCounts ?? []) {
      lines.push(
        `**${thousands(count)} on one process could not be measured here**: this machine's open-file hard limit is ${thousands(data.openFilesLimit)} and raising it needs CAP_SYS_RESOURCE, which the sandbox lacks, so one process holds at most about ${thousands(data.openFilesLimit - SERVER_RESERVED_FDS)} sockets. Extrapolated from the largest single-process run (RSS idle + per-client RSS × ${thousands(count)}):`,
        '',
      );
      for (const label of [STOCK.label, PARLEY.label]) {
        const runs = results.connections.filter((/** @type {any} */ r) => r.server === label);
        const largest = runs.reduce(
          (a, /** @type {any} */ b) => (b.count > (a?.count ?? 0) ? b : a),
          null,
        );
        if (!largest) continue;
        const perClientKiB = ((largest.rssMiB - largest.idleRssMiB) * 1024) / largest.connected;
        const estimate = largest.idleRssMiB + (perClientKiB * count) / 1024;
        lines.push(
          `- ${label}: ${perClientKiB.toFixed(1)} KiB per client at ${thousands(largest.connected)} → about **${thousands(estimate)} MiB** at ${thousands(count)}.`,
        );
      }
      lines.push('');
    }
    if (results.spread) {
      const r = results.spread;
      lines.push(
        `**${thousands(r.connected)} clients across ${r.nodes} Parley nodes on one Redis** (measured${r.failed ? `, ${r.failed} failed` : ''}): RSS per node ${r.rssMiB.join(' / ')} MiB (idle ${r.idleRssMiB.join(' / ')}), **${thousands(r.totalRssMiB)} MiB in all**, connected in ${r.connectSeconds.toFixed(1)} s.`,
        '',
      );
    }
    lines.push('Goal: under 1 GB at 50k.', '');
  }
  if (results.joins) {
    lines.push('## Room joins', '');
    lines.push(
      markdownTable(
        ['server', 'joins', 'time', 'joins/s', 'join → X-ROOM-PEERS p50 / p99'],
        results.joins.map((/** @type {any} */ r) => [
          r.server,
          thousands(r.joins),
          `${r.seconds.toFixed(2)} s`,
          thousands(r.perSec),
          `${r.latencyMs.p50.toFixed(1)} / ${r.latencyMs.p99.toFixed(1)} ms`,
        ]),
        ['l', 'r', 'r', 'r', 'r'],
      ),
      '',
      `${thousands(options.joins)} connected clients each join a room of 10, ${CONNECT_CONCURRENCY} requests in flight. A stock PeerServer has no rooms.`,
      '',
    );
  }
  if (results.relay) {
    const stock = medianOf(results.relay[STOCK.label] ?? []);
    const parley = medianOf(results.relay[PARLEY.label] ?? []);
    lines.push('## Relayed OFFERs', '');
    lines.push(
      markdownTable(
        ['server', 'OFFERs/s per round', 'median', 'vs stock'],
        [STOCK.label, PARLEY.label].map((label) => [
          label,
          (results.relay[label] ?? []).map(thousands).join(', '),
          `**${thousands(medianOf(results.relay[label] ?? []))}**`,
          label === STOCK.label ? '1.00' : (parley / stock).toFixed(2),
        ]),
        ['l', 'r', 'r', 'r'],
      ),
      '',
      `${options.relayPairs} sender/receiver pairs, ${thousands(options.relayFrames)} OFFERs (~1 KB, shaped as peerjs 1.5.5 sends them) per pair, ${options.relayWindow} in flight per pair; ${options.rounds} rounds, servers alternating. Goal: within 10 % of stock.`,
      '',
    );
  }
  if (results.scaleOut) {
    const { rates, latency } = results.scaleOut;
    const same = latency['same node'];
    const across = latency['across nodes'];
    lines.push('## Two nodes on Redis', '');
    lines.push(
      markdownTable(
        ['path', 'OFFERs/s per round', 'median', 'latency p50 / p99'],
        ['same node', 'across nodes'].map((label) => [
          label,
          (rates[label] ?? []).map(thousands).join(', '),
          `**${thousands(medianOf(rates[label] ?? []))}**`,
          `${latency[label].p50.toFixed(2)} / ${latency[label].p99.toFixed(2)} ms`,
        ]),
        ['l', 'r', 'r', 'r'],
      ),
      '',
      `Added by the cross-node hop (a Redis script call and a pub/sub message): **p50 ${(across.p50 - same.p50).toFixed(2)} ms, p99 ${(across.p99 - same.p99).toFixed(2)} ms**.`,
      `Senders on node one; receivers on node one (same node) or node two (across). Rate: as above. Latency: 10 pairs, ${options.latencyRate} OFFERs/s in all for ${options.latencySeconds} s, send → receive on one clock.`,
      '',
    );
  }
  return lines.join('\n');
}
