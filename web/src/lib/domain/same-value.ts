/**
 * Room-wide values a long list reads in every row (DESIGN §6 "Rendering a new message"): the
 * same object back while what it says is the same, so nothing deriving from it is updated.
 */

/**
 * A keeper of one value per key: `keep(key, value)` returns the value kept for `key` when
 * `value` has the same JSON, else keeps and returns `value`. For small plain values (a room's
 * members, what its delivery marks depend on): the JSON of each is made on every call.
 */
export function sameValueKeeper<T>(): (key: string, value: T, json?: string) => T {
  const kept = new Map<string, [string, T]>();
  return (key, value, json = JSON.stringify(value)) => {
    const known = kept.get(key);
    if (known?.[0] === json) return known[1];
    kept.set(key, [json, value]);
    return value;
  };
}
