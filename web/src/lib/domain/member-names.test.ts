import { describe, expect, it } from 'vitest';
import { fingerprintTag, lookAlikeNames, nameSkeleton } from './member-names';

describe('nameSkeleton', () => {
  it('folds case, spaces, invisible characters and compatibility forms', () => {
    expect(nameSkeleton('Alice')).toBe(nameSkeleton('alice'));
    expect(nameSkeleton('Alice')).toBe(nameSkeleton('A l i c e'));
    expect(nameSkeleton('Alice')).toBe(nameSkeleton('Ali\u200Bce'));
    expect(nameSkeleton('Alice')).toBe(nameSkeleton('Ａｌｉｃｅ'));
  });

  it('maps letters of other scripts that pass for Latin ones', () => {
    // Cyrillic А and е, Greek ο, a capital I for the l, a digit 1 for the l.
    expect(nameSkeleton('\u0410lic\u0435')).toBe(nameSkeleton('Alice'));
    expect(nameSkeleton('B\u03bfb')).toBe(nameSkeleton('Bob'));
    expect(nameSkeleton('AIice')).toBe(nameSkeleton('Alice'));
    expect(nameSkeleton('A1ice')).toBe(nameSkeleton('Alice'));
  });

  it('keeps names that look different apart', () => {
    expect(nameSkeleton('Alice')).not.toBe(nameSkeleton('Alicia'));
    expect(nameSkeleton('李雷')).not.toBe(nameSkeleton('韩梅梅'));
  });
});

describe('lookAlikeNames', () => {
  it('marks every member whose name looks like another member’s, and nobody else', () => {
    const alike = lookAlikeNames([
      { fingerprint: 'A1', name: 'Alice' },
      { fingerprint: 'A2', name: 'alice' },
      { fingerprint: 'A3', name: '\u0410lice' },
      { fingerprint: 'B1', name: 'Bob' },
    ]);
    expect([...alike].sort()).toEqual(['A1', 'A2', 'A3']);
  });

  it('does not mark one member listed twice', () => {
    expect(
      lookAlikeNames([
        { fingerprint: 'A1', name: 'Alice' },
        { fingerprint: 'A1', name: 'Alice' },
      ]).size,
    ).toBe(0);
  });
});

describe('fingerprintTag', () => {
  it('is the first six characters of the fingerprint', () => {
    expect(fingerprintTag('ABCDEFGHIJ')).toBe('ABCDEF');
  });
});

describe('devices of one person', () => {
  it('are not look-alikes of each other, but still of someone else with the name', () => {
    const alice = { fingerprint: 'AAAA', name: 'Alice' };
    const aliceDevice = { fingerprint: 'BBBB', name: 'Alice', person: 'AAAA' };
    expect(lookAlikeNames([alice, aliceDevice])).toEqual(new Set());
    const other = { fingerprint: 'CCCC', name: 'alice' };
    expect(lookAlikeNames([alice, aliceDevice, other])).toEqual(new Set(['AAAA', 'BBBB', 'CCCC']));
  });
});
