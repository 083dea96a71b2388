import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, MIN_ALIVE_TIMEOUT_MS } from './config.js';

describe('loadConfig', () => {
  it('uses the documented defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config).toEqual({
      port: 9000,
      host: '0.0.0.0',
      staticDir: fileURLToPath(new URL('../../dist/web', import.meta.url)),
      allowedOrigins: [],
      maxPeersPerRoom: 16,
      maxRoomsPerPeer: 32,
      maxConnectionsPerIp: 64,
      rateLimitBurstMessages: 300,
      rateLimitMessagesPerSec: 60,
      aliveTimeoutMs: 90_000,
      expireTimeoutMs: 5_000,
      maxPayloadBytes: 65_536,
      logLevel: 'info',
      isProxied: false,
      stunUrls: [],
      turnUrls: [],
      turnSecret: undefined,
      turnTtlS: 3_600,
    });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      PARLEY_STATIC_DIR: '/srv/web',
      PARLEY_ALLOWED_ORIGINS: 'https://a.example, http://localhost:5173/',
      PARLEY_MAX_PEERS_PER_ROOM: '8',
      PARLEY_MAX_ROOMS_PER_PEER: '4',
      PARLEY_MAX_CONNECTIONS_PER_IP: '10',
      PARLEY_RATE_LIMIT_BURST: '50',
      PARLEY_RATE_LIMIT_PER_SEC: '2.5',
      PARLEY_ALIVE_TIMEOUT_MS: '120000',
      PARLEY_EXPIRE_TIMEOUT_MS: '3000',
      PARLEY_MAX_PAYLOAD_BYTES: '16384',
      PARLEY_LOG_LEVEL: 'DEBUG',
      PARLEY_PROXIED: 'true',
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
      maxConnectionsPerIp: 10,
      rateLimitBurstMessages: 50,
      rateLimitMessagesPerSec: 2.5,
      aliveTimeoutMs: 120_000,
      expireTimeoutMs: 3_000,
      maxPayloadBytes: 16_384,
      logLevel: 'debug',
      isProxied: true,
      stunUrls: ['stun:stun.example:3478'],
      turnUrls: ['turns:turn.example:5349'],
      turnSecret: 'secret',
      turnTtlS: 600,
    });
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
    ['PARLEY_ALLOWED_ORIGINS', 'localhost:5173'],
    ['PARLEY_ALLOWED_ORIGINS', 'https://a.example/app'],
    ['PARLEY_ALLOWED_ORIGINS', 'ftp://a.example'],
  ])('rejects %s=%s with an error naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(name);
  });

  it('allows a short alive timeout only when asked to explicitly', () => {
    const env = { PARLEY_ALIVE_TIMEOUT_MS: '500' };
    expect(() => loadConfig(env)).toThrow(String(MIN_ALIVE_TIMEOUT_MS));
    expect(loadConfig(env, { allowShortAliveTimeout: true }).aliveTimeoutMs).toBe(500);
  });
});
