/**
 * Removing a member (DESIGN §5): the owner moves the room to a new secret, signed, and every
 * remaining member follows and passes the move on to members who were away; the removed member
 * is told and cut off, and keeps the history read-only. The old room stays joined (to pass the
 * move on) but admits only its remaining members.
 */
import { fingerprintOf, importPublicKey, signBytes, verifyBytes } from '../../crypto/identity';
import { newOwnedRoomSecret, roomKeyFromSecret, roomMoveBytes } from '../../crypto/room-keys';
import type { FrameHandlers } from '../../kernel/frames';
import type { Kernel } from '../../kernel/kernel.svelte';
import { createLogger } from '../../log';
import type { MeshPeer } from '../../net/room-mesh';
import type { Conversation, ConversationFlags, RoomMove } from '../../storage/chat-store';
import type { Fingerprint, RoomKey, RoomSecret } from '../../protocol/ids';

const log = createLogger('moves');

/** What room moves ask of other features. */
export interface RoomMovesPorts {
  /** Every stored conversation. */
  all(): readonly Conversation[];
  /** One conversation by room key. */
  conversation(room: RoomKey): Conversation | undefined;
  /** Sets flags on a conversation; false when it failed (reported). */
  setFlags(room: RoomKey, flags: ConversationFlags): Promise<boolean>;
}

/** Room moves of this tab. */
export class RoomMoves {
  #kernel: Kernel;
  #ports: RoomMovesPorts;
  /** Rooms whose move this tab has announced (a move made in another tab is announced here once). */
  #announced = new Set<string>();

  /** The frames room moves own. */
  readonly frames: Pick<FrameHandlers, 'room-move' | 'room-removed'> = {
    'room-move': (peer, frame) => this.#handleMove(peer, frame),
    'room-removed': (peer) => this.#handleRemoved(peer),
  };

  constructor(kernel: Kernel, ports: RoomMovesPorts) {
    this.#kernel = kernel;
    this.#ports = ports;
    kernel.bus.on({
      // A member who was away when the room moved learns it from whoever they meet first.
      'peer-ready': (peer) => {
        const movedTo = ports.conversation(peer.room)?.movedTo;
        if (movedTo) kernel.network.links.sendTo(peer, { type: 'room-move', ...movedTo });
      },
      change: ({ change, isFromOtherTab }) => {
        if (change.type !== 'conversation' || !change.conversation.movedTo) return;
        const { conversation } = change;
        if (this.#announced.has(conversation.id)) return;
        this.#announced.add(conversation.id);
        // Moved in another tab: this tab may hold the network, so it tells the linked members.
        if (isFromOtherTab && conversation.movedTo)
          this.#announce(conversation, conversation.movedTo);
      },
    });
  }

  /** After the conversations loaded: the rooms that moved already were announced before. */
  load(): Promise<void> {
    for (const c of this.#ports.all()) if (c.movedTo) this.#announced.add(c.id);
    return Promise.resolve();
  }

  /** Whether we may remove members from a room: we own it, and it has not moved on. */
  canRemoveMembers(room: RoomKey): boolean {
    const c = this.#ports.conversation(room);
    const self = this.#kernel.self;
    return (
      c?.kind === 'room' && !!self && c.owner === self && !c.movedTo && c.removedFromRoom !== true
    );
  }

  /**
   * The owner removes a member: the room moves to a new secret that the others get over their
   * authenticated links, signed by us; the removed member is told and cut off, and the old link
   * admits no one new. Resolves to the new room's secret, or null when it could not be done (the
   * notice says why).
   */
  async removeMember(room: RoomKey, fingerprint: Fingerprint): Promise<RoomSecret | null> {
    const identity = this.#kernel.identity;
    const conversation = this.#ports.conversation(room);
    if (!identity || !conversation || !this.canRemoveMembers(room)) return null;
    if (fingerprint === identity.fingerprint) return null;
    const secret = await newOwnedRoomSecret(identity.fingerprint);
    const removed = [fingerprint];
    const sig = await signBytes(identity.privateKey, roomMoveBytes(room, secret, removed));
    const isMoved = await this.#follow(conversation, {
      secret,
      removed,
      sig,
      ownerKey: identity.spki,
    });
    return isMoved ? secret : null;
  }

