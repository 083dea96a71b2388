import { AsyncLocalStorage, createHook } from 'node:async_hooks';

/**
 * PeerServer 1.0.2 starts two self-rescheduling `setTimeout` chains when it is mounted
 * (src/instance.ts: `messagesExpire.startMessagesExpiration()` every `cleanup_out_msgs` ms and
 * `checkBrokenConnections.start()` every 300 ms) and exposes no way to stop them, so a process
 * that has closed its server never exits on its own.
 *
 * Code run through {@link runWithUnrefTimers} gets an async context; every Timeout created in
 * that context — including the ones each chain link schedules from inside its own callback,
 * since timers inherit the context they were created in — is unref'd at creation, so the chains
 * never keep the event loop alive. They keep ticking (cheaply) until the process exits; `main`
 * still calls `process.exit` after shutdown rather than rely on that.
 */

const unrefContext = new AsyncLocalStorage<true>();

let isHookEnabled = false;

function enableHook(): void {
  if (isHookEnabled) return;
  isHookEnabled = true;
  createHook({
    init(_asyncId, type, _triggerAsyncId, resource) {
      // `init` runs at the end of the Timeout constructor, before it is armed; unref() there is
      // the same as calling it on the returned handle.
      if (type === 'Timeout' && unrefContext.getStore() === true) {
        (resource as NodeJS.Timeout).unref();
      }
    },
  }).enable();
}

/** Runs `fn` so that every timer it (transitively) schedules is unref'd. */
export function runWithUnrefTimers<T>(fn: () => T): T {
  enableHook();
  return unrefContext.run(true, fn);
}
