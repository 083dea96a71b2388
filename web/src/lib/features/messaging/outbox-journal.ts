/**
 * The outbox's journal (DESIGN §6 "Sending"): what the composer handed over and the store has not
 * confirmed yet, in the page's synchronous web storage. The composer clears at once and the
 * outbox stores a moment later; a tab closed or reloaded in between would otherwise lose the text.
 * An entry is written in the same task as the composer clears (`localStorage.setItem` completes
 * before it returns, so nothing is left to flush on `pagehide`), removed once the store answered,
 * and taken over at a later start once the tab that wrote it is gone (its Web Lock is free).
 *
 * Each entry is a key of its own, `parley-outbox:<tab>:<n>`, so tabs never rewrite each other's
 * entries and a burst costs one small write per message.
 */
import { createLogger } from '../../log';
import type { EventContent } from '../../protocol/events';
import type { Fingerprint, RoomKey } from '../../protocol/ids';

const log = createLogger('outbox');

/** The part of `Storage` (localStorage) the journal uses; the app passes `localStorage`. */
export type JournalStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem' | 'key' | 'length'>;

/** Every key (and tab lock name) of the journal starts with this. */
export const JOURNAL_PREFIX = 'parley-outbox:';

/** The kinds the composer produces: what a person typed, which nothing else could bring back. */
const JOURNALED_KINDS: ReadonlySet<EventContent['kind']> = new Set(['text', 'edit']);

/** True for content worth a journal entry. */
export function isJournaled(content: EventContent): boolean {
  return JOURNALED_KINDS.has(content.kind);
}

/** One entry as stored (JSON). Checked by `parseJournalEntry` when read back. */
export interface JournalRecord {
  /** The room it was said in. */
  room: RoomKey;
  /** Who said it (the identity of the profile then). */
  author: Fingerprint;
  /**
   * Our highest seq in the room when it was queued, as far as this tab knew: the event it became,
   * if it was stored, has a higher seq.
   */
  afterSeq: number;
  /** What was said. */
  content: EventContent;
}

/** An entry read back, with where it is kept. */
export interface JournalEntry extends JournalRecord {
  /** Its storage key. */
  key: string;
  /** The tab that wrote it. */
  tab: string;
  /** Its place in that tab's order. */
  n: number;
}

/** One tab's journal: writes and clears its own entries (outbox-takeover.ts reads others'). */
export class OutboxJournal {
  readonly #storage: JournalStorage;
  /** This tab's id: the middle of its keys and the name of the lock it holds while alive. */
  readonly tab: string;
  #next = 0;
  /** The last write was refused: the next refusals are not logged again (a full quota). */
  #isRefusing = false;

  constructor(storage: JournalStorage, tab: string) {
    this.#storage = storage;
    this.tab = tab;
  }

  /** The storage it writes to. */
  get storage(): JournalStorage {
    return this.#storage;
  }

  /** Writes an entry now; its key, or null when the storage refused (full, disabled). */
  write(record: JournalRecord): string | null {
    const key = `${JOURNAL_PREFIX}${this.tab}:${String(this.#next++)}`;
    try {
      this.#storage.setItem(key, JSON.stringify(record));
      this.#isRefusing = false;
      return key;
    } catch (error) {
      // Once per run of refusals: a backlog past the quota would log every message.
      if (!this.#isRefusing) log.warn('the outbox journal could not be written', error);
      this.#isRefusing = true;
      return null;
    }
  }

  /** Removes an entry (stored, refused, or its conversation gone). */
  remove(key: string): void {
    try {
      this.#storage.removeItem(key);
    } catch (error) {
      log.warn('the outbox journal could not be cleared', error);
    }
  }
}
