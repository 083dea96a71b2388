import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { getHeapStatistics } from 'node:v8';
import {
  isLogFormat,
  isLogLevel,
  LOG_FORMATS,
  LOG_LEVELS,
  type LogFormat,
  type LogLevel,
} from './log.js';

/** Everything the signal server can be tuned with; read once at start by {@link loadConfig}. */
export interface SignalConfig {
  /** TCP port to listen on; 0 lets the OS pick a free one (tests). Env `PORT`. */
  port: number;
  /** Interface to bind. Env `HOST`. */
  host: string;
  /** Absolute path of the built PWA (`vite build` output). Env `PARLEY_STATIC_DIR`. */
  staticDir: string;
  /** Origins allowed to open the signalling socket besides our own; `['*']` allows any. */
  allowedOrigins: readonly string[];
  /** Most peers one room may hold. */
  maxPeersPerRoom: number;
  /** Most rooms one peer may be in at once. */
  maxRoomsPerPeer: number;
  /**
   * Most signalling sockets the server holds at once. At the limit an idle socket (in no room
   * for {@link SignalConfig.idleSocketMs}) makes room for a newcomer, else one from the address
   * holding the most. Env `PARLEY_MAX_CONNECTIONS`; the default is sized to the host
   * ({@link defaultMaxConnections}).
   */
  maxConnections: number;
  /** Most simultaneous WebSocket connections from one client address. */
  maxConnectionsPerIp: number;
  /** A socket in no room for this long may be closed to admit a newcomer when the server is full. */
  idleSocketMs: number;
  /** Token-bucket size: frames a client may send in one burst. */
  rateLimitBurstMessages: number;
  /** Token-bucket refill: sustained frames per second a client may send. */
  rateLimitMessagesPerSec: number;
  /** Token-bucket size: bytes one socket may send in one burst. */
  rateLimitBurstBytes: number;
  /** Token-bucket refill: sustained bytes per second one socket may send. */
  rateLimitBytesPerSec: number;
  /** Token-bucket size: bytes all sockets of one client address may send in one burst. */
  rateLimitBurstBytesPerIp: number;
  /** Token-bucket refill: sustained bytes per second all sockets of one client address may send. */
  rateLimitBytesPerSecPerIp: number;
  /** PeerServer drops a client that has not sent HEARTBEAT for this long. */
  aliveTimeoutMs: number;
  /** PeerServer holds signalling for an absent peer this long, then answers EXPIRE. */
  expireTimeoutMs: number;
  /** Largest WebSocket frame accepted; a bigger one closes the socket (1009). */
  maxPayloadBytes: number;
  /** Largest signalling frame processed or relayed; a bigger one is refused, the socket kept. */
  maxSignalFrameBytes: number;
  /** Signalling held for absent peers, in all, before new frames for them are refused. */
  relayQueueMaxBytes: number;
  /** Log threshold. */
  logLevel: LogLevel;
  /** `text` (one readable line per entry) or `json` (JSON lines). Env `PARLEY_LOG_FORMAT`. */
  logFormat: LogFormat;
  /**
   * Redis for scale-out (DESIGN §3): with a URL, every node with the same URL and prefix acts as
   * one service; without one, the server runs alone and in memory. Env `REDIS_URL`.
   */
  redisUrl: string | undefined;
  /** Prefix of every Redis key and channel, so services can share a Redis. Env `PARLEY_REDIS_PREFIX`. */
  redisPrefix: string;
  /**
   * On SIGTERM, how long `/readyz` says "draining" (and new sockets are refused) before the
   * sockets are closed, so a load balancer stops sending newcomers first. Env `PARLEY_DRAIN_MS`.
   */
  drainMs: number;
  /**
   * Reverse proxies in front of the server that append to `X-Forwarded-For` (0: none, the TCP
   * peer is the client). The client address is the entry that many hops from the right; entries
   * further left are client-supplied. Also makes `X-Forwarded-Proto: https` count as TLS.
   * Env `PARLEY_PROXIED`: `false`, `true` (one proxy) or a number of hops.
   */
  trustedProxyHops: number;
  /** Bearer token `GET /metrics` requires; without one, only loopback clients may read it. */
  metricsToken: string | undefined;
  /** Serve the built PWA's source maps (`*.map`); off by default in production. */
  isServingSourceMaps: boolean;
  /** STUN server URLs sent to browsers in `X-ICE`. Env `PARLEY_STUN_URLS` (comma list). */
  stunUrls: readonly string[];
  /** TURN server URLs handed out with short-lived credentials. Env `PARLEY_TURN_URLS`. */
  turnUrls: readonly string[];
  /** coturn `static-auth-secret` for the REST credential scheme. Env `PARLEY_TURN_SECRET`. */
  turnSecret: string | undefined;
  /** Lifetime of handed-out TURN credentials. Env `PARLEY_TURN_TTL_S`. */
  turnTtlS: number;
}

