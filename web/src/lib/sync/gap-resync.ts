/**
 * Gap re-sync (DESIGN §6 "Sync", "Hostile members" clock drift): a received event that leaves a
 * gap makes us ask that peer again, at most once per interval per link, trailing edge, so the
 * last request is never lost. Events dated too far ahead are remembered until due (the
 * deferrals, domain/deferred-events.ts): neither a gap re-sync nor a `have` asks for them before.
 * Part of sync-engine.ts, which owns the links (this keeps its timer in their state).
 */
import { decodeHlc } from '../domain/hlc';
import { isWaitingForDue, noteDeferred, type Deferrals } from '../domain/deferred-events';
import { missingFor, vectorSeq, type VersionVector } from '../domain/version-vector';
import { MAX_CLOCK_DRIFT_MS, MAX_DEFERRED_EVENTS } from '../config';
import { createLogger } from '../log';
import type { StoredEvent, Unverified } from '../protocol/events';
import type { PeerFrame } from '../protocol/peer-frames';
import type { RoomKey } from '../protocol/ids';
import type { SyncEngineDeps, SyncPeer } from './sync-ports';

const log = createLogger('sync');

/** What gap re-sync keeps per link (part of the engine's state of the link). */
export interface GapLinkState {
  /** When we last asked this peer because of a gap (engine clock). */
  lastGapSyncAt: number;
  /** The trailing gap re-sync, if one is scheduled. */
  gapTimer: ReturnType<typeof setTimeout> | undefined;
}

/** What gap re-sync needs of the engine. */
export interface GapResyncPorts {
  /** The link's state, created on first use; undefined once the link went. */
  link(peer: SyncPeer): GapLinkState | undefined;
  /** Sends on a link the engine still considers live. */
  send(peer: SyncPeer, frame: PeerFrame): boolean;
  /** Sends the peer our vector (`sync`). */
  sendVector(peer: SyncPeer): Promise<void>;
}

/** The gap re-syncs and deferrals of one sync engine. */
export class GapResync {
  #deps: Pick<SyncEngineDeps, 'now'>;
  #ports: GapResyncPorts;
  /** Per-link interval between gap re-syncs (GAP_RESYNC_INTERVAL_MS or the engine's option). */
  #gapResyncIntervalMs: number;
  /** Events dated too far ahead, not asked for again until due (domain/deferred-events.ts). */
  #deferred: Deferrals = new Map();

  constructor(
    deps: Pick<SyncEngineDeps, 'now'>,
    gapResyncIntervalMs: number,
    ports: GapResyncPorts,
  ) {
    this.#deps = deps;
    this.#gapResyncIntervalMs = gapResyncIntervalMs;
    this.#ports = ports;
  }

  /** Asks the peer again when `received` left a gap in `vector` (our vector after storing). */
  resyncOnGap(peer: SyncPeer, received: StoredEvent[], vector: VersionVector): void {
    const link = this.#ports.link(peer);
    if (!link) return;
    const nowMs = this.#deps.now();
    const hasGap = received.some((e) => {
      const next = vectorSeq(vector, e.author) + 1;
      return e.seq >= next && !isWaitingForDue(this.#deferred, peer.room, e.author, next, nowMs);
    });
    if (!hasGap || link.gapTimer !== undefined) return; // a trailing request is already due
    const waitMs = link.lastGapSyncAt + this.#gapResyncIntervalMs - this.#deps.now();
    if (waitMs <= 0) {
      link.lastGapSyncAt = this.#deps.now();
      this.#ports.send(peer, { type: 'sync', vector });
      return;
    }
    link.gapTimer = setTimeout(() => {
      link.gapTimer = undefined;
      link.lastGapSyncAt = this.#deps.now();
      this.#ports.sendVector(peer).catch((error: unknown) => log.error('re-sync failed', error));
    }, waitMs);
  }

  /** Remembers an event dated too far ahead, so its gap is not asked for until it is due. */
  deferUntilDue(event: Unverified<StoredEvent>): void {
    const hlc = decodeHlc(event.hlc);
    if (!hlc) return;
    noteDeferred(
      this.#deferred,
      event.conv,
      event.author,
      event.seq,
      hlc.ms,
      MAX_CLOCK_DRIFT_MS,
      MAX_DEFERRED_EVENTS,
    );
  }

  /** True when `remote` holds something `ours` lacks other than events not due yet. */
  lacksAnythingDue(room: RoomKey, remote: VersionVector, ours: VersionVector): boolean {
    const nowMs = this.#deps.now();
    return missingFor(remote, ours).some(
      (range) => !isWaitingForDue(this.#deferred, room, range.author, range.from, nowMs),
    );
  }
}
