/**
 * Messaging on the network (DESIGN §6): runs the sync engine while the network is up, owns the
 * `events`, `sync` and `have` frames, and sends our own events on as soon as they are stored —
 * here, or in another tab of this profile when this tab holds the network.
 */
import type { VersionVector } from '../../domain/version-vector';
import type { NetworkUp } from '../../kernel/app-events';
import type { FrameHandlers } from '../../kernel/frames';
import type { Kernel } from '../../kernel/kernel.svelte';
import { createLogger } from '../../log';
import type { MeshPeer } from '../../net/room-mesh';
import type { StoredEvent } from '../../protocol/events';
import type { SyncEngine } from '../../sync/sync-engine';
import type { WorkerVerifier } from '../../sync/verifier';
import type { Fingerprint, RoomKey } from '../../protocol/ids';

const log = createLogger('messaging');

/** `events` frames one link may have waiting to be stored before it stops reading. */
const MAX_EVENTS_BACKLOG = 16;

/** What sync reports to other features. */
export interface SyncLinkPorts {
  /** A member told us its vector: what it holds (delivery receipts). */
  onRemoteVector(peer: MeshPeer, vector: VersionVector): void;
  /** Own events up to `seq` were handed to at least one link (they are "sent"). */
  onOwnEventsSent(room: RoomKey, seq: number): void;
  /** Authors whose events are never stored, from whoever relays them (blocked contacts). */
  isRefusedAuthor(fingerprint: Fingerprint): boolean;
  /**
   * What a member's link brought to a room is all stored: a flood of history (changes that said
   * `more`) is over, even when its last burst stored nothing new.
   */
  onHistorySettled(room: RoomKey): void;
}

/** The sync engine's life and frames. */
export class SyncLink {
  #kernel: Kernel;
  #ports: SyncLinkPorts;
  #up: NetworkUp | null = null;
  #sync: SyncEngine | null = null;
  /** Verifies received bursts in a Worker while the network is up. */
  #verifier: WorkerVerifier | null = null;

  /** The frames sync owns. */
  readonly frames: Pick<FrameHandlers, 'events' | 'sync' | 'have'> = {
    events: (peer, frame) => {
      const sync = this.#sync;
      if (!sync) return;
      const stored = sync.handleFrame(peer, frame);
      // The link reads on while the events are stored, so what arrives meanwhile joins the next
      // burst; with a long backlog it waits (a peer cannot queue without bound).
      if (sync.backlog(peer) > MAX_EVENTS_BACKLOG) return stored;
      stored.catch((error: unknown) => log.error('storing received events failed', error));
    },
    sync: (peer, frame) => this.#sync?.handleFrame(peer, frame),
    have: (peer, frame) => this.#sync?.handleFrame(peer, frame),
  };

  constructor(kernel: Kernel, ports: SyncLinkPorts) {
    this.#kernel = kernel;
    this.#ports = ports;
    kernel.bus.on({
      'network-up': (up) => this.#start(up),
      'network-down': () => {
        this.#sync?.stop();
        this.#sync = null;
        this.#verifier?.stop();
        this.#verifier = null;
        this.#up = null;
      },
      'peer-ready': (peer) => {
        this.#sync
          ?.onPeerReady(peer)
          .catch((error: unknown) => log.error('starting sync failed', error));
      },
      'link-gone': (peer) => this.#sync?.onPeerGone(peer),
      change: ({ change }) => {
        if (change.type !== 'events') return;
        const self = kernel.self;
        const own = change.events.filter((e) => e.author === self);
        if (own.length > 0) this.#pushOwn(change.conv, own);
      },
    });
  }

  /** Resolves once no sync answer is being sent (tests, benchmarks). */
  async whenIdle(): Promise<void> {
    await this.#sync?.whenIdle();
  }

  #start(up: NetworkUp): void {
    const store = this.#kernel.store;
    const identity = this.#kernel.identity;
    if (!store || !identity) return;
    const links = this.#kernel.network.links;
    // Now, while the server that serves the code is surely reachable (see ChatStore).
    store.prepareReceiving().catch((error: unknown) => {
      log.warn('loading the receive code failed; retried on use', error);
    });
    this.#up = up;
    this.#verifier?.stop();
    const verifier = new up.net.WorkerVerifier();
    this.#verifier = verifier;
    this.#sync = new up.net.SyncEngine({
      store,
      self: { fingerprint: identity.fingerprint, spki: identity.spki },
      send: (peer, frame) => links.sendTo(peer, frame),
      peersIn: (room) => links.peersIn(room),
      whenDrained: (peer) => links.whenDrained(peer),
      onStoreError: (error) => this.#kernel.notices.reportStore(error),
      onRemoteVector: (peer, vector) => this.#ports.onRemoteVector(peer, vector),
      onOwnEventsSent: (room, seq) => this.#ports.onOwnEventsSent(room, seq),
      isRefusedAuthor: (fingerprint) => this.#ports.isRefusedAuthor(fingerprint),
      now: this.#kernel.now,
      verifyEvents: verifier.verify,
      onHistoryAhead: () => verifier.warm(),
      onInboxDrained: (room) => this.#ports.onHistorySettled(room),
    });
  }

  /** Hands stored events of ours to the room's linked members and announces them to the rest. */
  #pushOwn(room: RoomKey, events: readonly StoredEvent[]): void {
    const identity = this.#kernel.identity;
    const up = this.#up;
    if (!identity || !up || !this.#sync) return;
    const links = this.#kernel.network.links;
    const keys = { [identity.fingerprint]: identity.spki };
    let handedTo = 0;
    for (const frame of up.net.splitEventsIntoFrames(events, keys)) {
      handedTo += links.broadcast(room, frame);
    }
    // Members we are not linked to get it through those we are (DESIGN §6).
    this.#sync.announce(room);
    const last = events.at(-1);
    if (handedTo > 0 && last) this.#ports.onOwnEventsSent(room, last.seq);
  }
}
