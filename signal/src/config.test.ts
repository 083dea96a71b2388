import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  defaultMaxConnections,
  loadConfig,
  MAX_DEFAULT_MAX_CONNECTIONS,
  MIN_ALIVE_TIMEOUT_MS,
  MIN_DEFAULT_MAX_CONNECTIONS,
  type HostLimits,
} from './config.js';

/** A host with a 4 GiB heap and 20,000 open files: room for 16,384 connections by memory. */
const HOST: HostLimits = { heapLimitBytes: 4 * 1024 ** 3, openFilesLimit: 20_000 };

describe('loadConfig', () => {
  it('uses the documented defaults for an empty environment', () => {
    const config = loadConfig({}, { hostLimits: HOST });
    expect(config).toEqual({
      port: 9000,
      host: '0.0.0.0',
      staticDir: fileURLToPath(new URL('../../dist/web', import.meta.url)),
      allowedOrigins: [],
      maxPeersPerRoom: 16,
      maxRoomsPerPeer: 32,
      maxConnections: 16_384,
      maxConnectionsPerIp: 64,
      idleSocketMs: 10_000,
      rateLimitBurstMessages: 300,
      rateLimitMessagesPerSec: 60,
      rateLimitBurstBytes: 524_288,
      rateLimitBytesPerSec: 65_536,
      rateLimitBurstBytesPerIp: 2_097_152,
      rateLimitBytesPerSecPerIp: 262_144,
      aliveTimeoutMs: 90_000,
      expireTimeoutMs: 5_000,
      maxPayloadBytes: 65_536,
      maxSignalFrameBytes: 16_384,
      relayQueueMaxBytes: 16_777_216,
      logLevel: 'info',
      logFormat: 'text',
      redisUrl: undefined,
      redisPrefix: 'parley:',
      drainMs: 0,
      trustedProxyHops: 0,
      metricsToken: undefined,
      isServingSourceMaps: false,
      stunUrls: [],
      turnUrls: [],
      turnSecret: undefined,
      turnTtlS: 600,
    });
  });

  it('sizes the default connection limit to the heap and the open-file limit', () => {
    expect(defaultMaxConnections(HOST)).toBe(16_384);
    expect(defaultMaxConnections({ ...HOST, openFilesLimit: 1_024 })).toBe(768);
    expect(defaultMaxConnections({ ...HOST, openFilesLimit: null })).toBe(16_384);
    expect(defaultMaxConnections({ heapLimitBytes: 64 * 1024 ** 3, openFilesLimit: null })).toBe(
      MAX_DEFAULT_MAX_CONNECTIONS,
    );
    expect(defaultMaxConnections({ heapLimitBytes: 1, openFilesLimit: 10 })).toBe(
      MIN_DEFAULT_MAX_CONNECTIONS,
    );
    // This process: whatever it is, a number in range.
    const here = loadConfig({}).maxConnections;
    expect(here).toBeGreaterThanOrEqual(MIN_DEFAULT_MAX_CONNECTIONS);
    expect(here).toBeLessThanOrEqual(MAX_DEFAULT_MAX_CONNECTIONS);
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      PARLEY_STATIC_DIR: '/srv/web',
      PARLEY_ALLOWED_ORIGINS: 'https://a.example, http://localhost:5173/',
      PARLEY_MAX_PEERS_PER_ROOM: '8',
      PARLEY_MAX_ROOMS_PER_PEER: '4',
      PARLEY_MAX_CONNECTIONS: '5000',
      PARLEY_MAX_CONNECTIONS_PER_IP: '10',
      PARLEY_IDLE_SOCKET_MS: '30000',
      PARLEY_RATE_LIMIT_BURST: '50',
      PARLEY_RATE_LIMIT_PER_SEC: '2.5',
      PARLEY_RATE_LIMIT_BURST_BYTES: '100000',
      PARLEY_RATE_LIMIT_BYTES_PER_SEC: '10000',
      PARLEY_RATE_LIMIT_BURST_BYTES_PER_IP: '1000000',
      PARLEY_RATE_LIMIT_BYTES_PER_SEC_PER_IP: '50000',
      PARLEY_ALIVE_TIMEOUT_MS: '120000',
      PARLEY_EXPIRE_TIMEOUT_MS: '3000',
      PARLEY_MAX_PAYLOAD_BYTES: '16384',
      PARLEY_MAX_SIGNAL_FRAME_BYTES: '8192',
      PARLEY_RELAY_QUEUE_MAX_BYTES: '1048576',
      PARLEY_LOG_LEVEL: 'DEBUG',
      PARLEY_LOG_FORMAT: 'JSON',
      REDIS_URL: 'redis://:pass@redis.internal:6379/2',
      PARLEY_REDIS_PREFIX: 'chat-eu:',
      PARLEY_DRAIN_MS: '5000',
      PARLEY_PROXIED: '2',
      PARLEY_METRICS_TOKEN: 'token',
      PARLEY_SERVE_SOURCE_MAPS: '1',
      PARLEY_STUN_URLS: 'stun:stun.example:3478',
      PARLEY_TURN_URLS: 'turns:turn.example:5349',
      PARLEY_TURN_SECRET: 'secret',
      PARLEY_TURN_TTL_S: '600',
    });
    expect(config).toEqual({
      port: 0,
      host: '127.0.0.1',
      staticDir: path.resolve('/srv/web'),
      allowedOrigins: ['https://a.example', 'http://localhost:5173'],
      maxPeersPerRoom: 8,
      maxRoomsPerPeer: 4,
      maxConnections: 5_000,
      maxConnectionsPerIp: 10,
      idleSocketMs: 30_000,
      rateLimitBurstMessages: 50,
      rateLimitMessagesPerSec: 2.5,
      rateLimitBurstBytes: 100_000,
      rateLimitBytesPerSec: 10_000,
      rateLimitBurstBytesPerIp: 1_000_000,
      rateLimitBytesPerSecPerIp: 50_000,
      aliveTimeoutMs: 120_000,
      expireTimeoutMs: 3_000,
      maxPayloadBytes: 16_384,
      maxSignalFrameBytes: 8_192,
      relayQueueMaxBytes: 1_048_576,
      logLevel: 'debug',
      logFormat: 'json',
      redisUrl: 'redis://:pass@redis.internal:6379/2',
      redisPrefix: 'chat-eu:',
      drainMs: 5_000,
      trustedProxyHops: 2,
      metricsToken: 'token',
      isServingSourceMaps: true,
      stunUrls: ['stun:stun.example:3478'],
      turnUrls: ['turns:turn.example:5349'],
      turnSecret: 'secret',
      turnTtlS: 600,
    });
  });

  it('refuses a Redis URL of another scheme, an odd prefix and an unknown log format', () => {
    expect(() => loadConfig({ REDIS_URL: 'http://redis:6379' })).toThrow(/REDIS_URL/);
    expect(() => loadConfig({ REDIS_URL: 'not a url' })).toThrow(/REDIS_URL/);
    expect(() => loadConfig({ PARLEY_REDIS_PREFIX: 'a b' })).toThrow(/PARLEY_REDIS_PREFIX/);
    expect(() => loadConfig({ PARLEY_LOG_FORMAT: 'xml' })).toThrow(/PARLEY_LOG_FORMAT/);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PORT: '', PARLEY_ALLOWED_ORIGINS: ' ' })).toMatchObject({
      port: 9000,
      allowedOrigins: [],
    });
  });

  it('collapses a list containing * to any origin', () => {
    expect(loadConfig({ PARLEY_ALLOWED_ORIGINS: 'https://a.example,*' }).allowedOrigins).toEqual([
      '*',
    ]);
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '-1'],
    ['PORT', '80.5'],
    ['PARLEY_MAX_PEERS_PER_ROOM', '1'],
    ['PARLEY_MAX_ROOMS_PER_PEER', '0'],
    ['PARLEY_MAX_CONNECTIONS_PER_IP', 'many'],
    ['PARLEY_RATE_LIMIT_BURST', '0'],
    ['PARLEY_RATE_LIMIT_PER_SEC', '0'],
    ['PARLEY_RATE_LIMIT_PER_SEC', '1e3'],
    ['PARLEY_ALIVE_TIMEOUT_MS', '5000'],
    ['PARLEY_EXPIRE_TIMEOUT_MS', '10'],
    ['PARLEY_MAX_PAYLOAD_BYTES', '100'],
    ['PARLEY_LOG_LEVEL', 'verbose'],
    ['PARLEY_PROXIED', 'yes'],
    ['PARLEY_PROXIED', '11'],
    ['PARLEY_MAX_CONNECTIONS', '0'],
    ['PARLEY_RATE_LIMIT_BURST_BYTES', '100'],
    ['PARLEY_MAX_SIGNAL_FRAME_BYTES', '100000'],
    ['PARLEY_RELAY_QUEUE_MAX_BYTES', '1000'],
    ['PARLEY_SERVE_SOURCE_MAPS', 'maybe'],
    ['PARLEY_ALLOWED_ORIGINS', 'localhost:5173'],
    ['PARLEY_ALLOWED_ORIGINS', 'https://a.example/app'],
    ['PARLEY_ALLOWED_ORIGINS', 'ftp://a.example'],
  ])('rejects %s=%s with an error naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(name);
  });

  it('reads PARLEY_PROXIED as a number of hops or a boolean', () => {
    const hops = (value: string): number => loadConfig({ PARLEY_PROXIED: value }).trustedProxyHops;
    expect([hops('false'), hops('0'), hops('true'), hops('1'), hops('3')]).toEqual([0, 0, 1, 1, 3]);
  });

  it('keeps the signalling frame limit within the WebSocket payload limit and a byte burst', () => {
    expect(loadConfig({ PARLEY_MAX_PAYLOAD_BYTES: '8192' }).maxSignalFrameBytes).toBe(8_192);
    expect(() => loadConfig({ PARLEY_RATE_LIMIT_BURST_BYTES: '8192' })).toThrow(
      /PARLEY_RATE_LIMIT_BURST_BYTES .* PARLEY_MAX_SIGNAL_FRAME_BYTES/,
    );
  });

  it('allows a short alive timeout only when asked to explicitly', () => {
    const env = { PARLEY_ALIVE_TIMEOUT_MS: '500' };
    expect(() => loadConfig(env)).toThrow(String(MIN_ALIVE_TIMEOUT_MS));
    expect(loadConfig(env, { allowShortAliveTimeout: true }).aliveTimeoutMs).toBe(500);
  });
});