/**
 * PeerJS clients heartbeat every 5 s, but background tabs throttle timers to once a minute (and
 * harder after 5 minutes in Chrome); below 90 s sleeping tabs get reaped and lose their rooms.
 */
export const MIN_ALIVE_TIMEOUT_MS = 90_000;

/** On shutdown, how long sockets get to finish their closing handshake before being cut. */
export const SHUTDOWN_GRACE_MS = 2_000;

/** After closing an abuser's socket (1008), how long before it is cut if it ignores the close. */
export const ABUSER_CLOSE_GRACE_MS = 1_000;

/**
 * Deepest JSON nesting of any frame on the signalling socket (counting brackets): PeerJS's deepest
 * is an OFFER's `payload.metadata`, 3 plus the metadata's own (at most MAX_OFFER_METADATA_DEPTH).
 * Checked on the raw text before parsing, so a 5,000-level value never reaches JSON.parse.
 */
export const MAX_SIGNAL_FRAME_DEPTH = 8;

/** Signalling one sender may have queued for absent peers, in all. */
export const RELAY_QUEUE_MAX_BYTES_PER_SENDER = 65_536;

/** Signalling queued for one absent peer, from everyone (a few offers and their candidates). */
export const RELAY_QUEUE_MAX_BYTES_PER_DESTINATION = 131_072;

/**
 * A socket with this much unsent data is not reading: further relays to it are refused (`busy`)
 * instead of buffered, so a peer that never reads cannot make the server hold its frames.
 */
export const MAX_SEND_BUFFER_BYTES = 131_072;

/**
 * New signalling sockets one client address may open at once (or its per-IP cap, if higher), and
 * per second after that: enough for a house of tabs reconnecting after a restart, not for churning
 * sockets to reset their rate limits.
 */
export const HANDSHAKE_BURST_PER_IP = 64;

/** Sustained new signalling sockets per second per client address. */
export const HANDSHAKES_PER_IP_PER_SEC = 2;

/** TURN credentials one client address may be issued in a burst (one per socket at OPEN). */
export const ICE_CREDENTIALS_BURST_PER_IP = 64;

/** Sustained TURN credentials per minute per client address (each tab needs one per TTL / 2). */
export const ICE_CREDENTIALS_PER_IP_PER_MIN = 30;

/** How often sessions whose TURN credentials are half-way to expiry get fresh ones. */
export const ICE_REFRESH_SWEEP_MS = 10_000;

/** Longest pause between sweeps for expired relay queues (shorter with a short expire timeout). */
export const RELAY_EXPIRE_SWEEP_MAX_MS = 1_000;

/**
 * Per-address rate state (handshakes, bytes, TURN credentials) is kept for at least this many
 * addresses, or as many as there may be connections; idle entries beyond that are dropped.
 */
export const MIN_TRACKED_ADDRESSES = 1_000;

/** ID reservations kept at most, per allowed connection (bounds the map under churn). */
export const PEER_ID_RESERVATIONS_PER_CONNECTION = 4;

/**
 * After a peer's socket goes, its ID stays reserved for its token this long, so nobody else can
 * claim it while it reconnects (PeerJS clients retry with the same ID and token).
 */
export const PEER_ID_RESERVATION_MS = 5 * 60_000;

