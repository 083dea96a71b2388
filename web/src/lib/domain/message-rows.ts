/**
 * The rows a conversation's history shows (DESIGN §6), in display order: text messages with
 * their edits, deletions and reactions folded in (message-view.ts), one line per call
 * (call-log.ts), and a line for each event of a kind this build does not know. Each row knows
 * whether it opens a new day and whether a message starts a group. Pure: the same events give the
 * same rows on every member; an unchanged row keeps its object, so its view is not redrawn.
 */
import type { CallLogEvent } from './call-log';
import { foldCallLogs } from './call-log';
import { compareEvents, eventKey, isKnownEvent } from './events';
import { decodeHlc } from './hlc';
import { foldMessages, type MessageView } from './message-view';
import type { FutureEvent, StoredEvent } from '../protocol/events';
import type { Fingerprint } from '../protocol/ids';

/** Messages from the same author closer than this share one header. */
export const GROUP_GAP_MS = 5 * 60_000;

/** What every row has. */
interface RowBase {
  /** The event's key (`eventKey`), for keyed rendering. */
  key: string;
  /** When it was written (its clock's wall time, ms). */
  ms: number;
  /** The day's label when this row is the first of a day, else null. */
  day: string | null;
  /** Who wrote it (fingerprint). */
  author: Fingerprint;
}

/** A text message. */
export interface MessageRow extends RowBase {
  kind: 'message';
  /** The message with what later events did to it. */
  view: MessageView;
  /** It starts a group (new day, new author, or a pause) and shows its author. */
  startsGroup: boolean;
  /** We wrote it. */
  isOwn: boolean;
}

/** A call's log line. */
export interface CallRow extends RowBase {
  kind: 'call';
  event: CallLogEvent;
}

/** An event a newer build wrote: "This message needs a newer version of Parley". */
export interface UnsupportedRow extends RowBase {
  kind: 'unsupported';
  event: FutureEvent;
}

/** One row of the history. */
export type TimelineRow = MessageRow | CallRow | UnsupportedRow;

/** What rows need to know besides the events. */
export interface RowContext {
  /** Our fingerprint (own messages sit on the other side). */
  self: Fingerprint | undefined;
  /** The label of the day `ms` falls on (the reader's calendar and language). */
  dayOf(ms: number): string;
}

type Entry =
  | { kind: 'message'; event: StoredEvent; view: MessageView }
  | { kind: 'call'; event: CallLogEvent }
  | { kind: 'unsupported'; event: FutureEvent };

/**
 * The rows of `events` (a conversation's loaded events in display order). `previous` (the last
 * rows, by key) lends its row objects to rows that did not change.
 */
export function buildRows(
  events: readonly StoredEvent[],
  context: RowContext,
  previous?: ReadonlyMap<string, TimelineRow>,
): TimelineRow[] {
  const entries: Entry[] = [
    ...foldMessages(events, context.self).map((view): Entry => ({
      kind: 'message',
      event: view.event,
      view,
    })),
    ...foldCallLogs(events).map((event): Entry => ({ kind: 'call', event })),
    ...events
      .filter((e): e is FutureEvent => !isKnownEvent(e))
      .map((event): Entry => ({ kind: 'unsupported', event })),
  ].sort((a, b) => compareEvents(a.event, b.event));

  const rows: TimelineRow[] = [];
  let previousDay = '';
  let groupAuthor = '';
  let groupMs = 0;
  for (const entry of entries) {
    const ms = decodeHlc(entry.event.hlc)?.ms ?? 0;
    const dayLabel = context.dayOf(ms);
    const day = dayLabel === previousDay ? null : dayLabel;
    previousDay = dayLabel;
    const base = { key: eventKey(entry.event), ms, day, author: entry.event.author };
    let row: TimelineRow;
    if (entry.kind === 'message') {
      const startsGroup =
        day !== null || entry.event.author !== groupAuthor || ms - groupMs > GROUP_GAP_MS;
      groupAuthor = entry.event.author;
      groupMs = ms;
      row = {
        ...base,
        kind: 'message',
        view: entry.view,
        startsGroup,
        isOwn: entry.event.author === context.self,
      };
    } else {
      // A line of its own: the next message shows its author again.
      groupAuthor = '';
      row = entry.kind === 'call' ? { ...base, ...entry } : { ...base, ...entry };
    }
    const old = previous?.get(row.key);
    rows.push(old && isSameRow(old, row) ? old : row);
  }
  return rows;
}

/** The rows by key (the `previous` of the next `buildRows`). */
export function rowsByKey(rows: readonly TimelineRow[]): Map<string, TimelineRow> {
  return new Map(rows.map((row) => [row.key, row]));
}

function isSameRow(a: TimelineRow, b: TimelineRow): boolean {
  if (a.kind !== b.kind || a.day !== b.day || a.ms !== b.ms) return false;
  if (a.kind !== 'message' || b.kind !== 'message') {
    return a.kind !== 'message' && b.kind !== 'message' && a.event === b.event;
  }
  const [x, y] = [a.view, b.view];
  return (
    x.event === y.event &&
    x.text === y.text &&
    x.isEdited === y.isEdited &&
    x.isDeleted === y.isDeleted &&
    a.startsGroup === b.startsGroup &&
    a.isOwn === b.isOwn &&
    x.reactions.length === y.reactions.length &&
    x.reactions.every((r, i) => {
      const s = y.reactions[i];
      return !!s && r.emoji === s.emoji && r.count === s.count && r.isMine === s.isMine;
    }) &&
    x.quote?.author === y.quote?.author &&
    x.quote?.text === y.quote?.text &&
    x.quote?.isDeleted === y.quote?.isDeleted
  );
}
