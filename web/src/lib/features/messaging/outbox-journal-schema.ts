/**
 * The schema of an outbox journal entry read back (STYLE "parseData re-validates what is read
 * back"): web storage is the page's, but anything in it may be old, cut short or edited. Loaded
 * only when a start finds entries to take over, so the first screen carries no schema library.
 */
import * as v from 'valibot';
import { eventBodySchemas } from '../../protocol/event-schema';
import { fingerprintSchema, roomKeySchema } from '../../protocol/ids';
import type { JournalRecord } from './outbox-journal';

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
