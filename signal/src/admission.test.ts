import { describe, expect, it } from 'vitest';
import { ConnectionPool, type AdmissionLimits, type PooledConnection } from './admission.js';

interface Conn extends PooledConnection {
  name: string;
  isInRoom: boolean;
}

const limits: AdmissionLimits = {
  maxConnections: 4,
  maxConnectionsPerAddress: 3,
  idleSocketMs: 1_000,
  handshakeBurstPerAddress: 5,
  handshakesPerAddressPerSec: 1,
};

function makePool(overrides: Partial<AdmissionLimits> = {}) {
  const pool = new ConnectionPool<Conn>({ ...limits, ...overrides });
  const admit = (address: string, nowMs: number, name: string, isInRoom = true) =>
    pool.admit(
      address,
      nowMs,
      () => ({ address, connectedAtMs: nowMs, lastActiveAtMs: nowMs, name, isInRoom }),
      (c) => !c.isInRoom,
    );
  return { pool, admit };
}

const evictedName = (admission: ReturnType<ReturnType<typeof makePool>['admit']>) =>
  admission.status === 'admitted' ? (admission.evicted?.name ?? null) : admission.status;

describe('ConnectionPool', () => {
  it('caps connections per address and frees a slot on release', () => {
    const { pool, admit } = makePool();
    const first = admit('a', 0, 'a1');
    admit('a', 0, 'a2');
    admit('a', 0, 'a3');
    expect(admit('a', 0, 'a4').status).toBe('address-full');
    if (first.status === 'admitted') pool.release(first.connection);
    expect(admit('a', 0, 'a4').status).toBe('admitted');
    expect(pool.size).toBe(3);
  });

  it('limits how fast one address opens connections', () => {
    const { pool, admit } = makePool({ maxConnectionsPerAddress: 100, maxConnections: 100 });
    for (let i = 0; i < 5; i++) {
      const admission = admit('a', 0, `a${i}`);
      if (admission.status === 'admitted') pool.release(admission.connection);
    }
    expect(admit('a', 0, 'too-fast').status).toBe('too-fast');
    expect(admit('b', 0, 'b').status).toBe('admitted');
    expect(admit('a', 1_000, 'later').status).toBe('admitted');
  });

  it('evicts the oldest idle connection, from the address with the most, when full', () => {
    const { admit } = makePool();
    admit('a', 0, 'a-idle-old', false);
    admit('b', 100, 'b-idle', false);
    admit('b', 200, 'b-idle-2', false);
    admit('c', 300, 'c-member');
    // Nobody idle long enough yet, so fair share decides: b holds 2, two more than the newcomer's
    // address, and gives up its least recently active (idle first).
    expect(evictedName(admit('d', 500, 'd'))).toBe('b-idle');
    // Later, idle ones go first: a and b hold one each now, and a's is the older.
    expect(evictedName(admit('e', 2_000, 'e'))).toBe('a-idle-old');
    expect(evictedName(admit('f', 2_100, 'f'))).toBe('b-idle-2');
  });

  it('takes one from the heaviest address when nobody is idle, never from an equal share', () => {
    const { admit } = makePool();
    admit('a', 0, 'a1');
    admit('a', 10, 'a2');
    admit('a', 20, 'a3');
    admit('b', 30, 'b1');
    expect(evictedName(admit('c', 40, 'c1'))).toBe('a1');
    // a holds 2, c holds 1, b 1: a newcomer from a (2) may not take from anyone.
    expect(admit('a', 50, 'a4').status).toBe('server-full');
    // A new address may still take from a (2 ≥ 0 + 2).
    expect(evictedName(admit('d', 60, 'd1'))).toBe('a2');
    // Now every address holds 1: full for everyone.
    expect(admit('e', 70, 'e1').status).toBe('server-full');
  });
});
