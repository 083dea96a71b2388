import { describe, expect, it } from 'vitest';
import * as v from 'valibot';
import { fakeRoomKey } from '../testing/factories';
import {
  iceServerSchema,
  isBoundedJson,
  peerIdSchema,
  relayFrameSchema,
  roomKeySchema,
  roomRequestSchema,
} from './room-frames';

const ROOM = fakeRoomKey(3);

describe('room frame schemas (shared with the signal server)', () => {
  it('accept canonical room keys and PeerJS peer ids only', () => {
    expect(v.is(roomKeySchema, ROOM)).toBe(true);
    expect(v.is(roomKeySchema, `${ROOM.slice(0, 42)}B`)).toBe(false); // non-canonical last char
    expect(v.is(roomKeySchema, ROOM.slice(1))).toBe(false);
    expect(v.is(peerIdSchema, 'p0123abcd')).toBe(true);
    expect(v.is(peerIdSchema, 'a-b_c d')).toBe(true);
    for (const id of ['', '-a', 'a--b', '<x>', 'x'.repeat(129)]) {
      expect(v.is(peerIdSchema, id)).toBe(false);
    }
  });

  it('parse a join request and drop unknown keys', () => {
    expect(
      v.parse(roomRequestSchema, { type: 'X-ROOM-JOIN', payload: { room: ROOM, x: 1 }, y: 2 }),
    ).toEqual({ type: 'X-ROOM-JOIN', payload: { room: ROOM } });
  });

  it('accept the candidate PeerJS sends and refuse a shape it never sends', () => {
    const candidate = {
      type: 'CANDIDATE',
      dst: 'pabc',
      payload: {
        candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMid: '0' },
        type: 'data',
        connectionId: 'dc_abc123',
      },
    };
    expect(v.is(relayFrameSchema, candidate)).toBe(true);
    expect(
      v.is(relayFrameSchema, { ...candidate, payload: { ...candidate.payload, type: 'x' } }),
    ).toBe(false);
  });

  it('bound ICE server entries', () => {
    expect(v.is(iceServerSchema, { urls: 'stun:a.example' })).toBe(true);
    expect(v.is(iceServerSchema, { urls: Array.from({ length: 17 }, () => 'stun:a') })).toBe(false);
    expect(v.is(iceServerSchema, { urls: 'turn:a', username: 'u'.repeat(513) })).toBe(false);
  });
});

describe('isBoundedJson', () => {
  it('accepts plain JSON within the depth and refuses anything else', () => {
    expect(isBoundedJson({ room: ROOM, v: 1, tags: ['a'] }, 2)).toBe(true);
    expect(isBoundedJson({ a: { b: { c: 1 } } }, 2)).toBe(false);
    expect(isBoundedJson('text', 0)).toBe(true);
    expect(isBoundedJson([], 0)).toBe(false);
    for (const value of [undefined, Number.NaN, Infinity, () => 1, new Date(), 1n]) {
      expect(isBoundedJson(value, 4)).toBe(false);
    }
  });

  it('checks a hostile depth without recursion', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(isBoundedJson(deep, 4)).toBe(false);
  });
});
