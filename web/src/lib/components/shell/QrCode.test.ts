import { describe, expect, it } from 'vitest';
import { render } from 'svelte/server';
import QrCode from './QrCode.svelte';
import { encodeQr } from '../../qr/qr-encode';
import { darkModulesPath } from '../../qr/qr-svg';

describe('QrCode', () => {
  it('renders the dark modules as one path in a labelled, light SVG', () => {
    const text = 'https://parley.example/#/i/3q2k7xw9mfbz4hq8sd2c6e0tjr5yvn1ap3';
    const { body } = render(QrCode, { props: { text, label: 'QR code of the invite link' } });
    const encoded = encodeQr(text);
    if (!encoded.ok) throw new Error('unexpectedly too long');
    const size = encoded.value.size + 8;

    expect(body).toContain('role="img"');
    expect(body).toContain('aria-label="QR code of the invite link"');
    expect(body).toContain(`viewBox="0 0 ${size} ${size}"`);
    expect(body).toContain('shape-rendering="crispEdges"');
    expect(body).toContain(`<rect width="${size}" height="${size}" fill="#ffffff"`);
    expect(body.match(/<path /g)).toHaveLength(1);
    expect(body).toContain(`d="${darkModulesPath(encoded.value)}"`);
  });

  it('honours the error-correction level', () => {
    const text = 'x'.repeat(20); // version 2 at M, version 3 at H
    const atM = render(QrCode, { props: { text, label: 'code' } }).body;
    const atH = render(QrCode, { props: { text, label: 'code', level: 'H' } }).body;
    expect(atM).toContain('data-version="2"');
    expect(atH).toContain('data-version="3"');
  });

  it('says so instead of drawing when the text is too long', () => {
    const { body } = render(QrCode, { props: { text: 'x'.repeat(3000), label: 'code' } });
    expect(body).not.toContain('<svg');
    expect(body).toContain('too long to show as a QR code (3000 bytes, at most 2331)');
  });
});
