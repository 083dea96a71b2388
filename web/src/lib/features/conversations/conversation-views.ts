/**
 * How conversations and contacts are shown: titles, list order, contacts with their current names.
 * Pure functions over stored records.
 */
import { t } from '../../i18n/i18n';
import type { Contact, Conversation } from '../../storage/chat-store';

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

/** A contact as the lists show it: current name and colour, and when they were last online. */
export interface ContactView extends Contact {
  /** When a link to them last closed or opened (ms since epoch); 0 when never. */
  lastSeenAt: number;
}

/** Contacts with their direct chat's current profile and last-seen time, sorted by name. */
export function contactViews(
  contacts: readonly Contact[],
  conversations: readonly Conversation[],
): ContactView[] {
  const directs = new Map(conversations.map((c) => [c.id, c]));
  const views = contacts.map((contact): ContactView => {
    const member = directs.get(contact.conv)?.members[contact.fingerprint];
    return member?.name
      ? { ...contact, name: member.name, color: member.color, lastSeenAt: member.lastSeenAt }
      : { ...contact, lastSeenAt: member?.lastSeenAt ?? 0 };
  });
  const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });
  return views.sort(
    (a, b) => collator.compare(a.name, b.name) || a.fingerprint.localeCompare(b.fingerprint),
  );
}
