/**
 * The loaded part of one conversation's history (DESIGN §6 "View window"): its newest page, or
 * a window the reader scrolled to (search/history-window.ts makes those), and what arrives
 * meanwhile, in display order and without duplicates. While the reader follows the newest, the
 * window keeps to `maxLoaded` messages by dropping its oldest page (paged back in on scrolling).
 * Plain bookkeeping, no I/O.
 */
import { compareEvents, eventKey } from '../../domain/events';
import type { StoredEvent } from '../../protocol/events';

/** One conversation's loaded messages. */
export class MessageWindow {
  #events: StoredEvent[] = [];
  #keys = new Set<string>();
  #hasOlder = false;
  /** The window was opened around a message far back: newer ones are paged in, not merged. */
  #hasNewer = false;
  readonly #pageSize: number;
  readonly #maxLoaded: number;

  /** `pageSize`: what a page loads; `maxLoaded`: the most kept while following the newest. */
  constructor(pageSize: number, maxLoaded: number) {
    this.#pageSize = pageSize;
    this.#maxLoaded = maxLoaded;
  }

  /** The loaded messages in display order (a new array after every change). */
  get events(): StoredEvent[] {
    return this.#events;
  }

  /** True while the store may hold messages older than the loaded ones. */
  get hasOlder(): boolean {
    return this.#hasOlder;
  }

  /** True while the store holds messages newer than the loaded ones (opened at a message). */
  get hasNewer(): boolean {
    return this.#hasNewer;
  }

  /** Replaces everything (a conversation opened or closed, or opened at a message). */
  reset(events: StoredEvent[], hasOlder: boolean, hasNewer = false): void {
    this.#events = events;
    this.#keys = new Set(events.map(eventKey));
    this.#hasOlder = hasOlder;
    this.#hasNewer = hasNewer;
  }

  /**
   * The newest page was read: it becomes the window, keeping what arrived while it was read
   * (which may be newer than what the read saw).
   */
  loaded(page: StoredEvent[]): void {
    const loaded = new Set(page.map(eventKey));
    const arrived = this.#events.filter((e) => !loaded.has(eventKey(e)));
    this.reset([...page, ...arrived].sort(compareEvents), page.length === this.#pageSize);
  }

  /**
   * Adds newly stored events in display order; true when the window changed. Events older than
   * the window are left to paging back. `isFollowing`: the reader is at the newest message, so
   * the window may drop its oldest page.
   */
  merge(events: readonly StoredEvent[], isFollowing: boolean): boolean {
    const oldest = this.#events[0];
    const newest = this.#events.at(-1);
    const fresh = events.filter((e) => {
      const key = eventKey(e);
      if (this.#keys.has(key)) return false;
      if (this.#hasOlder && oldest && compareEvents(e, oldest) < 0) return false;
      // Past the window's newest, only what changes a shown message (an edit, a reaction, a
      // deletion) joins; new messages come with the next page.
      const isChange = e.kind === 'edit' || e.kind === 'delete' || e.kind === 'reaction';
      if (this.#hasNewer && !isChange && newest && compareEvents(e, newest) > 0) return false;
      this.#keys.add(key);
      return true;
    });
    if (fresh.length === 0) return false;
    fresh.sort(compareEvents);
    const first = fresh[0];
    let merged =
      !newest || (first && compareEvents(newest, first) < 0)
        ? this.#events.concat(fresh)
        : [...this.#events, ...fresh].sort(compareEvents);
    if (isFollowing && merged.length > this.#maxLoaded) {
      const dropped = merged.slice(0, merged.length - this.#pageSize);
      merged = merged.slice(-this.#pageSize);
      for (const e of dropped) this.#keys.delete(eventKey(e));
      this.#hasOlder = true;
    }
    this.#events = merged;
    return true;
  }

  /**
   * What `author` wrote here is gone (all of it, or the events of `seqs`): it leaves the window;
   * true when it changed.
   */
  dropAuthor(author: string, seqs?: readonly number[]): boolean {
    const kept = this.#events.filter(
      (e) => e.author !== author || (seqs !== undefined && !seqs.includes(e.seq)),
    );
    if (kept.length === this.#events.length) return false;
    this.reset(kept, this.#hasOlder, this.#hasNewer);
    return true;
  }
}
