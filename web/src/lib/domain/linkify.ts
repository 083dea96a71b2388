/**
 * Finds web links in message text so a component can render them as anchors (and everything else
 * as text nodes, never HTML). Only `http://` and `https://` URLs, and host names starting with
 * `www.` (given `https://`), become links; no other scheme ever does. The text comes from
 * untrusted peers, so this is one hand-written pass that is linear in the text's length: no
 * regular expression here can backtrack, and no candidate is scanned twice (see `linkify`).
 */

/** A piece of message text: plain text, or a link shown as its own text. */
export type TextSegment =
  | {
      /** Plain text. */
      kind: 'text';
      /** The text, exactly as written. */
      text: string;
    }
  | {
      /** A web link. */
      kind: 'link';
      /** The link as written (what the reader sees). */
      text: string;
      /** Where it leads; always starts with `http://` or `https://`. */
      href: string;
    };

/** Characters dropped from the end of a link: sentence punctuation around it, not part of it. */
const TRAILING_PUNCTUATION = new Set(['.', ',', ';', ':', '!', '?', "'", '*']);

/** Closing brackets dropped from the end of a link unless the link opened them. */
const CLOSER_OF_OPENER: ReadonlyMap<string, string> = new Map([
  ['(', ')'],
  ['[', ']'],
  ['{', '}'],
]);

/** ASCII characters that end a link: they never appear unescaped in a URL someone typed. */
const ASCII_STOPS = new Set(['<', '>', '"', '`']);

/**
 * Non-ASCII code points that end a link: spaces, controls, format characters (bidi overrides
 * among them), punctuation (CJK commas, curly quotes, dashes) and symbols (emoji). Sticky, so it
 * is tested in place at one index without copying the character out.
 */
const NON_ASCII_STOP = /[\p{C}\p{P}\p{S}\p{Z}]/uy;

/** Non-ASCII letters, digits and marks, which may appear in host names (IDN) and paths. */
const NON_ASCII_WORD = /[\p{L}\p{N}\p{M}]/uy;

/** Longest `[IPv6]` host literal considered, brackets included. */
const MAX_IPV6_LITERAL_CHARS = 48;

const IPV6_LITERAL_CHARS = /^[0-9A-Fa-f:.]$/;

/** ASCII characters after which no link starts (it would be inside a word, address or path). */
const ASCII_NOT_BEFORE_LINK = new Set(['-', '_', '@', '/', '+']);

/**
 * Splits `text` into text and link segments, in order. Concatenating every segment's `text` gives
 * back `text` exactly; no segment is empty and no two text segments are adjacent.
 *
 * Linear time: a candidate start is a position where `http://`, `https://` or `www.` begins at a
 * word boundary. A candidate's host is scanned once; a `www.` candidate cannot start inside
 * another's host (the boundary rule excludes host characters), and an `http` one ends any host it
 * starts in at its `:`. Only a candidate with a valid host is scanned to its end, and that scan
 * always yields a link, after which the search resumes past it.
 */
export function linkify(text: string): TextSegment[] {
  const segments: TextSegment[] = [];
  let plainStart = 0;
  let at = 0;
  while (at < text.length) {
    const found = matchLinkAt(text, at);
    if (!found) {
      at += 1;
      continue;
    }
    if (at > plainStart) segments.push({ kind: 'text', text: text.slice(plainStart, at) });
    segments.push(found.link);
    at = plainStart = found.end;
  }
  if (plainStart < text.length) segments.push({ kind: 'text', text: text.slice(plainStart) });
  return segments;
}

interface Found {
  link: TextSegment & { kind: 'link' };
  end: number;
}

/** The link that starts at `start`, or null. */
function matchLinkAt(text: string, start: number): Found | null {
  const first = text.charCodeAt(start) | 0x20; // ASCII lower case
  if (first === 0x68 /* h */) return matchSchemeLink(text, start);
  if (first === 0x77 /* w */) return matchWwwLink(text, start);
  return null;
}

function matchSchemeLink(text: string, start: number): Found | null {
  const head = text.slice(start, start + 8).toLowerCase();
  const scheme = head.startsWith('https://')
    ? 'https://'
    : head.startsWith('http://')
      ? 'http://'
      : '';
  if (!scheme || !isSchemeBoundary(text, start)) return null;
  const hostStart = start + scheme.length;
  const hostEnd = scanHost(text, hostStart);
  if (!isValidHost(text, hostStart, hostEnd)) return null;
  const end = trimEnd(text, hostStart, scanToStop(text, hostEnd));
  const written = text.slice(start, end);
  return {
    link: { kind: 'link', text: written, href: scheme + written.slice(scheme.length) },
    end,
  };
}

function matchWwwLink(text: string, start: number): Found | null {
  if (text.slice(start, start + 4).toLowerCase() !== 'www.' || !isWwwBoundary(text, start)) {
    return null;
  }
  const hostEnd = scanHost(text, start);
  if (!isValidWwwHost(text.slice(start + 4, hostEnd))) return null;
  const end = trimEnd(text, start, scanToStop(text, hostEnd));
  const written = text.slice(start, end);
  return { link: { kind: 'link', text: written, href: `https://${written}` }, end };
}