/** Bytes of memory each allowed connection is budgeted (socket, send buffer, relay queue share). */
export const CONNECTION_BUDGET_BYTES = 256 * 1024;

/** File descriptors kept free for everything that is not a signalling socket. */
export const RESERVED_FILE_DESCRIPTORS = 256;

/** Floor of the host-sized default of {@link SignalConfig.maxConnections}. */
export const MIN_DEFAULT_MAX_CONNECTIONS = 100;

/** Ceiling of the host-sized default of {@link SignalConfig.maxConnections}. */
export const MAX_DEFAULT_MAX_CONNECTIONS = 50_000;

/** How often a node renews its liveness key in Redis (and measures the round trip). */
export const NODE_HEARTBEAT_MS = 2_000;

/**
 * A node whose liveness key is this old is dead: another node takes its peers out of their rooms
 * (the members hear X-ROOM-LEFT) and turns their IDs into reservations.
 */
export const NODE_TTL_MS = 10_000;

/** How often each node looks for dead nodes to clean up after. */
export const NODE_SWEEP_MS = 5_000;

/** Peers of a dead node cleaned up per script call (bounds how long one call holds Redis). */
export const DEAD_NODE_SWEEP_BATCH = 200;

/**
 * A held peer ID's claim in Redis lapses after this long unless its node refreshes it (a
 * backstop: a dead node's peers are normally cleaned up within {@link NODE_TTL_MS}).
 */
export const PEER_CLAIM_TTL_MS = 10 * 60_000;

/** How often a node refreshes the claims of the peers it holds. */
export const PEER_CLAIM_REFRESH_MS = 60_000;

/** Claims refreshed per script call. */
export const PEER_CLAIM_REFRESH_BATCH = 1_000;

/** A Redis command that has not answered in this long fails (the caller refuses or retries). */
export const REDIS_COMMAND_TIMEOUT_MS = 3_000;

/** First and longest pause between attempts to reach Redis again (exponential backoff). */
export const REDIS_RECONNECT_MIN_MS = 100;
export const REDIS_RECONNECT_MAX_MS = 5_000;

/** Expired relay queues taken per script call (each is answered with EXPIRE to its senders). */
export const RELAY_EXPIRE_BATCH = 100;

/** Facts about the host that size the defaults. */
export interface HostLimits {
  /** V8's heap limit (`--max-old-space-size`). */
  heapLimitBytes: number;
  /** The soft `RLIMIT_NOFILE`, or null when unknown (not Linux). */
  openFilesLimit: number | null;
}

/** Reads {@link HostLimits} of this process. */
export function readHostLimits(): HostLimits {
  let openFilesLimit: number | null = null;
  try {
    const limits = readFileSync('/proc/self/limits', 'utf8');
    const soft = /^Max open files\s+(\d+)/m.exec(limits)?.[1];
    if (soft !== undefined) openFilesLimit = Number(soft);
  } catch {
    // Not Linux: the file-descriptor bound is left out.
    openFilesLimit = null;
  }
  return { heapLimitBytes: getHeapStatistics().heap_size_limit, openFilesLimit };
}

/**
 * The default connection limit for a host: what the heap can hold at
 * {@link CONNECTION_BUDGET_BYTES} each, and no more than the open-file limit leaves for sockets,
 * within [{@link MIN_DEFAULT_MAX_CONNECTIONS}, {@link MAX_DEFAULT_MAX_CONNECTIONS}].
 */
export function defaultMaxConnections({ heapLimitBytes, openFilesLimit }: HostLimits): number {
  const byMemory = Math.floor(heapLimitBytes / CONNECTION_BUDGET_BYTES);
  const byFiles = openFilesLimit === null ? Infinity : openFilesLimit - RESERVED_FILE_DESCRIPTORS;
  return Math.max(
    MIN_DEFAULT_MAX_CONNECTIONS,
    Math.min(MAX_DEFAULT_MAX_CONNECTIONS, byMemory, byFiles),
  );
}

/**
 * The repository root: the nearest directory above this module with a package.json (signal/ and
 * dist/server/ have none), so the default below holds for signal/src/*.ts and the build alike.
 */
function findRepoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
}

