/**
 * `Object.keys` and `Object.entries` that keep a record's key type (the built-ins widen keys to
 * `string`, which would drop the brand of a fingerprint or a room key).
 */

/** The own enumerable keys of `record`, typed as its keys. */
export function keysOf<K extends string>(record: Readonly<Partial<Record<K, unknown>>>): K[] {
  return Object.keys(record) as K[];
}

/** The own enumerable entries of `record`, typed as its keys and values. */
export function entriesOf<K extends string, V>(record: Readonly<Partial<Record<K, V>>>): [K, V][] {
  return Object.entries(record) as [K, V][];
}
