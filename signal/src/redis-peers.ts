import { createHash } from 'node:crypto';
import type { ClaimOutcome, PeerDirectory } from './peer-directory.js';
import type { RedisLink } from './redis-link.js';
import { CLAIM, RELEASE } from './redis-scripts.js';

/**
 * {@link PeerDirectory} in Redis: which node holds each peer ID, claimed atomically at the
 * handshake (an ID held by another node for another token is refused on every node), refreshed by
 * its node (cluster-node.ts), and turned into a reservation for its token when its socket goes.
 * Tokens are stored only as SHA-256 digests.
 */
export class RedisPeerDirectory implements PeerDirectory {
  readonly #link: RedisLink;
  readonly #prefix: string;
  readonly #nodeId: string;
  readonly #claimTtlMs: number;
  readonly #reservationMs: number;

  constructor(
    link: RedisLink,
    options: { prefix: string; nodeId: string; claimTtlMs: number; reservationMs: number },
  ) {
    this.#link = link;
    this.#prefix = options.prefix;
    this.#nodeId = options.nodeId;
    this.#claimTtlMs = options.claimTtlMs;
    this.#reservationMs = options.reservationMs;
  }

  async claim(id: string, token: string): Promise<ClaimOutcome> {
    const reply = await this.#link.run(CLAIM, [
      this.#prefix,
      id,
      tokenDigest(token),
      this.#nodeId,
      this.#claimTtlMs,
    ]);
    return reply === 'ok' || reply === 'taken' ? reply : 'reserved';
  }

  attached(): void {
    // The claim made at the handshake already replaced any reservation.
  }

  async release(id: string): Promise<void> {
    await this.#link.run(RELEASE, [this.#prefix, id, this.#nodeId, this.#reservationMs]);
  }
}

function tokenDigest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
