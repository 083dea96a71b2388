import { existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import express from 'express';
import { ExpressPeerServer, type IClient } from 'peer';
import { WebSocket, WebSocketServer, type ServerOptions, type VerifyClientCallbackAsync } from 'ws';
import { ABUSER_CLOSE_GRACE_MS, SHUTDOWN_GRACE_MS, type SignalConfig } from './config.js';
import { errorResponder, notFound, securityHeaders, spaFallback, staticFiles } from './http-app.js';
import { iceServersFor } from './ice.js';
import { clientAddress, ConnectionCounter, isOriginAllowed, TokenBucket } from './limits.js';
import { createLogger, describeError, redact, type Logger } from './log.js';
import { runWithUnrefTimers } from './peer-timers.js';
import { PeerSessions } from './peer-sessions.js';
import { RoomService } from './room-service.js';
import { InMemoryRoomRegistry } from './rooms.js';

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

/** `GET /healthz` body. */
export interface HealthReport {
  /** Always `'ok'` while the server answers. */
  status: 'ok';
  /** Whole seconds since the server started. */
  uptimeS: number;
  /** Peers connected to the signalling socket. */
  peers: number;
  /** Rooms with at least one member. */
  rooms: number;
}

/** Where the PeerServer app is mounted; its WebSocket then lives at `/peerjs/peerjs`. */
const PEERJS_MOUNT_PATH = '/peerjs';

/** WebSocket close codes we send. */
const CLOSE_GOING_AWAY = 1001;
const CLOSE_POLICY_VIOLATION = 1008;
/** Application code (4000–4999): the same ID and token re-attached on a newer socket. */
const CLOSE_REPLACED = 4000;

export async function createSignalServer(
  config: SignalConfig,
  log: Logger = createLogger('signal', config.logLevel),
): Promise<SignalServer> {
  const startedAtMs = Date.now();
  const app = express();
  app.disable('x-powered-by');
  const httpServer = http.createServer(app);

  const sessions = new PeerSessions<IClient>();
  const registry = new InMemoryRoomRegistry(config);
  const rooms = new RoomService(
    registry,
    (peerId, frame) => sessions.get(peerId)?.send(frame),
    log,
  );
  const connectionsPerIp = new ConnectionCounter(config.maxConnectionsPerIp);
  let webSocketServer: WebSocketServer | undefined;

  const health = (): HealthReport => ({
    status: 'ok',
    uptimeS: Math.floor((Date.now() - startedAtMs) / 1000),
    peers: sessions.size,
    rooms: registry.counts().rooms,
  });

  const admitFrame = frameGate(config, log);

  const peerServer = ExpressPeerServer(httpServer, {
    path: '/',
    alive_timeout: config.aliveTimeoutMs,
    expire_timeout: config.expireTimeoutMs,
    allow_discovery: false,
    proxied: config.isProxied,
    // PeerServer's HTTP API (GET /peerjs/peerjs/id) reflects any Origin by default; the PWA
    // calls it same-origin, which needs no CORS at all.
    corsOptions: { origin: corsOriginFor(config.allowedOrigins) },
    createWebSocketServer: (options: ServerOptions) => {
      const server = new WebSocketServer({
        ...options, // `server` and `path` from PeerServer
        maxPayload: config.maxPayloadBytes,
        perMessageDeflate: false,
        WebSocket: meteredWebSocketClass(admitFrame),
        verifyClient: verifyClientFor(config, connectionsPerIp, log),
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
    if (replaced) rooms.leaveAll(replaced.getId());
    if (isReattach) {
      // peerjs#1289: PeerServer sends OPEN only to new registrations.
      client.send({ type: 'OPEN' });
      // PeerServer leaves the replaced socket open: it delivers only to the new one, yet still
      // accepts frames from the old one as this peer, and ignores its 'close' (the handler
      // checks getSocket() === socket). Closing it loses nothing and frees its per-IP slot.
      staleSocket?.close(CLOSE_REPLACED, 'replaced by a newer connection');
    }
    log.debug(isReattach ? 'peer re-attached' : 'peer connected', { peer: redact(client.getId()) });
  });

  peerServer.on('message', (client, message) => {
    // PeerServer emits every parsed frame here first; it handles its own types afterwards.
    if (sessions.isCurrent(client)) rooms.handleFrame(client.getId(), message);
  });

  // Emitted on socket close and on the alive-timeout reap (checkBrokenConnections).
  peerServer.on('disconnect', (client) => {
    if (!sessions.detach(client)) return;
    rooms.leaveAll(client.getId());
    log.debug('peer disconnected', { peer: redact(client.getId()) });
  });

  app.use(securityHeaders());
  app.get('/healthz', (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json(health());
  });
  app.get('/ice', (_req, res) => {
    // Credentials expire: never cached, by the browser or the service worker.
    res.setHeader('Cache-Control', 'no-store');
    res.json(iceServersFor(config, Date.now()));
  });
  // Mounting runs PeerServer's createInstance (on express 'mount'), which starts its timers.
  runWithUnrefTimers(() => app.use(PEERJS_MOUNT_PATH, peerServer));
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

  await listen(httpServer, config.port, config.host);
  const { port } = httpServer.address() as AddressInfo;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= shutDown(httpServer, webSocketServer);
    return closing;
  };
  return { port, close };
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

/**
 * ws's handshake hook: the Origin allow-list (403) and the per-IP connection cap (429). Runs
 * before PeerServer sees the socket, so a refused client never gets an ID registered.
 */
function verifyClientFor(
  config: SignalConfig,
  connectionsPerIp: ConnectionCounter,
  log: Logger,
): VerifyClientCallbackAsync {
  return ({ origin, req }, done) => {
    const { allowedOrigins } = config;
    // ws's typing says string, but the header may be absent.
    const originHeader = origin as string | undefined;
    if (!isOriginAllowed({ origin: originHeader, host: req.headers.host, allowedOrigins })) {
      log.warn('refused signalling socket: origin not allowed', {
        origin: originHeader?.slice(0, 100),
      });
      done(false, 403, 'Origin not allowed');
      return;
    }
    const forwardedFor = req.headers['x-forwarded-for'];
    const address = clientAddress(req.socket.remoteAddress, forwardedFor, config.isProxied);
    if (!connectionsPerIp.tryAcquire(address)) {
      log.warn('refused signalling socket: too many connections from one address', {
        address: redact(address),
      });
      done(false, 429, 'Too many connections');
      return;
    }
    // The TCP socket, not the WebSocket: it closes even when the upgrade never completes.
    req.socket.once('close', () => connectionsPerIp.release(address));
    done(true);
  };
}

/** The `cors` origin option for PeerServer's HTTP API. */
function corsOriginFor(allowedOrigins: readonly string[]): boolean | string[] {
  if (allowedOrigins.includes('*')) return true;
  return allowedOrigins.length > 0 ? [...allowedOrigins] : false;
}

/** Decides whether a frame that arrived on `socket` may be processed. */
type FrameGate = (socket: WebSocket) => boolean;

/**
 * The per-client rate limit: a token bucket per socket, counting every frame. The first frame
 * over the limit closes the socket with 1008; that frame and every later one are dropped.
 * Dropping matters: after `close()`, ws keeps emitting 'message' for frames that arrive until
 * the peer's close frame does (or the 30 s close timeout), and PeerServer would keep relaying.
 */
function frameGate(config: SignalConfig, log: Logger): FrameGate {
  const buckets = new WeakMap<WebSocket, TokenBucket>();
  return (socket) => {
    if (socket.readyState !== WebSocket.OPEN) return false;
    const nowMs = Date.now();
    let bucket = buckets.get(socket);
    if (!bucket) {
      bucket = new TokenBucket(
        config.rateLimitBurstMessages,
        config.rateLimitMessagesPerSec,
        nowMs,
      );
      buckets.set(socket, bucket);
    }
    if (bucket.tryTake(nowMs)) return true;
    log.warn('closing signalling socket: rate limit exceeded');
    socket.close(CLOSE_POLICY_VIOLATION, 'rate limit exceeded');
    // A flooder need not answer our close frame; do not wait ws's 30 s for it.
    setTimeout(() => socket.terminate(), ABUSER_CLOSE_GRACE_MS).unref();
    return false;
  };
}

/**
 * A ws WebSocket class (ws's `WebSocket` server option) whose 'message' events pass `admit`
 * first. Intercepting `emit` is the one point every listener — PeerServer's included — sits
 * behind; a listener of our own could count frames but not stop PeerServer from seeing them.
 */
function meteredWebSocketClass(admit: FrameGate): typeof WebSocket {
  return class MeteredWebSocket extends WebSocket {
    override emit(event: string | symbol, ...args: unknown[]): boolean {
      if (event === 'message' && !admit(this)) return false;
      return super.emit(event, ...args);
    }
  };
}
