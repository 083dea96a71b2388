/**
 * The rooms the conversations want joined (a source of the kernel's room directory): every stored
 * conversation we were not removed from, plus rooms being opened from a link (joined before their
 * record is written: the server round trip and the dials overlap the IndexedDB write, which is
 * most of the time from opening a link to talking, bench/results/connect.md), minus rooms being
 * deleted.
 */
import type { RoomSource } from '../../kernel/room-directory';
import type { Conversation } from '../../storage/chat-store';
import type { RoomKey, RoomSecret } from '../../protocol/ids';

/** The conversations' claim on rooms. */
export class ConversationRooms implements RoomSource {
  readonly id = 'conversations';
  readonly isListed = true;
  #list: () => readonly Conversation[];
  /** Rooms opened from a link whose record is not stored yet: room → secret. */
  #opening = new Map<RoomKey, RoomSecret>();
  /** Rooms being deleted: left at once, joined again if the deletion fails. */
  #leaving = new Set<RoomKey>();

  constructor(list: () => readonly Conversation[]) {
    this.#list = list;
  }

  *rooms(): Iterable<readonly [RoomKey, RoomSecret]> {
    for (const c of this.#list()) {
      if (!c.removedFromRoom && !this.#leaving.has(c.id)) yield [c.id, c.secret];
    }
    for (const [room, secret] of this.#opening) {
      if (!this.#leaving.has(room)) yield [room, secret];
    }
  }

  /** A room is being opened from a link: join it now, before its record exists. */
  open(room: RoomKey, secret: RoomSecret): void {
    this.#opening.set(room, secret);
  }

  /** The room's record is stored (or could not be): the list speaks for it from now on. */
  opened(room: RoomKey): void {
    this.#opening.delete(room);
  }

  /** The room is being deleted: leave it now. */
  leave(room: RoomKey): void {
    this.#leaving.add(room);
  }

  /** The deletion ended (done, or failed and the room is ours again). */
  left(room: RoomKey): void {
    this.#leaving.delete(room);
  }
}
