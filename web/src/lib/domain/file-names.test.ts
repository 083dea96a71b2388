import { describe, expect, it } from 'vitest';
import { safeFileName } from './file-names';

describe('safeFileName', () => {
  it('keeps an ordinary name, Chinese included', () => {
    expect(safeFileName('holiday photo.jpg')).toBe('holiday photo.jpg');
    expect(safeFileName('会议记录.pdf')).toBe('会议记录.pdf');
  });

  it('never leaves a path separator or a control character', () => {
    for (const name of ['../../etc/passwd', '..\\..\\boot.ini', 'a/b', 'x\u0000y', 'c:\\x']) {
      const safe = safeFileName(name);
      // eslint-disable-next-line no-control-regex -- checking that none is left
      expect(safe).not.toMatch(/[/\\\u0000-\u001f]/);
      expect(safe).not.toMatch(/^\./);
    }
  });

  it('avoids device names, trailing dots and empty names', () => {
    expect(safeFileName('CON.txt')).toBe('_CON.txt');
    expect(safeFileName('name...')).toBe('name');
    expect(safeFileName('...')).toBe('file');
    expect(safeFileName('')).toBe('file');
  });

  it('bounds the length and keeps a short extension', () => {
    const safe = safeFileName(`${'a'.repeat(300)}.png`);
    expect(safe.length).toBe(180);
    expect(safe.endsWith('.png')).toBe(true);
  });
});
