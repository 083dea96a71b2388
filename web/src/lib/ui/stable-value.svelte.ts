/**
 * Room-wide values a long list reads in every row, kept from touching every row when they have
 * not changed (DESIGN §6 "Rendering"). A value derived the plain way marks every reader for a
 * check whenever any source it reads changes; a room's record changes with every message.
 */
import { untrack } from 'svelte';

/**
 * `compute()` as state that changes only when it returns another object (`compute` returns the
 * same object for the same content: see members.labelsOf, receipts.deliveryIn). It runs in an
 * effect of its own, so a source it reads changing re-runs that one effect, not each reader.
 * Call while a component initialises.
 */
export function stableValue<T>(compute: () => T): { readonly current: T } {
  let value = $state.raw(untrack(compute));
  $effect.pre(() => {
    const next = compute();
    if (next !== untrack(() => value)) value = next;
  });
  return {
    get current() {
      return value;
    },
  };
}
