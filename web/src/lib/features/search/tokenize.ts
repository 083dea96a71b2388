/**
 * How text becomes search words (DESIGN §10 "Search"): pure, shared by the index and the query.
 *
 * - Folding: NFKD, combining marks removed, NFC again (so Hangul syllables stay whole), lower
 *   case: "Café" and "CAFE" are the same word.
 * - Latin and other spaced scripts: the words of `Intl.Segmenter` (word granularity, isWordLike).
 * - Chinese, Japanese and Korean runs: every character and every adjacent pair, so a query of
 *   two or more such characters is a set of pairs that must all be there (下午 finds
 *   我们明天下午三点见面, whatever a segmenter would have cut).
 * - Bounded: at most MAX_TOKENS_PER_MESSAGE distinct tokens per message, each at most
 *   MAX_TOKEN_CHARS long.
 */
import { MAX_TOKEN_CHARS, MAX_TOKENS_PER_MESSAGE } from './search-limits';

/** Han, Hiragana, Katakana, Hangul and their marks: scripts written without spaces between words. */
const CJK_CLASS =
  '[\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Hangul}ー々〆]';
const CJK_RUN = new RegExp(`${CJK_CLASS}+`, 'gu');
const ENDS_CJK = new RegExp(`${CJK_CLASS}$`, 'u');
const COMBINING_MARKS = /\p{M}+/gu;
const WORD_CHAR = /[\p{L}\p{N}]/u;

let segmenter: Intl.Segmenter | undefined;

/** Case and accents folded: the form both the index and the query compare. */
export function fold(text: string): string {
  return text.normalize('NFKD').replace(COMBINING_MARKS, '').normalize('NFC').toLowerCase();
}

/** One word of a query: the token, and whether words starting with it match too. */
export interface QueryTerm {
  /** The folded token. */
  token: string;
  /** The last word of the query matches as a prefix ("hel" finds "hello"). */
  isPrefix: boolean;
}

/** A piece of folded text: a CJK run, or the words between runs. */
interface Piece {
  /** The text. */
  text: string;
  /** True for a run of CJK characters. */
  isCjk: boolean;
}

function pieces(folded: string): Piece[] {
  const out: Piece[] = [];
  let last = 0;
  for (const match of folded.matchAll(CJK_RUN)) {
    if (match.index > last) out.push({ text: folded.slice(last, match.index), isCjk: false });
    out.push({ text: match[0], isCjk: true });
    last = match.index + match[0].length;
  }
  if (last < folded.length) out.push({ text: folded.slice(last), isCjk: false });
  return out;
}

function wordsOf(text: string): string[] {
  segmenter ??= new Intl.Segmenter(undefined, { granularity: 'word' });
  const words: string[] = [];
  for (const segment of segmenter.segment(text)) {
    if (segment.isWordLike) words.push(segment.segment);
  }
  return words;
}

function bounded(token: string): string {
  // Cut by code points, not UTF-16 units: never half a surrogate pair.
  const chars = Array.from(token);
  return chars.length > MAX_TOKEN_CHARS ? chars.slice(0, MAX_TOKEN_CHARS).join('') : token;
}

/** The distinct tokens of a message's text, in first-seen order, at most MAX_TOKENS_PER_MESSAGE. */
export function tokenize(text: string): string[] {
  const tokens = new Set<string>();
  const add = (token: string): boolean => {
    tokens.add(bounded(token));
    return tokens.size < MAX_TOKENS_PER_MESSAGE;
  };
  for (const piece of pieces(fold(text))) {
    if (piece.isCjk) {
      const chars = Array.from(piece.text);
      for (const [i, char] of chars.entries()) {
        if (!add(char)) return [...tokens];
        const next = chars[i + 1];
        if (next !== undefined && !add(char + next)) return [...tokens];
      }
    } else {
      for (const word of wordsOf(piece.text)) if (!add(word)) return [...tokens];
    }
  }
  return [...tokens];
}

