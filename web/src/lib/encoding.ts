/**
 * Byte/text encodings used on the wire and in identifiers. Strict on input: anything that is not
 * the canonical encoding is rejected, so one value has exactly one spelling (no signature or key
 * malleability through alternative encodings).
 */

const BASE64URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Each ASCII code's base64url value, -1 for none (a table: this runs for every signature). */
const BASE64URL_VALUES = (() => {
  const values = new Int8Array(128).fill(-1);
  for (let i = 0; i < BASE64URL_ALPHABET.length; i++) values[BASE64URL_ALPHABET.charCodeAt(i)] = i;
  return values;
})();

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: true });

/** Encodes bytes as base64url (RFC 4648 §5) without padding. */
export function toBase64Url(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out +=
      BASE64URL_ALPHABET[(n >> 18) & 63]! +
      BASE64URL_ALPHABET[(n >> 12) & 63]! +
      BASE64URL_ALPHABET[(n >> 6) & 63]! +
      BASE64URL_ALPHABET[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += BASE64URL_ALPHABET[(n >> 18) & 63]! + BASE64URL_ALPHABET[(n >> 12) & 63]!;
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out +=
      BASE64URL_ALPHABET[(n >> 18) & 63]! +
      BASE64URL_ALPHABET[(n >> 12) & 63]! +
      BASE64URL_ALPHABET[(n >> 6) & 63]!;
  }
  return out;
}

/**
 * Decodes unpadded, canonical base64url; throws a TypeError on any other character, on padding,
 * on an impossible length or on non-zero trailing bits.
 */
export function fromBase64Url(s: string): Uint8Array<ArrayBuffer> {
  if (s.length % 4 === 1) throw new TypeError('invalid base64url: impossible length');
  const out = new Uint8Array(Math.floor((s.length * 3) / 4));
  let buffer = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i);
    const value = code < 128 ? BASE64URL_VALUES[code]! : -1;
    if (value < 0) throw new TypeError('invalid base64url: unexpected character');
    buffer = ((buffer << 6) | value) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (buffer >> bits) & 0xff;
    }
  }
  if ((buffer & ((1 << bits) - 1)) !== 0) {
    throw new TypeError('invalid base64url: non-canonical trailing bits');
  }
  return out;
}

/** True when `s` is canonical unpadded base64url (optionally of exactly `byteLength` bytes). */
export function isBase64Url(s: unknown, byteLength?: number): s is string {
  if (typeof s !== 'string') return false;
  if (byteLength !== undefined && s.length !== Math.ceil((byteLength * 4) / 3)) return false;
  try {
    fromBase64Url(s);
    return true;
  } catch {
    // Not base64url: that is the answer, not an error.
    return false;
  }
}

/** Encodes a string as UTF-8 bytes (lone surrogates become U+FFFD, as TextEncoder does). */
export function utf8(s: string): Uint8Array<ArrayBuffer> {
  return textEncoder.encode(s);
}

/** Decodes UTF-8 bytes to a string; throws a TypeError on invalid UTF-8. */
export function fromUtf8(bytes: Uint8Array): string {
  return textDecoder.decode(bytes);
}

/** Concatenates byte arrays into one new array. */
export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Encodes bytes as RFC 4648 base32: upper case, no padding. */
export function base32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += BASE32_ALPHABET[(buffer >> bits) & 31]!;
    }
  }
  if (bits > 0) out += BASE32_ALPHABET[(buffer << (5 - bits)) & 31]!;
  return out;
}
