/** Persistent storage (DESIGN §10, §11): asked once from start-up, and from Settings. */
import { createLogger } from '../log';

const log = createLogger('storage');

/**
 * Asks the browser to keep this site's data under storage pressure. Chromium answers from its own
 * heuristics (no dialog); Firefox asks the person. True when granted.
 */
export async function requestPersistentStorage(): Promise<boolean> {
  if (typeof navigator === 'undefined' || !navigator.storage?.persist) return false;
  try {
    const isPersisted = await navigator.storage.persist();
    log.info(`persistent storage ${isPersisted ? 'granted' : 'not granted'}`);
    return isPersisted;
  } catch (error) {
    log.warn('asking for persistent storage failed', error);
    return false;
  }
}
