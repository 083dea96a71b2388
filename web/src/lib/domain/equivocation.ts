/**
 * Equivocation (DESIGN §6 "Hostile members"): an author who signs two different events with the
 * same (author, seq) and gives one to some members and the other to the rest. Version vectors
 * compare seqs only, so without a check the two histories would stay different for good.
 *
 * - Each member digests each author's chain: SHA-256 over the signatures of the author's events
 *   1…n in seq order (a disputed seq counts as a fixed mark, so members who know of the same
 *   dispute agree). `sync` and `have` carry the digests; two members whose vectors agree for an
 *   author but whose digests differ hold different events somewhere in that chain.
 * - The member that notices asks the other for that author's whole chain again; the answer's
 *   events are duplicates, and comparing each with the stored one at the same seq finds the
 *   seq(s) at fault (`findEquivocations`). Both versions are signed by the author: the proof is
 *   not forgeable by whoever relays it.
 * - A disputed seq is shown to nobody: the store replaces the event by a tombstone and the
 *   conversation warns, naming the author.
 *
 * ECDSA signatures differ for different content, so two signatures at one seq mean two events.
 * An honest client never signs a seq twice (the store allocates each seq once).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { toBase64Url, utf8 } from '../encoding';
import type { StoredEvent } from '../protocol/events';
import type { Fingerprint } from '../protocol/ids';

/** What stands in a chain for a seq known to be disputed. */
const DISPUTED_MARK = '!';

/** Characters of a chain digest on the wire (base64url of the first 16 bytes of SHA-256). */
export const CHAIN_DIGEST_CHARS = 22;

/**
 * One author's chain as far as it is digested: the SHA-256 under way over the signatures (or
 * marks) of seqs 1…seq, each followed by '.'. Hashed incrementally, so a long history is hashed
 * once, not again at every burst, and no copy of its signatures is kept.
 */
export interface ChainState {
  /** The highest seq folded in. */
  readonly seq: number;
  /** The hash of seqs 1…seq so far (never updated in place: `extendChain` clones it). */
  readonly hash: ReturnType<typeof sha256.create>;
}

/** The chain of no events yet. */
export function emptyChain(): ChainState {
  return { seq: 0, hash: sha256.create() };
}

/**
 * Appends seqs `state.seq + 1 …` to a chain from `events` (one author's, ascending) and the
 * author's disputed seqs; null when a seq is neither (this member deleted or refused it), since
 * then the chain cannot be compared. `state` itself is left as it was.
 */
export function extendChain(
  state: ChainState,
  events: readonly Pick<StoredEvent, 'seq' | 'sig'>[],
  disputed: ReadonlySet<number>,
  upTo: number,
): ChainState | null {
  const bySeq = new Map(events.map((e) => [e.seq, e.sig]));
  let parts = '';
  for (let seq = state.seq + 1; seq <= upTo; seq++) {
    const sig = disputed.has(seq) ? DISPUTED_MARK : bySeq.get(seq);
    if (sig === undefined) return null;
    parts += `${sig}.`;
  }
  return { seq: upTo, hash: state.hash.clone().update(utf8(parts)) };
}

/** The digest of a chain as sync frames carry it: `${seq}:${base64url}`. */
export function chainDigest(state: ChainState): string {
  return `${state.seq}:${toBase64Url(state.hash.clone().digest().subarray(0, 16))}`;
}

/**
 * The authors whose chains differ between ours and a peer's at the same seq (their digests
 * `theirs`, ours `ours`; a digest names its seq, so only chains of equal length compare).
 */
export function differingChains(
  ours: Readonly<Record<Fingerprint, string>>,
  theirs: Readonly<Record<Fingerprint, string>>,
): Fingerprint[] {
  const differing: Fingerprint[] = [];
  for (const [author, digest] of Object.entries(theirs) as [Fingerprint, string][]) {
    const own = ours[author];
    if (own === undefined || own === digest) continue;
    if (own.slice(0, own.indexOf(':')) === digest.slice(0, digest.indexOf(':'))) {
      differing.push(author);
    }
  }
  return differing;
}

/**
 * The (author, seq) pairs where a received, verified event differs from the one stored: the
 * author signed two events with the same seq.
 */
export function findEquivocations(
  stored: readonly StoredEvent[],
  received: readonly StoredEvent[],
): { author: Fingerprint; seq: number }[] {
  const held = new Map(stored.map((e) => [`${e.author}/${e.seq}`, e.sig]));
  const found = new Map<string, { author: Fingerprint; seq: number }>();
  for (const e of received) {
    const key = `${e.author}/${e.seq}`;
    const sig = held.get(key);
    if (sig !== undefined && sig !== e.sig) found.set(key, { author: e.author, seq: e.seq });
  }
  return [...found.values()];
}
