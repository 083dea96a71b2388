import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, ICE_CREDENTIALS_BURST_PER_IP, loadConfig } from './config.js';
import { IceIssuer, iceServersFor, type IceConfig } from './ice.js';

const base: IceConfig = { stunUrls: [], turnUrls: [], turnSecret: undefined, turnTtlS: 600 };
const withTurn: IceConfig = {
  stunUrls: ['stun:stun.example:3478'],
  turnUrls: ['turn:turn.example:3478'],
  turnSecret: 's3cret',
  turnTtlS: 600,
};

describe('iceServersFor', () => {
  it('hands out nothing when nothing is configured', () => {
    expect(iceServersFor(base, 0, 'tag')).toEqual([]);
  });

  it('hands out STUN as configured', () => {
    const servers = iceServersFor({ ...base, stunUrls: ['stun:stun.example:3478'] }, 0, 'tag');
    expect(servers).toEqual([{ urls: ['stun:stun.example:3478'] }]);
  });

  it('signs short-lived TURN credentials for one session the way coturn checks them', () => {
    const [, turn] = iceServersFor(withTurn, 1_700_000_000_000, 'a1b2c3d4');
    expect(turn?.username).toBe('1700000600:a1b2c3d4');
    const expected = createHmac('sha1', 's3cret').update('1700000600:a1b2c3d4').digest('base64');
    expect(turn?.credential).toBe(expected);
  });

  it('leaves TURN out when asked to', () => {
    expect(iceServersFor(withTurn, 0, 'tag', false)).toEqual([
      { urls: ['stun:stun.example:3478'] },
    ]);
  });
});

describe('IceIssuer', () => {
  it('sends nothing when nothing is configured', () => {
    expect(new IceIssuer(base, 100).open('p1', 'tag', '10.0.0.1', 0)).toBeNull();
  });

  it('refreshes a session once its credential is half-way to expiry, until it is forgotten', () => {
    const issuer = new IceIssuer(withTurn, 100);
    const opened = issuer.open('p1', 'tag', '10.0.0.1', 0);
    expect(opened?.hasTurn).toBe(true);
    expect(issuer.refresh(299_999)).toEqual([]);
    const [fresh] = issuer.refresh(300_000);
    expect(fresh?.peerId).toBe('p1');
    expect(fresh?.frame.payload.iceServers[1]).toMatchObject({ username: '900:tag' });
    expect(issuer.refresh(300_001)).toEqual([]);
    issuer.forget('p1');
    expect(issuer.refresh(10_000_000)).toEqual([]);
  });

  it('withholds TURN from an address that churns sessions, and catches up later', () => {
    const issuer = new IceIssuer(withTurn, 100);
    for (let i = 0; i < ICE_CREDENTIALS_BURST_PER_IP; i++) {
      expect(issuer.open(`p${i}`, 'tag', '10.0.0.1', 0)?.hasTurn).toBe(true);
    }
    const starved = issuer.open('late', 'tag', '10.0.0.1', 0);
    expect(starved?.hasTurn).toBe(false);
    expect(starved?.frame.payload.iceServers).toEqual([{ urls: ['stun:stun.example:3478'] }]);
    // Another address is not affected.
    expect(issuer.open('other', 'tag', '10.0.0.2', 0)?.hasTurn).toBe(true);
    // Once the address's budget refills (30 a minute), the starved session gets its credential.
    expect(issuer.refresh(2_000).map((issued) => issued.peerId)).toEqual(['late']);
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
    expect(config.turnTtlS).toBe(600);
  });

  it('refuses TURN without a secret, a secret without TURN, and URLs of the wrong scheme', () => {
    expect(() => loadConfig({ PARLEY_TURN_URLS: 'turn:t.example' })).toThrow(ConfigError);
    expect(() => loadConfig({ PARLEY_TURN_SECRET: 'x' })).toThrow(/PARLEY_TURN_URLS/);
    expect(() => loadConfig({ PARLEY_STUN_URLS: 'turn:t.example' })).toThrow(/PARLEY_STUN_URLS/);
    expect(() => loadConfig({ PARLEY_STUN_URLS: 'http://x' })).toThrow(ConfigError);
  });
});
