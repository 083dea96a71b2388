import { IdReservations } from './id-reservations.js';

/**
 * Who may have a peer ID. PeerServer only knows the IDs on its own node and frees one the moment
 * its socket closes; this says, before PeerServer registers anything, whether a handshake may have
 * an ID that is not connected to this node: not while another token holds it on another node
 * (scale-out), nor while it is reserved for its owner's token after a socket went
 * (PEER_ID_RESERVATION_MS). In memory for one process; in Redis (redis-peers.ts) for many.
 */

/** The answer to a claim. */
export type ClaimOutcome =
  /** The ID is this handshake's now. */
  | 'ok'
  /** Another node holds the ID for another token. */
  | 'taken'
  /** The ID is reserved for another token (its socket went a moment ago). */
  | 'reserved';

export interface PeerDirectory {
  /** A handshake for `id` with `token`, which is not connected to this node: takes it if it may. */
  claim(id: string, token: string, nowMs: number): Promise<ClaimOutcome>;
  /** PeerServer registered `id` here: any reservation of it is over. */
  attached(id: string): void;
  /** `id`'s socket went (or its handshake never completed): hold it for `token`. */
  release(id: string, token: string, nowMs: number): Promise<void>;
}

/** {@link PeerDirectory} of one process: the reservations; PeerServer knows the rest. */
export class InMemoryPeerDirectory implements PeerDirectory {
  readonly #reservations: IdReservations;

  constructor(reservationMs: number, maxReservations: number) {
    this.#reservations = new IdReservations(reservationMs, maxReservations);
  }

  claim(id: string, token: string, nowMs: number): Promise<ClaimOutcome> {
    return Promise.resolve(this.#reservations.mayClaim(id, token, nowMs) ? 'ok' : 'reserved');
  }

  attached(id: string): void {
    this.#reservations.release(id);
  }

  release(id: string, token: string, nowMs: number): Promise<void> {
    this.#reservations.reserve(id, token, nowMs);
    return Promise.resolve();
  }
}
