/**
 * Taking over the outbox journal of a tab that closed (DESIGN §6): finding other tabs' entries,
 * checking each read back against a schema (STYLE "parseData re-validates what is read back": the
 * storage is the page's, but an entry may be old, cut short or edited), and telling those the
 * store already holds from those it does not. Loaded once the app is ready, not on the first
 * screen.
 */
import * as v from 'valibot';
import { MAX_JOURNAL_SCAN_EVENTS } from '../../config-network';
import { createLogger } from '../../log';
import { eventBodySchemas } from '../../protocol/event-schema';
import type { EventContent } from '../../protocol/events';
import { fingerprintSchema, roomKeySchema } from '../../protocol/ids';
import type { Fingerprint, RoomKey } from '../../protocol/ids';
import type { ChatStore } from '../../storage/chat-store';
import {
  JOURNAL_PREFIX,
  type JournalEntry,
  type JournalRecord,
  type JournalStorage,
} from './outbox-journal';

const log = createLogger('outbox');

/** What taking over needs of the outbox. */
export interface TakeOverPorts {
  /** The journal's storage. */
  storage: JournalStorage;
  /** This tab's id (its entries are not taken over). */
  tab: string;
  /** Web Locks; null: every other tab counts as closed. */
  locks: LockManager | null;
  /** Our identity now. */
  self: Fingerprint;
  /** The open store. */
  store: ChatStore;
  /** True while we have the conversation (not deleted). */
  hasConversation(room: RoomKey): boolean;
  /** Queues content again, journaled under this tab. */
  queue(room: RoomKey, content: EventContent): void;
}

const KEY_PATTERN = /^parley-outbox:([A-Za-z0-9-]{1,64}):(\d{1,15})$/;

/**
 * Takes over the entries of every other tab once that tab's lock is free: at once for a tab that
 * closed, later for one still open. Without Web Locks every other tab counts as closed.
 */
export function takeOverClosedTabs(ports: TakeOverPorts): void {
  for (const tab of otherTabs(ports.storage, ports.tab)) {
    const takeOver = (): Promise<void> =>
      takeOverTab(ports, tab).catch((error: unknown) =>
        log.error('taking over an outbox journal failed', error),
      );
    if (ports.locks) {
      ports.locks
        .request(`${JOURNAL_PREFIX}${tab}`, takeOver)
        .catch((error: unknown) => log.warn('the outbox journal lock failed', error));
    } else {
      void takeOver();
    }
  }
}

/**
 * A closed tab's entries: those the store holds (the tab closed after storing, before clearing
 * them) are cleared; the others are queued again here, in their order, and become ours.
 */
async function takeOverTab(ports: TakeOverPorts, tab: string): Promise<void> {
  const { storage, self, store } = ports;
  const byRoom = new Map<RoomKey, JournalEntry[]>();
  for (const entry of entriesOf(storage, tab)) {
    // Another identity's (the data was deleted since), or a conversation that is gone.
    if (entry.author !== self || !ports.hasConversation(entry.room)) remove(storage, entry.key);
    else byRoom.set(entry.room, [...(byRoom.get(entry.room) ?? []), entry]);
  }
  for (const [room, entries] of byRoom) {
    const from = Math.min(...entries.map((entry) => entry.afterSeq)) + 1;
    const own = await store.listAuthorEvents(
      room,
      self,
      from,
      Number.MAX_SAFE_INTEGER,
      MAX_JOURNAL_SCAN_EVENTS,
    );
    const unstored = new Set(unstoredEntries(entries, own));
    log.info(`sending ${unstored.size} message(s) a closed tab had not stored`);
    for (const entry of entries) {
      // Journaled again under this tab before the old entry goes: never a moment without.
      if (unstored.has(entry)) ports.queue(room, entry.content);
      remove(storage, entry.key);
    }
  }
}

/** Every key of the journal. */
function journalKeys(storage: JournalStorage): string[] {
  const keys: string[] = [];
  for (let i = 0; i < storage.length; i++) {
    const key = storage.key(i);
    if (key?.startsWith(JOURNAL_PREFIX)) keys.push(key);
  }
  return keys;
}

/** The ids of other tabs that have entries. */
function otherTabs(storage: JournalStorage, ownTab: string): string[] {
  const tabs = new Set<string>();
  for (const key of journalKeys(storage)) {
    const tab = KEY_PATTERN.exec(key)?.[1];
    if (tab && tab !== ownTab) tabs.add(tab);
  }
  return [...tabs];
}

/**
 * The entries `tab` wrote, in its order; one that is not an entry is removed. Only for a tab that
 * is gone: nobody else writes or removes them then.
 */
function entriesOf(storage: JournalStorage, tab: string): JournalEntry[] {
  const entries: JournalEntry[] = [];
  for (const key of journalKeys(storage)) {
    const match = KEY_PATTERN.exec(key);
    if (match?.[1] !== tab) continue;
    const record = parseJournalRecord(parseJson(storage.getItem(key)));
    if (record) entries.push({ ...record, key, tab, n: Number(match[2]) });
    else {
      log.warn('dropping an unreadable outbox journal entry');
      remove(storage, key);
    }
  }
  return entries.sort((a, b) => a.n - b.n);
}

function remove(storage: JournalStorage, key: string): void {
  try {
    storage.removeItem(key);
  } catch (error) {
    log.warn('the outbox journal could not be cleared', error);
  }
}

function parseJson(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null; // cut short or written by someone else: the schema refuses it
  }
}

const journalRecordSchema = v.object({
  room: roomKeySchema,
  author: fingerprintSchema,
  afterSeq: v.pipe(v.number(), v.safeInteger(), v.minValue(0)),
  content: v.variant('kind', [
    v.object({ kind: v.literal('text'), body: eventBodySchemas.text }),
    v.object({ kind: v.literal('edit'), body: eventBodySchemas.edit }),
  ]),
});

/** A journal entry's record, or null when it is not one. */
export function parseJournalRecord(value: unknown): JournalRecord | null {
  const result = v.safeParse(journalRecordSchema, value);
  return result.success ? result.output : null;
}

/**
 * Pairs a gone tab's entries for one room, in order, with our own events stored in that room since
 * (ascending by seq): an entry whose content a later-enough event carries was stored before the
 * tab went; the others were not. Returns the entries that were not stored.
 */
export function unstoredEntries(
  entries: readonly JournalEntry[],
  own: readonly { seq: number; kind: string; body: unknown }[],
): JournalEntry[] {
  const unstored: JournalEntry[] = [];
  let from = 0;
  for (const entry of entries) {
    const wanted = canonicalJson(entry.content.body);
    const index = own.findIndex(
      (event, i) =>
        i >= from &&
        event.seq > entry.afterSeq &&
        event.kind === entry.content.kind &&
        canonicalJson(event.body) === wanted,
    );
    if (index < 0) unstored.push(entry);
    else from = index + 1;
  }
  return unstored;
}

/** JSON with object keys sorted, so equal bodies compare equal whatever their key order. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(
          Object.entries(inner as Record<string, unknown>).sort(([a], [b]) =>
            a < b ? -1 : a > b ? 1 : 0,
          ),
        )
      : inner,
  );
}
