/**
 * Disputes (DESIGN §6 "Hostile members", equivocation): comparing a peer's chain digests with ours
 * and asking for an author's whole chain where they differ, disputing the seqs at which an author
 * signed two different events (domain/equivocation.ts), and keeping both signed versions of each
 * disputed seq to send to a member that holds one of them. Part of sync-engine.ts, which owns the
 * links (this keeps what each peer said it holds in their state) and hands it what arrives.
 */
import { differingChains, findEquivocations } from '../domain/equivocation';
import { keysOf } from '../domain/records';
import { vectorSeq, type VersionVector } from '../domain/version-vector';
import { CHAIN_ASK_INTERVAL_MS } from '../config-network';
import { createLogger } from '../log';
import type { StoredEvent } from '../protocol/events';
import type { PeerFrame } from '../protocol/peer-frames';
import type { Fingerprint, RoomKey } from '../protocol/ids';
import type { ChainDigests } from './chain-digests';
import type { SyncEngineDeps, SyncPeer } from './sync-ports';

const log = createLogger('sync');

/** Most disputes whose two signed versions are kept to show other members (see `#proofs`). */
const MAX_PROOFS = 256;

/** What disputes keep per link (part of the engine's state of the link). */
export interface DisputeLinkState {
  /** Per author, the peer's chain digest that last made us ask for the whole chain, and when. */
  askedChains: Map<Fingerprint, { digest: string; atMs: number }>;
  /** Per author, the highest seq the peer ever said it holds (its `sync` and `have` vectors). */
  heldSeqs: Map<Fingerprint, number>;
}

/** What disputes need of the engine. */
export interface DisputesPorts {
  /** Our digests of each author's chain per room (the engine's). */
  chainDigests: ChainDigests;
  /** The link's state, created on first use; undefined once the link went. */
  link(peer: SyncPeer): DisputeLinkState | undefined;
  /** Sends on a link the engine still considers live. */
  send(peer: SyncPeer, frame: PeerFrame): boolean;
  /** Announces the room's vector to all its links after the engine's throttle. */
  scheduleHave(room: RoomKey): void;
}

/** The equivocation checks of one sync engine. */
export class Disputes {
  #deps: Pick<SyncEngineDeps, 'store' | 'onStoreError' | 'now'>;
  #ports: DisputesPorts;
  /**
   * The two signed versions of each seq this engine found disputed, by room, author and seq:
   * the stored one became a tombstone, yet a member who holds one version and asks for the
   * author's chain must get the other to see the dispute for itself (it never trusts ours).
   * Kept while the page lives, at most MAX_PROOFS.
   */
  #proofs = new Map<string, StoredEvent[]>();

  constructor(deps: Pick<SyncEngineDeps, 'store' | 'onStoreError' | 'now'>, ports: DisputesPorts) {
    this.#deps = deps;
    this.#ports = ports;
  }

  /**
   * The peer's digests differ from ours for authors at the same seq: we hold different events
   * of theirs somewhere. Ask the peer for each such author's whole chain (once per digest it
   * tells, and at most every CHAIN_ASK_INTERVAL_MS), so the duplicates that come show where
   * (`disputeEquivocations`).
   */
  async compareChains(
    peer: SyncPeer,
    chains: Record<Fingerprint, string> | undefined,
  ): Promise<void> {
    if (!chains) return;
    const link = this.#ports.link(peer);
    if (!link) return;
    const nowMs = this.#deps.now();
    const differing = differingChains(this.#ports.chainDigests.of(peer.room), chains).filter(
      (author) => {
        const asked = link.askedChains.get(author);
        return (
          !asked || (asked.digest !== chains[author] && nowMs - asked.atMs >= CHAIN_ASK_INTERVAL_MS)
        );
      },
    );
    if (differing.length === 0) return;
    const conversation = await this.#deps.store.getConversation(peer.room);
    if (!conversation) return;
    const vector = { ...conversation.vector };
    for (const author of differing) {
      link.askedChains.set(author, { digest: chains[author] ?? '', atMs: nowMs });
      delete vector[author];
      log.warn('chains differ for an author; asking for the whole chain, from', peer.peerId);
    }
    this.#ports.send(peer, { type: 'sync', vector });
  }

  /**
   * Verified events we already hold a different event for at the same (author, seq): their
   * author equivocated. The stored event is hidden and the seq recorded as disputed.
   */
  async disputeEquivocations(
    peer: SyncPeer,
    vector: VersionVector,
    verified: readonly StoredEvent[],
  ): Promise<void> {
    const byAuthor = new Map<Fingerprint, StoredEvent[]>();
    for (const event of verified) {
      if (event.seq > vectorSeq(vector, event.author)) continue;
      const list = byAuthor.get(event.author);
      if (list) list.push(event);
      else byAuthor.set(event.author, [event]);
    }
    for (const [author, received] of byAuthor) {
      const seqs = received.map((e) => e.seq);
      const from = Math.min(...seqs);
      const to = Math.max(...seqs);
      const stored = await this.#deps.store.listAuthorEvents(
        peer.room,
        author,
        from,
        to,
        to - from + 1,
      );
      for (const found of findEquivocations(stored, received)) {
        this.#keepProof(peer.room, found, [...stored, ...received]);
        log.warn(
          'an author signed two different events with one seq; hiding both, from',
          peer.peerId,
        );
        const marked = await this.#deps.store.markDisputed(peer.room, found.author, found.seq);
        if (!marked.ok) this.#deps.onStoreError(marked.error);
        else if (marked.value) this.#ports.scheduleHave(peer.room);
      }
    }
  }

  /** Remembers the highest seq of each author the peer said it holds. */
  noteHeld(peer: SyncPeer, vector: VersionVector): void {
    const link = this.#ports.link(peer);
    if (!link) return;
    for (const author of keysOf(vector)) {
      const seq = vectorSeq(vector, author);
      if (seq > (link.heldSeqs.get(author) ?? 0)) link.heldSeqs.set(author, seq);
    }
  }

  #keepProof(
    room: RoomKey,
    found: { author: Fingerprint; seq: number },
    events: readonly StoredEvent[],
  ): void {
    const versions = new Map<string, StoredEvent>();
    for (const e of events) {
      if (e.author === found.author && e.seq === found.seq) versions.set(e.sig, e);
    }
    if (versions.size < 2) return;
    const key = `${room}\n${found.author}\n${found.seq}`;
    this.#proofs.delete(key);
    this.#proofs.set(key, [...versions.values()].slice(0, 2));
    if (this.#proofs.size > MAX_PROOFS) {
      const oldest = this.#proofs.keys().next().value;
      if (oldest !== undefined) this.#proofs.delete(oldest);
    }
  }

  /**
   * Both versions of the disputed seqs in `range`, for a peer that said it holds them (it holds
   * one version and now asks for the author's whole chain); never for one that holds none (a
   * late joiner would store one as if nothing were wrong).
   */
  proofsFor(
    peer: SyncPeer,
    range: { author: Fingerprint; from: number; to: number },
    disputed: readonly number[] | undefined,
  ): StoredEvent[] {
    const reach = this.#ports.link(peer)?.heldSeqs.get(range.author) ?? 0;
    const proofs: StoredEvent[] = [];
    for (const seq of disputed ?? []) {
      if (seq < range.from || seq > range.to || seq > reach) continue;
      proofs.push(...(this.#proofs.get(`${peer.room}\n${range.author}\n${seq}`) ?? []));
    }
    return proofs;
  }
}
