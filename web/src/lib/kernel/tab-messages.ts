/**
 * What one tab tells the others on the tab bus (tab-bus.ts), and the check of what arrives:
 * loaded with the first message from another tab, not on the first screen.
 */
import type { StoreChange } from '../storage/chat-store';

/** What one tab tells the others. */
export interface TabMessage {
  type: 'change';
  /** A write that committed in the sending tab. */
  change: StoreChange;
}

const CHANGE_TYPES: ReadonlySet<string> = new Set<StoreChange['type']>([
  'identity',
  'events',
  'conversation',
  'conversation-deleted',
  'events-deleted',
  'contact',
  'setting',
]);

/**
 * Same origin and profile, so trusted as far as the store is; still, only these shapes (a tab
 * of another version may send others, which are ignored).
 */
export function isTabMessage(data: unknown): data is TabMessage {
  if (typeof data !== 'object' || data === null) return false;
  const m = data as { type?: unknown; change?: unknown };
  if (m.type !== 'change' || typeof m.change !== 'object' || m.change === null) return false;
  const change = m.change as Record<string, unknown>;
  if (typeof change.type !== 'string' || !CHANGE_TYPES.has(change.type)) return false;
  switch (change.type as StoreChange['type']) {
    case 'events':
      return typeof change.conv === 'string' && Array.isArray(change.events);
    case 'conversation':
      return typeof change.conversation === 'object' && change.conversation !== null;
    case 'contact':
      return typeof change.contact === 'object' && change.contact !== null;
    case 'conversation-deleted':
      return typeof change.conv === 'string';
    case 'events-deleted':
      return (
        typeof change.conv === 'string' &&
        typeof change.author === 'string' &&
        (change.seqs === undefined || Array.isArray(change.seqs))
      );
    case 'setting':
      return typeof change.key === 'string';
    case 'identity':
      return true;
  }
}
