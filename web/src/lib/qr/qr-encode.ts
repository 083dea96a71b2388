/**
 * A QR Code encoder (ISO/IEC 18004:2015, "Model 2" symbols), written to be read and audited.
 *
 * Scope: one byte-mode segment holding the UTF-8 bytes of a string, error-correction level
 * L, M (default), Q or H, versions 1–40 (the smallest that fits is chosen), all eight data masks
 * tried and the one with the lowest penalty kept. No numeric/alphanumeric/kanji modes, no
 * structured append, no ECI header: phone scanners (ZXing, iOS, jsQR) read byte-mode UTF-8
 * without one, while some older readers mishandle ECI. Parley only encodes links and digits,
 * which byte mode carries well enough.
 *
 * The steps follow the standard's own order (section numbers are ISO/IEC 18004:2015):
 *  1. data encoding (7.4): mode indicator, character count, the bytes, terminator, padding;
 *  2. error correction (7.5): split into blocks, Reed–Solomon over GF(256), interleave;
 *  3. module placement (7.7): function patterns, then codeword bits in the two-column zigzag;
 *  4. masking (7.8): try all eight masks, score each with the four penalty rules, keep the lowest;
 *  5. format information (7.9) and, from version 7 on, version information (7.10).
 *
 * Structure after Project Nayuki's QR Code generator (https://www.nayuki.io/page/qr-code-generator-library),
 * rewritten here so the app carries no runtime dependency for it. Pure: no DOM, no I/O.
 */

import { utf8 } from '../encoding';

/** Error-correction level: roughly 7 %, 15 %, 25 % or 30 % of the codewords can be restored. */
export type ErrorCorrectionLevel = 'L' | 'M' | 'Q' | 'H';

/** Smallest and largest symbol versions; a version-v symbol is 17 + 4v modules wide. */
export const MIN_VERSION = 1;
export const MAX_VERSION = 40;

/** The level used when the caller does not choose: a good balance for on-screen codes. */
export const DEFAULT_LEVEL: ErrorCorrectionLevel = 'M';

/** A finished symbol, without its quiet zone. */
export interface QrMatrix {
  /** Version 1–40. */
  readonly version: number;
  /** The error-correction level the symbol was built with. */
  readonly level: ErrorCorrectionLevel;
  /** The data mask 0–7 that was applied (recorded in the format information). */
  readonly mask: number;
  /** Modules per side: 17 + 4 × version. */
  readonly size: number;
  /** `modules[y][x]` is true for a dark module; row 0 is the top. */
  readonly modules: readonly (readonly boolean[])[];
}

/** Why a text could not be encoded. */
export interface QrTooLongError {
  /** The only failure: the UTF-8 bytes do not fit a version-40 symbol at this level. */
  readonly kind: 'too-long';
  /** UTF-8 length of the text. */
  readonly byteLength: number;
  /** The most bytes version 40 holds at this level. */
  readonly maxBytes: number;
  /** The level that was asked for (a lower level holds more). */
  readonly level: ErrorCorrectionLevel;
}

/** The outcome of `encodeQr`: the caller decides what to show when the text is too long. */
export type QrEncodeResult = { ok: true; value: QrMatrix } | { ok: false; error: QrTooLongError };

/** Options for `encodeQr`. */
export interface QrEncodeOptions {
  /** Error-correction level; `DEFAULT_LEVEL` (M) when omitted. */
  level?: ErrorCorrectionLevel;
  /** Force one data mask 0–7 instead of choosing by penalty (tests, published examples). */
  mask?: number;
}

/** Encodes `text` (as UTF-8, byte mode) into the smallest QR symbol that holds it. */
export function encodeQr(text: string, options: QrEncodeOptions = {}): QrEncodeResult {
  const level = options.level ?? DEFAULT_LEVEL;
  const bytes = utf8(text);
  const version = smallestVersion(bytes.length, level);
  if (version === null) {
    const maxBytes = byteCapacity(MAX_VERSION, level);
    return { ok: false, error: { kind: 'too-long', byteLength: bytes.length, maxBytes, level } };
  }
  const codewords = addErrorCorrection(encodeByteData(bytes, version, level), version, level);
  return { ok: true, value: buildSymbol(codewords, version, level, options.mask) };
}

