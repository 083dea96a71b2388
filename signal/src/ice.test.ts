import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';
import { iceServersFor } from './ice.js';

const base = { stunUrls: [], turnUrls: [], turnSecret: undefined, turnTtlS: 3600 };

describe('iceServersFor', () => {
  it('hands out nothing when nothing is configured', () => {
    expect(iceServersFor(base, 0)).toEqual({ iceServers: [] });
  });

  it('hands out STUN as configured', () => {
    const report = iceServersFor({ ...base, stunUrls: ['stun:stun.example:3478'] }, 0);
    expect(report.iceServers).toEqual([{ urls: ['stun:stun.example:3478'] }]);
  });

  it('signs short-lived TURN credentials the way coturn checks them', () => {
    const report = iceServersFor(
      { ...base, turnUrls: ['turn:turn.example:3478'], turnSecret: 's3cret', turnTtlS: 600 },
      1_700_000_000_000,
    );
    const turn = report.iceServers[0];
    expect(turn?.username).toBe('1700000600:parley');
    const expected = createHmac('sha1', 's3cret').update('1700000600:parley').digest('base64');
    expect(turn?.credential).toBe(expected);
  });
});

describe('ICE configuration', () => {
  it('reads STUN and TURN from the environment', () => {
    const config = loadConfig({
      PARLEY_STUN_URLS: 'stun:a.example:3478, stuns:b.example',
      PARLEY_TURN_URLS: 'turn:t.example:3478?transport=udp',
      PARLEY_TURN_SECRET: 'x',
    });
    expect(config.stunUrls).toEqual(['stun:a.example:3478', 'stuns:b.example']);
    expect(config.turnUrls).toEqual(['turn:t.example:3478?transport=udp']);
    expect(config.turnTtlS).toBe(3600);
  });

  it('refuses TURN without a secret, a secret without TURN, and URLs of the wrong scheme', () => {
    expect(() => loadConfig({ PARLEY_TURN_URLS: 'turn:t.example' })).toThrow(ConfigError);
    expect(() => loadConfig({ PARLEY_TURN_SECRET: 'x' })).toThrow(/PARLEY_TURN_URLS/);
    expect(() => loadConfig({ PARLEY_STUN_URLS: 'turn:t.example' })).toThrow(/PARLEY_STUN_URLS/);
    expect(() => loadConfig({ PARLEY_STUN_URLS: 'http://x' })).toThrow(ConfigError);
  });
});
