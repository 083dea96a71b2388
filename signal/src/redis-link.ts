import { once } from 'node:events';
import { Redis, type RedisOptions } from 'ioredis';
import {
  REDIS_COMMAND_TIMEOUT_MS,
  REDIS_RECONNECT_MAX_MS,
  REDIS_RECONNECT_MIN_MS,
} from './config.js';
import { describeError, type Logger } from './log.js';
import type { LuaScript } from './redis-scripts.js';

/**
 * The node's two connections to Redis (ioredis): one for commands and scripts, one subscribed to
 * the node's own channel. Both reconnect by themselves with exponential backoff; while either is
 * down the link is not ready, commands fail at once instead of queueing (no unbounded offline
 * queue), and the server says so in its log and in `/readyz`.
 */

/** Called with each message on a subscribed channel. */
export type MessageHandler = (channel: string, message: string) => void;

export interface RedisLinkOptions {
  /** `redis://…` or `rediss://…`; never logged (it may hold a password). */
  url: string;
  /** For `CLIENT SETNAME`, so an operator can tell the nodes apart in `CLIENT LIST`. */
  nodeId: string;
  log: Logger;
  /** Told whenever readiness flips. */
  onReadyChange: (isReady: boolean) => void;
}

/** The delay before reconnect attempt `attempt` (1-based): doubling, capped, with jitter. */
export function reconnectDelayMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(REDIS_RECONNECT_MAX_MS, REDIS_RECONNECT_MIN_MS * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export class RedisLink {
  readonly #commands: Redis;
  readonly #subscriber: Redis;
  readonly #log: Logger;
  readonly #onReadyChange: (isReady: boolean) => void;
  #isReady = false;
  #hasBeenReady = false;
  #isClosing = false;

  constructor(options: RedisLinkOptions) {
    this.#log = options.log;
    this.#onReadyChange = options.onReadyChange;
    const redisOptions: RedisOptions = {
      connectionName: `parley-${options.nodeId}`,
      lazyConnect: true,
      enableOfflineQueue: false,
      commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
      connectTimeout: REDIS_COMMAND_TIMEOUT_MS,
      maxRetriesPerRequest: 0,
      retryStrategy: (attempt) => reconnectDelayMs(attempt),
    };
    this.#commands = new Redis(options.url, redisOptions);
    // The subscriber must queue its SUBSCRIBE until connected (autoResubscribe re-sends it).
    this.#subscriber = new Redis(options.url, {
      ...redisOptions,
      connectionName: `parley-${options.nodeId}-sub`,
      enableOfflineQueue: true,
      commandTimeout: undefined,
    });
    for (const [role, client] of [
      ['commands', this.#commands],
      ['subscriber', this.#subscriber],
    ] as const) {
      client.on('ready', () => this.#update());
      client.on('close', () => this.#update());
      client.on('end', () => this.#update());
      client.on('error', (error: unknown) => {
        // ioredis reports every failed attempt; the transitions are logged in #update.
        this.#log.debug('Redis connection error', { role, ...describeError(error) });
      });
    }
  }

  /** True while both connections are up. */
  get isReady(): boolean {
    return this.#isReady;
  }

  /**
   * Connects both and subscribes to `channel`. Resolves once ready, or after `waitMs` if Redis
   * cannot be reached yet (the link keeps trying; the node starts not ready).
   */
  async start(channel: string, onMessage: MessageHandler, waitMs: number): Promise<void> {
    this.#subscriber.on('message', onMessage);
    const connect = (client: Redis): Promise<void> =>
      client.connect().catch((error: unknown) => {
        this.#log.debug('first Redis connection attempt failed', describeError(error));
      });
    await Promise.all([connect(this.#commands), connect(this.#subscriber)]);
    this.#subscriber.subscribe(channel).catch((error: unknown) => {
      this.#log.warn('could not subscribe to the node channel', describeError(error));
    });
    if (this.#isReady) return;
    const ready = new Promise<void>((resolve) => {
      const check = (): void => {
        if (!this.#isReady) return;
        this.#commands.off('ready', check);
        this.#subscriber.off('ready', check);
        resolve();
      };
      this.#commands.on('ready', check);
      this.#subscriber.on('ready', check);
    });
    const timer = new Promise<void>((resolve) => setTimeout(resolve, waitMs).unref());
    await Promise.race([ready, timer]);
  }

  /** Runs `script` with ARGV `args` (EVALSHA, loading it on NOSCRIPT). */
  async run(script: LuaScript, args: readonly (string | number)[]): Promise<unknown> {
    // After QUIT, a write can fail with EPIPE inside ioredis, out of reach of any caller.
    if (this.#isClosing) throw new Error('the Redis link is closing');
    try {
      return await this.#commands.evalsha(script.sha, 0, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return this.#commands.eval(script.source, 0, ...args);
    }
  }

  /** Closes both connections (QUIT, or cut if Redis does not answer). */
  async close(): Promise<void> {
    this.#isClosing = true;
    await Promise.all(
      [this.#commands, this.#subscriber].map(async (client) => {
        if (client.status === 'end') return;
        const ended = once(client, 'end');
        try {
          await client.quit();
        } catch {
          client.disconnect();
        }
        await Promise.race([ended, new Promise((r) => setTimeout(r, 1_000).unref())]);
      }),
    );
  }

  #update(): void {
    const isReady = this.#commands.status === 'ready' && this.#subscriber.status === 'ready';
    if (isReady === this.#isReady) return;
    this.#isReady = isReady;
    if (isReady) {
      if (this.#hasBeenReady) this.#log.info('Redis is reachable again');
      else this.#log.info('connected to Redis');
      this.#hasBeenReady = true;
    } else if (!this.#isClosing) {
      this.#log.warn('lost Redis; serving this node’s own peers and retrying with backoff');
    }
    this.#onReadyChange(isReady);
  }
}
