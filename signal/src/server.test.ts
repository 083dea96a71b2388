import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { loadConfig } from './config.js';
import { createLogger } from './log.js';
import { createSignalServer, type HealthReport, type SignalServer } from './server.js';

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/** A frame from the server, as JSON. */
interface Frame {
  type: string;
  src?: string;
  dst?: string;
  payload?: unknown;
}

const FRAME_TIMEOUT_MS = 5_000;

function makeRoomKey(): string {
  return createHash('sha256').update(randomBytes(16)).digest('base64url');
}

function makeId(): string {
  return `peer-${randomUUID()}`;
}

interface PeerOptions {
  id?: string;
  token?: string;
  origin?: string;
}

/** A real `ws` client on the PeerJS signalling socket, with a frame inbox. */
class TestPeer {
  readonly id: string;
  readonly token: string;
  /** Resolves with the close code once the socket has closed. */
  readonly closed: Promise<number>;
  readonly #socket: WebSocket;
  readonly #inbox: Frame[] = [];
  readonly #waiters: {
    accepts: (frame: Frame) => boolean;
    resolve: (frame: Frame) => void;
  }[] = [];

  private constructor(socket: WebSocket, id: string, token: string) {
    this.#socket = socket;
    this.id = id;
    this.token = token;
    this.closed = new Promise((resolve) => socket.once('close', (code) => resolve(code)));
    socket.on('message', (data: Buffer) => this.#receive(JSON.parse(data.toString()) as Frame));
  }

  /** Opens the socket and waits for the server's OPEN. */
  static async connect(port: number, options: PeerOptions = {}): Promise<TestPeer> {
    const id = options.id ?? makeId();
    const token = options.token ?? randomUUID();
    const socket = new WebSocket(peerUrl(port, id, token), {
      headers: options.origin ? { Origin: options.origin } : {},
    });
    const peer = new TestPeer(socket, id, token);
    openPeers.push(peer);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    await peer.next('OPEN');
    return peer;
  }

  /** The next unread frame of `type` (that `accepts`), waiting for it if need be. */
  next(type: string, accepts: (frame: Frame) => boolean = () => true): Promise<Frame> {
    const matches = (frame: Frame): boolean => frame.type === type && accepts(frame);
    const index = this.#inbox.findIndex(matches);
    if (index !== -1) return Promise.resolve(this.#inbox.splice(index, 1)[0] as Frame);
    return new Promise((resolve, reject) => {
      const waiter = {
        accepts: matches,
        resolve: (frame: Frame) => {
          clearTimeout(timer);
          resolve(frame);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        const unread = this.#inbox.map((frame) => frame.type).join(', ');
        reject(
          new Error(`${this.id}: no ${type} within ${FRAME_TIMEOUT_MS} ms (unread: ${unread})`),
        );
      }, FRAME_TIMEOUT_MS);
      this.#waiters.push(waiter);
    });
  }

  /** Unread frames of `type`. */
  unread(type: string): Frame[] {
    return this.#inbox.filter((frame) => frame.type === type);
  }

  /** Sends a JSON frame, or raw text/bytes as given. */
  send(frame: object | string | Buffer): void {
    this.#socket.send(
      typeof frame === 'object' && !Buffer.isBuffer(frame) ? JSON.stringify(frame) : frame,
    );
  }

  join(room: string): void {
    this.send({ type: 'X-ROOM-JOIN', payload: { room } });
  }

  leave(room: string): void {
    this.send({ type: 'X-ROOM-LEAVE', payload: { room } });
  }

  /**
   * Resolves once the server has handled everything this peer sent before, and everything the
   * server sent this peer meanwhile has arrived: PeerServer relays an OFFER addressed to
   * ourselves in order, without touching any state.
   */
  async barrier(): Promise<void> {
    const marker = randomUUID();
    this.send({ type: 'OFFER', dst: this.id, payload: { marker } });
    await this.next('OFFER', (frame) => (frame.payload as { marker?: string }).marker === marker);
  }

  close(): Promise<number> {
    this.#socket.close();
    return this.closed;
  }

  terminate(): void {
    this.#socket.terminate();
  }

  #receive(frame: Frame): void {
    const waiter = this.#waiters.find((candidate) => candidate.accepts(frame));
    if (!waiter) {
      this.#inbox.push(frame);
      return;
    }
    this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
    waiter.resolve(frame);
  }
}

