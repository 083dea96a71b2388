import { timingSafeEqual, createHash } from 'node:crypto';
import type { RequestHandler } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { clientAddress, isLoopbackAddress } from './limits.js';

/**
 * `GET /metrics` in the Prometheus text format (prom-client): the counts `/healthz` used to show to
 * anyone, what the guards refused, and Node's process metrics. Readable with
 * `Authorization: Bearer <PARLEY_METRICS_TOKEN>`, or, when no token is configured, from loopback
 * only (a scraper on the same host; behind a proxy the forwarded client address counts, so the
 * proxy does not make it public).
 */

/**
 * Live sizes the gauges read at scrape time. With Redis, rooms and the relay queue are the whole
 * service's (a script call per scrape); a scrape while Redis is unreachable keeps the last value.
 */
export interface MetricSources {
  /** Open signalling sockets (this node). */
  sockets(): number;
  /** Peers registered with PeerServer (this node). */
  peers(): number;
  /** Rooms with at least one member. */
  rooms(): Promise<number>;
  /** Signalling waiting for absent peers: bytes and frames. */
  relayQueue(): Promise<{ bytes: number; frames: number }>;
  /** 1 while Redis is reachable, 0 while not; null without Redis. */
  redisUp(): number | null;
}

/** Why a signalling socket was refused at the handshake. */
export type SocketRefusal =
  | 'origin'
  | 'address-full'
  | 'too-fast'
  | 'server-full'
  | 'id-reserved'
  | 'id-taken'
  | 'draining'
  | 'redis-unavailable';

/** Which rate limit closed a socket. */
export type RateLimit = 'frames' | 'bytes' | 'bytes-per-ip';

/** The counters the server increments. */
export interface SignalMetrics {
  /** The registry to serve. */
  registry: Registry;
  /** Relayed frames by type and outcome. */
  framesRelayed: Counter<'type' | 'outcome'>;
  /** Room join requests by result. */
  roomJoins: Counter<'result'>;
  /** Frames and notices sent to other nodes (`out`) and received from them (`in`, by outcome). */
  crossNode: Counter<'direction' | 'outcome'>;
  /** Redis round-trip time (the heartbeat's script call). */
  redisRoundTrip: Histogram;
  /** Relayed frames refused, by reason. */
  framesRefused: Counter<'reason'>;
  /** Handshakes refused, by reason. */
  socketsRefused: Counter<'reason'>;
  /** Sockets closed to make room for a newcomer. */
  socketsEvicted: Counter;
  /** Sockets closed for exceeding a rate limit. */
  rateLimited: Counter<'limit'>;
  /** TURN credentials issued or withheld (address over its rate). */
  turnCredentials: Counter<'result'>;
}

/** Creates a registry of its own (several servers may share one process, as in tests). */
export function createMetrics(sources: MetricSources): SignalMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const gauge = (name: string, help: string, read: () => number | Promise<number>): void => {
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        try {
          this.set(await read());
        } catch {
          // Redis unreachable: keep the last value; parley_signal_redis_up says why.
        }
      },
    });
  };
  gauge('parley_signal_sockets', 'Open signalling sockets on this node.', () => sources.sockets());
  gauge('parley_signal_peers', 'Peers connected to this node.', () => sources.peers());
  gauge('parley_signal_rooms', 'Rooms with at least one member (the whole service).', () =>
    sources.rooms(),
  );
  gauge(
    'parley_signal_relay_queue_bytes',
    'Signalling bytes waiting for absent peers (the whole service).',
    async () => (await sources.relayQueue()).bytes,
  );
  gauge(
    'parley_signal_relay_queue_frames',
    'Signalling frames waiting for absent peers (the whole service).',
    async () => (await sources.relayQueue()).frames,
  );
  if (sources.redisUp() !== null) {
    gauge(
      'parley_signal_redis_up',
      '1 while this node reaches Redis, else 0.',
      () => sources.redisUp() ?? 0,
    );
  }
  const registers = [registry];
  return {
    registry,
    framesRelayed: new Counter({
      name: 'parley_signal_frames_relayed_total',
      help: 'OFFER/ANSWER/CANDIDATE frames relayed, by type and outcome (delivered, routed to another node, queued).',
      labelNames: ['type', 'outcome'],
      registers,
    }),
    roomJoins: new Counter({
      name: 'parley_signal_room_joins_total',
      help: 'Room join requests, by result (joined, rejoined, full, too-many-rooms, bad-room, failed).',
      labelNames: ['result'],
      registers,
    }),
    crossNode: new Counter({
      name: 'parley_signal_cross_node_total',
      help: 'Frames and room notices routed to other nodes (direction out) and from them (in: delivered or undeliverable).',
      labelNames: ['direction', 'outcome'],
      registers,
    }),
    redisRoundTrip: new Histogram({
      name: 'parley_signal_redis_round_trip_seconds',
      help: 'Round-trip time of the heartbeat script call to Redis.',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    }),
    framesRefused: new Counter({
      name: 'parley_signal_frames_refused_total',
      help: 'Frames refused and answered X-RELAY-REFUSED, by reason.',
      labelNames: ['reason'],
      registers,
    }),
    socketsRefused: new Counter({
      name: 'parley_signal_sockets_refused_total',
      help: 'Signalling handshakes refused, by reason.',
      labelNames: ['reason'],
      registers,
    }),
    socketsEvicted: new Counter({
      name: 'parley_signal_sockets_evicted_total',
      help: 'Signalling sockets closed to admit a newcomer while full.',
      registers,
    }),
    rateLimited: new Counter({
      name: 'parley_signal_rate_limited_total',
      help: 'Signalling sockets closed for exceeding a rate limit, by limit.',
      labelNames: ['limit'],
      registers,
    }),
    turnCredentials: new Counter({
      name: 'parley_signal_turn_credentials_total',
      help: 'TURN credentials issued, or withheld because the address was over its rate.',
      labelNames: ['result'],
      registers,
    }),
  };
}

/** Options of {@link metricsHandler}. */
export interface MetricsAccess {
  /** Required bearer token, if any. */
  token: string | undefined;
  /** Proxies in front (client address as in limits.ts). */
  trustedProxyHops: number;
}

/** Serves `registry` to whoever {@link MetricsAccess} allows. */
export function metricsHandler(registry: Registry, access: MetricsAccess): RequestHandler {
  const tokenDigest = access.token === undefined ? null : digest(access.token);
  return (req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    if (tokenDigest) {
      const presented = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (presented === undefined || !timingSafeEqual(digest(presented), tokenDigest)) {
        res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
        res.status(401).type('text/plain').send('Unauthorized');
        return;
      }
    } else {
      const address = clientAddress(
        req.socket.remoteAddress,
        req.headers['x-forwarded-for'],
        access.trustedProxyHops,
      );
      if (!isLoopbackAddress(address)) {
        res.status(403).type('text/plain').send('Forbidden');
        return;
      }
    }
    registry.metrics().then(
      (text) => {
        res.type(registry.contentType).send(text);
      },
      (error: unknown) => next(error),
    );
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
