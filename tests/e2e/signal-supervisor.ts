// Runs the real signal server (`node dist/server/signal/src/main.js`) as a child of the Playwright runner and
// lets test workers stop, start and restart it over a small HTTP control endpoint. Keeping every
// server process a child of one process means one owner knows the current PID, whatever the tests
// do; the workers only ask.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';

/** The repository root (this file lives in tests/e2e/). */
export const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');
/** The built signal server; `npm run build` makes it. */
export const SIGNAL_ENTRY = path.join(REPO_ROOT, 'dist', 'server', 'signal', 'src', 'main.js');
/** The built web app the signal server serves. */
export const WEB_INDEX = path.join(REPO_ROOT, 'dist', 'web', 'index.html');
/**
 * Which build the server serves: 'current' (dist/web) or 'next', a second build of the same code
 * with another version string (dist/web-next, made by scripts/e2e.mjs) for the update test.
 */
export type WebBuild = 'current' | 'next';
/** Where the 'next' build is. */
export const NEXT_WEB_DIR = path.join(REPO_ROOT, 'dist', 'web-next');

/** The one line the signal server prints on stdout once it accepts connections. */
const LISTENING_LINE = /listening on http:\/\/\S+:(\d+)/;
const HOST = '127.0.0.1';
const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 10_000;
const LOG_LINES_KEPT = 5_000;

/** What the control endpoint reports about the signal server. */
export interface SignalStatus {
  /** Whether a server process is running and listening. */
  isRunning: boolean;
  /** PID of the running server process, or null. */
  pid: number | null;
  /** The port, fixed by the first start and kept across restarts. */
  port: number;
  /** `http://127.0.0.1:<port>`, the origin the app and `/peerjs` are served from. */
  baseUrl: string;
  /** How many times the server exited without being asked to. */
  unexpectedExits: number;
  /** Which web build it serves. */
  webBuild: WebBuild;
  /** Number of server log lines so far; pass to `/log?since=` to read the newer ones. */
  logLines: number;
}

/** How to stop the server: SIGTERM lets it shut down gracefully, SIGKILL simulates a crash. */
export type StopSignal = 'SIGTERM' | 'SIGKILL';

/** Owns the signal server child process. */
export class SignalSupervisor {
  #child: ChildProcess | null = null;
  #port = 0;
  #isStopping = false;
  #unexpectedExits = 0;
  #log: string[] = [];
  #droppedLogLines = 0;
  #webBuild: WebBuild = 'current';
  readonly #onStarted: (status: SignalStatus) => void;
  readonly #env: Record<string, string>;

  /**
   * `onStarted` runs after every successful start, e.g. to publish the new PID; `env` is added to
   * the server's environment (a node of a scale-out service, a TURN secret).
   */
  constructor(
    onStarted: (status: SignalStatus) => void = () => undefined,
    env: Record<string, string> = {},
  ) {
    this.#onStarted = onStarted;
    this.#env = env;
  }

  /** A snapshot for the control endpoint. */
  get status(): SignalStatus {
    return {
      isRunning: this.#child !== null,
      pid: this.#child?.pid ?? null,
      port: this.#port,
      baseUrl: `http://${HOST}:${this.#port}`,
      unexpectedExits: this.#unexpectedExits,
      webBuild: this.#webBuild,
      logLines: this.#droppedLogLines + this.#log.length,
    };
  }

  /** Server log lines (stdout and stderr) from line number `since` on. */
  logSince(since: number): string[] {
    return this.#log.slice(Math.max(0, since - this.#droppedLogLines));
  }

