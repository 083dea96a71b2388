import { describe, expect, it } from 'vitest';
import { darkModulesPath, QUIET_ZONE_MODULES, viewBoxSize } from './qr-svg';
import { encodeQr, type QrMatrix } from './qr-encode';

function encoded(text: string): QrMatrix {
  const result = encodeQr(text);
  if (!result.ok) throw new Error('unexpectedly too long');
  return result.value;
}

/** Fills a grid from path data made only of `M x y h w v1 h-w z` rectangles. */
function rasterize(path: string, size: number): boolean[][] {
  const grid = Array.from({ length: size }, () => new Array<boolean>(size).fill(false));
  const rectangles = [...path.matchAll(/M(\d+) (\d+)h(\d+)v1h-(\d+)z/g)];
  expect(rectangles.map((r) => r[0]).join('')).toBe(path); // nothing else in the path
  for (const [, x, y, width, back] of rectangles) {
    expect(back).toBe(width);
    for (let i = 0; i < Number(width); i++) grid[Number(y)]![Number(x) + i] = true;
  }
  return grid;
}

describe('darkModulesPath', () => {
  it('covers exactly the dark modules, inside a light quiet zone', () => {
    for (const text of ['hi', 'https://parley.example/#/i/3q2k7xw9mfbz4hq8sd2c6e0tjr5yvn1ap3']) {
      const matrix = encoded(text);
      const size = viewBoxSize(matrix);
      expect(size).toBe(matrix.size + 2 * QUIET_ZONE_MODULES);
      const grid = rasterize(darkModulesPath(matrix), size);
      const expected = Array.from({ length: size }, (_, y) =>
        Array.from({ length: size }, (_, x) => {
          const row = matrix.modules[y - QUIET_ZONE_MODULES];
          return row?.[x - QUIET_ZONE_MODULES] === true;
        }),
      );
      expect(grid).toEqual(expected);
    }
  });

  it('merges a horizontal run into one rectangle', () => {
    const matrix: QrMatrix = {
      version: 1,
      level: 'M',
      mask: 0,
      size: 3,
      modules: [
        [true, true, true],
        [false, true, false],
        [true, false, true],
      ],
    };
    expect(darkModulesPath(matrix, 0)).toBe('M0 0h3v1h-3zM1 1h1v1h-1zM0 2h1v1h-1zM2 2h1v1h-1z');
  });
});
