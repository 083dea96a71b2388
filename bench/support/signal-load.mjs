// The load generator of `npm run bench -- signal` (bench/signal.mjs runs it as a child process,
// with a raised open-file limit): plain `ws` clients speaking the PeerJS signalling protocol.
// One JSON spec as argv[2]; prints `RESULT <json>` lines. Loopback only; every loop is bounded.
//
// Specs:
// - {mode:'connect', port, path, count, addresses, idPrefix, concurrency}: opens `count` sockets
//   (spread over the source `addresses`), waits for OPEN, prints RESULT {connected, failed, ms},
//   sends one HEARTBEAT each, then holds them until stdin closes.
// - {mode:'joins', port, path, count, addresses, roomSize, concurrency}: connects, then each
//   socket joins a room (`roomSize` per room); RESULT {joins, ms, latency: [...ms]}.
// - {mode:'relay', senderPort, receiverPort, path, pairs, frames, window, addresses}: senders on
//   one server, receivers on the other (or the same), each sender keeps `window` OFFERs in
//   flight to its receiver; RESULT {frames, ms, ratePerSec}.
// - {mode:'latency', ... same, ratePerSec, seconds}: paced OFFERs carrying a send timestamp;
//   RESULT {latencyMs: [...]}.
import { randomBytes } from 'node:crypto';
import { createHash } from 'node:crypto';
import WebSocket from 'ws';

const spec = JSON.parse(process.argv[2] ?? '{}');
const SDP_FILLER = `a=candidate:${'x'.repeat(860)}\r\n`;

/** @param {unknown} value */
function result(value) {
  process.stdout.write(`RESULT ${JSON.stringify(value)}\n`);
}

/**
 * One signalling socket; resolves once the server's OPEN arrived.
 * @param {number} port @param {string} path @param {string} id @param {string} localAddress
 * @param {(frame: any, raw: string) => void} [onFrame]
 * @returns {Promise<WebSocket>}
 */
function open(port, path, id, localAddress, onFrame) {
  return new Promise((resolve, reject) => {
    const token = randomBytes(8).toString('hex');
    const socket = new WebSocket(
      `ws://127.0.0.1:${port}${path}?key=peerjs&id=${id}&token=${token}`,
      { localAddress, perMessageDeflate: false },
    );
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error('no OPEN in 30 s'));
    }, 30_000);
    socket.on('message', (data) => {
      const raw = data.toString();
      const frame = JSON.parse(raw);
      if (frame.type === 'OPEN') {
        clearTimeout(timer);
        resolve(socket);
        return;
      }
      onFrame?.(frame, raw);
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('unexpected-response', (_request, response) => {
      clearTimeout(timer);
      reject(new Error(`HTTP ${response.statusCode}`));
    });
  });
}

/**
 * Runs `task(i)` for i < count with at most `concurrency` at once.
 * @template T
 * @param {number} count @param {number} concurrency @param {(i: number) => Promise<T>} task
 * @returns {Promise<PromiseSettledResult<T>[]>}
 */
async function pool(count, concurrency, task) {
  /** @type {PromiseSettledResult<T>[]} */
  const results = new Array(count);
  let next = 0;
  const runners = Array.from({ length: Math.min(concurrency, count) }, async () => {
    while (next < count) {
      const i = next++;
      try {
        results[i] = { status: 'fulfilled', value: await task(i) };
      } catch (reason) {
        results[i] = { status: 'rejected', reason };
      }
    }
  });
  await Promise.all(runners);
  return results;
}

/** An OFFER as peerjs 1.5.5 sends it, ~1 KB, with `stamp` in its SDP. @param {string} dst @param {number} stamp */
function offer(dst, stamp) {
  return JSON.stringify({
    type: 'OFFER',
    dst,
    payload: {
      sdp: { type: 'offer', sdp: `v=0\r\no=- ${stamp} 2 IN IP4 127.0.0.1\r\n${SDP_FILLER}` },
      type: 'data',
      connectionId: `dc_${randomBytes(6).toString('hex')}`,
      label: 'chat',
      reliable: true,
      serialization: 'raw',
      metadata: { room: 'r', v: 1 },
    },
  });
}

/** The send stamp of an OFFER's SDP. @param {any} frame */
function stampOf(frame) {
  return Number(/o=- (\d+(?:\.\d+)?) /.exec(frame?.payload?.sdp?.sdp ?? '')?.[1]);
}

/** @param {number} i @param {string[]} addresses */
const addressOf = (i, addresses) => addresses[i % addresses.length] ?? '127.0.0.1';

async function connectMode() {
  const { port, path, count, addresses, idPrefix, concurrency } = spec;
  const started = performance.now();
  const settled = await pool(count, concurrency, (i) =>
    open(port, path, `${idPrefix}-${i}`, addressOf(i, addresses)),
  );
  const ms = performance.now() - started;
  const sockets = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const errors = settled.flatMap((s) => (s.status === 'rejected' ? [String(s.reason)] : []));
  for (const socket of sockets) socket.send('{"type":"HEARTBEAT"}');
  result({ connected: sockets.length, failed: errors.length, firstError: errors[0] ?? null, ms });
  // Hold them until told to go.
  process.stdin.resume();
  await new Promise((resolve) => process.stdin.on('end', resolve));
  for (const socket of sockets) socket.terminate();
}

