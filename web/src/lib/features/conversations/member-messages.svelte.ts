/**
 * What each member wrote in a room, as this device holds it, and deleting it (DESIGN §6 "Hostile
 * members"): the members list shows "Messages: N (size)" per member and lets the person delete
 * everything one member wrote here. The store keeps the deleted events' ids, so sync never brings
 * them back; other members keep their own copies.
 */
import type { Kernel } from '../../kernel/kernel.svelte';
import { createLogger } from '../../log';
import type { AuthorStats } from '../../storage/chat-store';
import type { Fingerprint, RoomKey } from '../../protocol/ids';

const log = createLogger('members');

/** How often the counts of the watched room are read again while events keep arriving. */
export const MEMBER_STATS_REFRESH_MS = 2_000;

/** The counts of one room's authors, and the action that deletes one's events. */
export class MemberMessages {
  #kernel: Kernel;
  #room: RoomKey | null = null;
  #stats = $state.raw<Record<Fingerprint, AuthorStats>>({});
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(kernel: Kernel) {
    this.#kernel = kernel;
    kernel.bus.on({
      change: ({ change }) => {
        if (
          (change.type === 'events' || change.type === 'events-deleted') &&
          change.conv === this.#room
        ) {
          this.#scheduleRefresh();
        }
      },
    });
  }

  /** What `author` wrote in the watched room (zero while unknown). */
  statsOf(author: Fingerprint): AuthorStats {
    return this.#stats[author] ?? { events: 0, bytes: 0 };
  }

  /** Keeps the counts of `room` current while the members list shows it; returns the cleanup. */
  watch(room: RoomKey): () => void {
    this.#room = room;
    this.#stats = {};
    this.#refresh();
    return () => {
      if (this.#room !== room) return;
      this.#room = null;
      clearTimeout(this.#timer);
      this.#timer = undefined;
    };
  }

  /** Deletes everything `author` wrote in `room` on this device; the number deleted. */
  async deleteMessagesOf(room: RoomKey, author: Fingerprint): Promise<number> {
    const store = this.#kernel.store;
    if (!store) return 0;
    const result = await store.deleteAuthorEvents(room, author);
    if (!result.ok) {
      this.#kernel.notices.reportStore(result.error);
      return 0;
    }
    return result.value;
  }

  #scheduleRefresh(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#refresh();
    }, MEMBER_STATS_REFRESH_MS);
  }

  #refresh(): void {
    const room = this.#room;
    const store = this.#kernel.store;
    if (!room || !store) return;
    store
      .authorStats(room)
      .then((stats) => {
        if (this.#room === room) this.#stats = stats;
      })
      .catch((error: unknown) => log.error('reading what members wrote failed', error));
  }
}
