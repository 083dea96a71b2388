/**
 * The types of the UI catalogs (no runtime code). English (locales/en.ts) is the source: a key
 * is one of its keys, and a string's parameters are its `{placeholders}`. Every other language
 * is a `Catalog` — the same keys, each with the same placeholders — so a missing translation, an
 * extra key or a wrong placeholder fails `npm run check`.
 */
import type en from './locales/en';

type Source = typeof en;

/** A key of the UI catalog. */
export type MessageKey = keyof Source;

/** The `{placeholders}` of a string, as a union of their names (`never` when it has none). */
export type PlaceholdersOf<S extends string> = S extends `${string}{${infer Name}}${infer Rest}`
  ? Name | PlaceholdersOf<Rest>
  : never;

/** The parameters the English string of `K` needs. */
export type ParamsOf<K extends MessageKey> = PlaceholdersOf<Source[K]>;

/** Strings of one language, by key (all of them, or the part loaded so far). */
export type Messages = { readonly [K in MessageKey]: string };

type IsUnion<T, All = T> = T extends unknown ? ([All] extends [T] ? false : true) : never;

/**
 * What `t(key, …)` takes after the key: nothing for a string without placeholders, else exactly
 * its parameters. A key computed at run time (a union of keys) takes any parameters.
 */
export type ParamArgs<K extends MessageKey> =
  IsUnion<K> extends true
    ? [params?: Readonly<Record<string, string | number>>]
    : [ParamsOf<K>] extends [never]
      ? []
      : [params: { readonly [P in ParamsOf<K>]: string | number }];

type SameSet<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/**
 * A translation, checked against English: `export default zh satisfies Catalog<typeof zh>`. Each
 * key must be there with the English string's placeholders (no more, no fewer); unknown keys fail.
 */
export type Catalog<T> = {
  readonly [K in MessageKey]: K extends keyof T
    ? T[K] extends string
      ? SameSet<PlaceholdersOf<T[K]>, ParamsOf<K>> extends true
        ? T[K]
        : `placeholders must match the English: ${Source[K]}`
      : string
    : string;
} & { readonly [K in Exclude<keyof T, MessageKey>]: never };

/** Keys with plural forms (`key.one`, `key.other`, …): the base that `tp()` takes. */
export type PluralKey = MessageKey extends infer K
  ? K extends `${infer Base}.other`
    ? Base
    : never
  : never;
