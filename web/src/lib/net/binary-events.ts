import type { BinaryChannelHandlers } from './transport';

/** Messages a binary channel holds for handlers not yet installed; one more closes it. */
export const BINARY_PENDING_MAX_MESSAGES = 64;
/** Bytes a binary channel holds for handlers not yet installed; more closes it. */
export const BINARY_PENDING_MAX_BYTES = 4 * 1024 * 1024;

const utf8 = new TextEncoder();

/** A message's size on the wire: an ArrayBuffer's bytes, a string's UTF-8 bytes. */
export function binaryMessageBytes(data: ArrayBuffer | string): number {
  return typeof data === 'string' ? utf8.encode(data).byteLength : data.byteLength;
}

/**
 * The event order every `BinaryChannel` promises, in one place for both transports (like
 * LinkEvents): handlers installed late get what happened before (open, held messages, close);
 * `onMessage` never comes before `onOpen`; `onClose` fires once. What is held for absent handlers
 * is bounded, because nothing may read the channel of a link that never finishes its handshake.
 */
export class BinaryEvents {
  #handlers: BinaryChannelHandlers | null = null;
  #isOpen = false;
  #isClosed = false;
  #pending: (ArrayBuffer | string)[] = [];
  #pendingBytes = 0;

  /** Open and not yet closed. */
  get isOpen(): boolean {
    return this.#isOpen && !this.#isClosed;
  }

  /** Closed, for whatever reason. */
  get isClosed(): boolean {
    return this.#isClosed;
  }

  /** Installs the handlers and replays what they missed. */
  setHandlers(handlers: BinaryChannelHandlers): void {
    this.#handlers = handlers;
    if (this.isOpen) {
      handlers.onOpen();
      this.#flushPending();
    }
    if (this.#isClosed) handlers.onClose();
  }

  /** The channel opened; false if it already had (or is closed). */
  open(): boolean {
    if (this.#isClosed || this.#isOpen) return false;
    this.#isOpen = true;
    this.#handlers?.onOpen();
    this.#flushPending();
    return true;
  }

  /**
   * A message arrived; held back until open and handled. False when holding it would pass the
   * bound: the caller then closes the channel (the message is dropped).
   */
  message(data: ArrayBuffer | string): boolean {
    if (this.#isClosed) return true;
    if (this.#handlers && this.#isOpen) {
      this.#handlers.onMessage(data);
      return true;
    }
    const bytes = binaryMessageBytes(data);
    if (
      this.#pending.length >= BINARY_PENDING_MAX_MESSAGES ||
      this.#pendingBytes + bytes > BINARY_PENDING_MAX_BYTES
    ) {
      return false;
    }
    this.#pending.push(data);
    this.#pendingBytes += bytes;
    return true;
  }

  /** The send buffer fell to the low-water mark. */
  drain(): void {
    if (this.isOpen) this.#handlers?.onDrain();
  }

  /** The channel closed; true the first time only (the caller then releases its resources). */
  close(): boolean {
    if (this.#isClosed) return false;
    this.#isClosed = true;
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#handlers?.onClose();
    return true;
  }

  #flushPending(): void {
    const handlers = this.#handlers;
    if (!handlers) return;
    const pending = this.#pending.splice(0);
    this.#pendingBytes = 0;
    for (const data of pending) {
      if (this.#isClosed) return;
      handlers.onMessage(data);
    }
  }
}
