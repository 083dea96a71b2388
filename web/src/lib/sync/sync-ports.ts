/**
 * The sync engine's ports (DESIGN §6): the remote end of a link as sync sees it, what the engine
 * needs from its surroundings, and its tunables. Shared by sync-engine.ts (which re-exports them)
 * and the parts it hands work to (answers.ts, disputes.ts, gap-resync.ts).
 */
import type { VerifyEvents } from './verifier';
import type { VersionVector } from '../domain/version-vector';
import type { StoredEvent } from '../protocol/events';
import type { PeerFrame } from '../protocol/peer-frames';
import type { ChatStore, StoreError } from '../storage/chat-store';
import type { Fingerprint, PeerId, RoomKey } from '../protocol/ids';

/** The authenticated remote end of a link, as far as sync cares. One object per link. */
export interface SyncPeer {
  /** Remote session ID. */
  peerId: PeerId;
  /** Conversation (room key) of the link. */
  room: RoomKey;
  /** Remote identity fingerprint. */
  fingerprint: Fingerprint;
  /** Remote identity key (base64url SPKI), proven by the handshake. */
  spki: string;
  /** The profile the remote presented in its hello. */
  profile: { name: string; color: string };
}

/** What the engine needs from its surroundings. */
export interface SyncEngineDeps {
  /** The local store (the source of truth). */
  store: ChatStore;
  /** Our identity. */
  self: { fingerprint: Fingerprint; spki: string };
  /** Sends a frame on the peer's link; false when it is gone. */
  send(peer: SyncPeer, frame: PeerFrame): boolean;
  /** The room's ready links (RoomMesh.peersIn). */
  peersIn(room: RoomKey): SyncPeer[];
  /** Resolves once the peer's link has room for more (RoomMesh.whenDrained), or is gone. */
  whenDrained(peer: SyncPeer): Promise<void>;
  /**
   * Newly stored events. The app follows the store's change notices instead; tests and benches
   * that drive the engine alone listen here.
   */
  onStored?(room: RoomKey, events: StoredEvent[]): void;
  /**
   * A link's received events are all stored (or dropped): a history that said `more` is over,
   * even when its last burst stored nothing new (all held already, or refused).
   */
  onInboxDrained?(room: RoomKey): void;
  /** A store failure the person must hear about (e.g. the disk is full). */
  onStoreError(error: StoreError): void;
  /** The peer told us its vector (`sync` or `have`): what it holds, for delivery receipts. */
  onRemoteVector?(peer: SyncPeer, vector: VersionVector): void;
  /**
   * A peer told a vector at least MIN_WORKER_JOBS events ahead of ours: a history is on its way
   * (the verifier starts its Workers now, not when the first burst arrives).
   */
  onHistoryAhead?(): void;
  /** Own events up to `seq` were handed to a link in a sync answer (they are at least sent). */
  onOwnEventsSent?(room: RoomKey, seq: number): void;
  /** Authors whose events are never stored, from whoever relays them (blocked contacts). */
  isRefusedAuthor?(fingerprint: Fingerprint): boolean;
  /** Wall clock. */
  now(): number;
  /** Verifies received events (default: here, on this thread; the app uses a Worker for bursts). */
  verifyEvents?: VerifyEvents;
}

/** Tunables; the defaults are the exported constants (tests make them small). */
export interface SyncEngineOptions {
  /** Most events one sync answer sends (MAX_SYNC_ANSWER_EVENTS). */
  maxAnswerEvents?: number;
  /** Per-room throttle of `have` announcements (HAVE_THROTTLE_MS). */
  haveThrottleMs?: number;
  /** Per-link interval between gap re-syncs (GAP_RESYNC_INTERVAL_MS). */
  gapResyncIntervalMs?: number;
}
