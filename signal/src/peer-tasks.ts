/**
 * Runs each peer's asynchronous work in the order it was asked for (its room requests, then its
 * departure), while different peers' work runs concurrently. With the in-memory registry every
 * step settles at once; with Redis a join takes a round trip, and a leave sent right after it
 * must not overtake it.
 */
export class PeerTasks {
  readonly #tails = new Map<string, Promise<unknown>>();

  /** Runs `work` after everything queued for `peerId` before it; resolves with its result. */
  run<T>(peerId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(peerId) ?? Promise.resolve();
    const result = previous.then(work, work);
    const tail = result.catch(() => undefined);
    this.#tails.set(peerId, tail);
    void tail.then(() => {
      if (this.#tails.get(peerId) === tail) this.#tails.delete(peerId);
    });
    return result;
  }

  /** Resolves once everything queued so far, for every peer, has settled. */
  async idle(): Promise<void> {
    while (this.#tails.size > 0) await Promise.all(this.#tails.values());
  }

  /** Peers with work queued. */
  get size(): number {
    return this.#tails.size;
  }
}
