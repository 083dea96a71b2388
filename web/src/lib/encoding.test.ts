import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  base32,
  concatBytes,
  fromBase64Url,
  fromUtf8,
  isBase64Url,
  toBase64Url,
  utf8,
} from './encoding';
import { utf8ByteLength } from './protocol/parse-helpers';
import { propertyParams } from './testing/property';

const FC = propertyParams(20_240_601, 1000);

/** The platform's base64, made URL-safe and unpadded, as an independent reference. */
function referenceBase64Url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

describe('base64url', () => {
  it('encodes the RFC 4648 vectors without padding, URL-safe', () => {
    const cases: [string, string][] = [
      ['', ''],
      ['f', 'Zg'],
      ['fo', 'Zm8'],
      ['foo', 'Zm9v'],
      ['foob', 'Zm9vYg'],
      ['fooba', 'Zm9vYmE'],
      ['foobar', 'Zm9vYmFy'],
    ];
    for (const [input, expected] of cases) expect(toBase64Url(utf8(input))).toBe(expected);
    expect(toBase64Url(new Uint8Array([0xfb, 0xff, 0xbf]))).toBe('-_-_');
  });

  it('round-trips any bytes and agrees with Node', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const encoded = toBase64Url(bytes);
        expect(encoded).toBe(referenceBase64Url(bytes));
        expect(fromBase64Url(encoded)).toEqual(bytes);
      }),
      FC,
    );
  }, 60_000);

  it.each([
    ['padding', 'Zg=='],
    ['standard alphabet', 'a+b/'],
    ['impossible length', 'Zm9vY'],
    ['non-canonical trailing bits', 'Zh'],
    ['whitespace', 'Zm9v '],
    ['non-ASCII', 'Zm9é'],
  ])('rejects %s', (_what, input) => {
    expect(() => fromBase64Url(input)).toThrow(TypeError);
    expect(isBase64Url(input)).toBe(false);
  });

  it('checks the decoded length when asked', () => {
    const sixteen = toBase64Url(new Uint8Array(16));
    expect(isBase64Url(sixteen, 16)).toBe(true);
    expect(isBase64Url(sixteen, 32)).toBe(false);
    expect(isBase64Url(42)).toBe(false);
  });
});

describe('base32', () => {
  it('encodes the RFC 4648 vectors in upper case without padding', () => {
    const cases: [string, string][] = [
      ['', ''],
      ['f', 'MY'],
      ['fo', 'MZXQ'],
      ['foo', 'MZXW6'],
      ['foob', 'MZXW6YQ'],
      ['fooba', 'MZXW6YTB'],
      ['foobar', 'MZXW6YTBOI'],
    ];
    for (const [input, expected] of cases) expect(base32(utf8(input))).toBe(expected);
  });

  it('turns 32 bytes into 52 characters', () => {
    expect(base32(new Uint8Array(32).fill(0xff))).toMatch(/^[A-Z2-7]{52}$/);
  });
});

describe('utf8', () => {
  it('counts bytes exactly as TextEncoder writes them, lone surrogates included', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 100 }), (s) => {
        expect(utf8ByteLength(s)).toBe(utf8(s).length);
      }),
      FC,
    );
    expect(utf8ByteLength('\ud800x\udc00')).toBe(7);
  }, 60_000);

  it('round-trips text and rejects invalid UTF-8', () => {
    expect(fromUtf8(utf8('héllo 👋'))).toBe('héllo 👋');
    expect(() => fromUtf8(new Uint8Array([0xff]))).toThrow(TypeError);
  });

  it('concatenates byte arrays', () => {
    expect(concatBytes(utf8('ab'), new Uint8Array(), utf8('c'))).toEqual(utf8('abc'));
  });
});
