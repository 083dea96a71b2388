/**
 * Our digests of each author's chain of events per room (DESIGN §6 "Hostile members"): carried in
 * `sync` and `have` so members who hold different events at the same (author, seq) find out.
 * Built incrementally from the store (domain/equivocation.ts), one run at a time per room.
 */
import { chainDigest, emptyChain, extendChain, type ChainState } from '../domain/equivocation';
import { keysOf } from '../domain/records';
import { vectorSeq, type VersionVector } from '../domain/version-vector';
import { MAX_BATCH_EVENTS, MAX_CHAIN_AUTHORS } from '../protocol/limits';
import type { ChatStore } from '../storage/chat-store';
import type { Fingerprint, RoomKey } from '../protocol/ids';

/** One author's chain as digested here, with the disputes it was built with. */
interface ChainCache {
  /** null: a seq is neither held nor disputed (deleted or refused here): not comparable. */
  chain: ChainState | null;
  /** How many disputed seqs of the author the chain knew (more: it is built again). */
  disputes: number;
}

/** The digests of the rooms this engine syncs. */
export class ChainDigests {
  #store: Pick<ChatStore, 'getConversation' | 'listAuthorEvents'>;
  #isStopped: () => boolean;
  /** Per room and author, our chain; and its digests as frames carry them. */
  #chains = new Map<RoomKey, Map<Fingerprint, ChainCache>>();
  #digests = new Map<RoomKey, Record<Fingerprint, string>>();
  /** Per room, the digesting under way. */
  #digesting = new Map<RoomKey, Promise<boolean>>();

  constructor(
    store: Pick<ChatStore, 'getConversation' | 'listAuthorEvents'>,
    isStopped: () => boolean,
  ) {
    this.#store = store;
    this.#isStopped = isStopped;
  }

  /** Our digests of `room`, by author. */
  of(room: RoomKey): Record<Fingerprint, string> {
    return this.#digests.get(room) ?? {};
  }

  /** Our digests of the authors whose chain we digested up to their seq in `vector`. */
  at(room: RoomKey, vector: VersionVector): Record<Fingerprint, string> {
    const digests = this.of(room);
    const chains: Record<Fingerprint, string> = {};
    for (const author of keysOf(digests)) {
      const digest = digests[author];
      if (digest?.startsWith(`${vectorSeq(vector, author)}:`)) chains[author] = digest;
    }
    return chains;
  }

  /**
   * Brings the digests of `room` up to its vector (one run at a time per room); true when a
   * digest changed.
   */
  digest(room: RoomKey): Promise<boolean> {
    const running = this.#digesting.get(room);
    if (running) return running.then(() => this.digest(room));
    const run = this.#digestNow(room).finally(() => this.#digesting.delete(room));
    this.#digesting.set(room, run);
    return run;
  }

  async #digestNow(room: RoomKey): Promise<boolean> {
    const conversation = await this.#store.getConversation(room);
    if (!conversation || this.#isStopped()) return false;
    const caches = this.#chains.get(room) ?? new Map<Fingerprint, ChainCache>();
    this.#chains.set(room, caches);
    const before = this.of(room);
    const digests: Record<Fingerprint, string> = {};
    for (const author of keysOf(conversation.vector).sort().slice(0, MAX_CHAIN_AUTHORS)) {
      const top = vectorSeq(conversation.vector, author);
      const disputed = new Set(conversation.disputes?.[author] ?? []);
      let cache = caches.get(author);
      if (!cache || cache.disputes !== disputed.size || (cache.chain && cache.chain.seq > top)) {
        cache = { chain: emptyChain(), disputes: disputed.size };
      }
      let chain = cache.chain;
      while (chain && chain.seq < top) {
        const page = await this.#store.listAuthorEvents(
          room,
          author,
          chain.seq + 1,
          top,
          MAX_BATCH_EVENTS,
        );
        const upTo = Math.min(top, chain.seq + MAX_BATCH_EVENTS);
        chain = extendChain(chain, page, disputed, upTo);
      }
      caches.set(author, { chain, disputes: disputed.size });
      if (chain && chain.seq > 0) digests[author] = chainDigest(chain);
    }
    this.#digests.set(room, digests);
    const authors = new Set([...keysOf(before), ...keysOf(digests)]);
    return [...authors].some((author) => before[author] !== digests[author]);
  }
}
