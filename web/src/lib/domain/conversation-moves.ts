/**
 * How a conversation record changes when it becomes a direct chat or its room moves (DESIGN §5):
 * rare changes, apart from conversation-rules.ts so only the code that makes them loads them.
 * Pure functions over plain records.
 */
import type { Conversation, RoomMove } from '../storage/chat-store';

/**
 * The direct chat with a new contact, given the record of its room that may exist already (the
 * contact made again): that one keeps its history, vector and title, and becomes direct.
 */
export function asDirectChat(
  existing: Conversation | undefined,
  direct: Conversation,
): Conversation {
  if (!existing) return direct;
  return {
    ...existing,
    kind: 'direct',
    contact: direct.contact,
    title: existing.title || direct.title,
    members: { ...direct.members, ...existing.members },
  };
}

/** The room marked as moved to a new secret; a room moves once, so a later move is ignored. */
export function withMove(c: Conversation, move: RoomMove): Conversation {
  return c.movedTo ? c : { ...c, movedTo: move };
}