function peerUrl(port: number, id: string, token: string): string {
  return `ws://127.0.0.1:${port}/peerjs/peerjs?key=peerjs&id=${id}&token=${token}`;
}

/** Tries a WebSocket handshake that should be refused and resolves with the HTTP status. */
function refusedStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers });
    socket.on('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      response.destroy();
    });
    socket.on('error', () => undefined); // the aborted handshake reports one; the status is what counts
    socket.on('open', () => {
      socket.terminate();
      reject(new Error('the handshake was accepted'));
    });
  });
}

let staticDir = '';
const HASHED_ASSET = 'assets/app-AbCd1234.js';
const INDEX_HTML = '<!doctype html><title>Parley test shell</title>';

beforeAll(() => {
  staticDir = mkdtempSync(path.join(os.tmpdir(), 'parley-static-'));
  mkdirSync(path.join(staticDir, 'assets'));
  writeFileSync(path.join(staticDir, 'index.html'), INDEX_HTML);
  writeFileSync(path.join(staticDir, HASHED_ASSET), 'console.info("app");');
  writeFileSync(path.join(staticDir, 'sw.js'), '// sw');
  writeFileSync(path.join(staticDir, 'workbox-1a2b3c4d.js'), '// workbox');
  writeFileSync(path.join(staticDir, 'manifest.webmanifest'), '{"name":"Parley"}');
});

afterAll(() => {
  rmSync(staticDir, { recursive: true, force: true });
});

const runningServers: SignalServer[] = [];
const openPeers: TestPeer[] = [];

afterEach(async () => {
  for (const peer of openPeers.splice(0)) peer.terminate();
  await Promise.all(runningServers.splice(0).map((server) => server.close()));
});

interface Started {
  port: number;
  server: SignalServer;
  base: string;
  connect: (options?: PeerOptions) => Promise<TestPeer>;
  health: () => Promise<HealthReport>;
}

async function startServer(
  env: Record<string, string> = {},
  logSink?: (line: string) => void,
): Promise<Started> {
  const config = loadConfig(
    {
      PORT: '0',
      HOST: '127.0.0.1',
      PARLEY_STATIC_DIR: staticDir,
      PARLEY_LOG_LEVEL: 'silent',
      ...env,
    },
    { allowShortAliveTimeout: true },
  );
  const log = logSink ? createLogger('signal', config.logLevel, logSink) : undefined;
  const server = await createSignalServer(config, log);
  runningServers.push(server);
  const base = `http://127.0.0.1:${server.port}`;
  return {
    port: server.port,
    server,
    base,
    connect: (options) => TestPeer.connect(server.port, options),
    health: async () => (await (await fetch(`${base}/healthz`)).json()) as HealthReport,
  };
}

