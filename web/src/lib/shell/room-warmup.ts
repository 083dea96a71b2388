/**
 * Readies the room view while the home screen is idle (DESIGN §11 "Readying the room view").
 * Opening a room mounts its view while the room is joined and dialled; the view's parts that
 * load after the first screen (the composer's files, the header's actions, the members list, …)
 * and the browser's date and number formats (ICU loads its data with a page's first format,
 * 30–50 ms here) were made then too, in tasks that held up the answer, the ICE candidates and
 * the handshake: the first room of a session linked about 100 ms later than the next. Loaded
 * here first, one part per idle period, they are ready when a room opens.
 *
 * Each part is the very import its component makes (so the module and its style sheet are the
 * ones it uses); an end-to-end test (app-shell.e2e.ts) opens a room after this and checks that
 * no part is missing. A part that fails to load is left to its component, which loads it again
 * when the room opens. Started by the home screen (MainLayout) once online, and by onboarding
 * (with FIRST_RUN_PARTS first).
 */
import { formatDateTime, formatListTime, formatNumber } from '../i18n/i18n';
import { createLogger } from '../log';
import { loadMessageActions } from '../features/messaging/load-message-actions';
import { loadLinkFinder } from '../features/messaging/message-links.svelte';

const log = createLogger('room-warmup');

/** What the room view imports when it mounts, beyond the first screen. */
export const ROOM_VIEW_PARTS: readonly (() => Promise<unknown>)[] = [
  () => import('../features/files/ComposerFiles.svelte'),
  () => import('../features/conversations/ConversationActions.svelte'),
  () => import('../features/conversations/MembersList.svelte'),
  // Inside the members list: what each member wrote, and its code (parley.ts makes it then).
  () => import('../features/conversations/MemberMessages.svelte'),
  () => import('../features/conversations/member-messages.svelte'),
  () => import('../features/typing/TypingIndicator.svelte'),
  () => import('../features/messaging/CatchUpBar.svelte'),
  loadMessageActions,
  loadLinkFinder,
];

/**
 * What a first run needs right after the name is given, before any room view: the network's
 * code (the tab's network lock, the settings' network rules, the network stack, the PeerJS
 * transport bootstrap.ts builds, and PeerJS itself) and the home screen's on-demand parts.
 * Loaded when the kernel asks, each is a hop after the one before; loaded during onboarding, all
 * are here when Continue is pressed (DESIGN §11 "Readying the room view" has the numbers).
 */
export const FIRST_RUN_PARTS: readonly (() => Promise<unknown>)[] = [
  () => import('../kernel/network-lock'),
  () => import('../features/settings/network-rules'),
  () => import('../net/network-stack'),
  () => import('../net/peerjs-transport').then((transport) => transport.loadPeerJs()),
  () => import('../features/contacts/ContactsNav.svelte'),
  () => import('../features/search/search-ui'),
];

/** Waits until the browser is idle (at most `timeoutMs`); a timer where there is no idle callback. */
function idle(timeoutMs = 1_000): Promise<void> {
  return new Promise((resolve) => {
    if (typeof requestIdleCallback === 'function') {
      requestIdleCallback(() => resolve(), { timeout: timeoutMs });
    } else {
      setTimeout(resolve, 50);
    }
  });
}

/** Makes the formats, then loads `parts` one at a time while the page is idle. */
export async function loadAhead(parts = ROOM_VIEW_PARTS): Promise<void> {
  await idle();
  const now = Date.now();
  formatListTime(now, now);
  formatDateTime(now);
  formatNumber(0);
  for (const load of parts) {
    await idle();
    try {
      await load();
    } catch (error) {
      log.info('a part did not load ahead; it loads when it is needed', error);
    }
  }
}
