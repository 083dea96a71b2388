import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import fc from 'fast-check';
import { fakeRoomKey } from '../testing/factories';
import { MAX_SIGNAL_PEERS } from './limits';
import type { RoomReplyInput } from './room-frames';
import { parseSignalFrame, roomJoinFrame, roomLeaveFrame } from './signal-frames';
import { propertyParams } from '../testing/property';

const ROOM = fakeRoomKey(2);

let warn: MockInstance<typeof console.warn>;
beforeEach(() => {
  warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('parseSignalFrame', () => {
  it.each<[string, RoomReplyInput]>([
    ['peers', { type: 'X-ROOM-PEERS', payload: { room: ROOM, peers: ['abc123', 'x-y_z'] } }],
    ['no peers', { type: 'X-ROOM-PEERS', payload: { room: ROOM, peers: [] } }],
    ['full', { type: 'X-ROOM-FULL', payload: { room: ROOM } }],
    ['joined', { type: 'X-ROOM-JOINED', payload: { room: ROOM, peer: 'p1' } }],
    ['left', { type: 'X-ROOM-LEFT', payload: { room: ROOM, peer: 'p1' } }],
    ['error', { type: 'X-ROOM-ERROR', payload: { room: null, reason: 'bad-room' } }],
    ['error with room', { type: 'X-ROOM-ERROR', payload: { room: 'whatever', reason: 'limit' } }],
  ])('accepts %s as an object or a string', (_what, frame) => {
    expect(parseSignalFrame(frame)).toEqual(frame);
    expect(parseSignalFrame(JSON.stringify(frame))).toEqual(frame);
    expect(warn).not.toHaveBeenCalled();
  });

  it.each<[string, unknown]>([
    ['OPEN', { type: 'OPEN' }],
    ['OFFER', { type: 'OFFER', src: 'a', dst: 'b', payload: {} }],
    ['HEARTBEAT', '{"type":"HEARTBEAT"}'],
    ['no type', { payload: {} }],
    ['null', null],
    ['a number', 7],
  ])('returns null silently for PeerJS frames and non-frames: %s', (_what, input) => {
    expect(parseSignalFrame(input)).toBeNull();
    expect(warn).not.toHaveBeenCalled();
  });

  it.each<[string, unknown]>([
    ['an unknown X-ROOM type', { type: 'X-ROOM-PARTY', payload: { room: ROOM } }],
    ['a bad room key', { type: 'X-ROOM-FULL', payload: { room: 'room' } }],
    ['a missing payload', { type: 'X-ROOM-JOINED' }],
    ['a bad peer id', { type: 'X-ROOM-JOINED', payload: { room: ROOM, peer: '<script>' } }],
    ['peers that are not strings', { type: 'X-ROOM-PEERS', payload: { room: ROOM, peers: [1] } }],
    [
      'too many peers',
      {
        type: 'X-ROOM-PEERS',
        payload: {
          room: ROOM,
          peers: Array.from({ length: MAX_SIGNAL_PEERS + 1 }, (_, i) => `p${i}`),
        },
      },
    ],
    ['a long reason', { type: 'X-ROOM-ERROR', payload: { room: null, reason: 'r'.repeat(1000) } }],
    ['bad JSON', '{"type":"X-ROOM-'],
  ])('returns null with a warning for %s', (_what, input) => {
    expect(parseSignalFrame(input)).toBeNull();
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it('never throws and only returns X-ROOM frames (fuzz)', () => {
    const near = fc.record({
      type: fc.constantFrom(
        'X-ROOM-PEERS',
        'X-ROOM-FULL',
        'X-ROOM-JOINED',
        'X-ROOM-LEFT',
        'X-ROOM-ERROR',
        'OPEN',
      ),
      payload: fc.oneof(
        fc.anything(),
        fc.record({
          room: fc.oneof(fc.constant(ROOM), fc.string(), fc.constant(null)),
          peers: fc.array(fc.string(), { maxLength: 5 }),
          peer: fc.string(),
          reason: fc.string(),
        }),
      ),
    });
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.json(), near), (input) => {
        const parsed = parseSignalFrame(input);
        if (parsed) expect(parsed.type.startsWith('X-ROOM-')).toBe(true);
      }),
      propertyParams(31_337, 2000),
    );
  }, 60_000);
});

describe('client frames', () => {
  it('build X-ROOM-JOIN and X-ROOM-LEAVE', () => {
    expect(roomJoinFrame(ROOM)).toEqual({ type: 'X-ROOM-JOIN', payload: { room: ROOM } });
    expect(roomLeaveFrame(ROOM)).toEqual({ type: 'X-ROOM-LEAVE', payload: { room: ROOM } });
  });
});
