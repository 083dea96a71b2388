/**
 * How a conversation record changes (DESIGN §5, §6, §10): when events are stored in it (activity,
 * preview, unread, room name and topic, members' profiles, vector), when a member is seen, when
 * the person marks it read or sets its flags (becoming a direct chat and moving: conversation-moves.ts).
 * Pure functions over plain records; the store reads and writes, these decide. Each returns the
 * same object when nothing changes, so a store can skip the write (and its change notice).
 */
import type { StoredEvent } from '../protocol/events';
import type { Conversation, ConversationFlags, Member } from '../storage/chat-store';
import { countsAsUnread, eventPreview, isKnownEvent } from './events';
import type { VersionVector } from './version-vector';
import type { Fingerprint } from '../protocol/ids';

/** How many quiet events in a row `latestPreview` looks past before keeping the old preview. */
export const MAX_QUIET_SKIPPED = 64;

/**
 * Events that neither move a conversation up the list nor change its preview: a member's profile
 * (a rename reaches every conversation they are in at once, and says nothing about any of them),
 * and kinds this build does not know (shown in the history only; DESIGN §6).
 */
export function isQuiet(e: StoredEvent): boolean {
  return !isKnownEvent(e) || e.kind === 'profile';
}

/** The list preview an event gives its conversation; undefined for a quiet one. */
export function previewOf(e: StoredEvent): string | undefined {
  if (!isKnownEvent(e) || e.kind === 'profile') return undefined;
  return eventPreview(e);
}

/**
 * The preview of a conversation: that of its newest event in display order that has one, read
 * from `newestFirst` only as far as needed (a store passes a cursor). `fallback` (the preview it
 * had) when there is none, or when more than MAX_QUIET_SKIPPED quiet events come first.
 */
export async function latestPreview(
  newestFirst: AsyncIterable<StoredEvent> | Iterable<StoredEvent>,
  fallback: string,
): Promise<string> {
  let looked = 0;
  for await (const event of newestFirst) {
    const preview = previewOf(event);
    if (preview !== undefined) return preview;
    if (++looked > MAX_QUIET_SKIPPED) break;
  }
  return fallback;
}

/** How many of `events` count as unread for us: messages and missed calls by anyone else. */
export function unreadAmong(events: readonly StoredEvent[], self: Fingerprint | undefined): number {
  let unread = 0;
  for (const e of events) if (e.author !== self && countsAsUnread(e)) unread++;
  return unread;
}

/**
 * A room's name and topic after `events`: the latest `room-meta` in display order (by clock,
 * then author) wins, on every member alike. Direct chats keep their contact's name.
 */
export function withRoomMeta(c: Conversation, events: readonly StoredEvent[]): Conversation {
  if (c.kind !== 'room') return c;
  let result = c;
  for (const e of events) {
    if (!isKnownEvent(e) || e.kind !== 'room-meta') continue;
    const order = `${e.hlc} ${e.author}`;
    if (result.metaHlc !== undefined && result.metaHlc >= order) continue;
    result = { ...result, title: e.body.name, topic: e.body.topic, metaHlc: order };
  }
  return result;
}

/**
 * Members' names and colours after `events`: a member's latest `profile` by clock wins over an
 * older one. The handshake also sets them (it is current when it happens; see DESIGN §4).
 */
export function withProfiles(c: Conversation, events: readonly StoredEvent[]): Conversation {
  let members = c.members;
  for (const e of events) {
    if (!isKnownEvent(e) || e.kind !== 'profile') continue;
    const member = members[e.author];
    if (!member || (member.profileHlc !== undefined && member.profileHlc >= e.hlc)) continue;
    members = {
      ...members,
      [e.author]: { ...member, name: e.body.name, color: e.body.color, profileHlc: e.hlc },
    };
  }
  return members === c.members ? c : { ...c, members };
}

/** What a store read for `applyStoredEvents`. */
export interface StoredEventsFacts {
  /** Our fingerprint: events by anyone else count as unread (for own events, their author). */
  self: Fingerprint | undefined;
  /** When the events were stored (ms since epoch). */
  nowMs: number;
  /**
   * Per author of the events, their highest seq now stored with none missing below it (events
   * stored earlier may close a gap, which only the store can see).
   */
  contiguous: ReadonlyMap<Fingerprint, number>;
  /** The conversation's preview after the write (`latestPreview`, or `previewOf` the newest). */
  preview: string;
  /** The person reads the conversation now: the events do not add to its unread count. */
  isRead?: boolean;
}

/**
 * The conversation after `events` (newly stored, duplicates left out) were stored in it: its
 * vector covers the contiguous seqs, it moves up the list unless all of them are quiet, its
 * unread count grows by the new messages of others (unless the person reads it now), and room-meta and profile events rename.
 */
export function applyStoredEvents(
  c: Conversation,
  events: readonly StoredEvent[],
  facts: StoredEventsFacts,
): Conversation {
  // Refused events store nothing but still move the vector past their kept keys.
  if (events.length === 0 && facts.contiguous.size === 0) return c;
  const vector: VersionVector = { ...c.vector };
  for (const [author, top] of facts.contiguous) {
    // A vector holds only seqs ≥ 1 (0 would be refused on the wire): above a gap, unchanged.
    if (top > 0) vector[author] = top;
  }
  return {
    ...withProfiles(withRoomMeta(c, events), events),
    vector,
    unread: facts.isRead ? c.unread : c.unread + unreadAmong(events, facts.self),
    lastActivityAt: events.every(isQuiet)
      ? c.lastActivityAt
      : Math.max(c.lastActivityAt, facts.nowMs),
    lastPreview: facts.preview,
  };
}

function sameRecord<T extends object>(a: T, b: T): boolean {
  const keys = Object.keys(a) as (keyof T)[];
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}

/**
 * The conversation with member `m` as seen now. A member known only from relayed history has no
 * name yet, so an empty name never blanks a known one; the last-seen time only moves forward.
 */
export function withMember(c: Conversation, m: Member): Conversation {
  const previous = c.members[m.fingerprint];
  const member: Member = previous
    ? {
        ...previous,
        ...m,
        ...(m.name ? {} : { name: previous.name, color: previous.color }),
        lastSeenAt: Math.max(previous.lastSeenAt, m.lastSeenAt),
      }
    : m;
  if (previous && sameRecord(previous, member)) return c;
  return { ...c, members: { ...c.members, [m.fingerprint]: member } };
}

/** The conversation with its unread count at 0. */
export function markedRead(c: Conversation): Conversation {
  return c.unread === 0 ? c : { ...c, unread: 0 };
}

/** The conversation with the flags that are given set (the others as they were). */
export function withFlags(c: Conversation, flags: ConversationFlags): Conversation {
  const next = { ...c };
  if (flags.muted !== undefined) next.muted = flags.muted;
  if (flags.archived !== undefined) next.archived = flags.archived;
  if (flags.removedFromRoom !== undefined) next.removedFromRoom = flags.removedFromRoom;
  return next.muted === c.muted &&
    next.archived === c.archived &&
    next.removedFromRoom === c.removedFromRoom
    ? c
    : next;
}
