/**
 * Conversation records as one store connection last read or wrote them (DESIGN §6 "Receiving in
 * bursts"): a received frame reads its conversation several times (verify, store, announce,
 * receipts), and each read would be a transaction. The store tells it every committed write;
 * another tab's change drops every record. Part of the IndexedDB adapter (idb-store.ts).
 */
import type { RoomKey } from '../protocol/ids';
import type { Conversation, StoreChange } from './chat-store';

/** The records kept, and the reads that fill them. */
export class ConversationCache {
  readonly #records = new Map<RoomKey, Conversation>();
  /** Bumped by every commit and every drop: a read started before one is not kept. */
  #generation = 0;

  /** The record of `id`: as kept, else read by `read` (kept unless a write overtook the read). */
  async get(
    id: RoomKey,
    read: (id: RoomKey) => Promise<Conversation | undefined>,
  ): Promise<Conversation | undefined> {
    const known = this.#records.get(id);
    if (known) return known;
    const generation = this.#generation;
    const stored = await read(id);
    if (stored && generation === this.#generation) this.#records.set(id, stored);
    return stored;
  }

  /** A write committed with `changes`: the records it wrote are kept, the deleted dropped. */
  committed(changes: readonly StoreChange[]): void {
    this.#generation++;
    for (const change of changes) {
      if (change.type === 'conversation') {
        this.#records.set(change.conversation.id, change.conversation);
      } else if (change.type === 'conversation-deleted') {
        this.#records.delete(change.conv);
      }
    }
  }

  /** Drops every record (another tab wrote): the next reads go to the database. */
  clear(): void {
    this.#records.clear();
    this.#generation++;
  }
}
