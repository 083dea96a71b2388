import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseIceServers } from './ice-servers';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('parseIceServers', () => {
  it('keeps well-formed STUN and TURN entries with only the fields WebRTC reads', () => {
    const turn = {
      urls: ['turn:turn.example:3478?transport=udp', 'turns:turn.example:5349'],
      username: '1700000000:parley',
      credential: 'c2VjcmV0',
    };
    expect(
      parseIceServers({ iceServers: [{ urls: 'stun:stun.example:3478', extra: 1 }, turn] }),
    ).toEqual([{ urls: 'stun:stun.example:3478' }, turn]);
  });

  it('drops malformed entries with a warning and keeps the rest', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const good = { urls: 'stun:ok.example' };
    const servers = parseIceServers({
      iceServers: [
        null,
        'stun:bare-string.example',
        {},
        { urls: [] },
        { urls: ['stun:a.example', 42] },
        { urls: 'turn:t.example', username: 7, credential: 'x' },
        { urls: 'turn:t.example', username: 'u', credential: { secret: true } },
        good,
      ],
    });
    expect(servers).toEqual([good]);
    expect(warn).toHaveBeenCalledTimes(7);
  });

  it('returns nothing for a body without a list', () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect(parseIceServers(null)).toEqual([]);
    expect(parseIceServers({ iceServers: 'stun:x' })).toEqual([]);
  });
});