/** The default static dir: <repo>/dist/web. */
export const DEFAULT_STATIC_DIR = path.join(findRepoRoot(), 'dist', 'web');

export interface LoadConfigOptions {
  /** Accept an alive timeout below {@link MIN_ALIVE_TIMEOUT_MS}; for tests of the reaper only. */
  allowShortAliveTimeout?: boolean;
  /** The host facts that size defaults; read from this process when absent. */
  hostLimits?: HostLimits;
}

/** A configuration value that cannot be used; the message names the variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads and validates the configuration from environment variables. Throws {@link ConfigError}. */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  options: LoadConfigOptions = {},
): SignalConfig {
  const read = (name: string): string | undefined => {
    // An empty variable (`PORT=` in a compose file) means "use the default".
    const value = env[name]?.trim();
    return value === '' ? undefined : value;
  };

  const aliveTimeoutMs = readInteger(read, 'PARLEY_ALIVE_TIMEOUT_MS', 90_000, {
    min: options.allowShortAliveTimeout ? 100 : MIN_ALIVE_TIMEOUT_MS,
    max: 24 * 60 * 60 * 1000,
  });

  const maxPayloadBytes = readInteger(read, 'PARLEY_MAX_PAYLOAD_BYTES', 65_536, {
    min: 4_096,
    max: 100 * 1024 * 1024,
  });
  const perSocket = {
    burstBytes: readInteger(read, 'PARLEY_RATE_LIMIT_BURST_BYTES', 524_288, {
      min: 4_096,
      max: 1024 ** 3,
    }),
    bytesPerSec: readInteger(read, 'PARLEY_RATE_LIMIT_BYTES_PER_SEC', 65_536, {
      min: 1,
      max: 1024 ** 3,
    }),
  };

  const config: SignalConfig = {
    port: readInteger(read, 'PORT', 9000, { min: 0, max: 65_535 }),
    host: read('HOST') ?? '0.0.0.0',
    staticDir: path.resolve(read('PARLEY_STATIC_DIR') ?? DEFAULT_STATIC_DIR),
    allowedOrigins: readOrigins(read('PARLEY_ALLOWED_ORIGINS')),
    maxPeersPerRoom: readInteger(read, 'PARLEY_MAX_PEERS_PER_ROOM', 16, { min: 2, max: 1_000 }),
    maxRoomsPerPeer: readInteger(read, 'PARLEY_MAX_ROOMS_PER_PEER', 32, { min: 1, max: 10_000 }),
    maxConnections: readInteger(
      read,
      'PARLEY_MAX_CONNECTIONS',
      defaultMaxConnections(options.hostLimits ?? readHostLimits()),
      { min: 1, max: 10_000_000 },
    ),
    maxConnectionsPerIp: readInteger(read, 'PARLEY_MAX_CONNECTIONS_PER_IP', 64, {
      min: 1,
      max: 1_000_000,
    }),
    idleSocketMs: readInteger(read, 'PARLEY_IDLE_SOCKET_MS', 10_000, {
      min: 0,
      max: 24 * 60 * 60 * 1000,
    }),
    rateLimitBurstMessages: readInteger(read, 'PARLEY_RATE_LIMIT_BURST', 300, {
      min: 1,
      max: 1_000_000,
    }),
    rateLimitMessagesPerSec: readNumber(read, 'PARLEY_RATE_LIMIT_PER_SEC', 60, {
      min: 0.001,
      max: 1_000_000,
    }),
    rateLimitBurstBytes: perSocket.burstBytes,
    rateLimitBytesPerSec: perSocket.bytesPerSec,
    rateLimitBurstBytesPerIp: readInteger(
      read,
      'PARLEY_RATE_LIMIT_BURST_BYTES_PER_IP',
      perSocket.burstBytes * 4,
      { min: 4_096, max: 1024 ** 4 },
    ),
    rateLimitBytesPerSecPerIp: readInteger(
      read,
      'PARLEY_RATE_LIMIT_BYTES_PER_SEC_PER_IP',
      perSocket.bytesPerSec * 4,
      { min: 1, max: 1024 ** 4 },
    ),
    aliveTimeoutMs,
    expireTimeoutMs: readInteger(read, 'PARLEY_EXPIRE_TIMEOUT_MS', 5_000, {
      min: 100,
      max: 10 * 60 * 1000,
    }),
    maxPayloadBytes,
    // At least 4 KiB: a data-channel offer with its metadata takes about 1 KB, Chromium's
    // audio+video offer about 6 KB; 16 KiB leaves room for codecs browsers add.
    maxSignalFrameBytes: readInteger(
      read,
      'PARLEY_MAX_SIGNAL_FRAME_BYTES',
      Math.min(16_384, maxPayloadBytes),
      { min: 4_096, max: maxPayloadBytes },
    ),
    relayQueueMaxBytes: readInteger(read, 'PARLEY_RELAY_QUEUE_MAX_BYTES', 16 * 1024 * 1024, {
      min: 65_536,
      max: 1024 ** 4,
    }),
    logLevel: readLogLevel(read('PARLEY_LOG_LEVEL')),
    logFormat: readLogFormat(read('PARLEY_LOG_FORMAT')),
    redisUrl: readRedisUrl(read('REDIS_URL')),
    redisPrefix: readRedisPrefix(read('PARLEY_REDIS_PREFIX')),
    drainMs: readInteger(read, 'PARLEY_DRAIN_MS', 0, { min: 0, max: 10 * 60 * 1000 }),
    trustedProxyHops: readProxyHops(read('PARLEY_PROXIED')),
    metricsToken: read('PARLEY_METRICS_TOKEN'),
    isServingSourceMaps: readBoolean(
      read('PARLEY_SERVE_SOURCE_MAPS'),
      'PARLEY_SERVE_SOURCE_MAPS',
      false,
    ),
    ...readIce(read),
  };
  if (config.rateLimitBurstBytes < config.maxSignalFrameBytes) {
    throw new ConfigError(
      `PARLEY_RATE_LIMIT_BURST_BYTES (${config.rateLimitBurstBytes}) must be at least ` +
        `PARLEY_MAX_SIGNAL_FRAME_BYTES (${config.maxSignalFrameBytes}): one frame must fit a burst`,
    );
  }
  return config;
}

