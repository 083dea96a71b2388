/**
 * Version vectors (DESIGN §6): per conversation, author → highest contiguous seq held. Pure
 * functions over plain data; the sync planner compares two of them to see what to send.
 */

import type { Fingerprint } from '../protocol/ids';
import { keysOf } from './records';

/** author fingerprint → highest seq such that 1…seq are all held. */
export type VersionVector = Record<Fingerprint, number>;

/** An inclusive range of one author's seqs. */
export interface SeqRange {
  /** The author's fingerprint. */
  author: Fingerprint;
  /** First seq in the range (≥ 1). */
  from: number;
  /** Last seq in the range (≥ from). */
  to: number;
}

/** The highest contiguous seq of `author` in `v` (0 when absent). */
export function vectorSeq(v: Readonly<VersionVector>, author: Fingerprint): number {
  return Object.hasOwn(v, author) ? (v[author] ?? 0) : 0;
}

/** True when `v` says the holder has `author`'s event `seq`. */
export function vectorCovers(
  v: Readonly<VersionVector>,
  author: Fingerprint,
  seq: number,
): boolean {
  return seq >= 1 && seq <= vectorSeq(v, author);
}

/**
 * The vector after also holding `events` (of one conversation). Only contiguous runs advance it:
 * with 1…3 held, receiving 5 changes nothing; receiving 4 and 5 together advances to 5. To close a
 * gap with events stored earlier, include those too. Returns a new object; `v` is unchanged.
 */
export function advanceVector(
  v: Readonly<VersionVector>,
  events: Iterable<{ author: Fingerprint; seq: number }>,
): VersionVector {
  const held = new Map<Fingerprint, Set<number>>();
  for (const { author, seq } of events) {
    let seqs = held.get(author);
    if (!seqs) held.set(author, (seqs = new Set()));
    seqs.add(seq);
  }
  const next: VersionVector = { ...v };
  for (const [author, seqs] of held) {
    let top = vectorSeq(v, author);
    while (seqs.has(top + 1)) top++;
    if (top > 0) next[author] = top;
  }
  return next;
}

/**
 * What the holder of `remote` lacks that the holder of `local` can send: one range per author,
 * oldest first, sorted by author for determinism.
 */
export function missingFor(
  local: Readonly<VersionVector>,
  remote: Readonly<VersionVector>,
): SeqRange[] {
  const ranges: SeqRange[] = [];
  for (const author of keysOf(local).sort()) {
    const have = vectorSeq(local, author);
    const theirs = vectorSeq(remote, author);
    if (have > theirs) ranges.push({ author, from: theirs + 1, to: have });
  }
  return ranges;
}

/** The element-wise maximum of two vectors. */
export function mergeVectors(
  a: Readonly<VersionVector>,
  b: Readonly<VersionVector>,
): VersionVector {
  const merged: VersionVector = { ...a };
  for (const author of keysOf(b)) {
    merged[author] = Math.max(vectorSeq(a, author), vectorSeq(b, author));
  }
  return merged;
}

/** True when both vectors hold the same seq for every author. */
export function sameVector(a: Readonly<VersionVector>, b: Readonly<VersionVector>): boolean {
  const authors = keysOf(a);
  return (
    authors.length === Object.keys(b).length &&
    authors.every((author) => Object.hasOwn(b, author) && a[author] === b[author])
  );
}
