/** How contacts are shown: with their current names and last-seen times. Pure. */
import { colorForFingerprint } from '../../domain/avatar';
import type { Contact, Conversation } from '../../storage/chat-store';

/** A contact as the lists show it: current name, colour from their key, when last online. */
export interface ContactView extends Contact {
  /** When a link to them last closed or opened (ms since epoch); 0 when never. */
  lastSeenAt: number;
}

/** Names in the browser's order; made once (making a collator costs far more than comparing). */
let collator: Intl.Collator | undefined;

/** Contacts with their direct chat's current profile and last-seen time, sorted by name. */
export function contactViews(
  contacts: readonly Contact[],
  conversations: readonly Conversation[],
): ContactView[] {
  const directs = new Map(conversations.map((c) => [c.id, c]));
  const views = contacts.map((contact): ContactView => {
    const member = directs.get(contact.conv)?.members[contact.fingerprint];
    // The colour comes from their key here, never from what they sent (DESIGN §4 "Names").
    const color = colorForFingerprint(contact.fingerprint);
    return member?.name
      ? { ...contact, name: member.name, color, lastSeenAt: member.lastSeenAt }
      : { ...contact, color, lastSeenAt: member?.lastSeenAt ?? 0 };
  });
  collator ??= new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });
  const byName = collator;
  return views.sort(
    (a, b) => byName.compare(a.name, b.name) || a.fingerprint.localeCompare(b.fingerprint),
  );
}