/**
 * The terms a query asks for, all of which a message must have: its words exactly, the last one
 * as a prefix; a CJK run as its adjacent pairs (a single character as itself).
 */
export function queryTerms(query: string): QueryTerm[] {
  const terms: QueryTerm[] = [];
  const folded = fold(query);
  for (const piece of pieces(folded)) {
    if (piece.isCjk) {
      const chars = Array.from(piece.text);
      if (chars.length === 1) terms.push({ token: piece.text, isPrefix: false });
      for (let i = 0; i + 1 < chars.length; i++) {
        terms.push({ token: bounded((chars[i] ?? '') + (chars[i + 1] ?? '')), isPrefix: false });
      }
    } else {
      for (const word of wordsOf(piece.text)) terms.push({ token: bounded(word), isPrefix: false });
    }
  }
  // The last word is still being typed, unless a space or punctuation ended it.
  const last = terms.at(-1);
  const isTyping = /[\p{L}\p{N}]$/u.test(folded);
  if (last && isTyping && !ENDS_CJK.test(folded)) last.isPrefix = true;
  const seen = new Set<string>();
  return terms.filter((term) => {
    const key = `${term.token}\n${term.isPrefix}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** One stretch of a snippet: text, and whether it is a matched word (shown in `<mark>`). */
export interface SnippetPart {
  /** The original text of the stretch. */
  text: string;
  /** True when it matches a query term. */
  isMatch: boolean;
}

/**
 * The part of `text` around its first match, cut into plain and matched stretches (the view puts
 * each in a text node or a `<mark>`: peer text is never HTML).
 */
export function snippet(text: string, terms: readonly QueryTerm[], maxChars = 120): SnippetPart[] {
  // The folded form of each code point, and where each folded unit came from.
  const folded: string[] = [];
  const origin: number[] = [];
  let offset = 0;
  for (const char of text) {
    const f = fold(char);
    for (let i = 0; i < f.length; i++) {
      folded.push(f[i] ?? '');
      origin.push(offset);
    }
    offset += char.length;
  }
  const flat = folded.join('');
  const marked = new Uint8Array(text.length + 1);
  for (const { token, isPrefix } of terms) {
    if (token === '') continue;
    for (let at = flat.indexOf(token); at >= 0; at = flat.indexOf(token, at + 1)) {
      const start = origin[at] ?? 0;
      let endUnit = at + token.length;
      // A prefix marks the whole word it starts ("lighth" marks "Lighthouse").
      while (isPrefix && endUnit < flat.length && WORD_CHAR.test(flat[endUnit] ?? '')) endUnit++;
      const end = endUnit < origin.length ? (origin[endUnit] ?? text.length) : text.length;
      for (let i = start; i < end; i++) marked[i] = 1;
    }
  }
  const first = marked.indexOf(1);
  let from = 0;
  let to = text.length;
  if (text.length > maxChars) {
    from = Math.max(0, (first < 0 ? 0 : first) - Math.floor(maxChars / 3));
    to = Math.min(text.length, from + maxChars);
    from = Math.max(0, to - maxChars);
    // Never start or end inside a surrogate pair.
    if (from > 0 && /[\uDC00-\uDFFF]/.test(text[from] ?? '')) from++;
    if (to < text.length && /[\uDC00-\uDFFF]/.test(text[to] ?? '')) to--;
  }
  const parts: SnippetPart[] = [];
  if (from > 0) parts.push({ text: '…', isMatch: false });
  let start = from;
  for (let i = from + 1; i <= to; i++) {
    if (i === to || marked[i] !== marked[start]) {
      parts.push({ text: text.slice(start, i).replace(/\s+/g, ' '), isMatch: marked[start] === 1 });
      start = i;
    }
  }
  if (to < text.length) parts.push({ text: '…', isMatch: false });
  return parts;
}
