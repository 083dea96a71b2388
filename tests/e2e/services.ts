// The outside systems some journeys need besides the suite's signal server: a real redis-server
// and signal nodes on it (scale-out), and a real coturn (relay-only). Each is a child process of
// the test worker, on a free loopback port, stopped after the test (see the `services` fixture).
// scripts/e2e.mjs installs the Debian packages before entering the namespace.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { SignalSupervisor } from './signal-supervisor.js';

const START_TIMEOUT_MS = 15_000;
const LOG_LINES_KEPT = 400;

/** A child process that printed a readiness line. */
export interface Service {
  /** Its last output lines, for the report of a failed test. */
  log(): string[];
  /** Stops it (SIGTERM, or SIGKILL to simulate a crash) and waits for the exit. */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (!address || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

/** Spawns `command` and resolves once a line of its output matches `ready`. */
async function startProcess(
  name: string,
  command: string,
  args: string[],
  ready: RegExp,
): Promise<Service> {
  const child: ChildProcess = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const record = (line: string): void => {
    lines.push(line);
    if (lines.length > LOG_LINES_KEPT) lines.shift();
  };
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(
        new Error(`${name} printed no ready line in ${START_TIMEOUT_MS} ms:\n${lines.join('\n')}`),
      );
    }, START_TIMEOUT_MS);
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream }).on('line', (line) => {
        record(line);
        if (ready.test(line)) {
          clearTimeout(timer);
          resolve();
        }
      });
    }
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}:\n${lines.join('\n')}`));
    });
  });
  return {
    log: () => [...lines],
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill(signal);
      await exited;
    },
  };
}

/** A redis-server with no persistence. */
export interface RedisService extends Service {
  /** `redis://127.0.0.1:<port>`. */
  url: string;
}

export async function startRedis(): Promise<RedisService> {
  const port = await freePort();
  const service = await startProcess(
    'redis-server',
    process.env.REDIS_SERVER_PATH ?? 'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    /Ready to accept connections/,
  );
  return { ...service, url: `redis://127.0.0.1:${port}` };
}

/** coturn with the REST secret scheme (`use-auth-secret`), relaying on loopback only. */
export interface TurnService extends Service {
  /** `turn:127.0.0.1:<port>`. */
  url: string;
  /** Its `static-auth-secret`, the signal server's `PARLEY_TURN_SECRET`. */
  secret: string;
}

export async function startCoturn(): Promise<TurnService> {
  const port = await freePort();
  const secret = randomBytes(16).toString('hex');
  // Relay ports from a range of their own above the ephemeral ports the tests' servers take.
  const minPort = 60_000 + (port % 40) * 100;
  const service = await startProcess(
    'turnserver',
    process.env.TURNSERVER_PATH ?? 'turnserver',
    [
      '-n', // no configuration file
      '--listening-ip=127.0.0.1',
      '--relay-ip=127.0.0.1',
      `--listening-port=${port}`,
      `--min-port=${minPort}`,
      `--max-port=${minPort + 99}`,
      '--allow-loopback-peers', // the browsers' relayed peers are 127.0.0.1 too
      '--use-auth-secret',
      `--static-auth-secret=${secret}`,
      '--realm=parley.test',
      '--no-cli',
      '--no-tls',
      '--no-dtls',
      '--no-software-attribute',
      '--log-file=stdout',
      '--simple-log',
      '--verbose', // session lines (ALLOCATE …), which the relay-only test reads
      `--pidfile=/tmp/parley-e2e-turn-${port}.pid`,
      '--userdb=/tmp/parley-e2e-turn-' + String(port) + '.db',
    ],
    /Total General servers/,
  );
  return { ...service, url: `turn:127.0.0.1:${port}`, secret };
}

/** A signal server of its own (a node of a scale-out service, or one with TURN). */
export interface SignalNode {
  /** `http://127.0.0.1:<port>`. */
  baseUrl: string;
  /** Its port (kept across restarts). */
  port: number;
  /** Its log lines. */
  log(): string[];
  /** Stops it: SIGTERM (graceful) or SIGKILL (a crash). */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
}

export async function startSignalNode(env: Record<string, string>): Promise<SignalNode> {
  const supervisor = new SignalSupervisor(() => undefined, env);
  await supervisor.start();
  const { port, baseUrl } = supervisor.status;
  return {
    baseUrl,
    port,
    log: () => supervisor.logSince(0),
    stop: (signal) => supervisor.stop(signal),
    start: () => supervisor.start(),
  };
}
