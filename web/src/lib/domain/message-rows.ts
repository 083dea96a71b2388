/**
 * The rows a conversation's history shows (DESIGN §6), in display order: text messages with
 * their edits, deletions and reactions folded in (message-view.ts), one line per call
 * (call-log.ts), and a line for each event of a kind this build does not know. Each row knows
 * whether it opens a new day and whether a message starts a group. Pure: the same events give the
 * same rows on every member; an unchanged row keeps its object, so its view is not redrawn.
 */
import type { CallLogEvent } from './call-log';
import { foldCallLogs } from './call-log';
import { compareEvents, eventKey, isKnownEvent, refKey } from './events';
import { decodeHlc } from './hlc';
import { foldMessages, quoteText, type MessageView } from './message-view';
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

/**
 * A conversation's rows, kept up to date as its loaded events change, at a cost that follows the
 * change rather than the history: when events were only added after the newest (a message, a
 * call line, an event of a newer build), only their rows are built; anything else (an edit, a
 * deletion or a reaction, events before the newest, a trimmed window) rebuilds with `buildRows`,
 * which keeps the objects of unchanged rows.
 */
export class RowCache {
  #events: readonly StoredEvent[] = [];
  #rows: TimelineRow[] = [];
  #byKey = new Map<string, TimelineRow>();
  #callIds = new Set<string>();
  #self: Fingerprint | undefined;

  /** The rows of `events` (the conversation's loaded events in display order). */
  update(events: readonly StoredEvent[], context: RowContext): TimelineRow[] {
    if (events === this.#events && context.self === this.#self) return this.#rows;
    const appended = this.#appendedTo(events, context);
    const added = appended && appendRows(this.#rows, appended, context, this.#byKey, this.#callIds);
    if (added) {
      this.#rows = this.#rows.concat(added);
      for (const row of added) this.#byKey.set(row.key, row);
    } else {
      this.#rows = buildRows(events, context, this.#byKey);
      this.#byKey = rowsByKey(this.#rows);
      this.#callIds = new Set(
        this.#rows.flatMap((row) => (row.kind === 'call' ? [row.event.body.callId] : [])),
      );
    }
    this.#events = events;
    this.#self = context.self;
    return this.#rows;
  }

  /** The events added after the newest of the last update, if that is all that changed. */
  #appendedTo(events: readonly StoredEvent[], context: RowContext): StoredEvent[] | null {
    const before = this.#events;
    if (context.self !== this.#self || before.length === 0 || events.length <= before.length) {
      return null;
    }
    const last = before.length - 1;
    // The window only appends (concat) or re-sorts; the ends of the old part tell which.
    if (events[0] !== before[0] || events[last] !== before[last]) return null;
    const appended = events.slice(before.length);
    return appended.every(standsAlone) ? appended : null;
  }
}

/** An event whose row depends on nothing after it and changes no row before it. */
function standsAlone(e: StoredEvent): boolean {
  if (!isKnownEvent(e)) return true;
  return (
    e.kind === 'text' ||
    e.kind === 'file' ||
    e.kind === 'call-log' ||
    e.kind === 'room-meta' ||
    e.kind === 'profile'
  );
}

/**
 * The rows of `appended` events (all `standsAlone`, all after `rows`), continuing the day and
 * group of the last row; null when one of them cannot be built this way (then rebuild).
 */
function appendRows(
  rows: readonly TimelineRow[],
  appended: readonly StoredEvent[],
  context: RowContext,
  byKey: ReadonlyMap<string, TimelineRow>,
  callIds: Set<string>,
): TimelineRow[] | null {
  const views = new Map(
    foldMessages(appended, context.self).map((view) => [eventKey(view.event), view]),
  );
  const added: TimelineRow[] = [];
  const last = rows.at(-1);
  let previousDay = last ? context.dayOf(last.ms) : '';
  let groupAuthor: string = last?.kind === 'message' ? last.author : '';
  let groupMs = last?.kind === 'message' ? last.ms : 0;
  for (const e of appended) {
    const ms = decodeHlc(e.hlc)?.ms ?? 0;
    const isKnown = isKnownEvent(e);
    if (isKnown && e.kind !== 'text' && e.kind !== 'file' && e.kind !== 'call-log') continue;
    if (isKnown && e.kind === 'call-log') {
      if (callIds.has(e.body.callId)) continue;
      callIds.add(e.body.callId);
    }
    const dayLabel = context.dayOf(ms);
    const day = dayLabel === previousDay ? null : dayLabel;
    previousDay = dayLabel;
    const base = { key: eventKey(e), ms, day, author: e.author };
    if (!isKnown) {
      groupAuthor = '';
      added.push({ ...base, kind: 'unsupported', event: e });
    } else if (e.kind === 'call-log') {
      groupAuthor = '';
      added.push({ ...base, kind: 'call', event: e });
    } else {
      const view = views.get(base.key);
      if (!view) return null;
      const replyTo = e.kind === 'text' || e.kind === 'file' ? e.body.replyTo : undefined;
      if (replyTo && view.quote?.text === null && !view.quote.isDeleted) {
        // The quoted message is not among the new ones: it may be an earlier row.
        const quoted = byKey.get(refKey(e.conv, replyTo));
        if (quoted?.kind === 'message') {
          view.quote = {
            author: replyTo.author,
            text: quoted.view.isDeleted ? null : quoteText(quoted.view),
            isDeleted: quoted.view.isDeleted,
          };
        }
      }
      const startsGroup = day !== null || e.author !== groupAuthor || ms - groupMs > GROUP_GAP_MS;
      groupAuthor = e.author;
      groupMs = ms;
      added.push({ ...base, kind: 'message', view, startsGroup, isOwn: e.author === context.self });
    }
  }
  return added;
}

/**
 * `format` (a day's label for a time) remembered per local calendar day: a long history formats
 * each day once, not each row.
 */
export function labelsByDay(format: (ms: number) => string): (ms: number) => string {
  const labels = new Map<number, string>();
  return (ms) => {
    const date = new Date(ms);
    const day = date.getFullYear() * 10_000 + date.getMonth() * 100 + date.getDate();
    let label = labels.get(day);
    if (label === undefined) {
      label = format(ms);
      labels.set(day, label);
    }
    return label;
  };
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
    x.file === y.file &&
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
