/**
 * Limits of file, image and voice messages (DESIGN §9), enforced on receive by the event schema
 * and respected on send. Changing one is a protocol change. Apart from limits.ts: only what loads
 * on demand needs them.
 */

/** Largest file a `file` event may describe (4 GiB). */
export const MAX_FILE_BYTES = 4 * 1024 ** 3;

/** Longest file name a `file` event may carry, in UTF-16 units. */
export const MAX_FILE_NAME_CHARS = 255;

/** Longest MIME type a `file` event may carry. */
export const MAX_MIME_CHARS = 127;

/** Smallest and largest chunk of a file (powers of two; features/files/chunk-plan.ts picks one). */
export const MIN_FILE_CHUNK_BYTES = 64 * 1024;

export const MAX_FILE_CHUNK_BYTES = 4 * 1024 * 1024;

/** Most chunks one file has (its manifest of chunk hashes stays within 64 KiB). */
export const MAX_FILE_CHUNKS = 2048;

/** Largest inline preview of an image or video, as base64 characters (about 9 KB of WebP/JPEG). */
export const MAX_PREVIEW_CHARS = 12_000;

/** Largest pixel size an image event may claim, per side. */
export const MAX_IMAGE_SIDE_PX = 65_535;

/** Longest voice message, in milliseconds (30 minutes). */
export const MAX_VOICE_MS = 30 * 60 * 1000;
