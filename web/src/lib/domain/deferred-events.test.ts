import { describe, expect, it } from 'vitest';
import { isWaitingForDue, noteDeferred, type Deferrals } from './deferred-events';
import { fakeFingerprint, fakeRoomKey } from '../testing/factories';

const ROOM = fakeRoomKey(1);
const MALLORY = fakeFingerprint(3);
const NOW = 1_700_000_000_000;
const DRIFT = 300_000;

describe('deferred events', () => {
  it('waits for a deferred seq until it is due, then forgets it', () => {
    const deferrals: Deferrals = new Map();
    noteDeferred(deferrals, ROOM, MALLORY, 2, NOW + 3_600_000, DRIFT, 8);
    expect(isWaitingForDue(deferrals, ROOM, MALLORY, 2, NOW)).toBe(true);
    // Something before it is lacking: that is asked for.
    expect(isWaitingForDue(deferrals, ROOM, MALLORY, 1, NOW)).toBe(false);
    expect(isWaitingForDue(deferrals, ROOM, fakeFingerprint(4), 2, NOW)).toBe(false);
    expect(isWaitingForDue(deferrals, ROOM, MALLORY, 2, NOW + 3_600_000 - DRIFT)).toBe(false);
    expect(deferrals.size).toBe(0);
  });

  it('keeps the lowest seq per author and at most the given number of entries', () => {
    const deferrals: Deferrals = new Map();
    noteDeferred(deferrals, ROOM, MALLORY, 5, NOW + 3_600_000, DRIFT, 2);
    noteDeferred(deferrals, ROOM, MALLORY, 7, NOW + 3_600_000, DRIFT, 2);
    noteDeferred(deferrals, ROOM, MALLORY, 3, NOW + 3_600_000, DRIFT, 2);
    expect(isWaitingForDue(deferrals, ROOM, MALLORY, 3, NOW)).toBe(true);
    noteDeferred(deferrals, ROOM, fakeFingerprint(4), 1, NOW + 3_600_000, DRIFT, 2);
    noteDeferred(deferrals, ROOM, fakeFingerprint(5), 1, NOW + 3_600_000, DRIFT, 2);
    expect(deferrals.size).toBe(2);
    expect(isWaitingForDue(deferrals, ROOM, MALLORY, 3, NOW)).toBe(false);
  });
});
