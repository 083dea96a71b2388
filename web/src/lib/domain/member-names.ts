/**
 * Telling people apart (DESIGN §4 "Names"): a display name is whatever its owner chose, so two
 * members may both be "Alice" — or "Alice" and "Аlice" with a Cyrillic А. Names that look alike
 * within one conversation are shown with the start of the key's fingerprint, which nobody can
 * choose. Pure.
 */

/** How many fingerprint characters tell look-alike names apart (30 bits: not ground out cheaply). */
export const FINGERPRINT_TAG_CHARS = 6;

/** The start of a fingerprint, as shown next to a name. */
export function fingerprintTag(fingerprint: string): string {
  return fingerprint.slice(0, FINGERPRINT_TAG_CHARS);
}

/**
 * Letters of other scripts (and digits, signs) that look like Latin ones in common fonts, mapped
 * to that letter; applied after NFKC and lower-casing. Not all of Unicode's confusables: the ones
 * a person would pick to pass for a Latin name.
 */
const LOOK_ALIKE_FROM = 'авеёкмнорстухіїјѕԁһӏԛԝɡαβεηικνορτυχϲıℓ01|!5$';
const LOOK_ALIKE_TO = 'abeekmhopctyxiijsdhlqwgabenikvoptuxcilolllss';

/**
 * What a name looks like, for comparing: compatibility forms folded (NFKC), capital I as l (they
 * look the same in sans-serif), lower case, look-alike letters mapped, and spaces and invisible
 * characters dropped.
 */
export function nameSkeleton(name: string): string {
  const folded = name.normalize('NFKC').replace(/I/g, 'l').toLowerCase();
  let skeleton = '';
  for (const char of folded) {
    if (/[\s\p{Cf}\p{Mn}]/u.test(char)) continue;
    const at = LOOK_ALIKE_FROM.indexOf(char);
    skeleton += at < 0 ? char : LOOK_ALIKE_TO.charAt(at);
  }
  return skeleton;
}

/** A person in a conversation, as far as names go. */
export interface NamedMember<F extends string = string> {
  /** Their key's fingerprint. */
  fingerprint: F;
  /** The name they chose (or that we show for them). */
  name: string;
  /**
   * The person when the key is a device of an identity (DESIGN §4 "Devices"): two devices of
   * one person may share a name. Absent: the key is the person.
   */
  person?: F | undefined;
}

/**
 * The members whose names look like another member's (by `nameSkeleton`): these are shown with
 * their fingerprint's tag.
 */
export function lookAlikeNames<F extends string>(members: readonly NamedMember<F>[]): Set<F> {
  const bySkeleton = new Map<string, NamedMember<F>[]>();
  for (const member of members) {
    const skeleton = nameSkeleton(member.name);
    bySkeleton.set(skeleton, [...(bySkeleton.get(skeleton) ?? []), member]);
  }
  const alike = new Set<F>();
  for (const named of bySkeleton.values()) {
    if (new Set(named.map((m) => m.person ?? m.fingerprint)).size > 1)
      for (const member of named) alike.add(member.fingerprint);
  }
  return alike;
}
