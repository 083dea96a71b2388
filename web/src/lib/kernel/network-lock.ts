/**
 * One tab per browser profile talks to peers (DESIGN §4): the Web Lock `parley-network`. A tab
 * that finds it taken waits for it (and takes over when the holder closes), or takes it on "Use
 * here" (`steal`), after which the former holder stops and waits in turn. Loaded after the first
 * screen (the kernel imports it when it starts the network).
 */
import { createLogger } from '../log';

const log = createLogger('lock');

/** The Web Lock that one tab per browser profile holds while it talks to peers. */
export const NETWORK_LOCK = 'parley-network';

/** What the lock tells its owner. */
export interface NetworkLockHandlers {
  /** We hold the lock now: start the network. */
  onAcquired(): void;
  /** Another tab holds it: show "Use here"; we wait and take over when it is free. */
  onElsewhere(): void;
  /** Another tab took it from us ("Use here" there): stop talking to peers. */
  onLost(): void;
}

/** This tab's claim on the network lock. */
export class NetworkLock {
  #locks: LockManager;
  #handlers: NetworkLockHandlers;
  /** Releases the lock we hold (null while we hold none). */
  #release: (() => void) | null = null;
  /** Cancels our queued request. */
  #stopWaiting: (() => void) | null = null;

  constructor(locks: LockManager, handlers: NetworkLockHandlers) {
    this.#locks = locks;
    this.#handlers = handlers;
  }

  /** Takes the lock if it is free; otherwise says so and waits for it. */
  claim(): void {
    void this.#locks
      .request(NETWORK_LOCK, { ifAvailable: true }, (lock) => {
        if (!lock) {
          this.#handlers.onElsewhere();
          this.#wait();
          return undefined;
        }
        return this.#hold();
      })
      .catch((error: unknown) => this.#lost(error));
  }

  /** "Use here": takes the lock from the tab that has it. */
  steal(): void {
    this.#stopWaiting?.();
    void this.#locks
      .request(NETWORK_LOCK, { steal: true }, () => this.#hold())
      .catch((error: unknown) => this.#lost(error));
  }

  /** Gives the lock up and stops waiting for it (the data is being deleted). */
  release(): void {
    this.#release?.();
    this.#release = null;
    this.#stopWaiting?.();
    this.#stopWaiting = null;
  }

  #wait(): void {
    const waiting = new AbortController();
    this.#stopWaiting = () => waiting.abort();
    void this.#locks
      .request(NETWORK_LOCK, { signal: waiting.signal }, () => this.#hold())
      .catch((error: unknown) => this.#lost(error));
  }

  /** Runs the network while the lock is held; the returned promise holds it until released. */
  #hold(): Promise<void> {
    this.#stopWaiting = null;
    this.#handlers.onAcquired();
    return new Promise<void>((release) => {
      this.#release = release;
    });
  }

  /** A request ended with an error: stolen by another tab, or aborted by ourselves. */
  #lost(error: unknown): void {
    if (!(error instanceof DOMException) || error.name !== 'AbortError') {
      log.error('the network lock failed', error);
      return;
    }
    // Aborted by ourselves (we stole it, or released it): nothing to do.
    if (this.#release === null) return;
    log.info('another tab took over the network');
    this.#release = null;
    this.#handlers.onLost();
    this.#wait();
  }
}