type Read = (name: string) => string | undefined;

interface Range {
  min: number;
  max: number;
}

function readInteger(read: Read, name: string, fallback: number, range: Range): number {
  const raw = read(name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) {
    throw new ConfigError(`${name} must be a whole number, got ${JSON.stringify(raw)}`);
  }
  return checkRange(name, Number(raw), range);
}

function readNumber(read: Read, name: string, fallback: number, range: Range): number {
  const raw = read(name);
  if (raw === undefined) return fallback;
  if (!/^\d+(\.\d+)?$/.test(raw)) {
    throw new ConfigError(`${name} must be a number, got ${JSON.stringify(raw)}`);
  }
  return checkRange(name, Number(raw), range);
}

function checkRange(name: string, value: number, { min, max }: Range): number {
  if (value < min || value > max) {
    throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}`);
  }
  return value;
}

function readBoolean(raw: string | undefined, name: string, fallback: boolean): boolean {
  if (raw === undefined) return fallback;
  const value = raw.toLowerCase();
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new ConfigError(`${name} must be true or false, got ${JSON.stringify(raw)}`);
}

/** Most proxies we accept in front of the server: a chain longer than this is a mistake. */
const MAX_PROXY_HOPS = 10;

/** `false`/`0` → 0, `true` → 1, a whole number → that many hops. */
function readProxyHops(raw: string | undefined): number {
  if (raw === undefined) return 0;
  if (/^\d+$/.test(raw))
    return checkRange('PARLEY_PROXIED', Number(raw), { min: 0, max: MAX_PROXY_HOPS });
  try {
    return readBoolean(raw, 'PARLEY_PROXIED', false) ? 1 : 0;
  } catch {
    throw new ConfigError(
      `PARLEY_PROXIED must be true, false or the number of proxies in front (0–${MAX_PROXY_HOPS}), got ${JSON.stringify(raw)}`,
    );
  }
}

function readLogLevel(raw: string | undefined): LogLevel {
  if (raw === undefined) return 'info';
  const value = raw.toLowerCase();
  if (isLogLevel(value)) return value;
  throw new ConfigError(
    `PARLEY_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(raw)}`,
  );
}

function readLogFormat(raw: string | undefined): LogFormat {
  if (raw === undefined) return 'text';
  const value = raw.toLowerCase();
  if (isLogFormat(value)) return value;
  throw new ConfigError(
    `PARLEY_LOG_FORMAT must be one of ${LOG_FORMATS.join(', ')}, got ${JSON.stringify(raw)}`,
  );
}

/** A redis:// or rediss:// URL (credentials allowed; never logged). */
function readRedisUrl(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('REDIS_URL is not a URL (expected redis://host:6379)');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new ConfigError(`REDIS_URL must start with redis:// or rediss://, got ${url.protocol}//`);
  }
  return raw;
}

