/**
 * When the page has settled (DESIGN §11 "Service worker"): once the network is up, the store has
 * been quiet for SW_SETTLE_QUIET_MS (a room's history arriving is stored first), or
 * SW_SETTLE_MAX_MS after the start, whichever comes first. The service worker's precache (the
 * whole app) waits for it, so it does not compete with a first join for the device's cores.
 */
import { SW_SETTLE_MAX_MS, SW_SETTLE_QUIET_MS } from '../config';
import type { AppEvents } from '../kernel/app-events';
import type { EventBus } from '../kernel/event-bus';

export function whenSettled(
  bus: EventBus<AppEvents>,
  isNetworkUp: boolean,
  quietMs = SW_SETTLE_QUIET_MS,
  maxMs = SW_SETTLE_MAX_MS,
): Promise<void> {
  return new Promise((resolve) => {
    let quiet: ReturnType<typeof setTimeout> | undefined;
    const settle = (): void => {
      clearTimeout(quiet);
      clearTimeout(max);
      stop();
      resolve();
    };
    const wait = (): void => {
      clearTimeout(quiet);
      quiet = setTimeout(settle, quietMs);
    };
    const max = setTimeout(settle, maxMs);
    const stop = bus.on({
      'network-up': () => {
        isNetworkUp = true;
        wait();
      },
      change: () => {
        if (isNetworkUp) wait();
      },
    });
    if (isNetworkUp) wait();
  });
}
