import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { toBase64Url } from '../encoding';
import { makeEvent } from '../testing/factories';
import { chatEventSchema } from './event-schema';
import {
  MANIFEST_INDEX,
  MAX_FILE_FRAME_BYTES,
  MAX_PIECE_BYTES,
  PIECE_HEADER_BYTES,
  decodePiece,
  encodeFileFrame,
  encodePiece,
  parseFileFrame,
  type FileFrame,
} from './file-frames';
import { MAX_FILE_CHUNKS } from './file-limits';

const HASH = new Uint8Array(32).fill(7);
const FILE = toBase64Url(HASH);

/** A valid `file` body, with `changes`. */
function fileBody(changes: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'holiday.jpg',
    size: 3 * 256 * 1024 + 5,
    mime: 'image/jpeg',
    sha256: FILE,
    chunkSize: 256 * 1024,
    root: FILE,
    image: { width: 800, height: 600 },
    ...changes,
  };
}

function parsesFile(body: Record<string, unknown>): boolean {
  return v.safeParse(chatEventSchema, { ...makeEvent(), kind: 'file', body }).success;
}

describe('the file event', () => {
  it('takes a file, an image with its preview, and a voice message', () => {
    expect(parsesFile(fileBody())).toBe(true);
    const preview = { mime: 'image/webp', data: 'UklGRg==', width: 96, height: 72 };
    expect(parsesFile(fileBody({ preview }))).toBe(true);
    expect(parsesFile(fileBody({ mime: 'audio/webm', voice: { durationMs: 4200 } }))).toBe(true);
    expect(parsesFile(fileBody({ mime: '', name: '会议记录.pdf', size: 0 }))).toBe(true);
  });

  it('refuses names that are paths or hold control characters', () => {
    for (const name of [
      '../x',
      'a/b',
      'a\\b',
      '.',
      '..',
      '',
      'x\u0000y',
      'x\ny',
      'a'.repeat(256),
    ]) {
      expect(parsesFile(fileBody({ name })), JSON.stringify(name)).toBe(false);
    }
  });

  it('bounds sizes, chunk layout, previews and hashes', () => {
    expect(parsesFile(fileBody({ size: -1 }))).toBe(false);
    expect(parsesFile(fileBody({ size: 4 * 1024 ** 3 + 1 }))).toBe(false);
    expect(parsesFile(fileBody({ chunkSize: 300_000 }))).toBe(false); // not a power of two
    expect(parsesFile(fileBody({ chunkSize: 1024 }))).toBe(false); // too small
    // More than MAX_FILE_CHUNKS chunks.
    expect(parsesFile(fileBody({ size: (MAX_FILE_CHUNKS + 1) * 256 * 1024 }))).toBe(false);
    expect(parsesFile(fileBody({ sha256: 'short' }))).toBe(false);
    expect(parsesFile(fileBody({ mime: 'text/html; charset=utf-8' }))).toBe(false);
    const big = { mime: 'image/webp', data: 'A'.repeat(12_004), width: 1, height: 1 };
    expect(parsesFile(fileBody({ preview: big }))).toBe(false);
    const svg = { mime: 'image/svg+xml', data: 'PHN2Zz4=', width: 1, height: 1 };
    expect(parsesFile(fileBody({ preview: svg }))).toBe(false);
    expect(parsesFile(fileBody({ voice: { durationMs: 31 * 60_000 } }))).toBe(false);
  });
});

describe('file channel control frames', () => {
  it('round-trips each frame', () => {
    const frames: FileFrame[] = [
      { t: 'ask', f: FILE },
      { t: 'have', f: FILE, m: true, all: false, bits: 'Bw' },
      { t: 'have', f: FILE, m: true, all: true },
      { t: 'want', f: FILE, i: [0, 1, MANIFEST_INDEX] },
      { t: 'none', f: FILE, i: [3] },
      { t: 'cancel', f: FILE },
    ];
    for (const frame of frames) expect(parseFileFrame(encodeFileFrame(frame))).toEqual(frame);
  });

  it('drops what is malformed, oversized or out of range, without throwing', () => {
    const bad = [
      'not json',
      JSON.stringify({ t: 'ask' }),
      JSON.stringify({ t: 'steal', f: FILE }),
      JSON.stringify({ t: 'want', f: FILE, i: [] }),
      JSON.stringify({ t: 'want', f: FILE, i: Array.from({ length: 33 }, (_, i) => i) }),
      JSON.stringify({ t: 'want', f: FILE, i: [MAX_FILE_CHUNKS] }),
      JSON.stringify({ t: 'want', f: FILE, i: [-1] }),
      JSON.stringify({ t: 'have', f: FILE, m: true, all: false, bits: '!!' }),
      JSON.stringify({ t: 'ask', f: FILE, pad: 'x'.repeat(MAX_FILE_FRAME_BYTES) }),
    ];
    for (const raw of bad) expect(parseFileFrame(raw), raw.slice(0, 40)).toBeNull();
  });
});

describe('file pieces', () => {
  it('carry the file, chunk, offset and bytes', () => {
    const payload = new Uint8Array([1, 2, 3, 4]);
    const piece = decodePiece(encodePiece(HASH, 5, 65_536, payload));
    expect(piece).toMatchObject({ file: FILE, index: 5, offset: 65_536 });
    expect([...(piece?.payload ?? [])]).toEqual([1, 2, 3, 4]);
    expect(decodePiece(encodePiece(HASH, MANIFEST_INDEX, 0, payload))?.index).toBe(MANIFEST_INDEX);
  });

  it('refuses pieces too short, too long, of another type, or for a chunk out of range', () => {
    expect(decodePiece(new ArrayBuffer(PIECE_HEADER_BYTES - 1))).toBeNull();
    expect(decodePiece(new ArrayBuffer(PIECE_HEADER_BYTES + MAX_PIECE_BYTES + 1))).toBeNull();
    const wrongType = encodePiece(HASH, 0, 0, new Uint8Array(1));
    new Uint8Array(wrongType)[0] = 9;
    expect(decodePiece(wrongType)).toBeNull();
    const farIndex = encodePiece(HASH, 0, 0, new Uint8Array(1));
    new DataView(farIndex).setUint32(33, MAX_FILE_CHUNKS);
    expect(decodePiece(farIndex)).toBeNull();
    expect(() => encodePiece(HASH, 0, 0, new Uint8Array(MAX_PIECE_BYTES + 1))).toThrow();
  });
});
