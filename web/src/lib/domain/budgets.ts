/**
 * Per-author budgets of a room (DESIGN §6 "Hostile members"): how many bytes one author may put
 * into a room in all, and per minute of their own clock. Every member applies them when storing
 * received events, so a flood is neither stored nor relayed past the budget, whoever passes it
 * on. Honest authors stay far below both, so their histories converge as before.
 *
 * Pure functions over plain records; the store calls `admitEvents` inside the transaction that
 * writes the events, and keeps the result in the conversation record (`Conversation.usage`).
 */
import { decodeHlc } from './hlc';
import type { StoredEvent } from '../protocol/events';
import type { Fingerprint } from '../protocol/ids';
import { utf8ByteLength } from '../protocol/parse-helpers';

/** What one author has put into one room, as this member counted it. */
export interface AuthorUsage {
  /** Bytes of the author's events ever admitted here (deleting them gives nothing back). */
  bytes: number;
  /** Bytes admitted per rate window of the author's clock, newest last: [window, bytes]. */
  windows: [number, number][];
}

/** The budgets: the AUTHOR_* constants of config.ts (the store passes them; tests make them small). */
export interface Budgets {
  /** AUTHOR_STORAGE_BUDGET_BYTES. */
  storageBytes: number;
  /** AUTHOR_RATE_BUDGET_BYTES. */
  rateBytes: number;
  /** AUTHOR_RATE_WINDOW_MS. */
  rateWindowMs: number;
  /** AUTHOR_RATE_WINDOWS_KEPT. */
  windowsKept: number;
}

/** Why an event was refused. */
export type Refusal = 'storage' | 'rate';

/** What `admitEvents` decided. */
export interface Admission<E> {
  /** The events to store. */
  admitted: E[];
  /** The events refused for good, with why. */
  refused: { event: E; reason: Refusal }[];
  /** The usage after the admitted ones. */
  usage: Record<Fingerprint, AuthorUsage>;
}

/** An event's size as counted against the budgets: its JSON in UTF-8 (counted, not encoded). */
export function eventSizeBytes(e: StoredEvent): number {
  return utf8ByteLength(JSON.stringify(e));
}

/**
 * Which of `events` (new to the room) fit their authors' budgets, taken in seq order per author so
 * every member decides alike for the same history. An event is refused when its author's bytes
 * would pass the storage budget, or the bytes of its rate window (by its own clock) would pass
 * the rate budget. Windows older than the newest `windowsKept` are not checked (events arriving
 * out of order); the storage budget still counts them.
 */
export function admitEvents<E extends StoredEvent>(
  usage: Readonly<Record<Fingerprint, AuthorUsage>> | undefined,
  events: readonly E[],
  budgets: Readonly<Budgets>,
): Admission<E> {
  const next: Record<Fingerprint, AuthorUsage> = { ...usage };
  const admitted: E[] = [];
  const refused: Admission<E>['refused'] = [];
  const ordered = [...events].sort((a, b) =>
    a.author === b.author ? a.seq - b.seq : a.author < b.author ? -1 : 1,
  );
  for (const event of ordered) {
    const size = eventSizeBytes(event);
    const before = next[event.author] ?? { bytes: 0, windows: [] };
    if (before.bytes + size > budgets.storageBytes) {
      refused.push({ event, reason: 'storage' });
      continue;
    }
    const window = Math.floor((decodeHlc(event.hlc)?.ms ?? 0) / budgets.rateWindowMs);
    const windows = before.windows.map(([w, b]): [number, number] => [w, b]);
    const known = windows.find(([w]) => w === window);
    const oldestKept = windows[0]?.[0] ?? -Infinity;
    const isTooOld = !known && windows.length >= budgets.windowsKept && window < oldestKept;
    if (known) {
      if (known[1] + size > budgets.rateBytes) {
        refused.push({ event, reason: 'rate' });
        continue;
      }
      known[1] += size;
    } else if (!isTooOld) {
      if (size > budgets.rateBytes) {
        refused.push({ event, reason: 'rate' });
        continue;
      }
      windows.push([window, size]);
      windows.sort((a, b) => a[0] - b[0]);
      while (windows.length > budgets.windowsKept) windows.shift();
    }
    next[event.author] = { bytes: before.bytes + size, windows };
    admitted.push(event);
  }
  return { admitted, refused, usage: next };
}
