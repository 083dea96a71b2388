/**
 * The event kinds this build understands, at run time and without the schema library (the store
 * and the first screen tell known events from those a newer build wrote: DESIGN §6).
 */
import type { EventKind } from './events';

/** Every kind this build knows. */
export const EVENT_KINDS = [
  'text',
  'reaction',
  'edit',
  'delete',
  'room-meta',
  'profile',
  'call-log',
  'file',
] as const satisfies readonly EventKind[];

// A kind added to the schema but not listed here does not compile.
type Unlisted = Exclude<EventKind, (typeof EVENT_KINDS)[number]>;
const everyKindIsListed: [Unlisted] extends [never] ? true : Unlisted = true;
void everyKindIsListed;

const known: ReadonlySet<string> = new Set(EVENT_KINDS);

/** True for a kind this build understands. */
export function isKnownKind(kind: string): kind is EventKind {
  return known.has(kind);
}
