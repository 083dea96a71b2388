import { existsSync } from 'node:fs';
import http, { type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import express from 'express';
import { ExpressPeerServer, type IClient } from 'peer';
import { WebSocket, WebSocketServer, type ServerOptions } from 'ws';
import type { RelayRefusalReason, RoomReplyInput } from '../../web/src/lib/protocol/room-frames.js';
import {
  HANDSHAKE_BURST_PER_IP,
  HANDSHAKES_PER_IP_PER_SEC,
  ICE_REFRESH_SWEEP_MS,
  MAX_SEND_BUFFER_BYTES,
  MIN_TRACKED_ADDRESSES,
  RELAY_EXPIRE_SWEEP_MAX_MS,
  SHUTDOWN_GRACE_MS,
  type SignalConfig,
} from './config.js';
import { ConnectionPool } from './admission.js';
import { createBackends } from './backends.js';
import { verifyClientFor, type PendingSockets } from './handshake.js';
import {
  errorResponder,
  notFound,
  securityHeaders,
  sourceMapGate,
  spaFallback,
  staticFiles,
} from './http-app.js';
import { IceIssuer } from './ice.js';
import { createLogger, describeError, redact, type Logger } from './log.js';
import { createMetrics, metricsHandler } from './metrics.js';
import { runWithUnrefTimers } from './peer-timers.js';
import { PeerSessions } from './peer-sessions.js';
import { PeerTasks } from './peer-tasks.js';
import { RoomService } from './room-service.js';
import { SignalRelay, type RelayEndpoint, type RelayOutcome } from './signal-relay.js';
import { createInboundGate, gatedWebSocketClass, SignalSocket } from './socket-gate.js';

/** A running signal server. */
export interface SignalServer {
  /** The port actually bound (the OS's pick when the config said 0). */
  port: number;
  /**
   * Stops accepting, closes every socket (1001, then cut after {@link SHUTDOWN_GRACE_MS}) and
   * resolves once the HTTP server has closed. PeerServer's internal timers survive this but are
   * unref'd (see peer-timers.ts), so they do not hold the process open.
   */
  close(): Promise<void>;
}

/** `GET /healthz` body: whether the server answers, nothing more (counts are in /metrics). */
export interface HealthReport {
  /** Always `'ok'` while the server answers. */
  status: 'ok';
}

/** `GET /readyz` body: whether this node should be sent new sockets (200) or not (503). */
export interface ReadinessReport {
  /** `ready`, or why not: shutting down, or Redis out of reach. */
  status: 'ready' | 'draining' | 'redis-unavailable';
}

/** Where the PeerServer app is mounted; its WebSocket then lives at `/peerjs/peerjs`. */
const PEERJS_MOUNT_PATH = '/peerjs';

/** WebSocket close codes we send. */
const CLOSE_GOING_AWAY = 1001;
/** Application code (4000–4999): the same ID and token re-attached on a newer socket. */
const CLOSE_REPLACED = 4000;
/** The node was given up for dead by the others (scale-out): reconnect and re-join. */
const CLOSE_SERVICE_RESTART = 1012;
/** A room request could not reach Redis: reconnect (with backoff) and re-join. */
const CLOSE_TRY_AGAIN_LATER = 1013;

/** On shutdown, how long the peers' departures (Redis) may take before the node leaves anyway. */
const DEPARTURES_GRACE_MS = 3_000;

/**
 * PeerServer's own `concurrent_limit` as a backstop behind admission.ts, which is the real gate:
 * evicted sockets stay registered until their close completes, so it must sit above the limit.
 */
const PEERSERVER_LIMIT_FACTOR = 2;

export async function createSignalServer(
  config: SignalConfig,
  log: Logger = createLogger('signal', config.logLevel),
): Promise<SignalServer> {
  const app = express();
  app.disable('x-powered-by');
  const httpServer = http.createServer(app);

  const sessions = new PeerSessions<IClient>();
  const tasks = new PeerTasks();
  let isDraining = false;
  let isRedisReady = false;
  const socketByWs = new WeakMap<WebSocket, SignalSocket>();
  const pending: PendingSockets = new WeakMap<IncomingMessage, SignalSocket>();

  /** Closes a local peer's current socket. */
  const closePeer = (peerId: string, code: number, reason: string): void => {
    sessions.get(peerId)?.getSocket()?.close(code, reason);
  };
  const backends = createBackends(config, log, {
    deliver: (peer, data) => relay.deliverRouted(peer, data),
    kick: (peer) => closePeer(peer, CLOSE_REPLACED, 'replaced by a newer connection'),
    departed: (peer, departures) => {
      for (const departure of departures) rooms.announceLeft(peer, departure);
    },
    localPeers: () => sessions.ids(),
    lost: (peers) => {
      for (const peer of peers) closePeer(peer, CLOSE_SERVICE_RESTART, 'held elsewhere');
    },
    presumedDead: () => {
      for (const socket of webSocketServer?.clients ?? []) {
        socket.close(CLOSE_SERVICE_RESTART, 'service restart');
      }
    },
    readyChanged: (isReady) => {
      isRedisReady = isReady;
    },
    roundTrip: (seconds) => metrics.redisRoundTrip.observe(seconds),
    routedIn: (isDelivered) =>
      metrics.crossNode.inc({
        direction: 'in',
        outcome: isDelivered ? 'delivered' : 'undeliverable',
      }),
  });
  const { registry, directory, held, cluster } = backends;

  /** Room notices on their way to other nodes (shutdown lets them go out first). */
  const notices = new Set<Promise<void>>();
  /** Sends a room frame to peers: here directly, on other nodes through Redis. */
  const deliver = (peerIds: readonly string[], frame: RoomReplyInput): void => {
    const remote: string[] = [];
    for (const peerId of peerIds) {
      const client = sessions.get(peerId);
      if (client) client.send(frame);
      else remote.push(peerId);
    }
    if (!cluster || remote.length === 0) return;
    metrics.crossNode.inc({ direction: 'out', outcome: 'notice' }, remote.length);
    const routing: Promise<void> = cluster
      .fanout(JSON.stringify(frame), remote)
      .catch((error: unknown) => {
        log.debug('could not route a room notice', describeError(error));
      })
      .finally(() => notices.delete(routing));
    notices.add(routing);
  };
  const rooms = new RoomService({
    registry,
    deliver,
    log,
    tasks,
    onJoin: (result) => metrics.roomJoins.inc({ result }),
    // The registry could not be reached: this peer's rooms may be out of step; it re-joins.
    onFailure: (peerId) => closePeer(peerId, CLOSE_TRY_AGAIN_LATER, 'try again later'),
  });
  const pool = new ConnectionPool<SignalSocket>({
    maxConnections: config.maxConnections,
    maxConnectionsPerAddress: config.maxConnectionsPerIp,
    idleSocketMs: config.idleSocketMs,
    handshakeBurstPerAddress: Math.max(HANDSHAKE_BURST_PER_IP, config.maxConnectionsPerIp),
    handshakesPerAddressPerSec: HANDSHAKES_PER_IP_PER_SEC,
  });
  const ice = new IceIssuer(config, Math.max(MIN_TRACKED_ADDRESSES, config.maxConnections));

  /** The open socket of a connected peer. */
  const endpointOf = (peerId: string): (RelayEndpoint & WebSocket) | null => {
    const socket = sessions.get(peerId)?.getSocket();
    return socket?.readyState === WebSocket.OPEN ? socket : null;
  };
  const relay = new SignalRelay({
    held,
    maxSendBufferBytes: MAX_SEND_BUFFER_BYTES,
    expireTimeoutMs: config.expireTimeoutMs,
    endpointOf,
    log,
  });
  const metrics = createMetrics({
    sockets: () => pool.size,
    peers: () => sessions.size,
    rooms: async () => (await registry.counts()).rooms,
    relayQueue: async () => {
      const { queuedBytes, queuedFrames } = await relay.stats();
      return { bytes: queuedBytes, frames: queuedFrames };
    },
    redisUp: () => (cluster ? Number(isRedisReady) : null),
  });
  const countRelayed = (type: string, outcome: RelayOutcome): RelayOutcome['status'] | null => {
    if (outcome.status === 'refused') {
      metrics.framesRefused.inc({ reason: outcome.reason });
      return null;
    }
    metrics.framesRelayed.inc({ type, outcome: outcome.status });
    if (outcome.status === 'routed') metrics.crossNode.inc({ direction: 'out', outcome: 'frame' });
    return outcome.status;
  };

  const gate = createInboundGate({
    config,
    log,
    socketOf: (ws) => socketByWs.get(ws),
    relay: (socket, frame, nowMs) => {
      const client = socket.peerId ? sessions.get(socket.peerId) : undefined;
      // Only the socket PeerServer currently delivers to speaks for its peer.
      if (!client || client.getSocket() !== socket.ws) return null;
      const outcome = relay.relay(client.getId(), frame, nowMs);
      if (!(outcome instanceof Promise)) {
        return countRelayed(frame.type, outcome) ? null : refusalOf(outcome);
      }
      return outcome.then((settled) =>
        countRelayed(frame.type, settled) ? null : refusalOf(settled),
      );
    },
    onRefused: (reason) => metrics.framesRefused.inc({ reason }),
    onRateLimited: (limit) => metrics.rateLimited.inc({ limit }),
  });

  let webSocketServer: WebSocketServer | undefined;
  const peerServer = ExpressPeerServer(httpServer, {
    path: '/',
    alive_timeout: config.aliveTimeoutMs,
    expire_timeout: config.expireTimeoutMs,
    concurrent_limit: config.maxConnections * PEERSERVER_LIMIT_FACTOR,
    allow_discovery: false,
    proxied: config.trustedProxyHops > 0,
    // PeerServer's HTTP API (GET /peerjs/peerjs/id) reflects any Origin by default; the PWA
    // calls it same-origin, which needs no CORS at all.
    corsOptions: { origin: corsOriginFor(config.allowedOrigins) },
    createWebSocketServer: (options: ServerOptions) => {
      const server = new WebSocketServer({
        ...options, // `server` and `path` from PeerServer
        maxPayload: config.maxPayloadBytes,
        perMessageDeflate: false,
        WebSocket: gatedWebSocketClass(gate),
        verifyClient: verifyClientFor(
          {
            config,
            log,
            pool,
            claim: (id, token, nowMs) => tasks.run(id, () => directory.claim(id, token, nowMs)),
            onAbandoned: (id, token) => {
              tasks.run(id, () => directory.release(id, token, Date.now())).catch(logFailure);
            },
            unavailable: () => {
              if (isDraining) return 'draining';
              return cluster && !isRedisReady ? 'redis-unavailable' : null;
            },
            isConnected: (peerId) => sessions.get(peerId) !== undefined,
            isIdle: (socket) => !socket.peerId || rooms.roomCountOf(socket.peerId) === 0,
            onRefused: (reason) => metrics.socketsRefused.inc({ reason }),
            onEvicted: () => metrics.socketsEvicted.inc(),
          },
          pending,
        ),
      });
      // Registered before PeerServer's own listener (added once this returns).
      server.on('connection', (ws, req) => {
        const socket = pending.get(req);
        if (!socket) return;
        socket.ws = ws;
        socketByWs.set(ws, socket);
      });
      webSocketServer = server;
      return server;
    },
  });

  // Without an 'error' listener a single malformed frame kills the process: PeerServer re-emits
  // JSON.parse failures and socket errors as 'error' on this EventEmitter.
  peerServer.on('error', (error) => {
    log.debug('PeerServer reported an error', describeError(error));
  });

  peerServer.on('connection', (client) => {
    const { isReattach, staleSocket, replaced } = sessions.attach(client);
    const id = client.getId();
    if (replaced) rooms.leaveAll(replaced.getId()).catch(logFailure);
    directory.attached(id);
    const ws = client.getSocket();
    const socket = ws ? socketByWs.get(ws) : undefined;
    if (socket) socket.peerId = id;
    if (isReattach) {
      // peerjs#1289: PeerServer sends OPEN only to new registrations.
      client.send({ type: 'OPEN' });
      // PeerServer leaves the replaced socket open: it delivers only to the new one, yet still
      // accepts frames from the old one as this peer, and ignores its 'close' (the handler
      // checks getSocket() === socket). Closing it loses nothing and frees its per-IP slot.
      staleSocket?.close(CLOSE_REPLACED, 'replaced by a newer connection');
    }
    if (socket) {
      const issued = ice.open(id, redact(id), socket.address, Date.now());
      if (issued) {
        client.send(issued.frame);
        if (config.turnUrls.length > 0) {
          metrics.turnCredentials.inc({ result: issued.hasTurn ? 'issued' : 'withheld' });
        }
      }
    }
    // After OPEN: what other peers sent while this one was away.
    relay.flushTo(id).catch(logFailure);
    log.debug(isReattach ? 'peer re-attached' : 'peer connected', { peer: redact(id) });
  });

  peerServer.on('message', (client, message) => {
    // PeerServer emits every frame the gate let through here first; it handles its own after.
    if (sessions.isCurrent(client)) rooms.handleFrame(client.getId(), message);
  });

  // Emitted on socket close and on the alive-timeout reap (checkBrokenConnections).
  peerServer.on('disconnect', (client) => {
    if (!sessions.detach(client)) return;
    const id = client.getId();
    ice.forget(id);
    // In order after its room requests: out of its rooms, its queued frames dropped, then its ID
    // held for its token (with Redis each is fenced: nothing happens if another node has it now).
    rooms
      .leaveAll(id, async () => {
        await relay.forgetSender(id);
        await directory.release(id, client.getToken(), Date.now());
      })
      .catch(logFailure);
    log.debug('peer disconnected', { peer: redact(id) });
  });

  let isExpiring = false;
  const timers = [
    setInterval(
      () => {
        // With Redis a sweep is a round trip; never two at once.
        if (isExpiring || (cluster && !isRedisReady)) return;
        isExpiring = true;
        relay
          .expire(Date.now())
          .catch(logFailure)
          .finally(() => {
            isExpiring = false;
          });
      },
      Math.min(RELAY_EXPIRE_SWEEP_MAX_MS, config.expireTimeoutMs / 4),
    ),
    setInterval(() => {
      for (const { peerId, frame } of ice.refresh(Date.now())) {
        const client = sessions.get(peerId);
        if (client) {
          client.send(frame);
          metrics.turnCredentials.inc({ result: 'issued' });
        } else {
          ice.forget(peerId);
        }
      }
    }, ICE_REFRESH_SWEEP_MS),
  ];
  for (const timer of timers) timer.unref();

  app.use(securityHeaders(config.trustedProxyHops));
  app.get('/healthz', (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json({ status: 'ok' } satisfies HealthReport);
  });
  app.get('/readyz', (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    const status: ReadinessReport['status'] = isDraining
      ? 'draining'
      : cluster && !isRedisReady
        ? 'redis-unavailable'
        : 'ready';
    res.status(status === 'ready' ? 200 : 503).json({ status } satisfies ReadinessReport);
  });
  app.get(
    '/metrics',
    metricsHandler(metrics.registry, {
      token: config.metricsToken,
      trustedProxyHops: config.trustedProxyHops,
    }),
  );
  // Mounting runs PeerServer's createInstance (on express 'mount'), which starts its timers.
  runWithUnrefTimers(() => app.use(PEERJS_MOUNT_PATH, peerServer));
  app.use(sourceMapGate(config.isServingSourceMaps));
  app.use(staticFiles(config.staticDir));
  app.use(spaFallback(config.staticDir));
  app.use(notFound());
  app.use(
    errorResponder((error) => {
      log.error('HTTP request failed', describeError(error));
    }),
  );

  if (!existsSync(path.join(config.staticDir, 'index.html'))) {
    log.warn('no index.html in the static dir; build the web app first', {
      staticDir: config.staticDir,
    });
  }

  if (cluster) {
    await cluster.start();
    isRedisReady = cluster.isReady;
  }
  await listen(httpServer, config.port, config.host);
  const { port } = httpServer.address() as AddressInfo;
  log.info('accepting signalling sockets', {
    maxConnections: config.maxConnections,
    maxConnectionsPerIp: config.maxConnectionsPerIp,
    mode: cluster ? 'redis' : 'in-memory',
  });

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      // /readyz says so at once; new sockets are refused; the load balancer has drainMs to notice.
      isDraining = true;
      if (config.drainMs > 0) {
        log.info('draining', { drainMs: config.drainMs });
        await new Promise((resolve) => setTimeout(resolve, config.drainMs));
      }
      for (const timer of timers) clearInterval(timer);
      await shutDown(httpServer, webSocketServer);
      if (cluster) {
        // Let the peers' departures reach Redis, so members elsewhere hear them now.
        const deadline = Date.now() + DEPARTURES_GRACE_MS;
        while ((sessions.size > 0 || tasks.size > 0 || notices.size > 0) && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        await cluster.stop();
      }
    })();
    return closing;
  };
  return { port, close };

  function logFailure(error: unknown): void {
    log.warn('a peer step failed', describeError(error));
  }
}

/** The reason to tell a sender whose frame was not relayed. */
function refusalOf(outcome: RelayOutcome): RelayRefusalReason | null {
  return outcome.status === 'refused' ? outcome.reason : null;
}

function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function shutDown(httpServer: http.Server, sockets: WebSocketServer | undefined): Promise<void> {
  return new Promise((resolve) => {
    // Resolves once every connection, upgraded ones included, has ended.
    httpServer.close(() => {
      clearTimeout(deadline);
      resolve();
    });
    // From here on ws answers any handshake still in flight with 503.
    sockets?.close();
    for (const socket of sockets?.clients ?? []) {
      socket.close(CLOSE_GOING_AWAY, 'server shutting down');
    }
    httpServer.closeIdleConnections();
    const deadline = setTimeout(() => {
      for (const socket of sockets?.clients ?? []) socket.terminate();
      httpServer.closeAllConnections();
    }, SHUTDOWN_GRACE_MS);
    deadline.unref();
  });
}

/** The `cors` origin option for PeerServer's HTTP API. */
function corsOriginFor(allowedOrigins: readonly string[]): boolean | string[] {
  if (allowedOrigins.includes('*')) return true;
  return allowedOrigins.length > 0 ? [...allowedOrigins] : false;
}
