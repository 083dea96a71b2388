/**
 * Turns an encoded QR symbol into SVG path data: one path for all dark modules, so the browser
 * draws a few hundred rectangles as a single shape. Pure, so it is tested without a DOM.
 */

import type { QrMatrix } from './qr-encode';

/** Light margin around the symbol, in modules: ISO/IEC 18004 asks for four (§6.3.8). */
export const QUIET_ZONE_MODULES = 4;

/** Width and height, in modules, of the drawing including the quiet zone. */
export function viewBoxSize(matrix: QrMatrix, margin = QUIET_ZONE_MODULES): number {
  return matrix.size + 2 * margin;
}

/**
 * Path data in module units: each horizontal run of dark modules becomes one rectangle
 * (`M x y h w v1 h-w z`), shifted right and down by `margin` so the quiet zone stays light.
 */
export function darkModulesPath(matrix: QrMatrix, margin = QUIET_ZONE_MODULES): string {
  const parts: string[] = [];
  matrix.modules.forEach((row, y) => {
    let x = 0;
    while (x < row.length) {
      if (!row[x]) {
        x++;
        continue;
      }
      const start = x;
      while (x < row.length && row[x]) x++;
      const width = x - start;
      parts.push(`M${start + margin} ${y + margin}h${width}v1h-${width}z`);
    }
  });
  return parts.join('');
}
