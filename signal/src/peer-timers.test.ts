import { describe, expect, it } from 'vitest';
import { runWithUnrefTimers } from './peer-timers.js';

describe('runWithUnrefTimers', () => {
  it('unrefs timers scheduled inside, including those each link of a chain reschedules', async () => {
    const handles: NodeJS.Timeout[] = [];
    const done = new Promise<void>((resolve) => {
      // The shape of PeerServer's chains: each callback schedules the next link.
      const link = (remaining: number): void => {
        if (remaining === 0) {
          resolve();
          return;
        }
        handles.push(setTimeout(() => link(remaining - 1), 1));
      };
      runWithUnrefTimers(() => link(3));
    });
    await done;
    expect(handles).toHaveLength(3);
    for (const handle of handles) expect(handle.hasRef()).toBe(false);
  });

  it('leaves timers scheduled outside alone', () => {
    runWithUnrefTimers(() => undefined);
    const handle = setTimeout(() => undefined, 1_000);
    expect(handle.hasRef()).toBe(true);
    clearTimeout(handle);
  });
});
