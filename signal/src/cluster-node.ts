import { randomBytes } from 'node:crypto';
import os from 'node:os';
import {
  DEAD_NODE_SWEEP_BATCH,
  NODE_HEARTBEAT_MS,
  NODE_SWEEP_MS,
  NODE_TTL_MS,
  PEER_CLAIM_REFRESH_BATCH,
  PEER_CLAIM_REFRESH_MS,
  PEER_CLAIM_TTL_MS,
  PEER_ID_RESERVATION_MS,
} from './config.js';
import { describeError, redact, type Logger } from './log.js';
import { RedisLink } from './redis-link.js';
import { asArray } from './redis-relay.js';
import { parseDepartures } from './redis-rooms.js';
import { FANOUT, HEARTBEAT, REFRESH, RETIRE, SWEEP } from './redis-scripts.js';
import type { RoomDeparture } from './rooms.js';

/**
 * This node's membership of the service (DESIGN §3, scale-out): its liveness key, its channel,
 * the sweep that notices dead nodes, and the refresh of the claims of its peers.
 *
 * - Every NODE_HEARTBEAT_MS the node renews `node:<id>:alive` (PX NODE_TTL_MS); the round trip is
 *   measured for /metrics. If the key had lapsed (Redis was unreachable for longer than the TTL,
 *   or lost its data), the other nodes may have cleaned up after this one: `onPresumedDead` lets
 *   the server close every socket, so its peers reconnect and re-join from a clean slate.
 * - Every NODE_SWEEP_MS it looks for nodes whose liveness lapsed and takes their peers out of
 *   their rooms (`onDeparted` tells the remaining members), in batches; each peer is taken by
 *   exactly one node.
 * - What other nodes route here arrives on channel `node:<id>`: frames for local peers, and
 *   "kick" when another node took over one of our IDs (the same tab reconnected there).
 */

/** What the node asks of the server. */
export interface ClusterHooks {
  /** Deliver `data` (a frame's JSON text) to the local peer `peer`; false if it is not here. */
  deliver(peer: string, data: string): Promise<boolean>;
  /** Another node took over `peer` (same token): close its socket here, quietly. */
  kick(peer: string): void;
  /** A dead node's `peer` left these rooms: tell the remaining members. */
  departed(peer: string, departures: RoomDeparture[]): void;
  /** The peers connected here, for the claim refresh. */
  localPeers(): Iterable<string>;
  /** This node no longer holds these IDs (another node does, or they lapsed): close them. */
  lost(peers: string[]): void;
  /** The node's liveness had lapsed: close every socket so peers re-join cleanly. */
  presumedDead(): void;
  /** Readiness flipped. */
  readyChanged(isReady: boolean): void;
  /** A Redis round trip took this long (the heartbeat's). */
  roundTrip(seconds: number): void;
  /** A frame came in from another node: delivered or not. */
  routedIn(isDelivered: boolean): void;
}

export interface ClusterOptions {
  url: string;
  prefix: string;
  log: Logger;
  hooks: ClusterHooks;
}

/** How long the first start waits for Redis before listening anyway (not ready). */
const STARTUP_WAIT_MS = 10_000;

export class ClusterNode {
  /** This process's name in Redis: host, pid and a random part (never reused). */
  readonly nodeId = `${os.hostname().slice(0, 32)}-${process.pid}-${randomBytes(4).toString('hex')}`;
  readonly link: RedisLink;
  readonly #prefix: string;
  readonly #log: Logger;
  readonly #hooks: ClusterHooks;
  readonly #timers: NodeJS.Timeout[] = [];
  #hasBeat = false;
  #isSweeping = false;
  #isRefreshing = false;

  constructor(options: ClusterOptions) {
    this.#prefix = options.prefix;
    this.#log = options.log;
    this.#hooks = options.hooks;
    this.link = new RedisLink({
      url: options.url,
      nodeId: this.nodeId,
      log: options.log,
      onReadyChange: (isReady) => {
        options.hooks.readyChanged(isReady);
        // Back: renew liveness at once, and find out whether we were given up for dead.
        if (isReady) void this.#beat();
      },
    });
  }

  /** The channel other nodes publish to for us. */
  get channel(): string {
    return `${this.#prefix}node:${this.nodeId}`;
  }

  get isReady(): boolean {
    return this.link.isReady;
  }

