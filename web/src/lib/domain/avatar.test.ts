import { describe, expect, it } from 'vitest';
import { colorForFingerprint, initialsOf } from './avatar';
import type { Fingerprint } from '../protocol/ids';

describe('colorForFingerprint', () => {
  it('gives the same colour for the same fingerprint', () => {
    expect(colorForFingerprint('ABCDEF')).toBe(colorForFingerprint('ABCDEF'));
    expect(colorForFingerprint('ABCDEF')).toMatch(/^#[0-9a-f]{6}$/);
  });

  it('spreads different fingerprints over the palette', () => {
    const colours = new Set(
      (['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'] as Fingerprint[]).map((f) =>
        colorForFingerprint(f),
      ),
    );
    expect(colours.size).toBeGreaterThan(3);
  });
});

describe('initialsOf', () => {
  it('takes the first letters of up to two words', () => {
    expect(initialsOf('alice liddell smith')).toBe('AL');
    expect(initialsOf('Bob')).toBe('B');
  });

  it('handles astral characters and empty names', () => {
    expect(initialsOf('😀 face')).toBe('😀F');
    expect(initialsOf('   ')).toBe('?');
  });
});
