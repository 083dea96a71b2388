/**
 * The view's window of history once it is not simply the newest pages (DESIGN §6 "View
 * window"): the reader scrolled far back, or opened a search result. Pages join it at either
 * end, and past a maximum the far end leaves, so the log never holds more than that however long
 * the history. Edits, reactions and deletions come after the message they change, maybe far
 * after: they are read with each page (SearchIndex.readChanges) and stay while their message is
 * shown, so a message far back shows as it is now. Plain data, no I/O.
 */
import { compareEvents, eventKey, refKey } from '../../domain/events';
import type { EventRef, StoredEvent } from '../../protocol/events';

/** A window of events in display order, and whether events were left out at its far end. */
export interface HistoryWindow {
  events: StoredEvent[];
  isCut: boolean;
}

/** The message an edit, reaction or deletion changes. */
function targetOf(e: StoredEvent): EventRef | undefined {
  return (e.body as { target?: EventRef } | undefined)?.target;
}

/** Every event of `lists` once, in display order. */
function merged(lists: readonly (readonly StoredEvent[])[]): StoredEvent[] {
  const byKey = new Map<string, StoredEvent>();
  for (const list of lists) for (const e of list) byKey.set(eventKey(e), e);
  return [...byKey.values()].sort(compareEvents);
}

/**
 * An older `page` (with `changes`, the later changes of its messages) joins `shown`; past `max`
 * events the newest leave, except the changes of a message still shown.
 */
export function withOlder(
  shown: readonly StoredEvent[],
  page: readonly StoredEvent[],
  changes: readonly StoredEvent[],
  max: number,
): HistoryWindow {
  const all = merged([page, shown, changes]);
  const kept = all.slice(0, max);
  const keys = new Set(kept.map(eventKey));
  const past = all.slice(max);
  const keptChanges = past.filter((e) => {
    const target = targetOf(e);
    return target !== undefined && keys.has(refKey(e.conv, target));
  });
  return { events: kept.concat(keptChanges), isCut: keptChanges.length < past.length };
}

/** A newer `page` (with its messages' `changes`) joins `shown`; past `max` the oldest leave. */
export function withNewer(
  shown: readonly StoredEvent[],
  page: readonly StoredEvent[],
  changes: readonly StoredEvent[],
  max: number,
): HistoryWindow {
  const all = merged([shown, page, changes]);
  return { events: all.slice(-max), isCut: all.length > max };
}

/** `events` with `changes` among them, in display order (a window read around a message). */
export function withChanges(
  events: readonly StoredEvent[],
  changes: readonly StoredEvent[],
): StoredEvent[] {
  return merged([events, changes]);
}