  /** Connects (waiting a while for Redis), then keeps the timers running. */
  async start(): Promise<void> {
    await this.link.start(
      this.channel,
      (_channel, message) => this.#receive(message),
      STARTUP_WAIT_MS,
    );
    if (this.link.isReady) await this.#beat();
    this.#timers.push(
      setInterval(() => void this.#beat(), NODE_HEARTBEAT_MS),
      setInterval(() => void this.#sweep(), NODE_SWEEP_MS),
      setInterval(() => void this.#refresh(), PEER_CLAIM_REFRESH_MS),
    );
    for (const timer of this.#timers) timer.unref();
    this.#log.info('joined the service on Redis', { node: this.nodeId });
  }

  /** Publishes `data` to the nodes holding `peers`; those held nowhere are skipped. */
  async fanout(data: string, peers: readonly string[]): Promise<void> {
    if (peers.length === 0) return;
    await this.link.run(FANOUT, [this.#prefix, data, ...peers]);
  }

  /** Stops the timers, leaves the service (after the server's peers have left) and disconnects. */
  async stop(): Promise<void> {
    for (const timer of this.#timers) clearInterval(timer);
    if (this.link.isReady) {
      await this.link.run(RETIRE, [this.#prefix, this.nodeId]).catch((error: unknown) => {
        this.#log.warn('could not leave the service cleanly', describeError(error));
      });
    }
    await this.link.close();
  }

  async #beat(): Promise<void> {
    if (!this.link.isReady) return;
    const startedAt = process.hrtime.bigint();
    try {
      const existed = await this.link.run(HEARTBEAT, [this.#prefix, this.nodeId, NODE_TTL_MS]);
      this.#hooks.roundTrip(Number(process.hrtime.bigint() - startedAt) / 1e9);
      if (Number(existed) === 0 && this.#hasBeat) {
        this.#log.warn('this node was taken for dead (Redis was out of reach too long); resetting');
        this.#hooks.presumedDead();
      }
      this.#hasBeat = true;
    } catch (error) {
      this.#log.debug('heartbeat failed', describeError(error));
    }
  }

  async #sweep(): Promise<void> {
    if (!this.link.isReady || this.#isSweeping) return;
    this.#isSweeping = true;
    try {
      // A bounded amount per tick; a large dead node takes a few ticks.
      for (let batch = 0; batch < 10; batch++) {
        const reply = await this.link.run(SWEEP, [
          this.#prefix,
          this.nodeId,
          DEAD_NODE_SWEEP_BATCH,
          PEER_ID_RESERVATION_MS,
        ]);
        if (typeof reply !== 'string' || reply === '') return;
        const { node, departed, done } = JSON.parse(reply) as {
          node: string;
          departed: unknown;
          done: boolean;
        };
        const peers = asArray(departed);
        if (peers.length > 0 || done) {
          this.#log.info('cleaned up after a dead node', { node, peers: peers.length, done });
        }
        for (const entry of peers) {
          const [peer, departures] = asArray(entry);
          if (typeof peer === 'string') this.#hooks.departed(peer, parseDepartures(departures));
        }
      }
    } catch (error) {
      this.#log.warn('sweep for dead nodes failed', describeError(error));
    } finally {
      this.#isSweeping = false;
    }
  }

  async #refresh(): Promise<void> {
    if (!this.link.isReady || this.#isRefreshing) return;
    this.#isRefreshing = true;
    try {
      const peers = [...this.#hooks.localPeers()];
      for (let i = 0; i < peers.length; i += PEER_CLAIM_REFRESH_BATCH) {
        const batch = peers.slice(i, i + PEER_CLAIM_REFRESH_BATCH);
        const lost = asArray(
          await this.link.run(REFRESH, [this.#prefix, this.nodeId, PEER_CLAIM_TTL_MS, ...batch]),
        ).map(String);
        if (lost.length > 0) {
          this.#log.info('peers held elsewhere now; closing them here', { count: lost.length });
          this.#hooks.lost(lost);
        }
      }
    } catch (error) {
      this.#log.warn('refreshing peer claims failed', describeError(error));
    } finally {
      this.#isRefreshing = false;
    }
  }

  /** A message on our channel: only what nodes publish; anything else is dropped. */
  #receive(message: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(message);
    } catch {
      this.#log.warn('dropped a malformed message from Redis');
      return;
    }
    const { k, to, d, p } = (parsed ?? {}) as {
      k?: unknown;
      to?: unknown;
      d?: unknown;
      p?: unknown;
    };
    if (k === 'f' && typeof d === 'string') {
      for (const peer of asArray(to)) {
        if (typeof peer !== 'string') continue;
        this.#hooks.deliver(peer, d).then(
          (isDelivered) => this.#hooks.routedIn(isDelivered),
          (error: unknown) =>
            this.#log.debug('could not deliver a routed frame', describeError(error)),
        );
      }
    } else if (k === 'kick' && typeof p === 'string') {
      this.#log.debug('peer moved to another node', { peer: redact(p) });
      this.#hooks.kick(p);
    } else {
      this.#log.warn('dropped an unknown message from Redis');
    }
  }
}
