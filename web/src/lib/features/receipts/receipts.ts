/**
 * Delivery and read receipts (DESIGN §6): what members told us about what they hold and read is
 * merged into the conversation (coalesced: in a busy room every message brings receipts from
 * every member, and one write per burst is enough); our own read marker moves only while the
 * person looks, and members hear it (`read`) when it moves and on every new link.
 */
import { deliveryOf, mergeDeliveryUpdates, type Delivery } from '../../domain/delivery';
import { sameValueKeeper } from '../../domain/same-value';
import { vectorSeq, type VersionVector } from '../../domain/version-vector';
import type { FrameHandlers } from '../../kernel/frames';
import type { Kernel } from '../../kernel/kernel.svelte';
import { storeErrorOf } from '../../kernel/notices.svelte';
import { isPageAttentive, isPageVisible } from '../../kernel/page';
import { createLogger } from '../../log';
import type { MeshPeer } from '../../net/room-mesh';
import type { StoredEvent } from '../../protocol/events';
import type { ChatStore, Conversation, DeliveryUpdate } from '../../storage/chat-store';
import type { RoomKey } from '../../protocol/ids';

const log = createLogger('receipts');

/** How long receipts gather before one write records them all. */
const DELIVERY_COALESCE_MS = 100;
/** Received messages in the open room are marked read at most this often. */
const READ_COALESCE_MS = 100;

/** What receipts read of other features. */
export interface ReceiptsPorts {
  /** One conversation by room key. */
  conversation(room: RoomKey): Conversation | undefined;
  /** The open room's key, if any. */
  activeRoom(): RoomKey | null;
  /** The newest message shown in `room`, if it is open. */
  newestShown(room: RoomKey): StoredEvent | undefined;
}

/** Receipts of this tab. */
export class Receipts {
  #kernel: Kernel;
  #ports: ReceiptsPorts;
  /** Delivery updates waiting to be written, by room. */
  #pending = new Map<string, DeliveryUpdate>();
  /** Rooms with a queued mark-read (coalesces bursts of received events). */
  #markReadQueued = new Set<string>();
  /** Each room's `deliveryIn` as last returned (kept while its facts stay the same). */
  #deliveries = sameValueKeeper<(event: StoredEvent) => Delivery | null>();

  /** The frames receipts own. */
  readonly frames: Pick<FrameHandlers, 'read'> = {
    read: (peer, frame) => {
      this.recordSoon(peer.room, { readMarkers: { [peer.fingerprint]: frame.hlc } });
    },
  };

