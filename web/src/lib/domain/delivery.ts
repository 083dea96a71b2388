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
import type { Conversation, DeliveryUpdate } from '../storage/chat-store';
import { mergeVectors, sameVector, vectorCovers, type VersionVector } from './version-vector';
import type { Fingerprint } from '../protocol/ids';
import { entriesOf } from './records';

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
export type DeliveredEvent = { author: Fingerprint; seq: number; hlc: string };

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

/**
 * What peers told us, `known` and then `update`, as one update: `sentUpTo` and read markers keep
 * the furthest, vectors merge per author. `known` itself when `update` adds nothing (neither
 * argument is changed), so a caller can tell "nothing new" by identity. The one delivery merge:
 * the store merges into a conversation with it (`withDelivery`), the session coalesces receipts.
 */
export function mergeDeliveryUpdates(
  known: DeliveryUpdate,
  update: DeliveryUpdate,
): DeliveryUpdate {
  let merged = known;
  if (update.sentUpTo !== undefined && update.sentUpTo > (known.sentUpTo ?? 0)) {
    merged = { ...merged, sentUpTo: update.sentUpTo };
  }
  for (const [member, vector] of entriesOf(update.vectors ?? {})) {
    const before = merged.vectors?.[member];
    const after = mergeVectors(before ?? {}, vector);
    if (before && sameVector(before, after)) continue;
    merged = { ...merged, vectors: { ...merged.vectors, [member]: after } };
  }
  for (const [member, marker] of entriesOf(update.readMarkers ?? {})) {
    const before = merged.readMarkers?.[member];
    if (laterMarker(before, marker) === before) continue;
    merged = { ...merged, readMarkers: { ...merged.readMarkers, [member]: marker } };
  }
  return merged;
}

/**
 * The conversation with `update` merged into its delivery facts (see `mergeDeliveryUpdates`);
 * the same object when nothing changes, and only the fields that moved are set.
 */
export function withDelivery(conversation: Conversation, update: DeliveryUpdate): Conversation {
  const known: DeliveryUpdate = {};
  if (conversation.sentUpTo !== undefined) known.sentUpTo = conversation.sentUpTo;
  if (conversation.memberVectors) known.vectors = conversation.memberVectors;
  if (conversation.readMarkers) known.readMarkers = conversation.readMarkers;
  const merged = mergeDeliveryUpdates(known, update);
  if (merged === known) return conversation;
  const next = { ...conversation };
  if (merged.sentUpTo !== known.sentUpTo) next.sentUpTo = merged.sentUpTo;
  if (merged.vectors !== known.vectors) next.memberVectors = merged.vectors;
  if (merged.readMarkers !== known.readMarkers) next.readMarkers = merged.readMarkers;
  return next;
}

/** The conversation with our own read marker at `hlc`; the same object unless `hlc` is later. */
export function withReadUpTo(conversation: Conversation, hlc: string): Conversation {
  const readUpTo = conversation.readUpTo;
  return laterMarker(readUpTo, hlc) === readUpTo
    ? conversation
    : { ...conversation, readUpTo: hlc };
}
