import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseIceFrame, parseIceServers } from './ice-servers';

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

describe('parseIceFrame', () => {
  const stun = { urls: 'stun:stun.example:3478' };

  it('reads the servers of an X-ICE frame, parsed or as text', () => {
    const frame = { type: 'X-ICE', payload: { iceServers: [stun] } };
    expect(parseIceFrame(frame)).toEqual([stun]);
    expect(parseIceFrame(JSON.stringify(frame))).toEqual([stun]);
  });

  it('returns null for every other frame, silently', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    for (const raw of [
      { type: 'OPEN' },
      { type: 'X-ROOM-PEERS', payload: { iceServers: [stun] } },
      'not json',
      null,
      42,
    ]) {
      expect(parseIceFrame(raw)).toBeNull();
    }
    expect(warn).not.toHaveBeenCalled();
  });

  it('keeps nothing from a malformed X-ICE frame, with a warning', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect(parseIceFrame({ type: 'X-ICE', payload: { iceServers: 'stun:x' } })).toEqual([]);
    expect(parseIceFrame({ type: 'X-ICE' })).toEqual([]);
    expect(warn).toHaveBeenCalledTimes(2);
  });
});
