/**
 * The one path by which something goes wrong in front of the person (STYLE "one
 * reportError(error, userMessage) path"): a notice with a catalog key, shown until dismissed.
 */
import type { MessageKey } from '../i18n/i18n';
import { createLogger } from '../log';
import { StoreFailure, type StoreError } from '../storage/chat-store';

const log = createLogger('notice');

/** A user-facing problem with a catalog key, shown until dismissed. */
export interface Notice {
  /** Catalog key of the message. */
  key: MessageKey;
  /** Placeholder values. */
  params?: Record<string, string | number>;
}

/** The notice the app shows (one at a time: the latest wins). */
export class Notices {
  #current = $state.raw<Notice | null>(null);

  /** The problem to show, if any. */
  get current(): Notice | null {
    return this.#current;
  }

  /** Shows a notice (e.g. the clipboard refused). */
  show(notice: Notice): void {
    this.#current = notice;
  }

  /** Hides the current notice. */
  dismiss(): void {
    this.#current = null;
  }

  /** Logs `error` for developers and shows `notice` to the person. */
  report(error: unknown, notice: Notice): void {
    log.error(notice.key, error);
    this.#current = notice;
  }

  /** Shows a store failure: a full disk as such, anything else under `key` with the detail. */
  reportStore(error: StoreError, key: MessageKey = 'error.saveFailed'): void {
    this.report(
      error,
      error.kind === 'quota'
        ? { key: 'error.storageFull' }
        : { key, params: { reason: error.message } },
    );
  }
}

/** A thrown value's message. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A thrown store failure as a StoreError (anything else thrown by the store is 'unknown'). */
export function storeErrorOf(error: unknown): StoreError {
  return error instanceof StoreFailure
    ? error.storeError
    : { kind: 'unknown', message: errorMessage(error) };
}
