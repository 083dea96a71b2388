/**
 * Version-vector sync between authenticated members (DESIGN §6). On every link that becomes
 * ready, and whenever a gap shows, each side sends its vector (`sync`); the other answers with the
 * events it lacks, oldest first per author, in bounded frames. Relayed events are verified against
 * their authors' keys, so any member can pass on anyone's history. There is no retry timer: the
 * next sync delivers whatever a peer missed.
 */
import { verifyEvent } from '../chat/events';
import { colorForFingerprint } from '../chat/avatar';
import { missingFor, type VersionVector } from '../chat/version-vector';
import { createLogger } from '../log';
import type { ChatEvent, Unverified } from '../protocol/events';
import { MAX_BATCH_EVENTS } from '../protocol/limits';
import { splitEventsIntoFrames, type EventsFrame, type PeerFrame } from '../protocol/peer-frames';
import type { ChatStore, StoreError } from '../storage/chat-store';

const log = createLogger('sync');

/** Most events one sync answer sends; the asker re-syncs for the rest when it sees the gap. */
export const MAX_SYNC_ANSWER_EVENTS = 50_000;
/** A peer is asked again for a gap at most this often. */
export const GAP_RESYNC_INTERVAL_MS = 1_000;

/** The authenticated remote end of a link, as far as sync cares. */
export interface SyncPeer {
  /** Remote session ID. */
  peerId: string;
  /** Conversation (room key) of the link. */
  room: string;
  /** Remote identity fingerprint. */
  fingerprint: string;
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
  self: { fingerprint: string; spki: string };
  /** Sends a frame on the peer's link; false when it is gone. */
  send(peer: SyncPeer, frame: PeerFrame): boolean;
  /** Newly stored events, to update what is shown. */
  onStored(room: string, events: ChatEvent[]): void;
  /** A store failure the person must hear about (e.g. the disk is full). */
  onStoreError(error: StoreError): void;
  /** Wall clock. */
  now(): number;
}

/** Runs sync for every link of this tab. */
export class SyncEngine {
  #deps: SyncEngineDeps;
  #lastGapResync = new Map<string, number>();

  constructor(deps: SyncEngineDeps) {
    this.#deps = deps;
  }

  /**
   * A link became ready: pin the member's proven key and profile (so we can verify and relay
   * their events later), then tell the peer what we have so it can send what we lack.
   */
  async onPeerReady(peer: SyncPeer): Promise<void> {
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

  /** The peer told us what it has: send it what it lacks. */
  async onSync(peer: SyncPeer, remote: VersionVector): Promise<void> {
    const { store } = this.#deps;
    const conversation = await store.getConversation(peer.room);
    if (!conversation) return;
    const keys = this.#keysOf(conversation.members);
    let budget = MAX_SYNC_ANSWER_EVENTS;
    for (const range of missingFor(conversation.vector, remote)) {
      let from = range.from;
      while (from <= range.to && budget > 0) {
        const page = await store.listAuthorEvents(
          peer.room,
          range.author,
          from,
          range.to,
          Math.min(MAX_BATCH_EVENTS, budget),
        );
        if (page.length === 0) break;
        for (const frame of splitEventsIntoFrames(page, keys)) {
          if (!this.#deps.send(peer, frame)) return; // link gone; the next sync resumes
        }
        budget -= page.length;
        from = (page.at(-1)?.seq ?? range.to) + 1;
      }
    }
  }

  /**
   * Events from a peer: verify each against its author's key, store the valid ones, and ask
   * again when a gap shows. Returns the newly stored events.
   */
  async onEvents(peer: SyncPeer, frame: EventsFrame<Unverified<ChatEvent>>): Promise<ChatEvent[]> {
    const { store } = this.#deps;
    const conversation = await store.getConversation(peer.room);
    if (!conversation) return [];
    const verified: ChatEvent[] = [];
    const newAuthors = new Map<string, string>();
    for (const event of frame.events) {
      if (event.conv !== peer.room) {
        log.warn('dropped an event for another conversation from', peer.peerId);
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
      const ok = await verifyEvent(event, spki);
      if (!ok) {
        log.warn('dropped an event with a bad signature, from', peer.peerId);
        continue;
      }
      verified.push(ok);
      if (!known) newAuthors.set(event.author, spki);
    }
    if (verified.length === 0) return [];
    for (const [fingerprint, spki] of newAuthors) {
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
    const stored = await store.addEvents(verified, this.#deps.now());
    if (!stored.ok) {
      this.#deps.onStoreError(stored.error);
      return [];
    }
    if (stored.value.length > 0) this.#deps.onStored(peer.room, stored.value);
    await this.#resyncOnGap(peer, verified);
    return stored.value;
  }

  async #resyncOnGap(peer: SyncPeer, received: ChatEvent[]): Promise<void> {
    const conversation = await this.#deps.store.getConversation(peer.room);
    if (!conversation) return;
    const hasGap = received.some((e) => e.seq > (conversation.vector[e.author] ?? 0));
    if (!hasGap) return;
    const key = `${peer.room}/${peer.peerId}`;
    const now = this.#deps.now();
    if (now - (this.#lastGapResync.get(key) ?? -Infinity) < GAP_RESYNC_INTERVAL_MS) return;
    this.#lastGapResync.set(key, now);
    this.#deps.send(peer, { type: 'sync', vector: conversation.vector });
  }

  async #sendVector(peer: SyncPeer): Promise<void> {
    const conversation = await this.#deps.store.getConversation(peer.room);
    if (!conversation) return;
    this.#deps.send(peer, { type: 'sync', vector: conversation.vector });
  }

  #keysOf(members: Record<string, { spki: string }>): Record<string, string> {
    const keys: Record<string, string> = {
      [this.#deps.self.fingerprint]: this.#deps.self.spki,
    };
    for (const [fingerprint, member] of Object.entries(members)) keys[fingerprint] = member.spki;
    return keys;
  }
}
