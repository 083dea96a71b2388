import { describe, expect, it } from 'vitest';
import { formatBytes } from './site-storage';

describe('formatBytes', () => {
  it('uses decimal units with one decimal below ten', () => {
    expect(formatBytes(0, 'en')).toBe('0 bytes');
    expect(formatBytes(1, 'en')).toBe('1 byte');
    expect(formatBytes(986, 'en')).toBe('986 bytes');
    expect(formatBytes(986, 'zh-CN')).toBe('986字节');
    expect(formatBytes(1_500, 'en')).toBe('1.5 kB');
    expect(formatBytes(12_300_000, 'en')).toBe('12 MB');
    expect(formatBytes(2_000_000_000, 'en')).toBe('2 GB');
  });
});
