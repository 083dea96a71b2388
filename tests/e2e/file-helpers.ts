// Helpers for the file specs (files*.e2e.ts): files made in the test, attaching them the way a
// person does (Attach file opens the browser's file chooser), and saving what arrived through
// the browser's own download, so its bytes can be compared with what was sent.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { deflateSync } from 'node:zlib';
import type { Locator, Page } from '@playwright/test';
import { expect, messageLog } from './fixtures.js';

/** A file as the test made it. */
export interface MadeFile {
  name: string;
  mimeType: string;
  buffer: Buffer;
}

/** A PNG made in the test, with the SHA-256 of its pixels as RGBA (what a canvas reads). */
export interface MadePng extends MadeFile {
  pixelsSha256: string;
}

/** The SHA-256 of bytes, hex. */
export const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** The SHA-256 of a file on disk, hex, read as a stream (never whole in memory). */
export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const part of createReadStream(path)) hash.update(part as Buffer);
  return hash.digest('hex');
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/**
 * A real PNG of random RGB pixels (noise barely compresses, so the file is about
 * width × height × 3 bytes).
 */
export function makePng(name: string, width: number, height: number): MadePng {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, deflate, no filter, no interlace
  const rows = Buffer.alloc((width * 3 + 1) * height);
  const pixels = randomBytes(width * 3 * height);
  for (let y = 0; y < height; y++) {
    rows[y * (width * 3 + 1)] = 0; // filter: none
    pixels.copy(rows, y * (width * 3 + 1) + 1, y * width * 3, (y + 1) * width * 3);
  }
  const buffer = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(rows)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
  const rgba = Buffer.alloc(width * height * 4, 0xff);
  for (let i = 0; i < width * height; i++) pixels.copy(rgba, i * 4, i * 3, i * 3 + 3);
  return { name, mimeType: 'image/png', buffer, pixelsSha256: sha256(rgba) };
}

/** `bytes` random bytes saved at `path` (for files too large to hand over as a buffer). */
export async function makeRandomFile(path: string, bytes: number): Promise<string> {
  const buffer = randomBytes(bytes);
  await writeFile(path, buffer);
  return sha256(buffer);
}

/** The SHA-256 (hex) of the pixels an image element shows, as RGBA read from a canvas. */
export const shownPixelsSha256 = (image: Locator): Promise<string> =>
  image.evaluate(async (element) => {
    const img = element as HTMLImageElement;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    const context = canvas.getContext('2d');
    if (!context) throw new Error('no 2D canvas');
    context.drawImage(img, 0, 0);
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', data));
    return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
  });

/** Attach file → the browser's file chooser → these files (a MadeFile or a path on disk). */
export async function attachFiles(page: Page, files: MadeFile | string): Promise<void> {
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Attach file' }).click();
  await (await chooser).setFiles(files);
}

/** The one message in the log that shows a file by `author` named `name`. */
export const fileMessage = (page: Page, author: string, name: string): Locator =>
  messageLog(page).getByRole('article').filter({ hasText: author }).filter({ hasText: name });

/** The progress bar of a file's transfer. */
export const transferOf = (page: Page, name: string): Locator =>
  messageLog(page).getByRole('progressbar', { name: `Transfer of ${name}` });

/** The value (0–100) a progress bar shows. */
export const progressValue = (bar: Locator): Promise<number> =>
  bar.evaluate((element) => (element as HTMLProgressElement).value);

/** Clicks `button` (Download, Download again) and returns the SHA-256 of the saved file, hex. */
export async function saveThrough(
  page: Page,
  button: Locator,
  timeout = 30_000,
): Promise<{ hash: string; name: string }> {
  const download = page.waitForEvent('download', { timeout });
  await button.click();
  const saved = await download;
  const path = await saved.path();
  expect(path, 'the browser saved the download').toBeTruthy();
  return { hash: await sha256OfFile(path), name: saved.suggestedFilename() };
}
