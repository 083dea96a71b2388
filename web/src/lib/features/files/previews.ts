/**
 * What the sender of an image makes for its message (DESIGN §9): its size in pixels, and a
 * small preview carried in the event so the picture shows at once, before the file arrives.
 */
import type { FileBody } from '../../protocol/events';
import { MAX_IMAGE_SIDE_PX, MAX_PREVIEW_CHARS } from '../../protocol/file-limits';
import { createLogger } from '../../log';

const log = createLogger('files');

/** The preview's longest side, tried from the first; smaller ones when it does not fit. */
const PREVIEW_SIDES = [96, 64, 40];

/** An image's size in pixels, or null when the browser cannot decode it. */
export async function imageSize(file: Blob): Promise<{ width: number; height: number } | null> {
  try {
    const bitmap = await createImageBitmap(file);
    const size = {
      width: Math.min(Math.max(bitmap.width, 1), MAX_IMAGE_SIDE_PX),
      height: Math.min(Math.max(bitmap.height, 1), MAX_IMAGE_SIDE_PX),
    };
    bitmap.close();
    return size;
  } catch (error) {
    log.info('could not read an image size', error);
    return null;
  }
}

/** A small WebP (or JPEG) of an image, within MAX_PREVIEW_CHARS of base64; null if none. */
export async function makePreview(file: Blob): Promise<NonNullable<FileBody['preview']> | null> {
  let bitmap: ImageBitmap | null = null;
  try {
    bitmap = await createImageBitmap(file);
    for (const side of PREVIEW_SIDES) {
      const scale = Math.min(1, side / Math.max(bitmap.width, bitmap.height));
      const width = Math.max(1, Math.round(bitmap.width * scale));
      const height = Math.max(1, Math.round(bitmap.height * scale));
      const canvas = new OffscreenCanvas(width, height);
      const context = canvas.getContext('2d');
      if (!context) return null;
      context.drawImage(bitmap, 0, 0, width, height);
      for (const type of ['image/webp', 'image/jpeg'] as const) {
        const blob = await canvas.convertToBlob({ type, quality: 0.6 });
        // A browser that cannot write WebP writes PNG instead: try the next type.
        if (blob.type !== type) continue;
        const data = toBase64(new Uint8Array(await blob.arrayBuffer()));
        if (data.length <= MAX_PREVIEW_CHARS) return { mime: type, data, width, height };
      }
    }
    return null;
  } catch (error) {
    log.info('could not make an image preview', error);
    return null;
  } finally {
    bitmap?.close();
  }
}

/** Standard base64 (a `data:` URL's). */
function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}