  /**
   * A room that moved on admits only its members who moved too (to pass the move on); its old
   * link lets no one new in, and no removed member.
   */
  admits(peer: MeshPeer): boolean {
    const conversation = this.#ports.conversation(peer.room);
    if (!conversation?.movedTo) return true;
    return (
      peer.fingerprint in conversation.members &&
      !conversation.movedTo.removed.includes(peer.fingerprint)
    );
  }

  /**
   * Moves a room as `move` says: the successor room is stored (and so joined), linked members who
   * stay hear the move, and removed ones are told (by the owner) and cut off.
   */
  async #follow(from: Conversation, move: RoomMove): Promise<boolean> {
    const store = this.#kernel.store;
    if (!store) return false;
    const next = await roomKeyFromSecret(move.secret);
    const now = this.#kernel.now();
    const members = { ...from.members };
    for (const fingerprint of move.removed) delete members[fingerprint];
    // Announced below, not when the store says it moved.
    this.#announced.add(from.id);
    const saved = await store.moveRoom(from.id, move, {
      id: next,
      kind: 'room',
      secret: move.secret,
      ...(from.owner ? { owner: from.owner } : {}),
      previous: from.id,
      title: from.title,
      ...(from.topic ? { topic: from.topic } : {}),
      createdAt: now,
      lastActivityAt: now,
      lastPreview: '',
      unread: 0,
      members,
      vector: {},
    });
    if (!saved.ok) {
      this.#announced.delete(from.id);
      this.#kernel.notices.reportStore(saved.error, 'error.roomSaveFailed');
      return false;
    }
    // A room moves once: if another move was stored first, that one holds and this one is dropped.
    if (saved.value.movedTo?.secret !== move.secret) {
      log.warn('ignored a second move of a room that already moved');
      return false;
    }
    this.#announce(from, move);
    return true;
  }

  /** Linked members who stay hear the move; removed ones are told (by the owner) and cut off. */
  #announce(from: Conversation, move: RoomMove): void {
    const links = this.#kernel.network.links;
    const isOwner = from.owner === this.#kernel.self;
    for (const peer of links.peersIn(from.id)) {
      if (!move.removed.includes(peer.fingerprint)) {
        links.sendTo(peer, { type: 'room-move', ...move });
        continue;
      }
      if (isOwner) links.sendTo(peer, { type: 'room-removed' });
      links.disconnectIn(from.id, peer.fingerprint);
    }
  }

  /** A member passes on a room move: followed only if the room's owner signed it. */
  async #handleMove(peer: MeshPeer, frame: RoomMove): Promise<void> {
    const from = this.#ports.conversation(peer.room);
    const self = this.#kernel.self;
    if (!from || from.kind !== 'room' || from.movedTo || !self) return;
    if (!from.owner || frame.removed.includes(self)) {
      log.warn('ignored a room move for a room with no known owner, or that leaves us out');
      return;
    }
    // The owner's key: proven on this link, pinned for the room, or carried in the frame (a
    // member who never met the owner checks that its fingerprint is the owner's).
    const ownerSpki =
      from.owner === peer.fingerprint
        ? peer.spki
        : (from.members[from.owner]?.spki ??
          ((await fingerprintOf(frame.ownerKey)) === from.owner ? frame.ownerKey : undefined));
    if (!ownerSpki) {
      log.warn('dropped a room move whose owner key is not the owner’s, from', peer.peerId);
      return;
    }
    const bytes = roomMoveBytes(from.id, frame.secret, frame.removed);
    if (!(await verifyBytes(await importPublicKey(ownerSpki), frame.sig, bytes))) {
      log.warn('dropped a room move its owner did not sign, from', peer.peerId);
      return;
    }
    await this.#follow(from, {
      secret: frame.secret,
      removed: frame.removed,
      sig: frame.sig,
      ownerKey: frame.ownerKey,
    });
  }

  /** The room's owner removed us: the room becomes history and is no longer joined. */
  async #handleRemoved(peer: MeshPeer): Promise<void> {
    const conversation = this.#ports.conversation(peer.room);
    if (conversation?.kind !== 'room' || conversation.owner !== peer.fingerprint) {
      log.warn('ignored a removal from someone who does not own the room, from', peer.peerId);
      return;
    }
    if (conversation.removedFromRoom) return;
    // Stored as removed, the room leaves the directory (conversation-rooms.ts) and is left.
    await this.#ports.setFlags(conversation.id, { removedFromRoom: true });
  }
}
