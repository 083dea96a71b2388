/**
 * Version-vector sync between authenticated members (DESIGN §6, PROTOCOL §2 "After the handshake").
 *
 * - On every link that becomes ready each side sends its vector (`sync`); the other answers with
 *   the events the asker lacks, oldest first per author, in bounded frames.
 * - After events are newly stored (from a peer or our own), the room's links hear our vector
 *   (`have`, throttled per room); a member that sees it lacks something asks with `sync`. This is
 *   how a member that cannot link to an author still gets the author's messages through others.
 *   The link the events came from hears it too: that is how an author learns they were delivered.
 * - Every vector a peer tells us (`sync`, `have`) is reported (`onRemoteVector`) for delivery
 *   states, and so is every own event handed on in an answer (`onOwnEventsSent`).
 * - A received event that leaves a gap makes us ask that peer again (at most once per interval,
 *   trailing edge, so the last request is never lost).
 * - Relayed events are verified against their authors' keys, so any member can pass on anyone's
 *   history. There is no retry timer: the next sync delivers whatever a peer missed.
 *
 * The mesh hands us one link's frames strictly in order, awaiting each handler. Answers are the
 * exception: they run in the background (one per link, the latest request queued behind it) so a
 * long answer does not hold up the link's incoming frames.
 *
 * Its parts: the burst inbox (inbox.ts), answering `sync` (answers.ts), our chain digests
 * (chain-digests.ts), comparing them with peers and disputing equivocations (disputes.ts), and
 * asking again about gaps (gap-resync.ts).
 */
import { MIN_WORKER_JOBS, verifyHere } from './verifier';
import { colorForFingerprint } from '../domain/avatar';
import { isDatedTooFarAhead } from '../domain/hlc-receive';
import { keysOf } from '../domain/records';
import { sameVector, vectorSeq, type VersionVector } from '../domain/version-vector';
import { HAVE_THROTTLE_MS } from '../config';
import { GAP_RESYNC_INTERVAL_MS, MAX_SYNC_ANSWER_EVENTS } from '../config-network';
import { createLogger } from '../log';
import type { StoredEvent, Unverified } from '../protocol/events';
import { assertNever } from '../protocol/assert-never';
import {
  type EventsFrame,
  type HaveFrame,
  type PeerFrame,
  type SyncFrame,
} from '../protocol/peer-frames';
import type { Fingerprint, RoomKey } from '../protocol/ids';

import { BurstInbox, type ReceivedEventsFrame } from './inbox';
import { ChainDigests } from './chain-digests';
import { SyncAnswers, type AnswerLinkState } from './answers';
import { Disputes, type DisputeLinkState } from './disputes';
import { GapResync, type GapLinkState } from './gap-resync';
import type { SyncEngineDeps, SyncEngineOptions, SyncPeer } from './sync-ports';

const log = createLogger('sync');

/** The frames the sync engine handles, as parsed (events not yet verified). */
export type SyncAppFrame = ReceivedEventsFrame | SyncFrame | HaveFrame;
export { takeBurst } from './inbox';
export type { SyncEngineDeps, SyncEngineOptions, SyncPeer } from './sync-ports';

/** Events of one burst that passed the checks, and the authors among them not known here yet. */
interface CheckedEvents {
  verified: StoredEvent[];
  newAuthors: Map<Fingerprint, string>;
}

/** True for the frames the sync engine handles (the rest of the app frames are the session's). */
export function isSyncFrame(frame: { type: string }): frame is SyncAppFrame {
  return frame.type === 'events' || frame.type === 'sync' || frame.type === 'have';
}

/** Sync state of one link, with what its parts keep of it (answers, disputes, gap re-sync). */
interface LinkState extends AnswerLinkState, DisputeLinkState, GapLinkState {
  /** Our vector and the peer's `have` vector when a `have` last made us ask (see `onHave`). */
  lastAsk: { ours: VersionVector; theirs: VersionVector } | null;
}

/** A pending `have` announcement of one room. */
interface PendingHave {
  timer: ReturnType<typeof setTimeout>;
}

