/**
 * What counts as a display name, for people and rooms alike. Plain code with no schema library, so
 * the first screen (onboarding, renaming) can check names without loading the wire validators.
 */
import { MAX_NAME_CHARS } from './limits';

/** Control characters and bidirectional overrides/isolates, which could disguise a name. */
const UNSAFE_NAME_CHARS = /[\p{Cc}\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;

/** True for a name a person can see: trimmed, non-empty, short, no control or bidi characters. */
export function isDisplayName(s: string): boolean {
  return s.length > 0 && s.length <= MAX_NAME_CHARS && s.trim() === s && !UNSAFE_NAME_CHARS.test(s);
}
