/**
 * A real `redis-server` (the Debian package) for the server tests: started on a free port with no
 * persistence, stopped after the file's tests. Each test uses a fresh key prefix, so tests do not
 * see each other's keys. scripts/unit.mjs installs redis-server when it is missing (as root).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';

/** Where the Debian package puts it; `REDIS_SERVER_PATH` overrides. */
export const REDIS_SERVER = process.env.REDIS_SERVER_PATH ?? 'redis-server';

export interface TestRedis {
  /** `redis://127.0.0.1:<port>`. */
  url: string;
  /** The process, to stop or kill in a test. */
  process: ChildProcess;
  /** A plain client for inspecting keys. */
  client: Redis;
}

/** A free TCP port on 127.0.0.1 (closed again before it is returned). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Starts redis-server on `port` (a free one by default) and waits until it accepts connections. */
export async function startRedisServer(
  port?: number,
): Promise<{ url: string; process: ChildProcess }> {
  const chosen = port ?? (await freePort());
  const child = spawn(
    REDIS_SERVER,
    ['--port', String(chosen), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('redis-server did not start in 10 s')), 10_000);
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (process.env.PARLEY_TEST_REDIS_LOG === '1') console.info(`[redis] ${line}`);
      if (line.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code}`));
    });
  });
  return { url: `redis://127.0.0.1:${chosen}`, process: child };
}

/** Stops a redis-server started here. */
export async function stopRedisServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

/** A fresh key prefix, so each test starts from an empty registry. */
export function makePrefix(): string {
  return `t${randomBytes(6).toString('hex')}:`;
}

/** Starts one redis-server for the file's tests; read `redis()` inside tests and hooks. */
export function useTestRedis(): () => TestRedis {
  let redis: TestRedis | null = null;
  beforeAll(async () => {
    const started = await startRedisServer();
    redis = { ...started, client: new Redis(started.url) };
  }, 20_000);
  afterAll(async () => {
    if (!redis) return;
    redis.client.disconnect();
    await stopRedisServer(redis.process);
  });
  return () => {
    if (!redis) throw new Error('redis-server is not running');
    return redis;
  };
}

/** Every key under `prefix`. */
export async function keysUnder(client: Redis, prefix: string): Promise<string[]> {
  return (await client.keys(`${prefix}*`)).sort();
}
