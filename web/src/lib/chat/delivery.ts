/**
 * Delivery states of own messages (DESIGN §6): pending → sent → delivered → read. Pure rules over
 * what a conversation remembers about its members; no I/O.
 *
 * - pending: stored here, not yet handed to any member's link (`seq > sentUpTo`).
 * - sent: handed to at least one member's link (`seq ≤ sentUpTo`).
 * - delivered: some other member's last known version vector covers it.
 * - read: some other member's last known read marker (an encoded HLC) is at or past its `hlc`.
 *
 * Each state implies the ones before it: a member that read a message has it, and a message a
 * member has was handed on (perhaps by someone else, so `sentUpTo` may lag behind).
 */
import { vectorCovers, type VersionVector } from './version-vector';

/** Where one own message is. */
export type DeliveryState = 'pending' | 'sent' | 'delivered' | 'read';

/** What a conversation knows about how far its members got. */
export interface DeliveryFacts {
  /** Highest own seq handed to at least one member's link (0: none). */
  sentUpTo: number;
  /** The last version vector each member told us, by fingerprint. */
  memberVectors: Readonly<Record<string, Readonly<VersionVector>>>;
  /** The latest read marker (encoded HLC) each member told us, by fingerprint. */
  readMarkers: Readonly<Record<string, string>>;
  /** The fingerprints of the other members (not the author); M in "N of M". */
  members: readonly string[];
}

/** The delivery of one own message. */
export interface Delivery {
  /** The furthest state reached. */
  state: DeliveryState;
  /** How many of the other members have it (readers included). */
  deliveredTo: number;
  /** How many of the other members have read it. */
  readBy: number;
  /** How many other members there are. */
  of: number;
}

/** The event fields delivery depends on. */
export type DeliveredEvent = { author: string; seq: number; hlc: string };

/**
 * Encoded HLCs ("MMMMMMMMMMMMMMM-CCCCC", fixed width) order as strings do, so a read marker
 * passes an event when it is not smaller.
 */
export function isReadBy(marker: string | undefined, hlc: string): boolean {
  return marker !== undefined && marker >= hlc;
}

/** The delivery of `event`, an own message, given what the conversation knows. */
export function deliveryOf(event: DeliveredEvent, facts: DeliveryFacts): Delivery {
  let deliveredTo = 0;
  let readBy = 0;
  const counted = new Set<string>();
  for (const member of facts.members) {
    if (member === event.author || counted.has(member)) continue;
    counted.add(member);
    const hasRead = isReadBy(facts.readMarkers[member], event.hlc);
    const vector = facts.memberVectors[member];
    if (hasRead) readBy++;
    if (hasRead || (vector !== undefined && vectorCovers(vector, event.author, event.seq))) {
      deliveredTo++;
    }
  }
  const state: DeliveryState =
    readBy > 0
      ? 'read'
      : deliveredTo > 0
        ? 'delivered'
        : event.seq <= facts.sentUpTo
          ? 'sent'
          : 'pending';
  return { state, deliveredTo, readBy, of: counted.size };
}

/** The later of two read markers (either may be missing). */
export function laterMarker(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a >= b ? a : b;
}
