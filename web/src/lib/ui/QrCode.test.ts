import { describe, expect, it } from 'vitest';
import { render } from 'svelte/server';
import jsQR from 'jsqr';
import QrCode from './QrCode.svelte';

/** Pixels per module when the drawing is rasterized for the decoder. */
const PIXELS_PER_MODULE = 4;

interface Drawing {
  /** The viewBox's origin and size, in modules (the quiet zone included). */
  origin: number;
  size: number;
  /** Closed polygons of the path's `M x y L x y … Z` outlines. */
  polygons: [number, number][][];
}

/** Reads the one SVG the component rendered: its viewBox and the outlines of its one path. */
function parseDrawing(body: string): Drawing {
  const viewBox = /viewBox="(-?\d+) (-?\d+) (\d+) (\d+)"/.exec(body);
  const path = /<path d="([^"]*)"/.exec(body);
  if (!viewBox || !path) throw new Error('no QR code drawn');
  const [, x, y, width, height] = viewBox.map(Number);
  expect(x).toBe(y);
  expect(width).toBe(height);
  const polygons = path[1]!
    .split('Z')
    .filter((outline) => outline !== '')
    .map((outline) => {
      expect(outline).toMatch(/^M\d+ \d+(L\d+ \d+)*$/);
      return [...outline.matchAll(/(\d+) (\d+)/g)].map(
        ([, px, py]) => [Number(px), Number(py)] as [number, number],
      );
    });
  return { origin: x!, size: width!, polygons };
}

/** Whether the point is inside the path under SVG's default `nonzero` fill rule. */
function isFilled(polygons: Drawing['polygons'], px: number, py: number): boolean {
  let winding = 0;
  for (const polygon of polygons) {
    polygon.forEach(([x0, y0], i) => {
      const [x1, y1] = polygon[(i + 1) % polygon.length]!;
      // Count the outline's vertical edges to the right of the point, by direction.
      if (x0 !== x1 || x0 <= px) return;
      if (y0 <= py && py < y1) winding++;
      else if (y1 <= py && py < y0) winding--;
    });
  }
  return winding !== 0;
}

/** What a camera sees: the drawing as RGBA pixels, dark modules black on white. */
function rasterize({ origin, size, polygons }: Drawing): { data: Uint8ClampedArray; px: number } {
  const px = size * PIXELS_PER_MODULE;
  const data = new Uint8ClampedArray(px * px * 4).fill(255);
  for (let my = 0; my < size; my++) {
    for (let mx = 0; mx < size; mx++) {
      if (!isFilled(polygons, origin + mx + 0.5, origin + my + 0.5)) continue;
      for (let dy = 0; dy < PIXELS_PER_MODULE; dy++) {
        for (let dx = 0; dx < PIXELS_PER_MODULE; dx++) {
          const offset = ((my * PIXELS_PER_MODULE + dy) * px + mx * PIXELS_PER_MODULE + dx) * 4;
          data.fill(0, offset, offset + 3);
        }
      }
    }
  }
  return { data, px };
}

function scan(text: string): string | null {
  const { body } = render(QrCode, { props: { text, label: 'code' } });
  const { data, px } = rasterize(parseDrawing(body));
  return jsQR(data, px, px)?.data ?? null;
}

describe('QrCode', () => {
  it('draws a labelled, light SVG that a decoder reads back as the text', () => {
    const link = 'https://parley.example/#/i/3q2k7xw9mfbz4hq8sd2c6e0tjr5yvn1ap3';
    const safetyNumber = '12345 67890 '.repeat(6).trim();
    const { body } = render(QrCode, { props: { text: link, label: 'QR code of the invite link' } });

    expect(body).toContain('role="img"');
    expect(body).toContain('aria-label="QR code of the invite link"');
    expect(body).toContain('shape-rendering="crispEdges"');
    expect(body).toMatch(/<rect [^>]*fill="#ffffff"/);
    expect(body.match(/<path /g)).toHaveLength(1);
    // A four-module quiet zone on every side: the viewBox starts at -4.
    expect(parseDrawing(body).origin).toBe(-4);

    expect(scan(link)).toBe(link);
    expect(scan(safetyNumber)).toBe(safetyNumber);
    expect(scan('Grüße, Ürsula ✓')).toBe('Grüße, Ürsula ✓');
    expect(scan('héllo')).toBe('héllo');
  });

  it('says so instead of drawing when the text is too long', () => {
    const { body } = render(QrCode, { props: { text: 'x'.repeat(3000), label: 'code' } });
    expect(body).not.toContain('<svg');
    expect(body).toContain('too long to show as a QR code');
  });
});
