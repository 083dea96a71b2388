/**
 * Answering `sync` (DESIGN §6 "Sync", "Relay"): the events the asker lacks, oldest first per
 * author, in bounded frames, waiting for the link to drain between them, with the proofs of
 * disputed seqs the asker holds (disputes.ts) first. One answer runs per link in the background,
 * the latest request queued behind it; a `have` that came due meanwhile goes out when it ends.
 * Part of sync-engine.ts, which owns the links (this keeps the answer's queue in their state).
 */
import { missingFor, type VersionVector } from '../domain/version-vector';
import { createLogger } from '../log';
import type { StoredEvent } from '../protocol/events';
import { MAX_BATCH_EVENTS } from '../protocol/limits';
import { splitEventsIntoFrames, type PeerFrame } from '../protocol/peer-frames';
import type { Fingerprint } from '../protocol/ids';
import type { SyncEngineDeps, SyncPeer } from './sync-ports';

const log = createLogger('sync');

/** What answering keeps per link (part of the engine's state of the link). */
export interface AnswerLinkState {
  /** An answer is being sent on this link. */
  isAnswering: boolean;
  /** The latest `sync` vector that arrived while answering; answered next. */
  queued: VersionVector | null;
  /** A `have` came due while answering; sent when the answer ends (the engine's `#sendHave`). */
  owesHave: boolean;
}

/** What answering needs of the engine. */
export interface AnswersPorts {
  /** The link's state, created on first use; undefined once the link went. */
  link(peer: SyncPeer): AnswerLinkState | undefined;
  /** Sends on a link the engine still considers live. */
  send(peer: SyncPeer, frame: PeerFrame): boolean;
  /** Both versions of the disputed seqs in `range` the peer may be sent (disputes.ts). */
  proofsFor(
    peer: SyncPeer,
    range: { author: Fingerprint; from: number; to: number },
    disputed: readonly number[] | undefined,
  ): StoredEvent[];
}

/** The sync answers of one sync engine. */
export class SyncAnswers {
  #deps: Pick<SyncEngineDeps, 'store' | 'self' | 'whenDrained' | 'onOwnEventsSent'>;
  /** Most events one sync answer sends (MAX_SYNC_ANSWER_EVENTS or the engine's option). */
  #maxAnswerEvents: number;
  #ports: AnswersPorts;
  /** Answers being sent, for `whenIdle`. */
  #answers = new Set<Promise<void>>();

  constructor(
    deps: Pick<SyncEngineDeps, 'store' | 'self' | 'whenDrained' | 'onOwnEventsSent'>,
    maxAnswerEvents: number,
    ports: AnswersPorts,
  ) {
    this.#deps = deps;
    this.#maxAnswerEvents = maxAnswerEvents;
    this.#ports = ports;
  }

  /**
   * Answers the peer's `sync` (`remote`), or queues it: one answer runs per link, and a request
   * arriving meanwhile replaces any queued one (the latest vector is the truest) and runs after it.
   */
  request(peer: SyncPeer, remote: VersionVector): void {
    const link = this.#ports.link(peer);
    if (!link) return;
    link.queued = remote;
    if (!link.isAnswering) {
      link.isAnswering = true;
      const answer = this.#answerQueued(peer, link).finally(() => this.#answers.delete(answer));
      this.#answers.add(answer);
    }
  }

  /** Resolves once no answer is being sent on any link. */
  async whenIdle(): Promise<void> {
    while (this.#answers.size > 0) await Promise.all(this.#answers);
  }

  /** Answers queued requests until none is left, then any `have` that came due; never rejects. */
  async #answerQueued(peer: SyncPeer, link: AnswerLinkState): Promise<void> {
    try {
      for (;;) {
        const remote = link.queued;
        if (remote) {
          link.queued = null;
          if (!(await this.#sendMissing(peer, remote))) return;
        } else if (link.owesHave) {
          link.owesHave = false;
          const conversation = await this.#deps.store.getConversation(peer.room);
          if (conversation) this.#ports.send(peer, { type: 'have', vector: conversation.vector });
        } else {
          return;
        }
      }
    } catch (error) {
      log.error('answering a sync failed', error);
    } finally {
      // In the same turn as the last look at `queued`, so a request cannot slip in between.
      link.isAnswering = false;
    }
  }

  /**
   * Sends the peer what `remote` lacks, oldest first per author, waiting for the link to drain
   * between frames. An answer cut off by the budget ends with `have`, so the asker sees it still
   * lacks something and asks again. False when the link went.
   */
  async #sendMissing(peer: SyncPeer, remote: VersionVector): Promise<boolean> {
    const sent = { ownUpTo: 0 };
    try {
      return await this.#sendMissingCounting(peer, remote, sent);
    } finally {
      if (sent.ownUpTo > 0) this.#deps.onOwnEventsSent?.(peer.room, sent.ownUpTo);
    }
  }

  async #sendMissingCounting(
    peer: SyncPeer,
    remote: VersionVector,
    sent: { ownUpTo: number },
  ): Promise<boolean> {
    const { store } = this.#deps;
    const self = this.#deps.self.fingerprint;
    const conversation = await store.getConversation(peer.room);
    if (!conversation) return true;
    const keys = this.#keysOf(conversation.members);
    let budget = this.#maxAnswerEvents;
    for (const range of missingFor(conversation.vector, remote)) {
      const proofs = this.#ports.proofsFor(peer, range, conversation.disputes?.[range.author]);
      for (const frame of splitEventsIntoFrames(proofs, keys)) {
        await this.#deps.whenDrained(peer);
        if (!this.#ports.send(peer, frame)) return false;
      }
      budget -= proofs.length;
      let from = range.from;
      while (from <= range.to) {
        if (budget <= 0) {
          return this.#ports.send(peer, { type: 'have', vector: conversation.vector });
        }
        const page = await store.listAuthorEvents(
          peer.room,
          range.author,
          from,
          range.to,
          Math.min(MAX_BATCH_EVENTS, budget),
        );
        const last = page.at(-1);
        if (!last) break;
        for (const frame of splitEventsIntoFrames(page, keys)) {
          await this.#deps.whenDrained(peer);
          if (!this.#ports.send(peer, frame)) return false; // link gone; the next sync resumes
          for (const e of frame.events) {
            if (e.author === self) sent.ownUpTo = Math.max(sent.ownUpTo, e.seq);
          }
        }
        budget -= page.length;
        from = last.seq + 1;
      }
    }
    return true;
  }

  #keysOf(members: Record<string, { spki: string }>): Record<string, string> {
    const keys: Record<string, string> = {
      [this.#deps.self.fingerprint]: this.#deps.self.spki,
    };
    for (const [fingerprint, member] of Object.entries(members)) keys[fingerprint] = member.spki;
    return keys;
  }
}
