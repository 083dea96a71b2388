/**
 * Call-log lines in the history (DESIGN §8): one per call ID, the first in display order (so a
 * rare second write of the same call shows once on every member). Pure; the words they show are
 * the calls feature's (features/calls/call-log-line.ts).
 */
import { isKnownEvent } from './events';
import type { ChatEvent, StoredEvent } from '../protocol/events';

/** A call-log event. */
export type CallLogEvent = ChatEvent & { kind: 'call-log' };

/** The call-log events to show, in display order: the first of each call ID. */
export function foldCallLogs(events: readonly StoredEvent[]): CallLogEvent[] {
  const seen = new Set<string>();
  const shown: CallLogEvent[] = [];
  for (const e of events) {
    if (!isKnownEvent(e) || e.kind !== 'call-log' || seen.has(e.body.callId)) continue;
    seen.add(e.body.callId);
    shown.push(e);
  }
  return shown;
}

/** "m:ss", or "h:mm:ss" from an hour on. */
export function formatDuration(totalS: number): string {
  const s = Math.max(0, Math.floor(totalS));
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const seconds = String(s % 60).padStart(2, '0');
  return hours > 0
    ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}`
    : `${minutes}:${seconds}`;
}
