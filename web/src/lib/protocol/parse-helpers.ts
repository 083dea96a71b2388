/** Helpers shared by the channel parsers: size pre-checks and content-free issue summaries. */
import type * as v from 'valibot';
import { MAX_FRAME_BYTES } from './limits';

const MAX_DETAIL_CHARS = 120;

/**
 * Why a value failed its schema, for the log: the path and what was expected, never the received
 * value (it may be huge, or private), cut to a bounded length.
 */
export function describeIssues(issues: readonly v.BaseIssue<unknown>[]): string {
  const first = issues[0];
  if (!first) return 'invalid';
  const path = first.path?.map((item) => String(item.key)).join('.') ?? '';
  const detail = first.expected === null ? first.message : `expected ${first.expected}`;
  const line = path ? `${path}: ${detail}` : detail;
  return line.length > MAX_DETAIL_CHARS ? `${line.slice(0, MAX_DETAIL_CHARS - 1)}…` : line;
}

/** True when `raw` is at most `maxBytes` once UTF-8 encoded (cheap checks first). */
export function fitsFrameBytes(raw: string, maxBytes = MAX_FRAME_BYTES): boolean {
  if (raw.length > maxBytes) return false;
  if (raw.length * 3 <= maxBytes) return true;
  return utf8ByteLength(raw) <= maxBytes;
}

/** Number of bytes `utf8(s)` would produce, without allocating them. */
export function utf8ByteLength(s: string): number {
  let bytes = 0;
  for (let i = 0; i < s.length; i++) {
    const unit = s.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < s.length) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else {
        bytes += 3; // lone high surrogate → U+FFFD
      }
    } else bytes += 3; // BMP char, or a lone surrogate → U+FFFD
  }
  return bytes;
}
