import { describe, expect, it } from 'vitest';
import { IdReservations } from './id-reservations.js';

describe('IdReservations', () => {
  it('holds an ID for its token until the reservation lapses or is released', () => {
    const reservations = new IdReservations(1_000, 100);
    expect(reservations.mayClaim('p1', 'anyone', 0)).toBe(true);
    reservations.reserve('p1', 'owner', 0);
    expect(reservations.mayClaim('p1', 'thief', 999)).toBe(false);
    expect(reservations.mayClaim('p1', 'owner', 999)).toBe(true);
    expect(reservations.mayClaim('p1', 'thief', 1_000)).toBe(true);
    reservations.reserve('p2', 'owner', 0);
    reservations.release('p2');
    expect(reservations.mayClaim('p2', 'thief', 1)).toBe(true);
  });

  it('stays bounded, dropping the oldest reservations first', () => {
    const reservations = new IdReservations(60_000, 3);
    for (let i = 0; i < 10; i++) reservations.reserve(`p${i}`, 't', i);
    expect(reservations.size).toBe(3);
    expect(reservations.mayClaim('p0', 'thief', 20)).toBe(true);
    expect(reservations.mayClaim('p9', 'thief', 20)).toBe(false);
  });
});
