/**
 * Removing a member (DESIGN §5): the owner moves the room to a new secret, signed, and every
 * remaining member follows and passes the move on to members who were away; the removed member
 * is told and cut off, and keeps the history read-only. The old room stays joined (to pass the
 * move on) but admits only its remaining members.
 */
import type { FrameHandlers } from '../../kernel/frames';
import type { Kernel } from '../../kernel/kernel.svelte';
import type { MeshPeer } from '../../net/room-mesh';
import type { Conversation, ConversationFlags } from '../../storage/chat-store';
import type { Fingerprint, RoomKey, RoomSecret } from '../../protocol/ids';
import type { RoomMoveActions } from './room-move-actions';
import { createLogger } from '../../log';

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
  #announced = new Set<RoomKey>();
  #actions: Promise<RoomMoveActions> | null = null;

  /** The frames room moves own. */
  readonly frames: Pick<FrameHandlers, 'room-move' | 'room-removed'> = {
    'room-move': async (peer, frame) => (await this.#load()).handleMove(peer, frame),
    'room-removed': async (peer) => (await this.#load()).handleRemoved(peer),
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
        if (change.type !== 'conversation') return;
        const { conversation } = change;
        const { movedTo } = conversation;
        if (!movedTo || this.#announced.has(conversation.id)) return;
        this.#announced.add(conversation.id);
        // Moved in another tab: this tab may hold the network, so it tells the linked members.
        if (!isFromOtherTab) return;
        this.#load()
          .then((actions) => actions.announce(conversation, movedTo))
          .catch((error: unknown) => log.error('passing on a move failed', error));
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
    if (!this.canRemoveMembers(room)) return null;
    return (await this.#load()).removeMember(room, fingerprint);
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

  /** The code that carries out moves, loaded once on first use. */
  #load(): Promise<RoomMoveActions> {
    this.#actions ??= import('./room-move-actions').then(
      ({ RoomMoveActions }) =>
        new RoomMoveActions(this.#kernel, this.#ports, this.#announced, (room) =>
          this.canRemoveMembers(room),
        ),
    );
    return this.#actions;
  }
}
