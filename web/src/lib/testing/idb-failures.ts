/**
 * IndexedDB failures for unit tests on fake-indexeddb: a disk that fills up while a transaction
 * runs. Test-only; the product never imports it.
 */
import { vi } from 'vitest';

/** The error a full disk gives. */
export function quotaError(): DOMException {
  return new DOMException('The quota has been exceeded.', 'QuotaExceededError');
}

/** IDBObjectStore's own put, for mocks that let some puts through. */
export type Put = IDBObjectStore['put'];
export const realPut = Object.getOwnPropertyDescriptor(IDBObjectStore.prototype, 'put')
  ?.value as Put;

/**
 * Makes puts into `storeName` after the first `okPuts` fail as a full disk does: the request
 * fails while the transaction runs (not when it is made), and the transaction aborts with a
 * QuotaExceededError.
 */
export function failPutsWhileRunning(storeName: string, okPuts: number): { mockRestore(): void } {
  let puts = 0;
  return vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (
    this: IDBObjectStore,
    ...args: Parameters<Put>
  ) {
    if (this.name !== storeName || puts++ < okPuts) return realPut.apply(this, args);
    // fake-indexeddb runs a put as its raw store's storeRecord, bound when the request is made.
    const raw = (this as unknown as { _rawObjectStore: { storeRecord: () => unknown } })
      ._rawObjectStore;
    const storeRecord = raw.storeRecord;
    raw.storeRecord = () => {
      throw quotaError();
    };
    try {
      return realPut.apply(this, args);
    } finally {
      raw.storeRecord = storeRecord;
    }
  });
}
