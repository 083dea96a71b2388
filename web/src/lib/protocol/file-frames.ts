/**
 * The file channel (DESIGN §9): the binary data channel beside each authenticated link. Control
 * frames are small JSON strings, one union on `t`, parsed here; chunk data are binary pieces
 * with a fixed header, parsed here too. Nothing on this channel is trusted: every piece is
 * checked against the manifest (whose hash the signed `file` event carries) before it is stored.
 */
import * as v from 'valibot';
import { createLogger } from '../log';
import { describeIssues, fitsFrameBytes } from './parse-helpers';
import { base64UrlBytesSchema } from './formats';
import { MAX_FILE_CHUNKS } from './file-limits';
import { fromBase64Url, toBase64Url } from '../encoding';

const log = createLogger('file-frames');

/** Largest control frame, in UTF-8 bytes. */
export const MAX_FILE_FRAME_BYTES = 4096;

/** Most chunks one `want` or `none` frame names. */
export const MAX_WANT_CHUNKS = 32;

/** Largest payload of one binary piece (SCTP messages stay well inside every browser's limit). */
export const MAX_PIECE_BYTES = 64 * 1024;

/** The chunk index that means "the manifest" (the list of chunk hashes). */
export const MANIFEST_INDEX = 0xffff_ffff;

/** Bytes before a piece's payload: type, file hash, chunk index, offset. */
export const PIECE_HEADER_BYTES = 1 + 32 + 4 + 4;

const PIECE_TYPE = 1;

const fileHashSchema = base64UrlBytesSchema(32, 'file');
/** A chunk index, or MANIFEST_INDEX. */
const indexSchema = v.pipe(
  v.number(),
  v.safeInteger(),
  v.minValue(0),
  v.check((i) => i < MAX_FILE_CHUNKS || i === MANIFEST_INDEX, 'index: expected a chunk index'),
);
const indicesSchema = v.pipe(v.array(indexSchema), v.minLength(1), v.maxLength(MAX_WANT_CHUNKS));
/** Which chunks a member holds: a bitmap (bit i of byte i >> 3, low bit first), base64url. */
const bitmapSchema = v.pipe(
  v.string(),
  v.maxLength(Math.ceil(Math.ceil(MAX_FILE_CHUNKS / 8) / 3) * 4),
  v.regex(/^[\w-]*$/, 'bits: expected base64url'),
);

const fileFrameSchema = v.variant('t', [
  /** Which of this file's chunks do you hold? */
  v.object({ t: v.literal('ask'), f: fileHashSchema }),
  /**
   * What the sender holds of a file: the manifest (`m`), and its chunks as a bitmap (absent
   * when it holds all of them, `all`).
   */
  v.object({
    t: v.literal('have'),
    f: fileHashSchema,
    m: v.boolean(),
    all: v.boolean(),
    bits: v.optional(bitmapSchema),
  }),
  /** Send me these chunks (MANIFEST_INDEX: the manifest). */
  v.object({ t: v.literal('want'), f: fileHashSchema, i: indicesSchema }),
  /** I cannot send these (I do not hold them, or I am busy): ask someone else. */
  v.object({ t: v.literal('none'), f: fileHashSchema, i: indicesSchema }),
  /** Stop sending this file's chunks to me. */
  v.object({ t: v.literal('cancel'), f: fileHashSchema }),
]);

/** A control frame of the file channel. */
export type FileFrame = v.InferOutput<typeof fileFrameSchema>;

/** Parses one control frame; null (with a warning) for anything else. Never throws. */
export function parseFileFrame(raw: string): FileFrame | null {
  if (!fitsFrameBytes(raw, MAX_FILE_FRAME_BYTES)) {
    log.warn(`dropped file frame: larger than ${MAX_FILE_FRAME_BYTES} bytes`);
    return null;
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    log.warn('dropped file frame: not JSON');
    return null;
  }
  const result = v.safeParse(fileFrameSchema, json);
  if (!result.success) {
    log.warn('dropped file frame:', describeIssues(result.issues));
    return null;
  }
  return result.output;
}

/** Serialises a control frame. */
export function encodeFileFrame(frame: FileFrame): string {
  return JSON.stringify(frame);
}

/** One piece of a chunk (or of the manifest) as it travels. */
export interface FilePiece {
  /** The file's SHA-256, base64url. */
  file: string;
  /** The chunk index, or MANIFEST_INDEX. */
  index: number;
  /** Where the payload starts within the chunk. */
  offset: number;
  /** The bytes. */
  payload: Uint8Array;
}

/**
 * Packs a piece: header then payload (at most MAX_PIECE_BYTES), into `into` when it has exactly
 * the piece's size (a sender reuses one buffer: a channel copies what it sends), else a new one.
 */
export function encodePiece(
  fileHash: Uint8Array,
  index: number,
  offset: number,
  payload: Uint8Array,
  into?: ArrayBuffer,
): ArrayBuffer {
  if (fileHash.length !== 32) throw new Error('a file hash is 32 bytes');
  if (payload.length > MAX_PIECE_BYTES) throw new Error('a piece holds at most 64 KiB');
  const size = PIECE_HEADER_BYTES + payload.length;
  const buffer = into?.byteLength === size ? into : new ArrayBuffer(size);
  const bytes = new Uint8Array(buffer);
  const view = new DataView(buffer);
  bytes[0] = PIECE_TYPE;
  bytes.set(fileHash, 1);
  view.setUint32(33, index);
  view.setUint32(37, offset);
  bytes.set(payload, PIECE_HEADER_BYTES);
  return buffer;
}

/** Unpacks a piece; null (with a warning) for anything malformed. The payload is a view. */
export function decodePiece(data: ArrayBuffer): FilePiece | null {
  if (
    data.byteLength < PIECE_HEADER_BYTES ||
    data.byteLength > PIECE_HEADER_BYTES + MAX_PIECE_BYTES
  ) {
    log.warn('dropped file piece: bad size', data.byteLength);
    return null;
  }
  const bytes = new Uint8Array(data);
  const view = new DataView(data);
  if (bytes[0] !== PIECE_TYPE) {
    log.warn('dropped file piece: unknown type');
    return null;
  }
  const index = view.getUint32(33);
  if (index >= MAX_FILE_CHUNKS && index !== MANIFEST_INDEX) {
    log.warn('dropped file piece: bad index');
    return null;
  }
  return {
    file: toBase64Url(bytes.subarray(1, 33)),
    index,
    offset: view.getUint32(37),
    payload: bytes.subarray(PIECE_HEADER_BYTES),
  };
}

/** The 32 bytes of a file hash given as base64url. */
export function fileHashBytes(file: string): Uint8Array {
  return fromBase64Url(file);
}
