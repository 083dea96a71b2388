import { describe, expect, it, vi } from 'vitest';
import { loadAhead } from './room-warmup';

describe('loadAhead', () => {
  it('loads every part in order, one at a time', async () => {
    const order: string[] = [];
    let running = 0;
    const part = (name: string) => async () => {
      running += 1;
      expect(running).toBe(1);
      await Promise.resolve();
      order.push(name);
      running -= 1;
    };
    await loadAhead([part('a'), part('b'), part('c')]);
    expect(order).toEqual(['a', 'b', 'c']);
  });

  it('goes on past a part that fails to load', async () => {
    const last = vi.fn(() => Promise.resolve());
    await loadAhead([() => Promise.reject(new Error('offline')), last]);
    expect(last).toHaveBeenCalledOnce();
  });
});
