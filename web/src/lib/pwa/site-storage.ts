/**
 * The browser's storage for this site (DESIGN §10, §11): persistence, usage and quota, and
 * wiping what is not IndexedDB ("Delete all data": caches, the service worker, web storage).
 */
import { createLogger } from '../log';

const log = createLogger('storage');

/** Usage and quota in bytes, and whether the browser promised to keep the data. */
export interface StorageReport {
  /** Bytes used by this site, if the browser says. */
  usageBytes: number | null;
  /** Bytes this site may use, if the browser says. */
  quotaBytes: number | null;
  /** The browser will not evict this site's data under storage pressure. */
  isPersisted: boolean;
}

/** How much is used and allowed, as far as the browser tells. */
export async function storageReport(): Promise<StorageReport> {
  const storage = typeof navigator === 'undefined' ? undefined : navigator.storage;
  const [estimate, isPersisted] = await Promise.all([
    storage?.estimate?.().catch(() => undefined),
    storage?.persisted?.().catch(() => false) ?? false,
  ]);
  return {
    usageBytes: estimate?.usage ?? null,
    quotaBytes: estimate?.quota ?? null,
    isPersisted,
  };
}

/** Number formats by locale, unit and fraction digits: making one costs far more than using it. */
const byteFormats = new Map<string, Intl.NumberFormat>();

/** Bytes as a person reads them: "12.3 MB" (decimal units, like the browsers' own settings). */
export function formatBytes(bytes: number, locale?: string): string {
  const units = ['byte', 'kilobyte', 'megabyte', 'gigabyte', 'terabyte'] as const;
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  const digits = value < 10 && unit > 0 ? 1 : 0;
  const key = `${locale ?? ''}|${unit}|${digits}`;
  let format = byteFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale, {
      style: 'unit',
      unit: units[unit],
      // Bytes spelled out ("986 bytes", not "986 byte"); larger units short ("12 kB").
      unitDisplay: unit === 0 ? 'long' : 'short',
      maximumFractionDigits: digits,
    });
    byteFormats.set(key, format);
  }
  return format.format(value);
}

export { requestPersistentStorage } from './persistence';

/** Removes the service worker, its caches and web storage (IndexedDB is the session's part). */
export async function clearSiteCaches(): Promise<void> {
  const tasks: Promise<unknown>[] = [];
  if (typeof caches !== 'undefined') {
    tasks.push(caches.keys().then((keys) => Promise.all(keys.map((key) => caches.delete(key)))));
  }
  if (typeof navigator !== 'undefined' && navigator.serviceWorker) {
    tasks.push(
      navigator.serviceWorker
        .getRegistrations()
        .then((all) => Promise.all(all.map((registration) => registration.unregister()))),
    );
  }
  const results = await Promise.allSettled(tasks);
  for (const result of results) {
    if (result.status === 'rejected') log.warn('clearing site data failed', result.reason);
  }
  try {
    localStorage.clear();
    sessionStorage.clear();
  } catch (error) {
    log.warn('clearing web storage failed', error);
  }
}
