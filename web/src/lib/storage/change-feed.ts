/**
 * The listeners of a store's change notices (DESIGN §10): each hears every change in order, and
 * one that throws is logged without keeping the others from hearing or failing the write.
 */
import { createLogger } from '../log';

const log = createLogger('store');

/** Listeners of changes of type `T`. */
export class ChangeFeed<T extends { type: string }> {
  readonly #listeners = new Set<(change: T) => void>();

  /** Calls `listener` with every change emitted from now on; returns the unsubscribe. */
  subscribe(listener: (change: T) => void): () => void {
    // A wrapper per subscription: the same function subscribed twice is unsubscribed one by one.
    const entry = (change: T): void => listener(change);
    this.#listeners.add(entry);
    return () => {
      this.#listeners.delete(entry);
    };
  }

  /**
   * Tells every change, in order, to each listener subscribed when it starts (a listener that
   * unsubscribes meanwhile hears no more).
   */
  emit(changes: readonly T[]): void {
    if (changes.length === 0 || this.#listeners.size === 0) return;
    const listeners = [...this.#listeners];
    for (const change of changes) {
      for (const listener of listeners) {
        if (!this.#listeners.has(listener)) continue;
        try {
          listener(change);
        } catch (error) {
          log.error(`a listener of '${change.type}' changes failed:`, error);
        }
      }
    }
  }
}
