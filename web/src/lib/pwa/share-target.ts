/**
 * The Web Share Target (manifest `share_target`, DESIGN §11): another app shares text, a link or
 * files; the browser POSTs them to `/share-target`, the service worker (public/sw-share.js) keeps
 * the files in Cache Storage and opens `/?share-files=<id>&share-title=…&share-text=…&share-url=…`.
 * Parley then shows "Share to…" (share-query.ts reads the share): the chosen conversation's
 * composer takes the text, and the files are attached to it. Only the capture and the hand-over
 * to the composer are on the first screen.
 */
import { createLogger } from '../log';

const log = createLogger('share');

/** The route of the picker. */
export const SHARE_HASH = '#/share';

/** How long after start-up old shared files are looked for: off the first screen's path. */
const STALE_CLEANUP_DELAY_MS = 10_000;

/** Where the share's query waits in this tab's session, so a reload of "Share to…" keeps it. */
const SHARE_STORAGE_KEY = 'parley:share';

/** The query of the share waiting for a conversation. */
let held: string | null = null;
/** The shared text, once a conversation was picked, until its composer takes it. */
let pending: { room: string; text: string } | null = null;

/**
 * At start-up: if the page was opened by a share, keeps its query and turns the address into the
 * picker's route (without the query, so a reload does not share again; the query stays in this
 * tab's session instead, so reloading "Share to…" still shows it). Later, drops shared files that
 * were never picked up.
 */
export function captureSharedText(): void {
  if (/[?&]share-/.test(location.search)) {
    held = location.search;
    history.replaceState(null, '', `/${SHARE_HASH}`);
    try {
      sessionStorage.setItem(SHARE_STORAGE_KEY, held);
    } catch (error) {
      // Private mode or a full quota: the share still works until a reload.
      log.warn('keeping the share for a reload failed', error);
    }
  } else if (location.hash === SHARE_HASH) {
    try {
      held = sessionStorage.getItem(SHARE_STORAGE_KEY);
    } catch (error) {
      log.warn('the kept share is unreadable', error);
    }
  }
  if (typeof caches !== 'undefined') {
    setTimeout(() => {
      import('./shared-files')
        .then((files) => files.forgetStaleSharedFiles(Date.now()))
        .catch((error: unknown) => log.warn('dropping old shared files failed', error));
    }, STALE_CLEANUP_DELAY_MS);
  }
}

/** The query of the share waiting for a conversation (share-query.ts reads it), or null. */
export function heldShareQuery(): string | null {
  return held;
}

/** Keeps a share's query until a conversation is picked (what capturing does; tests). */
export function holdShareQuery(query: string): void {
  held = query;
}

/** The person picked `room`: its composer will take `text` (the picker attaches the files). */
export function sendSharedTextTo(room: string, text: string): void {
  pending = { room, text };
  dropSharedText();
}

/** Drops the share (Cancel, or once handed over). Its files, if any, are the caller's to forget. */
export function dropSharedText(): void {
  held = null;
  try {
    sessionStorage.removeItem(SHARE_STORAGE_KEY);
  } catch (error) {
    log.debug('no session storage', error);
  }
}

/** For the composer of `room`: the shared text meant for it (given once), or ''. */
export function takeSharedText(room: string): string {
  if (pending?.room !== room) return '';
  const { text } = pending;
  pending = null;
  return text;
}