async function joinsMode() {
  const { port, path, count, addresses, roomSize, concurrency } = spec;
  /** @type {Map<string, (frame: any) => void>} */
  const waiting = new Map();
  const settled = await pool(count, concurrency, (i) =>
    open(port, path, `join-${i}`, addressOf(i, addresses), (frame) => {
      if (frame.type === 'X-ROOM-PEERS') waiting.get(`join-${i}`)?.(frame);
    }),
  );
  const sockets = settled.map((s) => (s.status === 'fulfilled' ? s.value : null));
  const rooms = Array.from({ length: Math.ceil(count / roomSize) }, () =>
    createHash('sha256').update(randomBytes(16)).digest('base64url'),
  );
  /** @type {number[]} */
  const latency = [];
  const started = performance.now();
  const joined = await pool(count, concurrency, async (i) => {
    const socket = sockets[i];
    if (!socket) throw new Error('not connected');
    const sentAt = performance.now();
    const reply = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no X-ROOM-PEERS in 30 s')), 30_000);
      waiting.set(`join-${i}`, (frame) => {
        clearTimeout(timer);
        resolve(frame);
      });
    });
    socket.send(
      JSON.stringify({ type: 'X-ROOM-JOIN', payload: { room: rooms[Math.floor(i / roomSize)] } }),
    );
    await reply;
    latency.push(performance.now() - sentAt);
  });
  const ms = performance.now() - started;
  result({
    connected: sockets.filter(Boolean).length,
    joins: joined.filter((s) => s.status === 'fulfilled').length,
    ms,
    latency,
  });
  for (const socket of sockets) socket?.terminate();
}

/** Opens `pairs` sender/receiver pairs; `onOffer(pair, frame)` hears each OFFER a receiver gets. */
async function openPairs(/** @type {(pair: number, frame: any) => void} */ onOffer) {
  const { senderPort, receiverPort, path, pairs, addresses, idPrefix } = spec;
  const receivers = await Promise.all(
    Array.from({ length: pairs }, (_, i) =>
      open(receiverPort, path, `${idPrefix}-r-${i}`, addressOf(i, addresses), (frame) => {
        if (frame.type === 'OFFER') onOffer(i, frame);
      }),
    ),
  );
  const senders = await Promise.all(
    Array.from({ length: pairs }, (_, i) =>
      open(senderPort, path, `${idPrefix}-s-${i}`, addressOf(i + 1, addresses)),
    ),
  );
  return { receivers, senders };
}

async function relayMode() {
  const { pairs, frames, window } = spec;
  const received = new Array(pairs).fill(0);
  const sent = new Array(pairs).fill(0);
  /** @type {(() => void)[]} */
  const wake = new Array(pairs).fill(() => undefined);
  let done = 0;
  /** @type {() => void} */
  let finish = () => undefined;
  const finished = new Promise((resolve) => (finish = () => resolve(undefined)));
  const { receivers, senders } = await openPairs((pair) => {
    received[pair] += 1;
    if (received[pair] === frames && ++done === pairs) finish();
    wake[pair]?.();
  });
  const started = performance.now();
  await Promise.all(
    senders.map(async (socket, pair) => {
      const dst = `${spec.idPrefix}-r-${pair}`;
      while (sent[pair] < frames) {
        if (sent[pair] - received[pair] >= window) {
          await new Promise((resolve) => (wake[pair] = () => resolve(undefined)));
          continue;
        }
        socket.send(offer(dst, 0));
        sent[pair] += 1;
      }
    }),
  );
  const timeout = setTimeout(finish, 60_000);
  await finished;
  clearTimeout(timeout);
  const ms = performance.now() - started;
  const total = received.reduce((a, b) => a + b, 0);
  result({ frames: total, expected: pairs * frames, ms, ratePerSec: (total / ms) * 1000 });
  for (const socket of [...receivers, ...senders]) socket.terminate();
}

async function latencyMode() {
  const { pairs, ratePerSec, seconds } = spec;
  /** @type {number[]} */
  const latencyMs = [];
  const { receivers, senders } = await openPairs((_pair, frame) => {
    latencyMs.push(performance.now() + performance.timeOrigin - stampOf(frame));
  });
  const intervalMs = (1000 * pairs) / ratePerSec;
  const total = Math.round((ratePerSec * seconds) / pairs);
  await Promise.all(
    senders.map(async (socket, pair) => {
      // Spread the senders over the interval so frames do not arrive in bursts.
      await new Promise((resolve) => setTimeout(resolve, (intervalMs * pair) / pairs));
      for (let i = 0; i < total; i += 1) {
        socket.send(
          offer(`${spec.idPrefix}-r-${pair}`, performance.now() + performance.timeOrigin),
        );
        await new Promise((resolve) => setTimeout(resolve, intervalMs));
      }
    }),
  );
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  result({ sent: total * pairs, latencyMs });
  for (const socket of [...receivers, ...senders]) socket.terminate();
}

const modes = { connect: connectMode, joins: joinsMode, relay: relayMode, latency: latencyMode };
const run = modes[/** @type {keyof typeof modes} */ (spec.mode)];
if (!run) {
  console.error(`signal-load: unknown mode ${spec.mode}`);
  process.exit(2);
}
run().then(
  () => process.exit(0),
  (error) => {
    console.error('signal-load failed:', error);
    process.exit(1);
  },
);
