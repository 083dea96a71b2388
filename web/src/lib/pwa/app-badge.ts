/**
 * The unread total on the installed app's icon (DESIGN §11), through the Badging API where the
 * browser has it (https://w3c.github.io/badging/); elsewhere nothing happens.
 */
import { createLogger } from '../log';

const log = createLogger('badge');

/** The part of `navigator` the badge needs; both methods are missing where it is unsupported. */
export interface BadgeNavigator {
  /** Shows a number on the app icon. */
  setAppBadge?: (contents?: number) => Promise<void>;
  /** Removes the badge. */
  clearAppBadge?: () => Promise<void>;
}

/**
 * Shows `count` on the app icon, or clears it at 0. Refusals (not installed, no permission) are
 * expected and only logged at debug level: the title shows the count anyway.
 */
export function showAppBadge(count: number, nav: BadgeNavigator = navigator): void {
  const { setAppBadge, clearAppBadge } = nav;
  if (typeof setAppBadge !== 'function' || typeof clearAppBadge !== 'function') return;
  Promise.resolve()
    .then(() => (count > 0 ? setAppBadge.call(nav, count) : clearAppBadge.call(nav)))
    .catch((error: unknown) => log.debug('the app badge was refused', error));
}
