/** The browser's Web Locks (DESIGN §4): on the first screen, without the network lock's code. */

/** The browser's lock manager, where there is one. */
export function networkLocks(): LockManager | null {
  return typeof navigator !== 'undefined' && 'locks' in navigator ? navigator.locks : null;
}
