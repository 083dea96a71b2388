/**
 * The server tests' harness: a real signal server on port 0 (in this process), real `ws` clients
 * speaking the PeerJS signalling protocol, and small factories. Not part of the build.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import WebSocket from 'ws';
import { loadConfig } from '../config.js';
import { createLogger } from '../log.js';
import { createSignalServer, type SignalServer } from '../server.js';

/** A frame from the server, as JSON. */
export interface Frame {
  type: string;
  src?: string;
  dst?: string;
  payload?: unknown;
}

export const FRAME_TIMEOUT_MS = 5_000;

export function makeRoomKey(): string {
  return createHash('sha256').update(randomBytes(16)).digest('base64url');
}

export function makeId(): string {
  return `peer-${randomUUID()}`;
}

/** A CANDIDATE frame shaped as peerjs 1.5.5 sends it. */
export function makeCandidate(dst: string, connectionId = 'dc_test'): Frame {
  return {
    type: 'CANDIDATE',
    dst,
    payload: {
      candidate: {
        candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host',
        sdpMid: '0',
        sdpMLineIndex: 0,
        usernameFragment: 'abcd',
      },
      type: 'data',
      connectionId,
    },
  };
}

/** A data-connection OFFER shaped as peerjs 1.5.5 sends it (Parley's metadata included). */
export function makeOffer(dst: string, overrides: { sdp?: string; payload?: object } = {}): Frame {
  return {
    type: 'OFFER',
    dst,
    payload: {
      sdp: { type: 'offer', sdp: overrides.sdp ?? 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n' },
      type: 'data',
      connectionId: `dc_${randomBytes(6).toString('hex')}`,
      label: 'chat',
      reliable: true,
      serialization: 'raw',
      metadata: { room: makeRoomKey(), v: 1 },
      ...overrides.payload,
    },
  };
}

export interface PeerOptions {
  id?: string;
  token?: string;
  origin?: string;
  headers?: Record<string, string>;
  localAddress?: string;
}

/** A real `ws` client on the PeerJS signalling socket, with a frame inbox. */
export class TestPeer {
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
      headers: { ...options.headers, ...(options.origin ? { Origin: options.origin } : {}) },
      localAddress: options.localAddress,
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

  /** True while the socket is open. */
  get isOpen(): boolean {
    return this.#socket.readyState === WebSocket.OPEN;
  }

  /** The next unread frame of `type` (that `accepts`), waiting for it if need be. */
  next(
    type: string,
    accepts: (frame: Frame) => boolean = () => true,
    timeoutMs = FRAME_TIMEOUT_MS,
  ): Promise<Frame> {
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
        reject(new Error(`${this.id}: no ${type} within ${timeoutMs} ms (unread: ${unread})`));
      }, timeoutMs);
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
   * server sent this peer meanwhile has arrived: a CANDIDATE addressed to ourselves is relayed
   * back in order, without touching any state.
   */
  async barrier(): Promise<void> {
    const marker = `dc_${randomBytes(8).toString('hex')}`;
    this.send(makeCandidate(this.id, marker));
    await this.next(
      'CANDIDATE',
      (frame) => (frame.payload as { connectionId?: string }).connectionId === marker,
    );
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

export function peerUrl(port: number, id: string, token: string): string {
  return `ws://127.0.0.1:${port}/peerjs/peerjs?key=peerjs&id=${id}&token=${token}`;
}

/** Tries a WebSocket handshake that should be refused and resolves with the HTTP status. */
export function refusedStatus(
  url: string,
  headers: Record<string, string> = {},
  localAddress?: string,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers, localAddress });
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

export const HASHED_ASSET = 'assets/app-AbCd1234.js';
export const INDEX_HTML = '<!doctype html><title>Parley test shell</title>';

let staticDir = '';
const runningServers: SignalServer[] = [];
const openPeers: TestPeer[] = [];

/** Registers the hooks that make a static dir and stop every server and socket after each test. */
export function useTestServers(): void {
  beforeAll(() => {
    staticDir = mkdtempSync(path.join(os.tmpdir(), 'parley-static-'));
    mkdirSync(path.join(staticDir, 'assets'));
    writeFileSync(path.join(staticDir, 'index.html'), INDEX_HTML);
    writeFileSync(path.join(staticDir, HASHED_ASSET), 'console.info("app");');
    writeFileSync(path.join(staticDir, `${HASHED_ASSET}.map`), '{"version":3}');
    writeFileSync(path.join(staticDir, 'sw.js'), '// sw');
    writeFileSync(path.join(staticDir, 'workbox-1a2b3c4d.js'), '// workbox');
    writeFileSync(path.join(staticDir, 'manifest.webmanifest'), '{"name":"Parley"}');
  });

  afterAll(() => {
    rmSync(staticDir, { recursive: true, force: true });
  });

  afterEach(async () => {
    for (const peer of openPeers.splice(0)) peer.terminate();
    await Promise.all(runningServers.splice(0).map((server) => server.close()));
  });
}

/** The counts /metrics reports. */
export interface Counts {
  peers: number;
  rooms: number;
  sockets: number;
  relayQueueBytes: number;
}

export interface Started {
  port: number;
  server: SignalServer;
  base: string;
  connect: (options?: PeerOptions) => Promise<TestPeer>;
  /** `/metrics` as text (from loopback, with the token if one is configured). */
  metricsText: () => Promise<string>;
  /** The gauges of `/metrics`. */
  counts: () => Promise<Counts>;
}

export async function startServer(
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
  const metricsText = async (): Promise<string> => {
    const headers: Record<string, string> = config.metricsToken
      ? { Authorization: `Bearer ${config.metricsToken}` }
      : {};
    const response = await fetch(`${base}/metrics`, { headers });
    if (!response.ok) throw new Error(`/metrics answered ${response.status}`);
    return response.text();
  };
  return {
    port: server.port,
    server,
    base,
    connect: (options) => TestPeer.connect(server.port, options),
    metricsText,
    counts: async () => {
      const text = await metricsText();
      return {
        peers: gaugeValue(text, 'parley_signal_peers'),
        rooms: gaugeValue(text, 'parley_signal_rooms'),
        sockets: gaugeValue(text, 'parley_signal_sockets'),
        relayQueueBytes: gaugeValue(text, 'parley_signal_relay_queue_bytes'),
      };
    },
  };
}

/** The value of an unlabelled metric in Prometheus text; NaN when absent. */
export function gaugeValue(text: string, name: string): number {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name} `));
  return line === undefined ? Number.NaN : Number(line.slice(name.length + 1));
}

/** The value of a metric with exactly the given labels in Prometheus text; 0 when absent. */
export function counterValue(text: string, name: string, labels: Record<string, string>): number {
  const labelText = Object.entries(labels)
    .map(([key, value]) => `${key}="${value}"`)
    .join(',');
  const prefix = `${name}{${labelText}} `;
  const line = text.split('\n').find((candidate) => candidate.startsWith(prefix));
  return line === undefined ? 0 : Number(line.slice(prefix.length));
}

/** Polls `probe` until it returns true; for state no frame announces (a server-side close). */
export async function eventually(
  probe: () => Promise<boolean>,
  timeoutMs = FRAME_TIMEOUT_MS,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
