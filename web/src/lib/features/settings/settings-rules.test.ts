import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SETTINGS,
  MAX_ICE_SERVERS,
  parseStoredSettings,
  type IceServerSetting,
} from './settings-rules';
import {
  checkIceServer,
  checkIceServers,
  checkSignalUrl,
  networkSettingsOf,
  toRtcIceServers,
} from './network-rules';
import { hasTurnServer } from './privacy-rules';

function server(urls: string, username = '', credential = ''): IceServerSetting {
  return { urls, username, credential };
}

describe('checkIceServer', () => {
  it('accepts STUN URLs with and without a port and drops credentials from them', () => {
    expect(checkIceServer(server(' stun:stun.example.org:3478 ', 'x', 'y'))).toEqual({
      ok: true,
      value: server('stun:stun.example.org:3478'),
    });
    expect(checkIceServer(server('stun:[2001:db8::1]'))).toMatchObject({ ok: true });
  });

  it('accepts TURN URLs with a transport when they carry credentials', () => {
    const turn = server('turns:turn.example.org:5349?transport=tcp', 'alice', 's3cret');
    expect(checkIceServer(turn)).toEqual({ ok: true, value: turn });
  });

  it('refuses TURN without a user name or credential', () => {
    expect(checkIceServer(server('turn:turn.example.org', 'alice'))).toEqual({
      ok: false,
      problem: 'credentials',
    });
  });

  it('refuses other schemes, paths, missing hosts and bad ports', () => {
    for (const urls of [
      'http://stun.example.org',
      'stun:',
      'stun:host/path',
      'stun:host:0',
      'stun:host:70000',
      'turn:user@host',
      'stun:host?transport=sctp',
    ]) {
      expect(checkIceServer(server(urls, 'u', 'c'))).toEqual({ ok: false, problem: 'url' });
    }
  });

  it('refuses overlong fields', () => {
    expect(checkIceServer(server(`stun:${'a'.repeat(600)}`))).toEqual({
      ok: false,
      problem: 'tooLong',
    });
  });
});

describe('checkIceServers', () => {
  it('names the first bad entry', () => {
    expect(checkIceServers([server('stun:a.example'), server('nope')])).toEqual({
      ok: false,
      problem: 'url',
      index: 1,
    });
  });

  it('refuses more than the maximum', () => {
    const list = Array.from({ length: MAX_ICE_SERVERS + 1 }, () => server('stun:a.example'));
    expect(checkIceServers(list)).toMatchObject({ ok: false, problem: 'tooMany' });
  });
});

describe('toRtcIceServers', () => {
  it('passes credentials only for servers that have them', () => {
    expect(toRtcIceServers([server('stun:a.example'), server('turn:b.example', 'u', 'c')])).toEqual(
      [{ urls: 'stun:a.example' }, { urls: 'turn:b.example', username: 'u', credential: 'c' }],
    );
  });
});

describe('checkSignalUrl', () => {
  it('takes empty as the page origin and normalizes origins', () => {
    expect(checkSignalUrl('  ')).toEqual({ ok: true, value: '' });
    expect(checkSignalUrl('https://Signal.Example.org:443/')).toEqual({
      ok: true,
      value: 'https://signal.example.org',
    });
    expect(checkSignalUrl('http://127.0.0.1:9000')).toEqual({
      ok: true,
      value: 'http://127.0.0.1:9000',
    });
  });

  it('refuses other schemes, paths, queries, credentials and non-URLs', () => {
    for (const raw of [
      'ws://a.example',
      'https://a.example/peerjs',
      'https://a.example/?x=1',
      'https://u:p@a.example',
      'a.example',
      'javascript:alert(1)',
    ]) {
      expect(checkSignalUrl(raw)).toEqual({ ok: false });
    }
  });
});

describe('parseStoredSettings', () => {
  it('gives the defaults for nothing or garbage', () => {
    expect(parseStoredSettings(undefined)).toEqual(DEFAULT_SETTINGS);
    expect(parseStoredSettings('x')).toEqual(DEFAULT_SETTINGS);
  });

  it('keeps valid fields and resets malformed ones', () => {
    expect(
      parseStoredSettings({
        theme: 'dark',
        iceServers: [server('stun:a.example'), { urls: 1 }],
        signalUrl: 42,
        isRelayOnly: 'yes',
        notifications: true,
        hasAskedPersistence: 'yes',
        extra: 1,
      }),
    ).toEqual({
      theme: 'dark',
      iceServers: [server('stun:a.example')],
      signalUrl: '',
      isRelayOnly: false,
      notifications: true,
      hasAskedPersistence: false,
    });
    expect(parseStoredSettings({ isRelayOnly: true }).isRelayOnly).toBe(true);
  });
});

describe('networkSettingsOf', () => {
  it('leaves out stored network values that no longer pass their checks', () => {
    const stored = parseStoredSettings({
      iceServers: [server('stun:a.example'), server('turn:b.example')],
      signalUrl: 'ftp://x',
    });
    expect(networkSettingsOf(stored)).toEqual({
      iceServers: [],
      signalUrl: null,
      isRelayOnly: false,
    });
    const good = parseStoredSettings({
      iceServers: [server('stun:a.example')],
      signalUrl: 'https://signal.example.org/',
      isRelayOnly: true,
    });
    expect(networkSettingsOf(good)).toEqual({
      iceServers: [{ urls: 'stun:a.example' }],
      signalUrl: new URL('https://signal.example.org'),
      isRelayOnly: true,
    });
  });
});

describe('hasTurnServer', () => {
  it('finds a turn: or turns: URL among the servers, in either RTCIceServer shape', () => {
    expect(hasTurnServer([])).toBe(false);
    expect(hasTurnServer([server('stun:a.example')])).toBe(false);
    expect(hasTurnServer([server('stun:a.example'), server('TURN:b.example:3478')])).toBe(true);
    expect(hasTurnServer([{ urls: ['stun:a.example', 'turns:b.example:443'] }])).toBe(true);
  });
});
