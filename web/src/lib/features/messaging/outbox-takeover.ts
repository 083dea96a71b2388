/**
 * Taking over a closed tab's outbox journal (DESIGN §6): the schema of an entry read back (STYLE
 * "parseData re-validates what is read back": web storage is the page's, but anything in it may
 * be old, cut short or edited) and which entries the store already holds. Loaded only when a
 * start finds entries to take over, so the first screen carries none of it.
 */
import * as v from 'valibot';
import { eventBodySchemas } from '../../protocol/event-schema';
import { fingerprintSchema, roomKeySchema } from '../../protocol/ids';
import type { JournalEntry, JournalRecord } from './outbox-journal';

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