const REDIS_PREFIX_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;

function readRedisPrefix(raw: string | undefined): string {
  if (raw === undefined) return 'parley:';
  if (!REDIS_PREFIX_PATTERN.test(raw)) {
    throw new ConfigError(
      `PARLEY_REDIS_PREFIX must be 1–64 letters, digits or _.:- characters, got ${JSON.stringify(raw)}`,
    );
  }
  return raw;
}

/** `https://a.example, http://localhost:5173` → normalised origins; `*` alone allows any. */
function readOrigins(raw: string | undefined): readonly string[] {
  if (raw === undefined) return [];
  const entries = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (entries.includes('*')) return ['*'];
  return entries.map((entry) => {
    let url: URL;
    try {
      url = new URL(entry);
    } catch {
      throw new ConfigError(`PARLEY_ALLOWED_ORIGINS: ${JSON.stringify(entry)} is not a URL`);
    }
    const isBareOrigin = url.pathname === '/' && !url.search && !url.hash && !url.username;
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !isBareOrigin) {
      throw new ConfigError(
        `PARLEY_ALLOWED_ORIGINS: ${JSON.stringify(entry)} must be an origin like https://example.com`,
      );
    }
    return url.origin;
  });
}

const ICE_URL_PATTERN = /^(stun|stuns|turn|turns):[^\s,]+$/;

function readIceUrls(raw: string | undefined, name: string, schemes: readonly string[]): string[] {
  if (raw === undefined) return [];
  return raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => {
      const scheme = ICE_URL_PATTERN.exec(entry)?.[1];
      if (!scheme || !schemes.includes(scheme)) {
        throw new ConfigError(
          `${name}: ${JSON.stringify(entry)} must be a ${schemes.join('/')}: URL like ${schemes[0]}:host:3478`,
        );
      }
      return entry;
    });
}

/** STUN/TURN settings; TURN URLs without a secret (or the reverse) is a mistake worth refusing. */
function readIce(
  read: Read,
): Pick<SignalConfig, 'stunUrls' | 'turnUrls' | 'turnSecret' | 'turnTtlS'> {
  const turnUrls = readIceUrls(read('PARLEY_TURN_URLS'), 'PARLEY_TURN_URLS', ['turn', 'turns']);
  const turnSecret = read('PARLEY_TURN_SECRET');
  if (turnUrls.length > 0 && !turnSecret) {
    throw new ConfigError('PARLEY_TURN_URLS is set but PARLEY_TURN_SECRET is not');
  }
  if (turnSecret && turnUrls.length === 0) {
    throw new ConfigError('PARLEY_TURN_SECRET is set but PARLEY_TURN_URLS is not');
  }
  return {
    stunUrls: readIceUrls(read('PARLEY_STUN_URLS'), 'PARLEY_STUN_URLS', ['stun', 'stuns']),
    turnUrls,
    turnSecret,
    // coturn checks a REST credential when an allocation is made, not while it lasts, so a call
    // outlives its credential; open sessions get fresh ones at half-life (ICE_REFRESH_SWEEP_MS).
    turnTtlS: readInteger(read, 'PARLEY_TURN_TTL_S', 600, { min: 60, max: 7 * 24 * 3_600 }),
  };
}