// ---------------------------------------------------------------------------------------------
// Capacity tables (7.5.1, Table 9)
// ---------------------------------------------------------------------------------------------

/** Table rows are indexed by level in this order; index 0 of each row is unused (no version 0). */
const LEVEL_ROW: Readonly<Record<ErrorCorrectionLevel, number>> = { L: 0, M: 1, Q: 2, H: 3 };

/** Error-correction codewords in each block, by level then version (Table 9). */
const ECC_CODEWORDS_PER_BLOCK: readonly (readonly number[])[] = [
  // prettier-ignore
  [0, 7, 10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28, 30, 28, 28, 28, 28, 30, 30, 26, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
  // prettier-ignore
  [0, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26, 26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28],
  // prettier-ignore
  [0, 13, 22, 18, 26, 18, 24, 18, 22, 20, 24, 28, 26, 24, 20, 30, 24, 28, 28, 26, 30, 28, 30, 30, 30, 30, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
  // prettier-ignore
  [0, 17, 28, 22, 16, 22, 28, 26, 26, 24, 28, 24, 28, 22, 24, 24, 30, 28, 28, 26, 28, 30, 24, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
];

/** Number of error-correction blocks, by level then version (Table 9). */
const ECC_BLOCKS: readonly (readonly number[])[] = [
  // prettier-ignore
  [0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 4, 4, 6, 6, 6, 6, 7, 8, 8, 9, 9, 10, 12, 12, 12, 13, 14, 15, 16, 17, 18, 19, 19, 20, 21, 22, 24, 25],
  // prettier-ignore
  [0, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49],
  // prettier-ignore
  [0, 1, 1, 2, 2, 4, 4, 6, 6, 8, 8, 8, 10, 12, 16, 12, 17, 16, 18, 21, 20, 23, 23, 25, 27, 29, 34, 34, 35, 38, 40, 43, 45, 48, 51, 53, 56, 59, 62, 65, 68],
  // prettier-ignore
  [0, 1, 1, 2, 4, 4, 4, 5, 6, 8, 8, 11, 11, 16, 16, 18, 16, 19, 21, 25, 25, 25, 34, 30, 32, 35, 37, 40, 42, 45, 48, 51, 54, 57, 60, 63, 66, 70, 74, 77, 81],
];

function tableEntry(
  table: readonly (readonly number[])[],
  version: number,
  level: ErrorCorrectionLevel,
): number {
  const value = table[LEVEL_ROW[level]]?.[version];
  if (value === undefined || version < MIN_VERSION || version > MAX_VERSION) {
    throw new RangeError(`QR version out of range: ${version}`);
  }
  return value;
}

/** Modules per side of a version-`version` symbol. */
export function symbolSize(version: number): number {
  return 17 + 4 * version;
}

/**
 * Modules left for codewords once every function pattern, the format and the version
 * information are taken out; includes the 0–7 remainder bits, so not always a multiple of 8.
 */
export function dataModuleCount(version: number): number {
  const size = symbolSize(version);
  let count = size * size;
  count -= 3 * 8 * 8; // three finder patterns with their separators
  count -= 2 * (size - 16); // the two timing patterns between the separators
  count -= 2 * 15 + 1; // two copies of the format information, and the dark module
  const alignment = alignmentPatternPositions(version).length;
  if (alignment > 0) {
    // An n × n grid of 5 × 5 patterns, minus the three corners under the finders; the
    // 2(n − 2) patterns on row and column 6 each overlap the timing pattern by 5 modules.
    count -= 25 * (alignment * alignment - 3) - 2 * 5 * (alignment - 2);
  }
  if (version >= 7) count -= 2 * 18; // two copies of the version information
  return count;
}

/** Data codewords (excluding error correction) of a symbol. */
export function dataCodewordCount(version: number, level: ErrorCorrectionLevel): number {
  const total = Math.floor(dataModuleCount(version) / 8);
  return (
    total -
    tableEntry(ECC_BLOCKS, version, level) * tableEntry(ECC_CODEWORDS_PER_BLOCK, version, level)
  );
}

/** Bits of the byte-mode character count: 8 up to version 9, 16 from version 10 (Table 3). */
function countBits(version: number): number {
  return version <= 9 ? 8 : 16;
}

/** The most bytes one byte-mode segment can carry in a symbol. */
export function byteCapacity(version: number, level: ErrorCorrectionLevel): number {
  const headerBits = 4 + countBits(version);
  return Math.floor((dataCodewordCount(version, level) * 8 - headerBits) / 8);
}

/** The smallest version that holds `byteLength` bytes at `level`, or null if none does. */
export function smallestVersion(byteLength: number, level: ErrorCorrectionLevel): number | null {
  for (let version = MIN_VERSION; version <= MAX_VERSION; version++) {
    if (byteLength <= byteCapacity(version, level)) return version;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// 1. Data encoding (7.4)
// ---------------------------------------------------------------------------------------------

/** Appends bits, most significant first. */
class BitBuffer {
  readonly bits: number[] = [];

  append(value: number, length: number): void {
    for (let i = length - 1; i >= 0; i--) this.bits.push((value >>> i) & 1);
  }

  toBytes(): Uint8Array {
    const bytes = new Uint8Array(Math.ceil(this.bits.length / 8));
    this.bits.forEach((bit, i) => {
      bytes[i >>> 3]! |= bit << (7 - (i & 7));
    });
    return bytes;
  }
}

/** Mode indicator for 8-bit byte data (Table 2). */
const BYTE_MODE = 0b0100;
/** Pad codewords, used alternately to fill the data capacity (7.4.10). */
const PAD_CODEWORDS = [0xec, 0x11] as const;

/**
 * The data codewords of one byte-mode segment holding `bytes`, terminated and padded to the
 * symbol's exact data capacity. Throws if the bytes do not fit (callers pick the version first).
 */
export function encodeByteData(
  bytes: Uint8Array,
  version: number,
  level: ErrorCorrectionLevel,
): Uint8Array {
  if (bytes.length > byteCapacity(version, level)) {
    throw new RangeError(`${bytes.length} bytes do not fit version ${version}-${level}`);
  }
  const capacityBits = dataCodewordCount(version, level) * 8;
  const buffer = new BitBuffer();
  buffer.append(BYTE_MODE, 4);
  buffer.append(bytes.length, countBits(version));
  for (const byte of bytes) buffer.append(byte, 8);
  // Terminator: up to four 0 bits, fewer if the capacity is reached first (7.4.9).
  buffer.append(0, Math.min(4, capacityBits - buffer.bits.length));
  // Then 0 bits up to a codeword boundary, then alternating pad codewords (7.4.10).
  buffer.append(0, (8 - (buffer.bits.length % 8)) % 8);
  for (let i = 0; buffer.bits.length < capacityBits; i++) buffer.append(PAD_CODEWORDS[i % 2]!, 8);
  return buffer.toBytes();
}

// ---------------------------------------------------------------------------------------------
// 2. Error correction (7.5): Reed–Solomon over GF(2^8) with the QR polynomial
// ---------------------------------------------------------------------------------------------

/** x^8 + x^4 + x^3 + x^2 + 1, the field's primitive polynomial (7.5.2). */
const GF_POLYNOMIAL = 0x11d;

/** Multiplies two field elements: carry-less "Russian peasant" product, reduced mod 0x11d. */
export function gfMultiply(a: number, b: number): number {
  let product = 0;
  for (let i = 7; i >= 0; i--) {
    product = (product << 1) ^ ((product >>> 7) * GF_POLYNOMIAL);
    product ^= ((b >>> i) & 1) * a;
  }
  return product;
}

/**
 * The generator polynomial (x − α^0)(x − α^1)…(x − α^(degree−1)) with α = 2, as its
 * coefficients from the highest power down, the leading 1 left out (Annex A).
 */
export function reedSolomonGenerator(degree: number): Uint8Array {
  const coefficients = new Uint8Array(degree);
  coefficients[degree - 1] = 1; // start from the constant polynomial 1
  let root = 1;
  for (let i = 0; i < degree; i++) {
    // Multiply by (x − root): in GF(2^8) subtraction is XOR, so this is shift-and-add.
    for (let j = 0; j < degree; j++) {
      coefficients[j] = gfMultiply(coefficients[j]!, root) ^ (coefficients[j + 1] ?? 0);
    }
    root = gfMultiply(root, 2);
  }
  return coefficients;
}

/** The `eccLength` error-correction codewords of one block: the remainder of data·x^n ÷ generator. */
export function reedSolomonRemainder(data: Uint8Array, eccLength: number): Uint8Array {
  const generator = reedSolomonGenerator(eccLength);
  const remainder = new Uint8Array(eccLength);
  for (const byte of data) {
    const factor = byte ^ remainder[0]!;
    remainder.copyWithin(0, 1);
    remainder[eccLength - 1] = 0;
    for (let i = 0; i < eccLength; i++) remainder[i]! ^= gfMultiply(generator[i]!, factor);
  }
  return remainder;
}

/**
 * Splits the data codewords into the version's blocks, appends each block's Reed–Solomon
 * codewords, and interleaves them into the final sequence (7.6): first data codeword of every
 * block, then the second, …, then the error-correction codewords the same way. The first
 * blocks ("short") carry one data codeword fewer than the rest when the count does not divide.
 */
export function addErrorCorrection(
  data: Uint8Array,
  version: number,
  level: ErrorCorrectionLevel,
): Uint8Array {
  const blockCount = tableEntry(ECC_BLOCKS, version, level);
  const eccLength = tableEntry(ECC_CODEWORDS_PER_BLOCK, version, level);
  if (data.length !== dataCodewordCount(version, level)) {
    throw new RangeError(
      `version ${version}-${level} needs ${dataCodewordCount(version, level)} data codewords`,
    );
  }
  const shortDataLength = Math.floor(data.length / blockCount);
  const shortBlockCount = blockCount - (data.length % blockCount);

  const blocks: { data: Uint8Array; ecc: Uint8Array }[] = [];
  let offset = 0;
  for (let b = 0; b < blockCount; b++) {
    const length = shortDataLength + (b < shortBlockCount ? 0 : 1);
    const blockData = data.subarray(offset, offset + length);
    offset += length;
    blocks.push({ data: blockData, ecc: reedSolomonRemainder(blockData, eccLength) });
  }

  const result: number[] = [];
  for (let i = 0; i <= shortDataLength; i++) {
    for (const block of blocks) if (i < block.data.length) result.push(block.data[i]!);
  }
  for (let i = 0; i < eccLength; i++) {
    for (const block of blocks) result.push(block.ecc[i]!);
  }
  return Uint8Array.from(result);
}

// ---------------------------------------------------------------------------------------------
// 3. Module placement (7.7)
// ---------------------------------------------------------------------------------------------

/**
 * Centre coordinates of the alignment patterns (Annex E), used on both axes: evenly spaced
 * from 6 to size − 7, with an even step, any slack taken from the first gap.
 */
export function alignmentPatternPositions(version: number): number[] {
  if (version === 1) return [];
  const count = Math.floor(version / 7) + 2;
  const last = symbolSize(version) - 7;
  // Version 32 is the one exception to the formula in Table E.1.
  const step = version === 32 ? 26 : Math.ceil((last - 6) / (count - 1) / 2) * 2;
  const positions = [6];
  for (let i = count - 2; i >= 0; i--) positions.push(last - i * step);
  return positions;
}

/** A symbol under construction: module colours plus which modules belong to function patterns. */
class SymbolGrid {
  readonly size: number;
  readonly dark: boolean[][];
  readonly isFunction: boolean[][];

  constructor(readonly version: number) {
    this.size = symbolSize(version);
    this.dark = Array.from({ length: this.size }, () => new Array<boolean>(this.size).fill(false));
    this.isFunction = Array.from({ length: this.size }, () =>
      new Array<boolean>(this.size).fill(false),
    );
  }

  setFunction(x: number, y: number, isDark: boolean): void {
    this.dark[y]![x] = isDark;
    this.isFunction[y]![x] = true;
  }

  /** Finder pattern centred on (cx, cy) with its light separator, clipped at the edges. */
  drawFinder(cx: number, cy: number): void {
    for (let dy = -4; dy <= 4; dy++) {
      for (let dx = -4; dx <= 4; dx++) {
        const x = cx + dx;
        const y = cy + dy;
        if (x < 0 || y < 0 || x >= this.size || y >= this.size) continue;
        // Rings by distance from the centre: 0–1 dark core, 2 light, 3 dark, 4 light separator.
        const ring = Math.max(Math.abs(dx), Math.abs(dy));
        this.setFunction(x, y, ring !== 2 && ring !== 4);
      }
    }
  }

  /** 5 × 5 alignment pattern centred on (cx, cy): dark ring, light ring, dark centre. */
  drawAlignment(cx: number, cy: number): void {
    for (let dy = -2; dy <= 2; dy++) {
      for (let dx = -2; dx <= 2; dx++) {
        this.setFunction(cx + dx, cy + dy, Math.max(Math.abs(dx), Math.abs(dy)) !== 1);
      }
    }
  }

  /** Everything that does not carry data, with format/version areas reserved (filled later). */
  drawFunctionPatterns(): void {
    const size = this.size;
    for (let i = 0; i < size; i++) {
      this.setFunction(6, i, i % 2 === 0); // vertical timing pattern
      this.setFunction(i, 6, i % 2 === 0); // horizontal timing pattern
    }
    this.drawFinder(3, 3);
    this.drawFinder(size - 4, 3);
    this.drawFinder(3, size - 4);

    const positions = alignmentPatternPositions(this.version);
    const last = positions.length - 1;
    positions.forEach((y, row) => {
      positions.forEach((x, column) => {
        const isUnderFinder =
          (row === 0 && column === 0) ||
          (row === 0 && column === last) ||
          (row === last && column === 0);
        if (!isUnderFinder) this.drawAlignment(x, y);
      });
    });

    this.drawFormatBits(0); // reserve the areas; the real bits are drawn once the mask is known
    this.drawVersionBits();
  }

  /**
   * The 15 format bits, twice (7.9.1, Figure 25). Bit 14 is the most significant.
   * Copy 1 wraps the top-left finder; copy 2 is split between the other two finders.
   */
  drawFormatBits(bits: number): void {
    const size = this.size;
    const bit = (i: number): boolean => ((bits >>> i) & 1) !== 0;
    // Copy 1: bits 0–7 down column 8 (skipping the timing row), bits 8–14 leftwards along row 8.
    for (let i = 0; i <= 5; i++) this.setFunction(8, i, bit(i));
    this.setFunction(8, 7, bit(6));
    this.setFunction(8, 8, bit(7));
    this.setFunction(7, 8, bit(8));
    for (let i = 9; i < 15; i++) this.setFunction(14 - i, 8, bit(i));
    // Copy 2: bits 0–7 along row 8 from the right edge, bits 8–14 up column 8 to the bottom edge.
    for (let i = 0; i < 8; i++) this.setFunction(size - 1 - i, 8, bit(i));
    for (let i = 8; i < 15; i++) this.setFunction(8, size - 15 + i, bit(i));
    this.setFunction(8, size - 8, true); // the "dark module", always dark
  }

  /** From version 7: the 18 version bits in two 6 × 3 blocks beside the finders (7.10). */
  drawVersionBits(): void {
    if (this.version < 7) return;
    const bits = versionBits(this.version);
    for (let i = 0; i < 18; i++) {
      const isDark = ((bits >>> i) & 1) !== 0;
      const along = Math.floor(i / 3);
      const across = this.size - 11 + (i % 3);
      this.setFunction(across, along, isDark); // top right
      this.setFunction(along, across, isDark); // bottom left
    }
  }

  /**
   * Codeword bits, most significant first, in the zigzag of 7.7.3: two-module-wide columns from
   * the right edge, alternately upwards and downwards, skipping function modules and the
   * vertical timing column. Modules left over (remainder bits) stay light.
   */
  drawCodewords(codewords: Uint8Array): void {
    const size = this.size;
    let bitIndex = 0;
    let isUpward = true;
    for (let right = size - 1; right >= 1; right -= 2) {
      if (right === 6) right = 5; // column 6 is the timing pattern: shift the pairs left by one
      for (let step = 0; step < size; step++) {
        const y = isUpward ? size - 1 - step : step;
        for (const x of [right, right - 1]) {
          if (this.isFunction[y]![x] || bitIndex >= codewords.length * 8) continue;
          const byte = codewords[bitIndex >>> 3]!;
          this.dark[y]![x] = ((byte >>> (7 - (bitIndex & 7))) & 1) !== 0;
          bitIndex++;
        }
      }
      isUpward = !isUpward;
    }
    if (bitIndex !== codewords.length * 8) throw new Error('QR codewords do not fill the symbol');
  }

  /** XORs every non-function module with the mask (7.8.2); applying it twice undoes it. */
  applyMask(mask: number): void {
    const condition = MASK_CONDITIONS[mask];
    if (!condition) throw new RangeError(`QR mask out of range: ${mask}`);
    for (let y = 0; y < this.size; y++) {
      for (let x = 0; x < this.size; x++) {
        if (!this.isFunction[y]![x] && condition(y, x)) this.dark[y]![x] = !this.dark[y]![x];
      }
    }
  }
}

/** The eight data-mask conditions of Table 10, with i the row and j the column. */
const MASK_CONDITIONS: readonly ((i: number, j: number) => boolean)[] = [
  (i, j) => (i + j) % 2 === 0,
  (i) => i % 2 === 0,
  (_i, j) => j % 3 === 0,
  (i, j) => (i + j) % 3 === 0,
  (i, j) => (Math.floor(i / 2) + Math.floor(j / 3)) % 2 === 0,
  (i, j) => ((i * j) % 2) + ((i * j) % 3) === 0,
  (i, j) => (((i * j) % 2) + ((i * j) % 3)) % 2 === 0,
  (i, j) => (((i + j) % 2) + ((i * j) % 3)) % 2 === 0,
];

/** Format-information level bits (Table 12): note the order is not L, M, Q, H = 0–3. */
const FORMAT_LEVEL_BITS: Readonly<Record<ErrorCorrectionLevel, number>> = {
  L: 0b01,
  M: 0b00,
  Q: 0b11,
  H: 0b10,
};

/**
 * The 15-bit format information (7.9): 2 level bits and 3 mask bits, a BCH(15,5) remainder
 * from the generator x^10 + x^8 + x^5 + x^4 + x^2 + x + 1 (0x537), XORed with 0x5412 so the
 * result is never all zeros.
 */
export function formatBits(level: ErrorCorrectionLevel, mask: number): number {
  const data = (FORMAT_LEVEL_BITS[level] << 3) | mask;
  let remainder = data << 10;
  for (let bit = 14; bit >= 10; bit--) {
    if ((remainder >>> bit) & 1) remainder ^= 0x537 << (bit - 10);
  }
  return ((data << 10) | remainder) ^ 0x5412;
}

/**
 * The 18-bit version information (7.10, Annex D): the 6-bit version and a BCH(18,6) remainder
 * from the generator x^12 + x^11 + x^10 + x^9 + x^8 + x^5 + x^2 + 1 (0x1f25). Not masked.
 */
export function versionBits(version: number): number {
  let remainder = version << 12;
  for (let bit = 17; bit >= 12; bit--) {
    if ((remainder >>> bit) & 1) remainder ^= 0x1f25 << (bit - 12);
  }
  return (version << 12) | remainder;
}

// ---------------------------------------------------------------------------------------------
// 4. Mask choice (7.8.3): penalty rules N1–N4
// ---------------------------------------------------------------------------------------------

const PENALTY_N1 = 3;
const PENALTY_N2 = 3;
const PENALTY_N3 = 40;
const PENALTY_N4 = 10;

/** dark-light-dark-dark-dark-light-dark: the 1:1:3:1:1 finder look-alike of rule 3. */
const FINDER_LIKE = [true, false, true, true, true, false, true] as const;

/** Rules 1 and 3 over one row or column. Modules outside the symbol count as light (quiet zone). */
export function linePenalty(line: readonly boolean[]): number {
  let score = 0;
  // Rule 1: each run of five or more same-coloured modules scores N1 + (length − 5).
  let runLength = 1;
  for (let i = 1; i <= line.length; i++) {
    if (i < line.length && line[i] === line[i - 1]) {
      runLength++;
      continue;
    }
    if (runLength >= 5) score += PENALTY_N1 + (runLength - 5);
    runLength = 1;
  }
  // Rule 3: each finder look-alike with four light modules on one side scores N3 (per side).
  const isDark = (i: number): boolean => i >= 0 && i < line.length && line[i] === true;
  const isLightRun = (from: number): boolean => [0, 1, 2, 3].every((k) => !isDark(from + k));
  for (let start = 0; start + FINDER_LIKE.length <= line.length; start++) {
    if (!FINDER_LIKE.every((dark, k) => isDark(start + k) === dark)) continue;
    if (isLightRun(start - 4)) score += PENALTY_N3;
    if (isLightRun(start + FINDER_LIKE.length)) score += PENALTY_N3;
  }
  return score;
}

/** The total penalty of a finished (masked, formatted) symbol; lower is easier to scan. */
export function penaltyScore(modules: readonly (readonly boolean[])[]): number {
  const size = modules.length;
  let score = 0;
  for (let i = 0; i < size; i++) {
    score += linePenalty(modules[i]!);
    score += linePenalty(modules.map((row) => row[i]!));
  }
  // Rule 2: each 2 × 2 block of one colour scores N2 (overlapping blocks all count).
  for (let y = 0; y + 1 < size; y++) {
    for (let x = 0; x + 1 < size; x++) {
      const colour = modules[y]![x];
      if (
        modules[y]![x + 1] === colour &&
        modules[y + 1]![x] === colour &&
        modules[y + 1]![x + 1] === colour
      ) {
        score += PENALTY_N2;
      }
    }
  }
  // Rule 4: N4 for every full 5 % step the dark share is away from 50 %.
  const darkCount = modules.reduce((sum, row) => sum + row.filter(Boolean).length, 0);
  const total = size * size;
  score += PENALTY_N4 * Math.floor(Math.abs(darkCount * 20 - total * 10) / total);
  return score;
}

// ---------------------------------------------------------------------------------------------
// 5. Putting it together
// ---------------------------------------------------------------------------------------------

function finishedSymbol(
  codewords: Uint8Array,
  version: number,
  level: ErrorCorrectionLevel,
  mask: number,
): SymbolGrid {
  const grid = new SymbolGrid(version);
  grid.drawFunctionPatterns();
  grid.drawCodewords(codewords);
  grid.applyMask(mask);
  grid.drawFormatBits(formatBits(level, mask));
  return grid;
}

/**
 * Lays out the final codeword sequence (data and error correction, interleaved) in a symbol.
 * With `mask` given that mask is used; otherwise all eight are tried and the one with the
 * lowest `penaltyScore` kept (the first on a tie).
 */
export function buildSymbol(
  codewords: Uint8Array,
  version: number,
  level: ErrorCorrectionLevel,
  mask?: number,
): QrMatrix {
  let best: { grid: SymbolGrid; mask: number; score: number } | null = null;
  const candidates = mask === undefined ? [0, 1, 2, 3, 4, 5, 6, 7] : [mask];
  for (const candidate of candidates) {
    const grid = finishedSymbol(codewords, version, level, candidate);
    const score = candidates.length === 1 ? 0 : penaltyScore(grid.dark);
    if (best === null || score < best.score) best = { grid, mask: candidate, score };
  }
  if (best === null) throw new Error('unreachable: at least one mask is tried');
  return { version, level, mask: best.mask, size: best.grid.size, modules: best.grid.dark };
}
