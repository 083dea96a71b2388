/** Helpers shared by the channel parsers: size pre-checks and content-free issue summaries. */
import type * as v from 'valibot';
import { utf8ByteLength } from '../encoding';
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