/** Polls `probe` until it returns true; for state no frame announces (a server-side close). */
async function eventually(
  probe: () => Promise<boolean>,
  timeoutMs = FRAME_TIMEOUT_MS,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// ---------------------------------------------------------------------------------------------
// Rooms
// ---------------------------------------------------------------------------------------------

describe('rooms on the signalling socket', () => {
  it('answers a join with the peers present before and tells them who joined', async () => {
    const { connect } = await startServer();
    const [a, b, c] = await Promise.all([connect(), connect(), connect()]);
    const room = makeRoomKey();

    a.join(room);
    expect(await a.next('X-ROOM-PEERS')).toEqual({
      type: 'X-ROOM-PEERS',
      payload: { room, peers: [] },
    });
    b.join(room);
    expect(await b.next('X-ROOM-PEERS')).toEqual({
      type: 'X-ROOM-PEERS',
      payload: { room, peers: [a.id] },
    });
    expect(await a.next('X-ROOM-JOINED')).toEqual({
      type: 'X-ROOM-JOINED',
      payload: { room, peer: b.id },
    });
    c.join(room);
    expect((await c.next('X-ROOM-PEERS')).payload).toEqual({ room, peers: [a.id, b.id] });
    expect((await a.next('X-ROOM-JOINED')).payload).toEqual({ room, peer: c.id });
    expect((await b.next('X-ROOM-JOINED')).payload).toEqual({ room, peer: c.id });

    await c.barrier();
    expect(c.unread('X-ROOM-JOINED')).toEqual([]);
  });

  it('answers a re-join with PEERS again and pushes no second JOINED', async () => {
    const { connect } = await startServer();
    const [a, b] = await Promise.all([connect(), connect()]);
    const room = makeRoomKey();
    a.join(room);
    await a.next('X-ROOM-PEERS');
    b.join(room);
    await b.next('X-ROOM-PEERS');
    await a.next('X-ROOM-JOINED');

    b.join(room);
    expect((await b.next('X-ROOM-PEERS')).payload).toEqual({ room, peers: [a.id] });
    await b.barrier();
    await a.barrier();
    expect(a.unread('X-ROOM-JOINED')).toEqual([]);
  });

  it('tells the members when a peer leaves and forgets a room once it is empty', async () => {
    const { connect, health } = await startServer();
    const [a, b] = await Promise.all([connect(), connect()]);
    const room = makeRoomKey();
    a.join(room);
    await a.next('X-ROOM-PEERS');
    b.join(room);
    await b.next('X-ROOM-PEERS');

    b.leave(room);
    expect(await a.next('X-ROOM-LEFT')).toEqual({
      type: 'X-ROOM-LEFT',
      payload: { room, peer: b.id },
    });
    expect((await health()).rooms).toBe(1);

    // Leaving a room one is not in changes nothing and tells no one.
    b.leave(room);
    await b.barrier();
    await a.barrier();
    expect(a.unread('X-ROOM-LEFT')).toEqual([]);

    a.leave(room);
    await a.barrier();
    expect(await health()).toMatchObject({ peers: 2, rooms: 0 });
  });

  it('answers FULL at the member cap, keeps no slot, and admits once a member leaves', async () => {
    const { connect, health } = await startServer({ PARLEY_MAX_PEERS_PER_ROOM: '2' });
    const [a, b, c] = await Promise.all([connect(), connect(), connect()]);
    const room = makeRoomKey();
    a.join(room);
    await a.next('X-ROOM-PEERS');
    b.join(room);
    await b.next('X-ROOM-PEERS');
    await a.next('X-ROOM-JOINED');

    c.join(room);
    expect(await c.next('X-ROOM-FULL')).toEqual({ type: 'X-ROOM-FULL', payload: { room } });
    await c.barrier();
    await a.barrier();
    expect(a.unread('X-ROOM-JOINED')).toEqual([]);
    expect(c.unread('X-ROOM-PEERS')).toEqual([]);

    b.leave(room);
    await a.next('X-ROOM-LEFT');
    c.join(room);
    expect((await c.next('X-ROOM-PEERS')).payload).toEqual({ room, peers: [a.id] });
    expect((await a.next('X-ROOM-JOINED')).payload).toEqual({ room, peer: c.id });
    expect((await health()).rooms).toBe(1);
  });

  it('refuses a room beyond the per-peer cap with too-many-rooms', async () => {
    const { connect, health } = await startServer({ PARLEY_MAX_ROOMS_PER_PEER: '2' });
    const a = await connect();
    const [r1, r2, r3] = [makeRoomKey(), makeRoomKey(), makeRoomKey()];
    a.join(r1);
    a.join(r2);
    await a.next('X-ROOM-PEERS');
    await a.next('X-ROOM-PEERS');

    a.join(r3);
    expect(await a.next('X-ROOM-ERROR')).toEqual({
      type: 'X-ROOM-ERROR',
      payload: { room: r3, reason: 'too-many-rooms' },
    });
    expect((await health()).rooms).toBe(2);
  });

  it('refuses a malformed room key with bad-room', async () => {
    const { connect, health } = await startServer();
    const a = await connect();
    a.join('not-a-room-key');
    expect(await a.next('X-ROOM-ERROR')).toEqual({
      type: 'X-ROOM-ERROR',
      payload: { room: null, reason: 'bad-room' },
    });
    expect((await health()).rooms).toBe(0);
  });

  it('leaves every room when the socket closes', async () => {
    const { connect, health } = await startServer();
    const [a, b, c] = await Promise.all([connect(), connect(), connect()]);
    const [r1, r2] = [makeRoomKey(), makeRoomKey()];
    b.join(r1);
    await b.next('X-ROOM-PEERS');
    c.join(r2);
    await c.next('X-ROOM-PEERS');
    a.join(r1);
    a.join(r2);
    await a.next('X-ROOM-PEERS');
    await a.next('X-ROOM-PEERS');

    a.terminate();
    expect((await b.next('X-ROOM-LEFT')).payload).toEqual({ room: r1, peer: a.id });
    expect((await c.next('X-ROOM-LEFT')).payload).toEqual({ room: r2, peer: a.id });
    expect(await health()).toMatchObject({ peers: 2, rooms: 2 });
  });

  it("leaves every room when PeerServer's alive timeout reaps a silent peer", async () => {
    const { connect, health } = await startServer({ PARLEY_ALIVE_TIMEOUT_MS: '1000' });
    const [a, silent] = await Promise.all([connect(), connect()]);
    const heartbeat = setInterval(() => a.send({ type: 'HEARTBEAT' }), 100);
    try {
      const room = makeRoomKey();
      a.join(room);
      await a.next('X-ROOM-PEERS');
      silent.join(room);
      await silent.next('X-ROOM-PEERS');

      expect((await a.next('X-ROOM-LEFT')).payload).toEqual({ room, peer: silent.id });
      await silent.closed;
      expect(await health()).toMatchObject({ peers: 1, rooms: 1 });
    } finally {
      clearInterval(heartbeat);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Robustness
// ---------------------------------------------------------------------------------------------

describe('robustness', () => {
  it('survives malformed frames without crashing or changing state', async () => {
    const { connect, health } = await startServer();
    const [a, witness] = await Promise.all([connect(), connect()]);
    const room = makeRoomKey();
    witness.join(room);
    await witness.next('X-ROOM-PEERS');

    const ignored: (string | Buffer)[] = [
      'not json',
      '',
      'null',
      '42',
      '"X-ROOM-JOIN"',
      'true',
      '[]',
      JSON.stringify([{ type: 'X-ROOM-JOIN', payload: { room } }]),
      '{}',
      '{"type":5}',
      '{"type":null,"payload":{}}',
      '{"__proto__":{"type":"X-ROOM-JOIN"}}',
      JSON.stringify({ type: 'X-ROOM-BOGUS', payload: { room } }),
      JSON.stringify({ type: 'X-ROOM-PEERS', payload: { room, peers: ['x'] } }),
      JSON.stringify({ type: 'X-ROOM-JOINED', payload: { room, peer: 'x' } }),
      JSON.stringify({ type: 'OPEN' }),
      JSON.stringify({ type: 'OFFER' }),
      JSON.stringify({ type: 'ANSWER', dst: 5, payload: {} }),
      JSON.stringify({ type: 'CANDIDATE', dst: null }),
      JSON.stringify({ type: 'EXPIRE', dst: 'nobody' }),
      JSON.stringify({ type: 'LEAVE', dst: 'nobody' }),
      randomBytes(64),
    ];
    const badRoom: unknown[] = [
      { type: 'X-ROOM-JOIN' },
      { type: 'X-ROOM-JOIN', payload: null },
      { type: 'X-ROOM-JOIN', payload: 'room' },
      { type: 'X-ROOM-JOIN', payload: [] },
      { type: 'X-ROOM-JOIN', payload: { room: 42 } },
      { type: 'X-ROOM-JOIN', payload: { room: room.slice(1) } },
      { type: 'X-ROOM-JOIN', payload: { room: `${room}x` } },
      { type: 'X-ROOM-JOIN', payload: { room: `${room.slice(0, 42)}B` } },
      { type: 'X-ROOM-JOIN', payload: { room: 'x'.repeat(20_000) } },
      { type: 'X-ROOM-LEAVE', payload: { room: { toString: 'no' } } },
      { type: 'X-ROOM-LEAVE' },
    ];
    for (const frame of ignored) a.send(frame);
    for (const frame of badRoom) a.send(JSON.stringify(frame));
    await a.barrier();

    expect(a.unread('X-ROOM-ERROR')).toEqual(
      badRoom.map(() => ({ type: 'X-ROOM-ERROR', payload: { room: null, reason: 'bad-room' } })),
    );
    expect(a.unread('X-ROOM-PEERS')).toEqual([]);
    await witness.barrier();
    expect(witness.unread('X-ROOM-JOINED')).toEqual([]);
    expect(await health()).toMatchObject({ status: 'ok', peers: 2, rooms: 1 });

    // The same socket still works.
    a.join(room);
    expect((await a.next('X-ROOM-PEERS')).payload).toEqual({ room, peers: [witness.id] });
  });

  it('answers signalling for an absent peer with EXPIRE once the expire timeout passes', async () => {
    const { connect, health } = await startServer({ PARLEY_EXPIRE_TIMEOUT_MS: '200' });
    const a = await connect();
    a.send({ type: 'OFFER', dst: 'nobody-here', payload: { sdp: 'x' } });
    expect(await a.next('EXPIRE')).toEqual({ type: 'EXPIRE', src: 'nobody-here', dst: a.id });
    expect((await health()).status).toBe('ok');
  });

  it('closes a socket that sends an oversize frame (1009) and keeps serving others', async () => {
    const { connect, health } = await startServer({ PARLEY_MAX_PAYLOAD_BYTES: '4096' });
    const [a, b] = await Promise.all([connect(), connect()]);
    const room = makeRoomKey();
    a.join(room);
    await a.next('X-ROOM-PEERS');
    b.join(room);
    await b.next('X-ROOM-PEERS');

    b.send({ type: 'X-ROOM-JOIN', payload: { room, padding: 'x'.repeat(5_000) } });
    expect(await b.closed).toBe(1009);
    expect((await a.next('X-ROOM-LEFT')).payload).toEqual({ room, peer: b.id });
    expect(await health()).toMatchObject({ status: 'ok', peers: 1, rooms: 1 });
  });

  it('closes an abuser with 1008 and drops what it sent over the limit', async () => {
    const { connect } = await startServer({
      PARLEY_RATE_LIMIT_BURST: '10',
      PARLEY_RATE_LIMIT_PER_SEC: '0.001',
    });
    const [abuser, witness] = await Promise.all([connect(), connect()]);
    const [r1, r2] = [makeRoomKey(), makeRoomKey()];
    witness.join(r1);
    witness.join(r2);
    await witness.next('X-ROOM-PEERS');
    await witness.next('X-ROOM-PEERS');

    abuser.join(r1); // frame 1 of 10
    await witness.next('X-ROOM-JOINED');
    for (let i = 0; i < 9; i++) abuser.send({ type: 'HEARTBEAT' }); // frames 2–10
    abuser.join(r2); // over the limit: must never take effect
    for (let i = 0; i < 20; i++) abuser.send({ type: 'HEARTBEAT' });

    expect(await abuser.closed).toBe(1008);
    // LEFT for r1 comes from the disconnect, after anything the dropped join could have caused.
    expect((await witness.next('X-ROOM-LEFT')).payload).toEqual({ room: r1, peer: abuser.id });
    await witness.barrier();
    expect(witness.unread('X-ROOM-JOINED')).toEqual([]);
    expect(witness.unread('X-ROOM-LEFT')).toEqual([]);
  });

  it('lets a peer within its rate keep its socket', async () => {
    const { connect } = await startServer({
      PARLEY_RATE_LIMIT_BURST: '10',
      PARLEY_RATE_LIMIT_PER_SEC: '0.001',
    });
    const a = await connect();
    for (let i = 0; i < 8; i++) a.send({ type: 'HEARTBEAT' });
    await a.barrier(); // frame 9
    const room = makeRoomKey();
    a.join(room); // frame 10
    expect((await a.next('X-ROOM-PEERS')).payload).toEqual({ room, peers: [] });
  });
});

// ---------------------------------------------------------------------------------------------
// Sessions (OPEN)
// ---------------------------------------------------------------------------------------------

describe('sessions', () => {
  it('sends a new peer exactly one OPEN', async () => {
    const { connect } = await startServer();
    const a = await connect();
    await a.barrier();
    expect(a.unread('OPEN')).toEqual([]);
  });

  it('sends OPEN when the same ID and token re-attach, keeps its rooms and retires the old socket', async () => {
    const { connect } = await startServer();
    const [first, b] = await Promise.all([connect(), connect()]);
    const room = makeRoomKey();
    first.join(room);
    await first.next('X-ROOM-PEERS');
    b.join(room);
    await b.next('X-ROOM-PEERS');

    // peerjs#1289: without our OPEN this waits forever (connect() awaits OPEN).
    const second = await connect({ id: first.id, token: first.token });
    expect(await first.closed).toBe(4000);
    await second.barrier();
    expect(second.unread('OPEN')).toEqual([]);

    await b.barrier();
    expect(b.unread('X-ROOM-LEFT')).toEqual([]);
    const c = await connect();
    c.join(room);
    expect((await c.next('X-ROOM-PEERS')).payload).toEqual({ room, peers: [first.id, b.id] });
    expect((await second.next('X-ROOM-JOINED')).payload).toEqual({ room, peer: c.id });
  });

  it('sends exactly one OPEN to a peer reconnecting after it closed', async () => {
    const { connect } = await startServer();
    const first = await connect();
    await first.close();
    const second = await connect({ id: first.id, token: first.token });
    await second.barrier();
    expect(second.unread('OPEN')).toEqual([]);
  });

  it('refuses a taken ID with another token and leaves the holder in its rooms', async () => {
    const { port, connect, health } = await startServer();
    const holder = await connect();
    const room = makeRoomKey();
    holder.join(room);
    await holder.next('X-ROOM-PEERS');

    const socket = new WebSocket(peerUrl(port, holder.id, 'another-token'));
    const reply = await new Promise<Frame>((resolve) => {
      socket.once('message', (data: Buffer) => resolve(JSON.parse(data.toString()) as Frame));
    });
    expect(reply.type).toBe('ID-TAKEN');
    await new Promise((resolve) => socket.once('close', resolve));
    expect(await health()).toMatchObject({ peers: 1, rooms: 1 });
  });
});

// ---------------------------------------------------------------------------------------------
// Connection guards
// ---------------------------------------------------------------------------------------------

describe('connection guards', () => {
  it('refuses a foreign Origin with 403 and accepts our own and listed ones', async () => {
    const { port, connect } = await startServer({
      PARLEY_ALLOWED_ORIGINS: 'http://localhost:5173',
    });
    const url = peerUrl(port, makeId(), randomUUID());
    expect(await refusedStatus(url, { Origin: 'https://evil.example' })).toBe(403);
    expect(await refusedStatus(url, { Origin: 'null' })).toBe(403);

    const own = await connect({ origin: `http://127.0.0.1:${port}` });
    const listed = await connect({ origin: 'http://localhost:5173' });
    const originless = await connect();
    expect([own, listed, originless].map((peer) => peer.id)).toHaveLength(3);
  });

  it('caps connections per IP and frees the slot when a socket closes', async () => {
    const { port, connect, health } = await startServer({ PARLEY_MAX_CONNECTIONS_PER_IP: '2' });
    const a = await connect();
    await connect();
    expect(await refusedStatus(peerUrl(port, makeId(), randomUUID()))).toBe(429);

    await a.close();
    await eventually(async () => (await health()).peers === 1);
    const c = await connect();
    expect(c.id).toMatch(/^peer-/);
  });

  it('refuses WebSocket upgrades on any other path', async () => {
    const { port } = await startServer();
    expect(await refusedStatus(`ws://127.0.0.1:${port}/elsewhere?key=peerjs&id=x&token=y`)).toBe(
      400,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// HTTP
// ---------------------------------------------------------------------------------------------

describe('HTTP', () => {
  it('hands out the configured ICE servers, never cached', async () => {
    const { base } = await startServer({
      PARLEY_STUN_URLS: 'stun:stun.example:3478',
      PARLEY_TURN_URLS: 'turn:turn.example:3478',
      PARLEY_TURN_SECRET: 'shh',
    });
    const response = await fetch(`${base}/ice`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as { iceServers: { urls: string[]; username?: string }[] };
    expect(body.iceServers[0]).toEqual({ urls: ['stun:stun.example:3478'] });
    expect(body.iceServers[1]?.urls).toEqual(['turn:turn.example:3478']);
    expect(body.iceServers[1]?.username).toMatch(/^\d+:parley$/);
  });

  it('hands out no ICE servers when none are configured', async () => {
    const { base } = await startServer();
    expect(await (await fetch(`${base}/ice`)).json()).toEqual({ iceServers: [] });
  });

  it('reports health as JSON that is never cached', async () => {
    const { base, connect } = await startServer();
    const a = await connect();
    a.join(makeRoomKey());
    await a.next('X-ROOM-PEERS');

    const response = await fetch(`${base}/healthz`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as HealthReport;
    expect(body).toEqual({
      status: 'ok',
      uptimeS: expect.any(Number) as number,
      peers: 1,
      rooms: 1,
    });
    expect(body.uptimeS).toBeGreaterThanOrEqual(0);
  });

  it('sets the security headers', async () => {
    const { base, port } = await startServer();
    const response = await fetch(`${base}/`);
    expect(response.headers.get('content-security-policy')).toBe(
      "default-src 'self'; " +
        `connect-src 'self' ws://127.0.0.1:${port} wss://127.0.0.1:${port}; ` +
        "img-src 'self' data: blob:; media-src 'self' blob:; " +
        "style-src 'self' 'unsafe-inline'; worker-src 'self'; manifest-src 'self'; " +
        "frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
    );
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('x-powered-by')).toBeNull();
  });

  it('caches hashed assets forever and makes the shell, worker and manifest revalidate', async () => {
    const { base } = await startServer();
    const cacheControl = async (urlPath: string): Promise<string | null> => {
      const response = await fetch(`${base}${urlPath}`);
      expect(response.status, urlPath).toBe(200);
      return response.headers.get('cache-control');
    };
    expect(await cacheControl(`/${HASHED_ASSET}`)).toBe('public, max-age=31536000, immutable');
    for (const urlPath of [
      '/',
      '/index.html',
      '/sw.js',
      '/workbox-1a2b3c4d.js',
      '/manifest.webmanifest',
    ]) {
      expect(await cacheControl(urlPath), urlPath).toBe('no-cache');
    }
  });

  it('answers navigations to app routes with index.html, and missing files with 404', async () => {
    const { base } = await startServer();
    const html = { Accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

    const route = await fetch(`${base}/r/some/route`, { headers: html });
    expect(route.status).toBe(200);
    expect(route.headers.get('cache-control')).toBe('no-cache');
    expect(await route.text()).toBe(INDEX_HTML);

    expect((await fetch(`${base}/assets/gone-AbCd1234.js`)).status).toBe(404);
    expect((await fetch(`${base}/missing.png`, { headers: html })).status).toBe(404);
    expect((await fetch(`${base}/r/some/route`)).status).toBe(404); // not a navigation
    expect((await fetch(`${base}/r/some/route`, { method: 'POST', headers: html })).status).toBe(
      404,
    );
    expect((await fetch(`${base}/healthz/x`, { headers: html })).status).toBe(404);
  });

  it('keeps PeerServer peer discovery off', async () => {
    const { base } = await startServer();
    expect((await fetch(`${base}/peerjs/peerjs/peers`)).status).toBe(401);
  });
});

// ---------------------------------------------------------------------------------------------
// Logging and shutdown
// ---------------------------------------------------------------------------------------------

describe('logging', () => {
  it('never logs tokens, query strings or room keys, even at debug level', async () => {
    const lines: string[] = [];
    const { port, connect } = await startServer(
      { PARLEY_LOG_LEVEL: 'debug', PARLEY_RATE_LIMIT_BURST: '30' },
      (line) => lines.push(line),
    );
    const [a, b] = await Promise.all([connect(), connect()]);
    const room = makeRoomKey();
    a.join(room);
    await a.next('X-ROOM-PEERS');
    b.join(room);
    await b.next('X-ROOM-PEERS');
    b.send(`not json ${room}`);
    b.send({ type: 'X-ROOM-JOIN', payload: { room: `${room}x` } });
    await b.next('X-ROOM-ERROR');
    await connect({ id: a.id, token: a.token }); // re-attach
    await refusedStatus(peerUrl(port, makeId(), randomUUID()), { Origin: 'https://evil.example' });
    for (let i = 0; i < 40; i++) b.send({ type: 'HEARTBEAT' });
    await b.closed;
    await eventually(() =>
      Promise.resolve(lines.some((line) => line.includes('peer disconnected'))),
    );

    expect(lines.length).toBeGreaterThan(5);
    const secrets = [a.token, b.token, room, 'token=', 'key=peerjs'];
    for (const line of lines) {
      for (const secret of secrets) expect(line).not.toContain(secret);
    }
  });
});

describe('shutdown', () => {
  it('closes sockets with 1001, stops listening and leaves no timer holding the process', async () => {
    const timersBefore = process.getActiveResourcesInfo().filter((type) => type === 'Timeout');
    const { server, port, connect } = await startServer();
    const [a, b] = await Promise.all([connect(), connect()]);
    a.join(makeRoomKey());
    await a.next('X-ROOM-PEERS');

    await server.close();
    expect(await a.closed).toBe(1001);
    expect(await b.closed).toBe(1001);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    const timersAfter = process.getActiveResourcesInfo().filter((type) => type === 'Timeout');
    expect(timersAfter.length).toBeLessThanOrEqual(timersBefore.length);
  });
});
