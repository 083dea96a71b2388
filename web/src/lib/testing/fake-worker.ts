/** Tests of code that starts Workers: a stand-in `Worker` per test (the real global back after). */
import { afterEach, beforeEach, vi } from 'vitest';

/** Within a `describe`: `Worker` is `fake` in each test, with its counts set back to 0. */
export function useFakeWorker(fake: { started: number; terminated: number }): void {
  beforeEach(() => {
    vi.stubGlobal('Worker', fake);
    fake.started = 0;
    fake.terminated = 0;
  });
  afterEach(() => {
    vi.unstubAllGlobals();
  });
}
