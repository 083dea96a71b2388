import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseRoomFrame } from './room-protocol.js';

const room = createHash('sha256').update(randomBytes(16)).digest('base64url');

describe('parseRoomFrame', () => {
  it('parses JOIN and LEAVE with a valid room key, ignoring extra fields', () => {
    expect(parseRoomFrame({ type: 'X-ROOM-JOIN', payload: { room }, src: 'me' })).toEqual({
      kind: 'request',
      request: { type: 'X-ROOM-JOIN', payload: { room } },
    });
    expect(parseRoomFrame({ type: 'X-ROOM-LEAVE', payload: { room, extra: 1 } })).toEqual({
      kind: 'request',
      request: { type: 'X-ROOM-LEAVE', payload: { room } },
    });
  });

  it.each([
    ['no payload', { type: 'X-ROOM-JOIN' }],
    ['a null payload', { type: 'X-ROOM-JOIN', payload: null }],
    ['a string payload', { type: 'X-ROOM-LEAVE', payload: room }],
    ['an array payload', { type: 'X-ROOM-JOIN', payload: [room] }],
    ['a numeric room', { type: 'X-ROOM-JOIN', payload: { room: 42 } }],
    ['a short room', { type: 'X-ROOM-JOIN', payload: { room: room.slice(1) } }],
    ['an oversize room', { type: 'X-ROOM-JOIN', payload: { room: room.repeat(1000) } }],
  ])('flags a room request with %s as bad-room', (_label, frame) => {
    expect(parseRoomFrame(frame)).toEqual({ kind: 'bad-room' });
  });

  it('flags X-ROOM types clients may not send', () => {
    for (const type of ['X-ROOM-PEERS', 'X-ROOM-JOINED', 'X-ROOM-', 'X-ROOM-join']) {
      expect(parseRoomFrame({ type, payload: { room } })).toEqual({ kind: 'unknown-room-type' });
    }
  });

  it('leaves everything else to PeerServer', () => {
    const others: unknown[] = [
      null,
      42,
      'X-ROOM-JOIN',
      [],
      [{ type: 'X-ROOM-JOIN', payload: { room } }],
      {},
      { type: 5 },
      { type: 'HEARTBEAT' },
      { type: 'OFFER', dst: 'x', payload: {} },
      { type: 'x-room-join', payload: { room } },
    ];
    for (const frame of others) expect(parseRoomFrame(frame)).toEqual({ kind: 'not-room' });
  });
});
