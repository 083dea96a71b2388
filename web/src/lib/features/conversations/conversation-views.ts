/**
 * How conversations are shown: titles and list order. Pure functions over stored records.
 */
import { t } from '../../i18n/i18n';
import type { Conversation } from '../../storage/chat-store';

/** The records the conversation views show, for components (which do not reach into storage/). */
export type { Conversation, RoomMove } from '../../storage/chat-store';

/** The title people see for a conversation (its set title, else a short stable name). */
export function conversationTitle(conversation: Pick<Conversation, 'id' | 'title'>): string {
  return conversation.title || t('room.defaultTitle', { short: conversation.id.slice(0, 4) });
}

/** A direct chat is titled with its contact's current name (profile events rename it). */
export function withContactTitle(c: Conversation): Conversation {
  const name = c.kind === 'direct' && c.contact ? c.members[c.contact]?.name : undefined;
  return name && name !== c.title ? { ...c, title: name } : c;
}

/** The list order: the most recent activity first (ties: as the store lists them). */
export function compareByActivity(a: Conversation, b: Conversation): number {
  return b.lastActivityAt - a.lastActivityAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}
