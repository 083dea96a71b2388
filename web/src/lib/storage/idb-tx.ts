/**
 * Transactions of the IndexedDB adapter: running one to its commit, classifying what failed, and
 * asking many requests at once. Part of the adapter (storage/idb-*.ts).
 */
import type { IDBPTransaction, StoreNames } from 'idb';
import type { StoreError } from './chat-store';
import type { Db, ParleyDb } from './idb-schema';
import type { RoomKey } from '../protocol/ids';

/** Classifies a thrown IndexedDB/DOM error; quota and full-disk errors become 'quota'. */
export function toStoreError(error: unknown): StoreError {
  const name =
    typeof error === 'object' && error !== null && 'name' in error ? String(error.name) : '';
  const message =
    typeof error === 'object' && error !== null && 'message' in error
      ? String(error.message)
      : String(error);
  if (name === 'QuotaExceededError') return { kind: 'quota', message };
  // Chromium reports a full disk as UnknownError, saying so in the message.
  if (name === 'UnknownError' && /disk|quota|space/i.test(message)) {
    return { kind: 'quota', message };
  }
  if (name === 'ConstraintError') return { kind: 'conflict', message };
  return { kind: 'unknown', message: name ? `${name}: ${message}` : message };
}

function isAbortError(error: unknown): boolean {
  return (
    typeof error === 'object' && error !== null && 'name' in error && error.name === 'AbortError'
  );
}

/**
 * Runs `fn` in one transaction (with `options`, e.g. its durability) and waits for it to commit. On failure the transaction is aborted
 * and the most telling error is thrown: a request that failed only because its transaction aborted
 * reports AbortError, while the transaction's own error says why (e.g. QuotaExceededError).
 */
export async function inTx<
  Names extends StoreNames<ParleyDb>[],
  Mode extends IDBTransactionMode,
  T,
>(
  db: Db,
  names: Names,
  mode: Mode,
  fn: (tx: IDBPTransaction<ParleyDb, Names, Mode>) => Promise<T>,
  options?: IDBTransactionOptions,
): Promise<T> {
  const tx = db.transaction(names, mode, options);
  const done = tx.done;
  try {
    const value = await fn(tx);
    await done;
    return value;
  } catch (error) {
    try {
      tx.abort();
    } catch {
      // Already committed or aborted: there is nothing left to undo.
    }
    const txError: unknown = await done.then(
      () => null,
      (reason: unknown) => reason,
    );
    throw isAbortError(error) && txError !== null && !isAbortError(txError) ? txError : error;
  }
}

/**
 * Makes requests of one transaction all at once and waits for them all: one round trip instead
 * of one per request. If making one throws, the ones already made still settle handled (the
 * transaction aborts and they reject) and the error is rethrown.
 */
export async function requestAll<T>(requests: readonly (() => Promise<T>)[]): Promise<T[]> {
  return Promise.all(makeAll(requests));
}

/**
 * Like `requestAll` for a transaction's last requests, and commits it when all were made: the
 * database commits as soon as it has carried them out, instead of waiting until this page has
 * heard every answer and found nothing more to ask (a page busy with a frame would hold the commit
 * back by that long). Nothing may be asked of `tx` after this. If making a request throws, nothing
 * is committed: the error is rethrown and the caller's transaction aborts.
 */
export async function requestAllAndCommit<T>(
  tx: Pick<IDBTransaction, 'commit'>,
  requests: readonly (() => Promise<T>)[],
): Promise<T[]> {
  const made = makeAll(requests);
  tx.commit();
  return Promise.all(made);
}

/** Makes `requests`; if one throws, those made still settle handled and the error is rethrown. */
function makeAll<T>(requests: readonly (() => Promise<T>)[]): Promise<T>[] {
  const made: Promise<T>[] = [];
  try {
    for (const request of requests) made.push(request());
  } catch (error) {
    for (const promise of made) promise.catch(() => undefined);
    throw error;
  }
  return made;
}

/** The whole key range of one conversation's events in the primary key and in `byConvOrder`. */
export function convRange(conv: RoomKey): IDBKeyRange {
  // Arrays sort after strings, so [conv, []] is above every [conv, author, …].
  return IDBKeyRange.bound([conv], [conv, []]);
}
