import { describe, expect, it } from 'vitest';
import {
  chainDigest,
  differingChains,
  emptyChain,
  extendChain,
  findEquivocations,
  type ChainState,
} from './equivocation';
import { fakeFingerprint, makeEvent } from '../testing/factories';
import { toBase64Url } from '../encoding';

const MALLORY = fakeFingerprint(3);
const EMPTY: ChainState = emptyChain();
const sigOf = (n: number) => 'S'.repeat(85) + String(n % 10);

describe('chains', () => {
  it('digests the same signatures alike, whether built at once or step by step', () => {
    const events = [1, 2, 3].map((seq) => ({ seq, sig: sigOf(seq) }));
    const whole = extendChain(EMPTY, events, new Set(), 3);
    const first = extendChain(EMPTY, events.slice(0, 2), new Set(), 2);
    const stepped = first && extendChain(first, events.slice(2), new Set(), 3);
    if (!whole || !stepped) throw new Error('no chain');
    expect(chainDigest(stepped)).toBe(chainDigest(whole));
    expect(chainDigest(whole)).toMatch(/^3:[\w-]{22}$/);
    // Extending a chain leaves it as it was.
    expect(first && chainDigest(first)).toBe(
      chainDigest(extendChain(EMPTY, events, new Set(), 2)!),
    );
  });

  it('is SHA-256 over "sig." per seq (a disputed one "!."), as every version digests it', async () => {
    const events = [1, 2, 3].map((seq) => ({ seq, sig: sigOf(seq) }));
    const chain = extendChain(EMPTY, events, new Set([2]), 3);
    if (!chain) throw new Error('no chain');
    const text = `${sigOf(1)}.!.${sigOf(3)}.`;
    const hash = new Uint8Array(
      await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)),
    );
    expect(chainDigest(chain)).toBe(`3:${toBase64Url(hash.subarray(0, 16))}`);
  });

  it('differs when one seq holds another signature, agrees once both know it is disputed', () => {
    const ours = [1, 2, 3].map((seq) => ({ seq, sig: sigOf(seq) }));
    const theirs = ours.map((e) => (e.seq === 2 ? { seq: 2, sig: sigOf(7) } : e));
    const digest = (events: typeof ours, disputed: number[]) => {
      const chain = extendChain(EMPTY, events, new Set(disputed), 3);
      if (!chain) throw new Error('no chain');
      return chainDigest(chain);
    };
    expect(digest(ours, [])).not.toBe(digest(theirs, []));
    expect(digest(ours, [2])).toBe(digest(theirs, [2]));
  });

  it('cannot be built over a seq that is neither held nor disputed (deleted or refused here)', () => {
    expect(extendChain(EMPTY, [{ seq: 1, sig: sigOf(1) }], new Set(), 2)).toBeNull();
  });

  it('compares only chains of the same length', () => {
    const a = fakeFingerprint(4);
    expect(
      differingChains(
        { [MALLORY]: `3:${'a'.repeat(22)}`, [a]: `5:${'b'.repeat(22)}` },
        { [MALLORY]: `3:${'c'.repeat(22)}`, [a]: `6:${'d'.repeat(22)}` },
      ),
    ).toEqual([MALLORY]);
  });
});

describe('findEquivocations', () => {
  it('finds a received event that differs from the stored one at the same seq', () => {
    const stored = [1, 2].map((seq) => makeEvent({ author: MALLORY, seq, sig: sigOf(seq) }));
    const received = [
      makeEvent({ author: MALLORY, seq: 1, sig: sigOf(1) }),
      makeEvent({ author: MALLORY, seq: 2, sig: sigOf(8), text: 'other' }),
      makeEvent({ author: MALLORY, seq: 3, sig: sigOf(3) }),
    ];
    expect(findEquivocations(stored, received)).toEqual([{ author: MALLORY, seq: 2 }]);
  });
});
