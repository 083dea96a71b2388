/**
 * This profile's other tabs (DESIGN §4): every committed store write is told to them on a
 * BroadcastChannel per identity, so each tab shows what the others stored and the tab with the
 * network acts on what another tab decided (sends its messages, joins its new rooms, …).
 */
import { createLogger } from '../log';
import type { StoreChange } from '../storage/chat-store';
import type { Fingerprint } from '../protocol/ids';

const log = createLogger('tabs');

/** What one tab tells the others. */
interface TabMessage {
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
function isTabMessage(data: unknown): data is TabMessage {
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

/** The channel to this profile's other tabs. */
export class TabBus {
  #channel: BroadcastChannel | null;

  /** Opens the channel of `fingerprint`'s tabs (none where BroadcastChannel is missing). */
  constructor(fingerprint: Fingerprint, onChange: (change: StoreChange) => void) {
    this.#channel =
      typeof BroadcastChannel === 'undefined'
        ? null
        : new BroadcastChannel(`parley-tabs:${fingerprint}`);
    if (!this.#channel) return;
    this.#channel.onmessage = (event: MessageEvent<unknown>) => {
      if (isTabMessage(event.data)) onChange(event.data.change);
      else log.debug('ignored a message from another tab');
    };
  }

  /** Tells the other tabs about a write that committed here. */
  post(change: StoreChange): void {
    const message: TabMessage = { type: 'change', change };
    try {
      this.#channel?.postMessage(message);
    } catch (error) {
      // A record that cannot be cloned (never expected): the other tabs re-read on their next change.
      log.error('telling the other tabs failed', error);
    }
  }

  /** Closes the channel. */
  close(): void {
    this.#channel?.close();
    this.#channel = null;
  }
}
