/**
 * What we say, in order (DESIGN §6 "Sending"): messages, reactions, edits, deletions, names,
 * profiles and call logs are queued, signed side by side and stored a room's run at a time in one
 * write. Storing is all the outbox does: the store's change notice shows them and sends them on
 * (see sync-link.ts), so a text typed while the previous batch is written joins the next batch.
 */
import { signEvent } from '../../domain/events';
import type { Kernel } from '../../kernel/kernel.svelte';
import { storeErrorOf } from '../../kernel/notices.svelte';
import type { EventContent } from '../../protocol/events';
import { MAX_BATCH_EVENTS } from '../../protocol/limits';
import type { Conversation } from '../../storage/chat-store';
import type { RoomKey } from '../../protocol/ids';

/** Something waiting to be stored and sent. */
interface Outgoing {
  room: RoomKey;
  /** What to store. */
  content: EventContent;
  /** Settles `queue`'s promise: true once stored. */
  resolve: (isStored: boolean) => void;
}

/** The queue of what this tab says. */
export class Outbox {
  #kernel: Kernel;
  #conversation: (room: RoomKey) => Conversation | undefined;
  /** In order; written in batches. */
  #outgoing: Outgoing[] = [];
  #isFlushing = false;

  constructor(kernel: Kernel, conversation: (room: RoomKey) => Conversation | undefined) {
    this.#kernel = kernel;
    this.#conversation = conversation;
    kernel.bus.on({
      change: ({ change }) => {
        if (change.type === 'conversation-deleted') this.#drop(change.conv);
      },
    });
  }

  /**
   * Queues content to be stored and sent in order with everything else we say. Resolves true once
   * stored, false when it was not (the notice says why).
   */
  queue(room: RoomKey, content: EventContent): Promise<boolean> {
    if (!this.#kernel.identity || !this.#kernel.store) return Promise.resolve(false);
    // A room that moved on, or that we were removed from, is history: nothing new is said there.
    const conversation = this.#conversation(room);
    if (conversation?.movedTo || conversation?.removedFromRoom) return Promise.resolve(false);
    return new Promise((resolve) => {
      this.#outgoing.push({ room, content, resolve });
      if (!this.#isFlushing) void this.#flush();
    });
  }

  /** Writes queued content, a room's run of it at a time, until none is left. */
  async #flush(): Promise<void> {
    this.#isFlushing = true;
    try {
      for (let next = this.#outgoing[0]; next; next = this.#outgoing[0]) {
        const room = next.room;
        let count = 0;
        while (count < MAX_BATCH_EVENTS && this.#outgoing[count]?.room === room) count++;
        const batch = this.#outgoing.splice(0, count);
        const ok = await this.#store(room, batch).catch((error: unknown) => {
          this.#kernel.notices.reportStore(storeErrorOf(error));
          return false;
        });
        for (const item of batch) item.resolve(ok);
      }
    } finally {
      this.#isFlushing = false;
    }
  }

  async #store(room: RoomKey, batch: readonly Outgoing[]): Promise<boolean> {
    const identity = this.#kernel.identity;
    const store = this.#kernel.store;
    if (!identity || !store) return false;
    const result = await store.appendOwnEvents({
      conv: room,
      author: identity.fingerprint,
      contents: batch.map(({ content }) => content),
      sign: (unsigned) => signEvent(unsigned, identity.privateKey),
      nowMs: this.#kernel.now(),
    });
    if (!result.ok) this.#kernel.notices.reportStore(result.error);
    return result.ok;
  }

  /** A conversation was deleted: what was still to be said there is not. */
  #drop(room: RoomKey): void {
    const unsent = this.#outgoing.filter((item) => item.room === room);
    if (unsent.length === 0) return;
    this.#outgoing = this.#outgoing.filter((item) => item.room !== room);
    for (const item of unsent) item.resolve(false);
  }
}