  constructor(kernel: Kernel, ports: ReceiptsPorts) {
    this.#kernel = kernel;
    this.#ports = ports;
    kernel.bus.on({
      'peer-ready': (peer) => {
        this.#sendReadMarker(peer).catch((error: unknown) =>
          log.error('telling a member our read marker failed', error),
        );
      },
      'room-left': ({ room }) => this.#pending.delete(room),
      change: ({ change, isFromOtherTab }) => {
        if (change.type !== 'events' || isFromOtherTab) return;
        const self = kernel.self;
        if (change.events.every((e) => e.author === self)) return;
        if (change.conv === ports.activeRoom() && isPageVisible()) this.#markReadSoon(change.conv);
      },
    });
  }

  /**
   * Tells the store which room the person reads: the open one while the page is visible (the
   * same rule as marking read), so its new messages never count as unread on the way.
   */
  load(store: ChatStore): void {
    store.setReading((room) => room === this.#ports.activeRoom() && isPageVisible());
  }

  /**
   * Where our own messages in a room are (pending → sent → delivered → read, and to how many of
   * the room's other members): a function of one event, null for someone else's message. Built
   * once per view update, so a long list does not look the conversation up per row.
   */
  deliveryIn(room: RoomKey): (event: StoredEvent) => Delivery | null {
    const self = this.#kernel.self;
    const conversation = this.#ports.conversation(room);
    // Of each member's vector only our own seq counts: their messages moving it on change
    // nothing shown. The same function while the facts stay the same, so a list deriving from it
    // (every row of a message list) is not updated with every message of the room.
    const memberVectors: Record<string, VersionVector> = {};
    for (const [member, vector] of Object.entries(conversation?.memberVectors ?? {})) {
      if (self !== undefined) memberVectors[member] = { [self]: vectorSeq(vector, self) };
    }
    const facts = {
      sentUpTo: conversation?.sentUpTo ?? 0,
      memberVectors,
      readMarkers: conversation?.readMarkers ?? {},
      members: Object.keys(conversation?.members ?? {}),
    };
    return this.#deliveries(
      room,
      (event) => (event.author === self ? deliveryOf(event, facts) : null),
      JSON.stringify([self, facts]),
    );
  }

  /**
   * Marks a room read (call while its view is visible); a failure shows the notice. While the
   * page is also focused, the read marker advances to the newest message shown and the room's
   * members hear it (`read`), so their messages turn "Read".
   */
  async markRead(room: RoomKey): Promise<void> {
    const store = this.#kernel.store;
    if (!store) return;
    await this.#advanceReadMarker(room);
    const conversation = this.#ports.conversation(room);
    if (conversation && conversation.unread === 0) return;
    try {
      await store.markRead(room);
    } catch (error) {
      this.#kernel.notices.reportStore(storeErrorOf(error), 'error.markReadFailed');
    }
  }

  /** A member told us its vector (`sync`/`have`): it holds what it covers. */
  vectorOf(peer: MeshPeer, vector: VersionVector): void {
    this.recordSoon(peer.room, { vectors: { [peer.fingerprint]: vector } });
  }

  /** Own events up to `seq` were handed to at least one member's link. */
  sentUpTo(room: RoomKey, seq: number): void {
    this.recordSoon(room, { sentUpTo: seq });
  }

  /** Records a delivery update shortly, merged with the others that come meanwhile. */
  recordSoon(room: RoomKey, update: DeliveryUpdate): void {
    const pending = this.#pending.get(room);
    this.#pending.set(room, pending ? mergeDeliveryUpdates(pending, update) : update);
    if (pending) return;
    setTimeout(() => {
      const merged = this.#pending.get(room);
      this.#pending.delete(room);
      if (!merged) return;
      this.#record(room, merged).catch((error: unknown) =>
        log.error('recording a receipt failed', error),
      );
    }, DELIVERY_COALESCE_MS);
  }

  /** Merges what peers told us about delivery (the store's notice shows it). */
  async #record(room: RoomKey, update: DeliveryUpdate): Promise<void> {
    const store = this.#kernel.store;
    if (!store) return;
    const saved = await store.recordDelivery(room, update);
    if (!saved.ok) this.#kernel.notices.reportStore(saved.error);
  }

  /** Moves our read marker to the newest shown message while the person looks; tells peers. */
  async #advanceReadMarker(room: RoomKey): Promise<void> {
    const store = this.#kernel.store;
    const newest = this.#ports.newestShown(room);
    if (!store || !newest || !isPageAttentive()) return;
    const moved = await store.advanceReadMarker(room, newest.hlc);
    if (!moved.ok) {
      this.#kernel.notices.reportStore(moved.error, 'error.markReadFailed');
      return;
    }
    if (moved.value) this.#kernel.network.links.broadcast(room, { type: 'read', hlc: newest.hlc });
  }

  /** Tells a newly linked member how far we read (an author who was away learns it now). */
  async #sendReadMarker(peer: MeshPeer): Promise<void> {
    const marker = (await this.#kernel.store?.getConversation(peer.room))?.readUpTo;
    if (marker) this.#kernel.network.links.sendTo(peer, { type: 'read', hlc: marker });
  }

  /**
   * Marks the open room read shortly, once for the messages that come meanwhile: a lively room
   * then costs one read-marker write and one `read` frame per READ_COALESCE_MS, not per message
   * (its messages never count as unread meanwhile: see `load`).
   */
  #markReadSoon(room: RoomKey): void {
    if (this.#markReadQueued.has(room)) return;
    this.#markReadQueued.add(room);
    setTimeout(() => {
      this.#markReadQueued.delete(room);
      if (room === this.#ports.activeRoom() && isPageVisible()) {
        this.markRead(room).catch((error: unknown) => log.error('marking read failed', error));
      }
    }, READ_COALESCE_MS);
  }
}
