import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from './backoff';

describe('backoffDelayMs', () => {
  it('starts near the minimum and doubles per attempt', () => {
    expect(backoffDelayMs(0, 1000, 30_000, () => 1)).toBe(1000);
    expect(backoffDelayMs(1, 1000, 30_000, () => 1)).toBe(2000);
    expect(backoffDelayMs(3, 1000, 30_000, () => 1)).toBe(8000);
  });

  it('never exceeds the maximum, however many attempts', () => {
    expect(backoffDelayMs(50, 1000, 30_000, () => 1)).toBe(30_000);
    expect(backoffDelayMs(5000, 1000, 30_000, () => 0.999)).toBeLessThanOrEqual(30_000);
  });

  it('jitters down to half the ceiling', () => {
    expect(backoffDelayMs(2, 1000, 30_000, () => 0)).toBe(2000);
  });
});
