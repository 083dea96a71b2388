/**
 * What removing a member does (DESIGN §5), loaded on first use (a removal, or a move or removal
 * frame from a member): signing and following a move, passing it on, checking a move a member
 * passes on, and being removed.
 */
import { fingerprintOf, importPublicKey, signBytes, verifyBytes } from '../../crypto/identity';
import { newOwnedRoomSecret, roomKeyFromSecret, roomMoveBytes } from '../../crypto/room-keys';
import type { Kernel } from '../../kernel/kernel.svelte';
import { createLogger } from '../../log';
import type { MeshPeer } from '../../net/room-mesh';
import type { Fingerprint, RoomKey, RoomSecret } from '../../protocol/ids';
import type { Conversation, RoomMove } from '../../storage/chat-store';
import type { RoomMovesPorts } from './room-moves';

const log = createLogger('moves');

/** The moves of this tab. */
export class RoomMoveActions {
  #kernel: Kernel;
  #ports: RoomMovesPorts;
  #announced: Set<RoomKey>;
  #canRemoveMembers: (room: RoomKey) => boolean;

  constructor(
    kernel: Kernel,
    ports: RoomMovesPorts,
    announced: Set<RoomKey>,
    canRemoveMembers: (room: RoomKey) => boolean,
  ) {
    this.#kernel = kernel;
    this.#ports = ports;
    this.#announced = announced;
    this.#canRemoveMembers = canRemoveMembers;
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
    if (!identity || !conversation || !this.#canRemoveMembers(room)) return null;
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
    this.announce(from, move);
    return true;
  }

  /** Linked members who stay hear the move; removed ones are told (by the owner) and cut off. */
  announce(from: Conversation, move: RoomMove): void {
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
  async handleMove(peer: MeshPeer, frame: RoomMove): Promise<void> {
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
  async handleRemoved(peer: MeshPeer): Promise<void> {
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
