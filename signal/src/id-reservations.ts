import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Peer IDs that just lost their socket, held for their token for a while. PeerServer frees an ID
 * the moment its socket closes, and every room member knows every other member's ID: whoever
 * claims it first (with any token) gets it, and the owner's reconnect is answered ID-TAKEN. Here,
 * until the reservation lapses, only the owner's token may claim it again.
 *
 * Tokens are kept as SHA-256 digests. Bounded: past `maxEntries` the oldest reservations go.
 */
export class IdReservations {
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  /** ID → token digest and expiry; insertion order is expiry order (one TTL for all). */
  readonly #byId = new Map<string, { tokenDigest: Buffer; untilMs: number }>();

  constructor(ttlMs: number, maxEntries: number) {
    this.#ttlMs = ttlMs;
    this.#maxEntries = maxEntries;
  }

  /** Holds `id` for `token` from `nowMs`. */
  reserve(id: string, token: string, nowMs: number): void {
    this.#byId.delete(id);
    this.#byId.set(id, { tokenDigest: digest(token), untilMs: nowMs + this.#ttlMs });
    this.#prune(nowMs);
  }

  /** False when `id` is held for another token. */
  mayClaim(id: string, token: string, nowMs: number): boolean {
    const reservation = this.#byId.get(id);
    if (!reservation) return true;
    if (reservation.untilMs <= nowMs) {
      this.#byId.delete(id);
      return true;
    }
    return timingSafeEqual(reservation.tokenDigest, digest(token));
  }

  /** Ends the reservation of `id` (its owner is back). */
  release(id: string): void {
    this.#byId.delete(id);
  }

  /** Reservations held. */
  get size(): number {
    return this.#byId.size;
  }

  #prune(nowMs: number): void {
    for (const [id, reservation] of this.#byId) {
      if (reservation.untilMs > nowMs && this.#byId.size <= this.#maxEntries) break;
      this.#byId.delete(id);
    }
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
