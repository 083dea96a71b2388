import type { LinkHandlers } from './transport';

/**
 * The event order every `Link` promises, in one place for both transports: handlers installed
 * late get what happened before (open, queued texts, close); `onText` never comes before `onOpen`
 * — the far end may send as soon as its side is open, which can be before our side reports
 * 'open', and the handshake would drop a reply sent before then — and `onClose` fires once.
 */
export class LinkEvents {
  #handlers: LinkHandlers | null = null;
  #isOpen = false;
  #isClosed = false;
  #closeReason = '';
  #pending: string[] = [];

  /** Open and not yet closed. */
  get isOpen(): boolean {
    return this.#isOpen && !this.#isClosed;
  }

  /** Closed, for whatever reason. */
  get isClosed(): boolean {
    return this.#isClosed;
  }

  /** Installs the handlers and replays what they missed. */
  setHandlers(handlers: LinkHandlers): void {
    this.#handlers = handlers;
    if (this.#isOpen) {
      handlers.onOpen();
      this.#flushPending();
    }
    if (this.#isClosed) handlers.onClose(this.#closeReason);
  }

  /** The channel opened; false if it already had (or is closed). */
  open(): boolean {
    if (this.#isClosed || this.#isOpen) return false;
    this.#isOpen = true;
    this.#handlers?.onOpen();
    this.#flushPending();
    return true;
  }

  /** A text arrived; held back until open and handled. */
  text(text: string): void {
    if (this.#isClosed) return;
    if (this.#handlers && this.#isOpen) this.#handlers.onText(text);
    else this.#pending.push(text);
  }

  /** The link closed; true the first time only (the caller then releases its resources). */
  close(reason: string): boolean {
    if (this.#isClosed) return false;
    this.#isClosed = true;
    this.#closeReason = reason;
    this.#pending = [];
    this.#handlers?.onClose(reason);
    return true;
  }

  #flushPending(): void {
    const handlers = this.#handlers;
    if (!handlers) return;
    for (const text of this.#pending.splice(0)) {
      if (this.#isClosed) return;
      handlers.onText(text);
    }
  }
}