/** True when `http` at `start` is not glued to a word or path before it (`xhttp://`, `a/http://`). */
function isSchemeBoundary(text: string, start: number): boolean {
  if (start === 0) return true;
  const before = text.charCodeAt(start - 1);
  if (before >= 0x80) return true;
  return !isAsciiAlnum(before) && !ASCII_NOT_BEFORE_LINK.has(text[start - 1] ?? '');
}

/**
 * True when `www.` at `start` begins a host of its own: not inside a word, a host (`a.www.b`),
 * an address (`me@www.…`) or a path. This also keeps `www.` candidates from overlapping.
 */
function isWwwBoundary(text: string, start: number): boolean {
  if (start === 0) return true;
  const isPair =
    start >= 2 &&
    isLowSurrogate(text.charCodeAt(start - 1)) &&
    isHighSurrogate(text.charCodeAt(start - 2));
  if (isHostCharAt(text, isPair ? start - 2 : start - 1)) return false;
  return !ASCII_NOT_BEFORE_LINK.has(text[start - 1] ?? '');
}

/** The end of the host that starts at `from`: an `[IPv6]` literal or a run of host characters. */
function scanHost(text: string, from: number): number {
  if (text[from] === '[') {
    // Bounded, so a text full of `http://[` stays linear: an IPv6 literal is shorter than this.
    const limit = Math.min(text.length, from + MAX_IPV6_LITERAL_CHARS);
    for (let i = from + 1; i < limit; i++) {
      if (text[i] === ']') return i + 1;
      if (!IPV6_LITERAL_CHARS.test(text[i] ?? '')) return from;
    }
    return from;
  }
  let at = from;
  while (at < text.length && isHostCharAt(text, at)) at += codeUnitsAt(text, at);
  return at;
}

/** A host for `http(s)://`: an IPv6 literal, or host characters starting with a letter or digit. */
function isValidHost(text: string, from: number, to: number): boolean {
  if (to <= from) return false;
  if (text[from] === '[') return to - from > 2;
  const first = text.charCodeAt(from);
  return isAsciiAlnum(first) || (first >= 0x80 && matchesAt(NON_ASCII_WORD, text, from));
}

/** After `www.`: at least two dot-separated labels (`example.org`), none empty, a dot may end it. */
function isValidWwwHost(rest: string): boolean {
  const labels = (rest.endsWith('.') ? rest.slice(0, -1) : rest).split('.');
  return labels.length >= 2 && labels.every((label) => label.length > 0 && !label.startsWith('-'));
}

/** The index of the first character from `from` on that cannot be part of a link. */
function scanToStop(text: string, from: number): number {
  let at = from;
  while (at < text.length && !isStopAt(text, at)) at += codeUnitsAt(text, at);
  return at;
}

/**
 * Moves `end` back over trailing punctuation and closing brackets the link did not open, so
 * "(see https://x.org/a)." links "https://x.org/a" but "https://x.org/a_(b)" keeps its bracket.
 * Never moves onto the host's first character (a letter, a digit or an IPv6 literal's `[`), so
 * the link keeps a host.
 */
function trimEnd(text: string, hostStart: number, end: number): number {
  const minEnd = hostStart + 1;
  const opened = new Map<string, number>();
  const closed = new Map<string, number>();
  for (let i = hostStart; i < end; i++) {
    const ch = text[i] ?? '';
    const closer = CLOSER_OF_OPENER.get(ch);
    if (closer) opened.set(closer, (opened.get(closer) ?? 0) + 1);
    else if (isCloser(ch)) closed.set(ch, (closed.get(ch) ?? 0) + 1);
  }
  let trimmed = end;
  while (trimmed > minEnd) {
    const last = text[trimmed - 1] ?? '';
    if (TRAILING_PUNCTUATION.has(last)) {
      trimmed -= 1;
    } else if (isCloser(last) && (closed.get(last) ?? 0) > (opened.get(last) ?? 0)) {
      closed.set(last, (closed.get(last) ?? 0) - 1);
      trimmed -= 1;
    } else {
      break;
    }
  }
  return trimmed;
}

function isCloser(ch: string): boolean {
  return ch === ')' || ch === ']' || ch === '}';
}

/** True for a character that may be part of a host name: ASCII letters, digits, `-._`, or IDN. */
function isHostCharAt(text: string, at: number): boolean {
  const code = text.charCodeAt(at);
  if (code < 0x80) return isAsciiAlnum(code) || code === 0x2d || code === 0x2e || code === 0x5f;
  return matchesAt(NON_ASCII_WORD, text, at);
}

/** True for a character that ends a link (see `ASCII_STOPS` and `NON_ASCII_STOP`). */
function isStopAt(text: string, at: number): boolean {
  const code = text.charCodeAt(at);
  if (code <= 0x20 || code === 0x7f) return true;
  if (code < 0x80) return ASCII_STOPS.has(text[at] ?? '');
  return matchesAt(NON_ASCII_STOP, text, at);
}

function matchesAt(sticky: RegExp, text: string, at: number): boolean {
  sticky.lastIndex = at;
  return sticky.test(text);
}

/** 2 for a surrogate pair starting at `at`, else 1 (a lone surrogate counts as one). */
function codeUnitsAt(text: string, at: number): number {
  return (text.codePointAt(at) ?? 0) > 0xffff ? 2 : 1;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

function isAsciiAlnum(code: number): boolean {
  return (
    (code >= 0x30 && code <= 0x39) ||
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x61 && code <= 0x7a)
  );
}
