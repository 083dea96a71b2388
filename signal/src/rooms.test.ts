import { describe, expect, it } from 'vitest';
import { InMemoryRoomRegistry, type RoomLimits } from './rooms.js';

function makeRegistry(limits: Partial<RoomLimits> = {}): InMemoryRoomRegistry {
  return new InMemoryRoomRegistry({ maxPeersPerRoom: 16, maxRoomsPerPeer: 32, ...limits });
}

describe('InMemoryRoomRegistry', () => {
  it('returns the peers present before the joiner, in join order, never the joiner', () => {
    const registry = makeRegistry();
    expect(registry.join('a', 'r')).toEqual({ status: 'ok', peers: [], isRejoin: false });
    expect(registry.join('b', 'r')).toEqual({ status: 'ok', peers: ['a'], isRejoin: false });
    expect(registry.join('c', 'r')).toEqual({ status: 'ok', peers: ['a', 'b'], isRejoin: false });
  });

  it('answers a re-join with the other members and flags it, without adding a duplicate', () => {
    const registry = makeRegistry();
    registry.join('a', 'r');
    registry.join('b', 'r');
    expect(registry.join('a', 'r')).toEqual({ status: 'ok', peers: ['b'], isRejoin: true });
    expect(registry.members('r')).toEqual(['a', 'b']);
  });

  it('refuses a joiner when the room is full and keeps no slot for it', () => {
    const registry = makeRegistry({ maxPeersPerRoom: 2 });
    registry.join('a', 'r');
    registry.join('b', 'r');
    expect(registry.join('c', 'r')).toEqual({ status: 'full' });
    expect(registry.members('r')).toEqual(['a', 'b']);
    expect(registry.leaveAll('c')).toEqual([]);
    expect(registry.counts()).toEqual({ rooms: 1, peers: 2 });
  });

  it('lets a re-join through even when the room is full', () => {
    const registry = makeRegistry({ maxPeersPerRoom: 2 });
    registry.join('a', 'r');
    registry.join('b', 'r');
    expect(registry.join('b', 'r')).toMatchObject({ status: 'ok', isRejoin: true });
  });

  it('admits a new member once a slot frees up', () => {
    const registry = makeRegistry({ maxPeersPerRoom: 2 });
    registry.join('a', 'r');
    registry.join('b', 'r');
    registry.leave('a', 'r');
    expect(registry.join('c', 'r')).toEqual({ status: 'ok', peers: ['b'], isRejoin: false });
  });

  it('refuses a peer that is in too many rooms and does not create the room', () => {
    const registry = makeRegistry({ maxRoomsPerPeer: 2 });
    registry.join('a', 'r1');
    registry.join('a', 'r2');
    expect(registry.join('a', 'r3')).toEqual({ status: 'too-many-rooms' });
    expect(registry.members('r3')).toEqual([]);
    expect(registry.counts()).toEqual({ rooms: 2, peers: 1 });
    // Rooms it is already in still answer.
    expect(registry.join('a', 'r1')).toMatchObject({ status: 'ok', isRejoin: true });
  });

  it('reports the remaining members on leave and deletes an emptied room', () => {
    const registry = makeRegistry();
    registry.join('a', 'r');
    registry.join('b', 'r');
    expect(registry.leave('a', 'r')).toEqual({ room: 'r', remaining: ['b'] });
    expect(registry.leave('b', 'r')).toEqual({ room: 'r', remaining: [] });
    expect(registry.counts()).toEqual({ rooms: 0, peers: 0 });
  });

  it('returns null when leaving a room one is not in', () => {
    const registry = makeRegistry();
    registry.join('a', 'r');
    expect(registry.leave('b', 'r')).toBeNull();
    expect(registry.leave('a', 'other')).toBeNull();
    expect(registry.members('r')).toEqual(['a']);
  });

  it('leaves every room on leaveAll and tells who remains in each', () => {
    const registry = makeRegistry();
    registry.join('a', 'r1');
    registry.join('b', 'r1');
    registry.join('a', 'r2');
    registry.join('c', 'r3');
    expect(registry.leaveAll('a')).toEqual([
      { room: 'r1', remaining: ['b'] },
      { room: 'r2', remaining: [] },
    ]);
    expect(registry.counts()).toEqual({ rooms: 2, peers: 2 });
    expect(registry.leaveAll('a')).toEqual([]);
  });

  it('counts rooms and distinct peers', () => {
    const registry = makeRegistry();
    registry.join('a', 'r1');
    registry.join('a', 'r2');
    registry.join('b', 'r2');
    expect(registry.counts()).toEqual({ rooms: 2, peers: 2 });
  });
});
