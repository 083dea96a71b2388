import { MIN_TRACKED_ADDRESSES } from './config.js';
import { KeyedTokenBuckets } from './limits.js';

/**
 * Who may open a signalling socket: at most so many per client address, so many new ones per
 * second per address, and so many in all. When the server is full a newcomer is not simply
 * refused — that let 79 addresses of idle sockets lock every new user out — but makes room:
 *
 * 1. a socket that has been in no room for `idleSocketMs` goes first (from the address holding
 *    the most such sockets, oldest first): it has not joined anything, it can reconnect;
 * 2. else one socket of the address holding the most, if that address holds at least two more
 *    than the newcomer's would (its idle sockets, then its least recently active one);
 * 3. else the newcomer is refused.
 *
 * So filling the server takes about `maxConnections` distinct addresses, not
 * `maxConnections / maxConnectionsPerIp`. Pure apart from the `evict` callbacks it returns.
 */

/** One admitted connection, as the pool tracks it. */
export interface PooledConnection {
  /** The client address it is counted against. */
  readonly address: string;
  /** When it was admitted. */
  readonly connectedAtMs: number;
  /** When it last did something other than keep alive (joined a room, signalled a peer). */
  lastActiveAtMs: number;
}

/** The pool's bounds. */
export interface AdmissionLimits {
  /** Most connections in all. */
  maxConnections: number;
  /** Most connections per client address. */
  maxConnectionsPerAddress: number;
  /** A connection in no room for this long may be evicted for a newcomer. */
  idleSocketMs: number;
  /** New connections one address may open at once. */
  handshakeBurstPerAddress: number;
  /** New connections per second per address, after the burst. */
  handshakesPerAddressPerSec: number;
}

/** The answer to a connection attempt. */
export type Admission<C extends PooledConnection> =
  /** Admitted; `evicted` (if any) must be closed by the caller to make room. */
  | { status: 'admitted'; connection: C; evicted: C | null }
  /** The address already holds `maxConnectionsPerAddress`. */
  | { status: 'address-full' }
  /** The address opens connections faster than `handshakesPerAddressPerSec`. */
  | { status: 'too-fast' }
  /** Full, and nobody may be evicted for this newcomer. */
  | { status: 'server-full' };

export class ConnectionPool<C extends PooledConnection> {
  readonly #limits: AdmissionLimits;
  readonly #byAddress = new Map<string, Set<C>>();
  readonly #handshakes: KeyedTokenBuckets;
  #size = 0;

  constructor(limits: AdmissionLimits) {
    this.#limits = limits;
    this.#handshakes = new KeyedTokenBuckets(
      limits.handshakeBurstPerAddress,
      limits.handshakesPerAddressPerSec,
      // An entry per address that connected recently; full buckets are dropped first.
      Math.max(MIN_TRACKED_ADDRESSES, limits.maxConnections),
    );
  }

  /**
   * Decides on a connection from `address`. `create` makes the entry once admitted; `isIdle`
   * says whether a connection is in no room (eviction candidates).
   */
  admit(
    address: string,
    nowMs: number,
    create: () => C,
    isIdle: (connection: C) => boolean,
  ): Admission<C> {
    const held = this.#byAddress.get(address)?.size ?? 0;
    if (held >= this.#limits.maxConnectionsPerAddress) return { status: 'address-full' };
    if (!this.#handshakes.tryTake(address, nowMs)) return { status: 'too-fast' };
    let evicted: C | null = null;
    if (this.#size >= this.#limits.maxConnections) {
      evicted = this.#chooseEviction(held, nowMs, isIdle);
      if (!evicted) return { status: 'server-full' };
      this.release(evicted);
    }
    const connection = create();
    const set = this.#byAddress.get(address);
    if (set) set.add(connection);
    else this.#byAddress.set(address, new Set([connection]));
    this.#size++;
    return { status: 'admitted', connection, evicted };
  }

  /** Forgets `connection` (its socket closed, or it was evicted); safe to call twice. */
  release(connection: C): void {
    const set = this.#byAddress.get(connection.address);
    if (!set?.delete(connection)) return;
    this.#size--;
    if (set.size === 0) this.#byAddress.delete(connection.address);
  }

  /** Connections held. */
  get size(): number {
    return this.#size;
  }

  /** Distinct addresses holding connections. */
  get addressCount(): number {
    return this.#byAddress.size;
  }

  #chooseEviction(newcomerHeld: number, nowMs: number, isIdle: (c: C) => boolean): C | null {
    const isEvictableIdle = (c: C): boolean =>
      nowMs - c.connectedAtMs >= this.#limits.idleSocketMs && isIdle(c);

    // 1. Idle sockets, from the address with the most of them, oldest first.
    let best: { connection: C; count: number } | null = null;
    for (const set of this.#byAddress.values()) {
      let oldest: C | null = null;
      let count = 0;
      for (const connection of set) {
        if (!isEvictableIdle(connection)) continue;
        count++;
        if (!oldest || connection.connectedAtMs < oldest.connectedAtMs) oldest = connection;
      }
      const isBetter =
        oldest &&
        (!best ||
          count > best.count ||
          (count === best.count && oldest.connectedAtMs < best.connection.connectedAtMs));
      if (oldest && isBetter) best = { connection: oldest, count };
    }
    if (best) return best.connection;

    // 2. Fair share: the heaviest address gives up one, if it holds clearly more than the
    //    newcomer's address would.
    let heaviest: Set<C> | null = null;
    for (const set of this.#byAddress.values()) {
      if (!heaviest || set.size > heaviest.size) heaviest = set;
    }
    if (!heaviest || heaviest.size < newcomerHeld + 2) return null;
    const leastActive = (candidates: C[]): C | null =>
      candidates.reduce<C | null>(
        (choice, c) => (!choice || c.lastActiveAtMs < choice.lastActiveAtMs ? c : choice),
        null,
      );
    const members = [...heaviest];
    return leastActive(members.filter(isIdle)) ?? leastActive(members);
  }
}
