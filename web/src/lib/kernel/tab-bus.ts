/**
 * This profile's other tabs (DESIGN §4): every committed store write is told to them on a
 * BroadcastChannel per identity, so each tab shows what the others stored and the tab with the
 * network acts on what another tab decided (sends its messages, joins its new rooms, …).
 */
import { createLogger } from '../log';
import type { StoreChange } from '../storage/chat-store';
import type { Fingerprint } from '../protocol/ids';
import type { TabMessage } from './tab-messages';

const log = createLogger('tabs');

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
    // The check loads with the first message (off the first screen); messages are handled in
    // the order they came, each after the one before.
    let checked: Promise<unknown> = Promise.resolve();
    this.#channel.onmessage = ({ data }: MessageEvent<unknown>) => {
      checked = checked
        .then(() => import('./tab-messages'))
        .then(({ isTabMessage }) => {
          // Closed meanwhile ("Delete all data"): nothing more is applied.
          if (!this.#channel) return;
          if (isTabMessage(data)) onChange(data.change);
          else log.debug('ignored a message from another tab');
        })
        .catch((error: unknown) => log.error('reading a message from another tab failed', error));
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
