import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isLogLevel, LOG_LEVELS, type LogLevel } from './log.js';

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
  /** Most simultaneous WebSocket connections from one client address. */
  maxConnectionsPerIp: number;
  /** Token-bucket size: frames a client may send in one burst. */
  rateLimitBurstMessages: number;
  /** Token-bucket refill: sustained frames per second a client may send. */
  rateLimitMessagesPerSec: number;
  /** PeerServer drops a client that has not sent HEARTBEAT for this long. */
  aliveTimeoutMs: number;
  /** PeerServer holds signalling for an absent peer this long, then answers EXPIRE. */
  expireTimeoutMs: number;
  /** Largest WebSocket frame accepted; a bigger one closes the socket (1009). */
  maxPayloadBytes: number;
  /** Log threshold. */
  logLevel: LogLevel;
  /** Behind a reverse proxy: trust the right-most X-Forwarded-For entry as the client address. */
  isProxied: boolean;
  /** STUN server URLs handed to browsers by `GET /ice`. Env `PARLEY_STUN_URLS` (comma list). */
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

/** The default static dir: <repo>/dist/web, from signal/dist/*.js and signal/src/*.ts alike. */
const DEFAULT_STATIC_DIR = fileURLToPath(new URL('../../dist/web', import.meta.url));

export interface LoadConfigOptions {
  /** Accept an alive timeout below {@link MIN_ALIVE_TIMEOUT_MS}; for tests of the reaper only. */
  allowShortAliveTimeout?: boolean;
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

  return {
    port: readInteger(read, 'PORT', 9000, { min: 0, max: 65_535 }),
    host: read('HOST') ?? '0.0.0.0',
    staticDir: path.resolve(read('PARLEY_STATIC_DIR') ?? DEFAULT_STATIC_DIR),
    allowedOrigins: readOrigins(read('PARLEY_ALLOWED_ORIGINS')),
    maxPeersPerRoom: readInteger(read, 'PARLEY_MAX_PEERS_PER_ROOM', 16, { min: 2, max: 1_000 }),
    maxRoomsPerPeer: readInteger(read, 'PARLEY_MAX_ROOMS_PER_PEER', 32, { min: 1, max: 10_000 }),
    maxConnectionsPerIp: readInteger(read, 'PARLEY_MAX_CONNECTIONS_PER_IP', 64, {
      min: 1,
      max: 1_000_000,
    }),
    rateLimitBurstMessages: readInteger(read, 'PARLEY_RATE_LIMIT_BURST', 300, {
      min: 1,
      max: 1_000_000,
    }),
    rateLimitMessagesPerSec: readNumber(read, 'PARLEY_RATE_LIMIT_PER_SEC', 60, {
      min: 0.001,
      max: 1_000_000,
    }),
    aliveTimeoutMs,
    expireTimeoutMs: readInteger(read, 'PARLEY_EXPIRE_TIMEOUT_MS', 5_000, {
      min: 100,
      max: 10 * 60 * 1000,
    }),
    // At least 4 KiB: an SDP offer with a handful of candidates already takes 2–3 KiB.
    maxPayloadBytes: readInteger(read, 'PARLEY_MAX_PAYLOAD_BYTES', 65_536, {
      min: 4_096,
      max: 100 * 1024 * 1024,
    }),
    logLevel: readLogLevel(read('PARLEY_LOG_LEVEL')),
    isProxied: readBoolean(read('PARLEY_PROXIED'), 'PARLEY_PROXIED', false),
    ...readIce(read),
  };
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

function readLogLevel(raw: string | undefined): LogLevel {
  if (raw === undefined) return 'info';
  const value = raw.toLowerCase();
  if (isLogLevel(value)) return value;
  throw new ConfigError(
    `PARLEY_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(raw)}`,
  );
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
    turnTtlS: readInteger(read, 'PARLEY_TURN_TTL_S', 3_600, { min: 60, max: 7 * 24 * 3_600 }),
  };
}