  /** Starts the server (on port 0 the first time, then on that same port) and waits until it listens. */
  async start(): Promise<void> {
    if (this.#child) return;
    const child = spawn(process.execPath, [SIGNAL_ENTRY], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        ...this.#env,
        PORT: String(this.#port),
        HOST,
        ...(this.#webBuild === 'next' ? { PARLEY_STATIC_DIR: NEXT_WEB_DIR } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const listening = new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`signal server printed no "listening on" line in ${START_TIMEOUT_MS} ms`));
      }, START_TIMEOUT_MS);
      createInterface({ input: child.stdout }).on('line', (line) => {
        this.#record(`[stdout] ${line}`);
        const port = LISTENING_LINE.exec(line)?.[1];
        if (port !== undefined) {
          clearTimeout(timer);
          resolve(Number(port));
        }
      });
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`signal server exited before listening (code ${code}, signal ${signal})`));
      });
    });
    createInterface({ input: child.stderr }).on('line', (line) => this.#record(`[stderr] ${line}`));

    try {
      const port = await listening;
      if (this.#port !== 0 && port !== this.#port) {
        throw new Error(`signal server restarted on port ${port}, expected ${this.#port}`);
      }
      this.#port = port;
    } catch (error) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await once(child, 'exit');
      }
      const tail = this.#log.slice(-40).join('\n');
      throw new Error(`${(error as Error).message}\n--- signal server output ---\n${tail}`, {
        cause: error,
      });
    }

    this.#child = child;
    child.once('exit', (code, signal) => {
      this.#child = null;
      if (this.#isStopping) return;
      this.#unexpectedExits += 1;
      this.#record(`[supervisor] exited unexpectedly (code ${code}, signal ${signal})`);
      console.error(
        `signal server (pid ${child.pid}) exited unexpectedly: code ${code}, ${signal}`,
      );
    });
    this.#onStarted(this.status);
  }

  /** Stops the server by PID and waits for the process to exit (SIGKILL after a grace period). */
  async stop(signal: StopSignal = 'SIGTERM'): Promise<void> {
    const child = this.#child;
    if (!child?.pid) return;
    this.#isStopping = true;
    try {
      const exited = once(child, 'exit');
      process.kill(child.pid, signal);
      const timeout = new Promise<'timeout'>((resolve) => {
        setTimeout(() => resolve('timeout'), STOP_TIMEOUT_MS).unref();
      });
      if ((await Promise.race([exited, timeout])) === 'timeout') {
        this.#record(`[supervisor] no exit ${STOP_TIMEOUT_MS} ms after ${signal}; sending SIGKILL`);
        console.error(`signal server (pid ${child.pid}) ignored ${signal}; killing it`);
        process.kill(child.pid, 'SIGKILL');
        await exited;
      }
    } finally {
      this.#isStopping = false;
    }
  }

  /** Stops the server and starts a new one on the same port. */
  async restart(signal: StopSignal = 'SIGTERM'): Promise<void> {
    await this.stop(signal);
    await this.start();
  }

  /** Serves another web build: restarts the server with it (nothing happens if it is the same). */
  async serveWebBuild(build: WebBuild): Promise<void> {
    if (build === this.#webBuild && this.#child) return;
    this.#webBuild = build;
    await this.restart();
  }

  /** Kills the server immediately; for process exit, where nothing can be awaited. */
  killNow(): void {
    if (this.#child?.pid) process.kill(this.#child.pid, 'SIGKILL');
  }

  #record(line: string): void {
    this.#log.push(line);
    if (process.env.PARLEY_E2E_SIGNAL_LOG === '1') console.info(`[signal] ${line}`);
    if (this.#log.length > LOG_LINES_KEPT) {
      this.#droppedLogLines += this.#log.length - LOG_LINES_KEPT;
      this.#log.splice(0, this.#log.length - LOG_LINES_KEPT);
    }
  }
}

/**
 * Serves the control endpoint on 127.0.0.1 (random port):
 * GET /status, GET /log?since=N, POST /start, POST /stop?signal=SIGKILL, POST /restart,
 * POST /web?build=next|current (restart serving that build), POST /shutdown.
 * Operations run one at a time. `onShutdown` runs after POST /shutdown has stopped the server.
 */
export async function serveControl(
  supervisor: SignalSupervisor,
  onShutdown: () => void,
): Promise<{ server: Server; url: string }> {
  let queue: Promise<unknown> = Promise.resolve();
  const serialized = <T>(operation: () => Promise<T>): Promise<T> => {
    const result = queue.then(operation);
    queue = result.catch(() => undefined);
    return result;
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://control');
    const signal: StopSignal = url.searchParams.get('signal') === 'SIGKILL' ? 'SIGKILL' : 'SIGTERM';
    const route = `${request.method} ${url.pathname}`;
    switch (route) {
      case 'GET /status':
        return reply(response, 200, supervisor.status);
      case 'GET /log':
        return reply(
          response,
          200,
          supervisor.logSince(Number(url.searchParams.get('since') ?? 0)),
        );
      case 'POST /start':
        await serialized(() => supervisor.start());
        return reply(response, 200, supervisor.status);
      case 'POST /stop':
        await serialized(() => supervisor.stop(signal));
        return reply(response, 200, supervisor.status);
      case 'POST /restart':
        await serialized(() => supervisor.restart(signal));
        return reply(response, 200, supervisor.status);
      case 'POST /web': {
        const build: WebBuild = url.searchParams.get('build') === 'next' ? 'next' : 'current';
        await serialized(() => supervisor.serveWebBuild(build));
        return reply(response, 200, supervisor.status);
      }
      case 'POST /shutdown':
        await serialized(() => supervisor.stop());
        reply(response, 200, supervisor.status);
        onShutdown();
        return;
      default:
        return reply(response, 404, { error: `no route ${route}` });
    }
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      reply(response, 500, { error: error instanceof Error ? error.message : String(error) });
    });
  });
  server.listen(0, HOST);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://${HOST}:${port}` };
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}