/** Runs sync for every link of this tab. */
export class SyncEngine {
  #deps: SyncEngineDeps;
  #haveThrottleMs: number;
  /** Per link (the mesh hands out one peer object per link); pruned when the link goes. */
  #links = new Map<SyncPeer, LinkState>();
  /** Links that went; late work for them must not bring their state back. */
  #gone = new WeakSet<SyncPeer>();
  /** Per room; an entry lives only while its timer is pending. */
  #pendingHaves = new Map<string, PendingHave>();
  /** Our digests of each author's chain per room (sync/chain-digests.ts). */
  #chainDigests: ChainDigests;
  /** Comparing chains with peers and disputing equivocations (sync/disputes.ts). */
  #disputes: Disputes;
  /** Answering `sync` requests, one answer per link at a time (sync/answers.ts). */
  #answers: SyncAnswers;
  /** Asking again about gaps, and events deferred until due (sync/gap-resync.ts). */
  #gapResync: GapResync;
  /** Per link, `events` frames stored in bursts (sync/inbox.ts). */
  #inbox = new BurstInbox<SyncPeer, CheckedEvents>({
    verify: (peer, burst) => this.#verifyFrame(peer, burst),
    store: (peer, checked, more) => this.#storeVerified(peer, checked, more),
    drained: (peer) => this.#deps.onInboxDrained?.(peer.room),
    onError: (step, peer, error) =>
      log.error(
        `${step === 'verify' ? 'verifying' : 'storing'} received events failed, from`,
        peer.peerId,
        error,
      ),
  });
  #isStopped = false;

  constructor(deps: SyncEngineDeps, options: SyncEngineOptions = {}) {
    this.#deps = deps;
    this.#haveThrottleMs = options.haveThrottleMs ?? HAVE_THROTTLE_MS;
    this.#chainDigests = new ChainDigests(deps.store, () => this.#isStopped);
    this.#disputes = new Disputes(deps, {
      chainDigests: this.#chainDigests,
      link: (peer) => this.#link(peer),
      send: (peer, frame) => this.#send(peer, frame),
      scheduleHave: (room) => this.#scheduleHave(room),
    });
    this.#gapResync = new GapResync(deps, options.gapResyncIntervalMs ?? GAP_RESYNC_INTERVAL_MS, {
      link: (peer) => this.#link(peer),
      send: (peer, frame) => this.#send(peer, frame),
      sendVector: (peer) => this.#sendVector(peer),
    });
    this.#answers = new SyncAnswers(deps, options.maxAnswerEvents ?? MAX_SYNC_ANSWER_EVENTS, {
      link: (peer) => this.#link(peer),
      send: (peer, frame) => this.#send(peer, frame),
      proofsFor: (peer, range, disputed) => this.#disputes.proofsFor(peer, range, disputed),
    });
  }

  /**
   * A link became ready: pin the member's proven key and profile (so we can verify and relay
   * their events later), then tell the peer what we have so it can send what we lack.
   */
  async onPeerReady(peer: SyncPeer): Promise<void> {
    this.#link(peer);
    const saved = await this.#deps.store.upsertMember(peer.room, {
      fingerprint: peer.fingerprint,
      spki: peer.spki,
      name: peer.profile.name,
      color: peer.profile.color,
      lastSeenAt: this.#deps.now(),
    });
    if (!saved.ok) this.#deps.onStoreError(saved.error);
    await this.#sendVector(peer);
  }

  /**
   * Handles one of the frames sync owns, from an authenticated peer. Resolves once it is handled;
   * an `events` frame joins the link's inbox (see `backlog`), and a `sync` or `have` waits for
   * the link's inbox to be stored first, so they are answered in the order they came.
   */
  async handleFrame(peer: SyncPeer, frame: SyncAppFrame): Promise<void> {
    if (frame.type === 'events') return this.#inbox.push(peer, frame);
    void this.#noteHistoryAhead(peer, frame.vector);
    await this.#inbox.whenStored(peer);
    this.#disputes.noteHeld(peer, frame.vector);
    switch (frame.type) {
      case 'sync':
        this.#deps.onRemoteVector?.(peer, frame.vector);
        await this.onSync(peer, frame.vector);
        await this.#disputes.compareChains(peer, frame.chains);
        return;
      case 'have':
        this.#deps.onRemoteVector?.(peer, frame.vector);
        await this.onHave(peer, frame.vector);
        await this.#disputes.compareChains(peer, frame.chains);
        return;
      default:
        assertNever(frame);
    }
  }

  /** Tells `onHistoryAhead` when `remote` holds at least MIN_WORKER_JOBS events we lack. */
  async #noteHistoryAhead(peer: SyncPeer, remote: VersionVector): Promise<void> {
    if (!this.#deps.onHistoryAhead) return;
    try {
      const ours = (await this.#deps.store.getConversation(peer.room))?.vector ?? {};
      let ahead = 0;
      for (const [author, seq] of Object.entries(remote)) {
        ahead += Math.max(0, seq - vectorSeq(ours, author as Fingerprint));
      }
      if (ahead >= MIN_WORKER_JOBS) this.#deps.onHistoryAhead();
    } catch (error) {
      log.warn('reading our vector to compare failed', error);
    }
  }

  /** How many `events` frames of a link wait in its inbox (the caller may stop reading meanwhile). */
  backlog(peer: SyncPeer): number {
    return this.#inbox.backlog(peer);
  }

  /** A link closed: stop its answer and timers and forget it. */
  onPeerGone(peer: SyncPeer): void {
    this.#gone.add(peer);
    const link = this.#links.get(peer);
    if (link) {
      clearTimeout(link.gapTimer);
      link.queued = null;
      this.#links.delete(peer);
    }
    const isRoomEmpty = this.#deps.peersIn(peer.room).every((p) => p === peer);
    const pending = this.#pendingHaves.get(peer.room);
    if (pending && isRoomEmpty) {
      // Nobody left to tell; a new link starts with a full `sync` anyway.
      clearTimeout(pending.timer);
      this.#pendingHaves.delete(peer.room);
    }
  }

  /**
   * The peer told us what it has (`sync`): send it what it lacks. Returns once the answer is
   * started or queued; one answer runs per link, and a request arriving meanwhile replaces any
   * queued one (the latest vector is the truest) and runs after it.
   */
  onSync(peer: SyncPeer, remote: VersionVector): Promise<void> {
    this.#answers.request(peer, remote);
    return Promise.resolve();
  }

  /** The peer announced what it has (`have`): ask it (`sync`) when it has something we lack. */
  async onHave(peer: SyncPeer, remote: VersionVector): Promise<void> {
    const link = this.#link(peer);
    if (!link) return;
    const conversation = await this.#deps.store.getConversation(peer.room);
    if (!conversation) return;
    const ours = conversation.vector;
    if (!this.#gapResync.lacksAnythingDue(peer.room, remote, ours)) return;
    // Asked already with this very pair of vectors and nothing came of it (e.g. the events it
    // would send are ones we refuse): asking again would only loop.
    if (
      link.lastAsk &&
      sameVector(link.lastAsk.ours, ours) &&
      sameVector(link.lastAsk.theirs, remote)
    ) {
      return;
    }
    link.lastAsk = { ours, theirs: remote };
    this.#send(peer, { type: 'sync', vector: ours });
  }

  /**
   * Events from a peer: verify each against its author's key, store the valid ones, announce
   * them to the room's links (the sender too) and ask again when a gap shows. Returns the newly
   * stored events.
   */
  async onEvents(
    peer: SyncPeer,
    frame: EventsFrame<Unverified<StoredEvent>>,
  ): Promise<StoredEvent[]> {
    const checked = await this.#verifyFrame(peer, frame);
    return checked ? this.#storeVerified(peer, checked) : [];
  }

  /**
   * The first half of `onEvents`: the events of `frame` that are for this room, by an author we
   * take, not dated too far ahead, and signed by their author (checked side by side; a burst in
   * a Worker). It reads no state that storing changes, so it runs while the previous burst is
   * stored.
   */
  async #verifyFrame(
    peer: SyncPeer,
    frame: EventsFrame<Unverified<StoredEvent>>,
  ): Promise<CheckedEvents | null> {
    const { store } = this.#deps;
    const conversation = await store.getConversation(peer.room);
    if (!conversation) return null;
    const nowMs = this.#deps.now();
    const checks: { event: Unverified<StoredEvent>; spki: string; isKnown: boolean }[] = [];
    for (const event of frame.events) {
      if (event.conv !== peer.room) {
        log.warn('dropped an event for another conversation from', peer.peerId);
        continue;
      }
      if (this.#deps.isRefusedAuthor?.(event.author)) {
        log.warn('dropped an event by a blocked author, from', peer.peerId);
        continue;
      }
      // Stored, it would sort below everything said for as long as its clock runs ahead. It is
      // signed, so its time cannot be changed: it waits until it is due (not asked for till then).
      if (isDatedTooFarAhead(event.hlc, nowMs)) {
        log.warn('dropped an event dated too far ahead, from', peer.peerId, event.hlc);
        this.#gapResync.deferUntilDue(event);
        continue;
      }
      // The author's key: proven on this link, already pinned for the room, or carried along.
      const known =
        event.author === peer.fingerprint
          ? peer.spki
          : event.author === this.#deps.self.fingerprint
            ? this.#deps.self.spki
            : conversation.members[event.author]?.spki;
      const spki = known ?? frame.keys[event.author];
      if (!spki) {
        log.warn('dropped an event whose author key is unknown, from', peer.peerId);
        continue;
      }
      checks.push({ event, spki, isKnown: known !== undefined });
    }
    // The signatures are independent: WebCrypto checks them side by side (a burst in a Worker).
    const results = await (this.#deps.verifyEvents ?? verifyHere)(checks);
    const verified: StoredEvent[] = [];
    const newAuthors = new Map<Fingerprint, string>();
    for (const [i, ok] of results.entries()) {
      const check = checks[i];
      if (!check) continue;
      if (!ok) {
        log.warn('dropped an event with a bad signature, from', peer.peerId);
        continue;
      }
      verified.push(ok);
      if (!check.isKnown) newAuthors.set(ok.author, check.spki);
    }
    return verified.length === 0 ? null : { verified, newAuthors };
  }

  /** The second half of `onEvents`: stores verified events, announces them, asks about gaps. */
  async #storeVerified(
    peer: SyncPeer,
    { verified, newAuthors }: CheckedEvents,
    more = false,
  ): Promise<StoredEvent[]> {
    const { store } = this.#deps;
    // Read now, not when they were verified: the burst before may have been stored meanwhile.
    const conversation = await store.getConversation(peer.room);
    if (!conversation) return [];
    await this.#disputes.disputeEquivocations(peer, conversation.vector, verified);
    for (const [fingerprint, spki] of newAuthors) {
      if (conversation.members[fingerprint]) continue;
      // Remember relayed authors' keys so we can verify and relay their events later.
      const saved = await store.upsertMember(peer.room, {
        fingerprint,
        spki,
        name: '',
        color: colorForFingerprint(fingerprint),
        lastSeenAt: 0,
      });
      if (!saved.ok) this.#deps.onStoreError(saved.error);
    }
    const stored = await store.addEvents(verified, this.#deps.now(), more);
    if (!stored.ok) {
      this.#deps.onStoreError(stored.error);
      return [];
    }
    if (stored.value.length === 0) return [];
    this.#deps.onStored?.(peer.room, stored.value);
    const after = (await store.getConversation(peer.room))?.vector ?? conversation.vector;
    // The sender hears it too: it learns from it that its events were delivered (receipts).
    if (hasVectorMoved(conversation.vector, after, verified)) this.#scheduleHave(peer.room);
    // Only new events can show a new gap; one seen before was asked about then, and a peer
    // that later gets what fills it says so with `have`.
    this.#gapResync.resyncOnGap(peer, stored.value, after);
    return stored.value;
  }

  /** We stored events of our own in `room` (and pushed them to its links): announce them. */
  announce(room: RoomKey): void {
    this.#scheduleHave(room);
  }

  /** Resolves once no answer is being sent on any link. */
  whenIdle(): Promise<void> {
    return this.#answers.whenIdle();
  }

  /** Stops every timer and answer; later calls do nothing (the session is closing). */
  stop(): void {
    this.#isStopped = true;
    for (const [peer, link] of this.#links) {
      clearTimeout(link.gapTimer);
      link.queued = null;
      this.#gone.add(peer);
    }
    this.#links.clear();
    for (const pending of this.#pendingHaves.values()) clearTimeout(pending.timer);
    this.#pendingHaves.clear();
  }

  /** The link's state, created on first use; undefined once the link went. */
  #link(peer: SyncPeer): LinkState | undefined {
    if (this.#isStopped || this.#gone.has(peer)) return undefined;
    let link = this.#links.get(peer);
    if (!link) {
      link = {
        isAnswering: false,
        queued: null,
        owesHave: false,
        lastGapSyncAt: -Infinity,
        gapTimer: undefined,
        lastAsk: null,
        askedChains: new Map(),
        heldSeqs: new Map(),
      };
      this.#links.set(peer, link);
    }
    return link;
  }

  /** Sends on a link we still consider live; a `sync` or `have` carries our chain digests. */
  #send(peer: SyncPeer, frame: PeerFrame): boolean {
    if (this.#gone.has(peer) || this.#isStopped) return false;
    let framed = frame;
    if ((frame.type === 'sync' || frame.type === 'have') && !frame.chains) {
      const chains = this.#chainDigests.at(peer.room, frame.vector);
      if (keysOf(chains).length > 0) framed = { ...frame, chains };
    }
    return this.#deps.send(peer, framed);
  }

  /** Announces the room's vector to all its links after a trailing throttle. */
  #scheduleHave(room: RoomKey): void {
    if (this.#isStopped || this.#pendingHaves.has(room)) return;
    if (this.#deps.peersIn(room).length === 0) return;
    const timer = setTimeout(() => {
      this.#pendingHaves.delete(room);
      this.#sendHave(room).catch((error: unknown) => {
        // Stopped meanwhile (the store may be closing): nothing to announce, nothing wrong.
        if (!this.#isStopped) log.error('announcing new events failed', error);
      });
    }, this.#haveThrottleMs);
    this.#pendingHaves.set(room, { timer });
  }

  async #sendHave(room: RoomKey): Promise<void> {
    // Every link, the one the events came from included: its peer learns they were delivered.
    const targets = this.#deps.peersIn(room);
    if (targets.length === 0) return;
    await this.#digestChains(room);
    const conversation = await this.#deps.store.getConversation(room);
    if (!conversation || this.#isStopped) return;
    const frame: PeerFrame = { type: 'have', vector: conversation.vector };
    for (const peer of targets) {
      const link = this.#links.get(peer);
      // Mid-answer it would make the peer ask again for what is still on its way; the answer
      // ends with it instead.
      if (link?.isAnswering) link.owesHave = true;
      else this.#send(peer, frame);
    }
  }

  async #sendVector(peer: SyncPeer): Promise<void> {
    const conversation = await this.#deps.store.getConversation(peer.room);
    if (!conversation) return;
    this.#send(peer, { type: 'sync', vector: conversation.vector });
    // Not awaited: the first sync goes out at once; digests that change are announced (`have`).
    this.#digestChains(peer.room, true).catch((error: unknown) => {
      if (!this.#isStopped) log.error('digesting chains failed', error);
    });
  }

  // ---- Equivocation (domain/equivocation.ts; the checks are sync/disputes.ts) ------------------

  /**
   * Brings our chain digests of `room` up to its vector; with `announce`, digests that changed
   * are told to the room's links (`have`).
   */
  async #digestChains(room: RoomKey, announce = false): Promise<void> {
    const isChanged = await this.#chainDigests.digest(room);
    if (announce && isChanged && !this.#isStopped) this.#scheduleHave(room);
  }
}

/**
 * True when storing `batch` (one peer's frame) moved our vector for one of its authors. When it
 * did not (the new events only sit above a gap), there is nothing new to announce.
 */
function hasVectorMoved(
  before: Readonly<VersionVector>,
  after: Readonly<VersionVector>,
  batch: readonly StoredEvent[],
): boolean {
  return batch.some((e) => vectorSeq(after, e.author) > vectorSeq(before, e.author));
}
