/**
 * What each member wrote in a room, as this device holds it, and deleting it (DESIGN §6 "Hostile
 * members"): the members list shows "Messages: N (size)" per member and lets the person delete
 * everything one member wrote here. The store keeps the deleted events' ids, so sync never brings
 * them back; other members keep their own copies.
 */
import type { Kernel } from '../../kernel/kernel.svelte';
import { createLogger } from '../../log';
import { eventSizeBytes } from '../../domain/budgets';
import type { AuthorStats } from '../../storage/chat-store';
import type { StoredEvent } from '../../protocol/events';
import type { Fingerprint, RoomKey } from '../../protocol/ids';

const log = createLogger('members');

/** An event's place among a room's (author and seq). */
function keyOf(e: { author: Fingerprint; seq: number }): string {
  return `${e.author} ${e.seq}`;
}

/** The counts after `events` were stored too. */
function withEvents(
  stats: Readonly<Record<Fingerprint, AuthorStats>>,
  events: readonly StoredEvent[],
): Record<Fingerprint, AuthorStats> {
  const next = { ...stats };
  for (const event of events) {
    const known = next[event.author] ?? { events: 0, bytes: 0 };
    next[event.author] = { events: known.events + 1, bytes: known.bytes + eventSizeBytes(event) };
  }
  return next;
}

/** The counts of one room's authors, and the action that deletes one's events. */
export class MemberMessages {
  #kernel: Kernel;
  #room: RoomKey | null = null;
  #stats = $state.raw<Record<Fingerprint, AuthorStats>>({});
  /**
   * While the whole room is read: the events stored meanwhile, added to what the read finds (it
   * reads in batches, so it may meet some of them: those it leaves out).
   */
  #arrived: Record<string, StoredEvent> | null = null;
  /** Events were deleted while reading: read again. */
  #isStale = false;

  constructor(kernel: Kernel) {
    this.#kernel = kernel;
    kernel.bus.on({
      change: ({ change }) => {
        if (change.type === 'events' && change.conv === this.#room) {
          // Counted as they come: reading the whole room on every message would cost too much.
          if (this.#arrived) for (const e of change.events) this.#arrived[keyOf(e)] = e;
          else this.#stats = withEvents(this.#stats, change.events);
        } else if (change.type === 'events-deleted' && change.conv === this.#room) {
          this.#refresh();
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
      if (this.#room === room) this.#room = null;
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

  /** Reads the watched room's counts afresh (again, if events went while reading). */
  #refresh(): void {
    const room = this.#room;
    const store = this.#kernel.store;
    if (!room || !store) return;
    if (this.#arrived) {
      this.#isStale = true;
      return;
    }
    const arrived: Record<string, StoredEvent> = {};
    this.#arrived = arrived;
    this.#isStale = false;
    store
      .authorStats(room, (author, seq) => Object.hasOwn(arrived, keyOf({ author, seq })))
      .then((stats) => {
        if (this.#room === room) this.#stats = withEvents(stats, Object.values(arrived));
      })
      .catch((error: unknown) => log.error('reading what members wrote failed', error))
      .finally(() => {
        this.#arrived = null;
        if (this.#isStale) this.#refresh();
      });
  }
}
