import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MAX_TEXT_CHARS } from '../protocol/limits';
import { linkify, type TextSegment } from './linkify';
import { propertyParams } from '../testing/property';

const FC = propertyParams(20_240_611, 3000);

/** The links found in `text`, as [text, href] pairs. */
function linksIn(text: string): [string, string][] {
  return linkify(text).flatMap((s) => (s.kind === 'link' ? [[s.text, s.href]] : []));
}

/** A link segment's `text` (shorthand for expectations). */
function link(text: string, href = text): TextSegment {
  return { kind: 'link', text, href };
}

function plain(text: string): TextSegment {
  return { kind: 'text', text };
}

function joined(segments: readonly TextSegment[]): string {
  return segments.map((s) => s.text).join('');
}

describe('linkify', () => {
  it('returns nothing for empty text and one text segment for text without links', () => {
    expect(linkify('')).toEqual([]);
    expect(linkify('hello there')).toEqual([plain('hello there')]);
  });

  it('splits text around http and https links', () => {
    expect(linkify('see https://example.org/a?b=1, and more')).toEqual([
      plain('see '),
      link('https://example.org/a?b=1'),
      plain(', and more'),
    ]);
    expect(linkify('http://example.org')).toEqual([link('http://example.org')]);
    expect(linkify('a https://x.org b http://y.org c')).toEqual([
      plain('a '),
      link('https://x.org'),
      plain(' b '),
      link('http://y.org'),
      plain(' c'),
    ]);
  });

  it('gives www. hosts an https href and keeps the text as written', () => {
    expect(linkify('go to www.example.org/docs now')).toEqual([
      plain('go to '),
      link('www.example.org/docs', 'https://www.example.org/docs'),
      plain(' now'),
    ]);
    expect(linksIn('WWW.Example.COM')).toEqual([['WWW.Example.COM', 'https://WWW.Example.COM']]);
  });

  it('writes the scheme of the href in lower case', () => {
    expect(linksIn('HTTPS://EXAMPLE.ORG/X')).toEqual([
      ['HTTPS://EXAMPLE.ORG/X', 'https://EXAMPLE.ORG/X'],
    ]);
    expect(linksIn('Http://example.org')).toEqual([['Http://example.org', 'http://example.org']]);
  });

  it.each([
    ['javascript:alert(1)'],
    ['JavaScript:alert(document.cookie)'],
    ['data:text/html,<script>alert(1)</script>'],
    ['vbscript:msgbox(1)'],
    ['file:///etc/passwd'],
    ['ftp://example.org/file'],
    ['mailto:someone@example.org'],
    ['blob:https//example.org/x'],
    ['httpx://example.org'],
    ['https:/example.org'],
    ['https:example.org'],
    ['http//example.org'],
  ])('makes no link of %j', (text) => {
    expect(linkify(text)).toEqual([plain(text)]);
  });

  it('links the https URL inside another scheme only as that https URL', () => {
    // Harmless: the link shows exactly where it goes.
    expect(linksIn('javascript:https://example.org')).toEqual([
      ['https://example.org', 'https://example.org'],
    ]);
  });

  it.each([
    ['https://'],
    ['https:// example.org'],
    ['http://.example.org'],
    ['http://-example.org'],
    ['http://_x'],
    ['https://[]'],
    ['https://[zz]'],
    ['https://[::1'],
    ['www.'],
    ['www.example'],
    ['www..org'],
    ['www.example..org'],
    ['www.-x.org'],
    ['https://<script>'],
    ['http://"x"'],
  ])('needs a host: %j is text', (text) => {
    expect(linksIn(text)).toEqual([]);
    expect(joined(linkify(text))).toBe(text);
  });

  it('accepts IPv6 literals, ports, user info and single-label hosts as written', () => {
    expect(linksIn('http://[::1]:9000/x')).toEqual([
      ['http://[::1]:9000/x', 'http://[::1]:9000/x'],
    ]);
    expect(linksIn('http://localhost:9000')).toEqual([
      ['http://localhost:9000', 'http://localhost:9000'],
    ]);
    expect(linksIn('https://user@example.org/')).toEqual([
      ['https://user@example.org/', 'https://user@example.org/'],
    ]);
    expect(linksIn('https://192.168.1.1/a')).toEqual([
      ['https://192.168.1.1/a', 'https://192.168.1.1/a'],
    ]);
  });

  it.each([
    ['https://example.org.', 'https://example.org'],
    ['https://example.org,', 'https://example.org'],
    ['https://example.org;', 'https://example.org'],
    ['https://example.org:', 'https://example.org'],
    ['https://example.org!', 'https://example.org'],
    ['https://example.org?', 'https://example.org'],
    ['https://example.org/a?!.', 'https://example.org/a'],
    ["'https://example.org'", 'https://example.org'],
    ['**https://example.org**', 'https://example.org'],
    ['(https://example.org)', 'https://example.org'],
    ['(see https://example.org/a).', 'https://example.org/a'],
    ['[https://example.org/a]', 'https://example.org/a'],
    ['{https://example.org/a}', 'https://example.org/a'],
    ['https://example.org/a))', 'https://example.org/a'],
    ['https://en.wikipedia.org/wiki/Pipe_(Unix)', 'https://en.wikipedia.org/wiki/Pipe_(Unix)'],
    ['(https://en.wikipedia.org/wiki/Pipe_(Unix))', 'https://en.wikipedia.org/wiki/Pipe_(Unix)'],
    ['https://example.org/a_(b)_c).', 'https://example.org/a_(b)_c'],
    ['https://example.org/[1]', 'https://example.org/[1]'],
    ['https://example.org/a.b', 'https://example.org/a.b'],
    ['https://example.org/a?b=1&c=2#frag', 'https://example.org/a?b=1&c=2#frag'],
    ['https://example.org:8443/', 'https://example.org:8443/'],
    ['<https://example.org>', 'https://example.org'],
    ['"https://example.org"', 'https://example.org'],
    ['`https://example.org`', 'https://example.org'],
  ])('in %j links %j', (text, expected) => {
    expect(linksIn(text)).toEqual([[expected, expected]]);
    expect(joined(linkify(text))).toBe(text);
  });

  it('ends a link at spaces, line breaks, controls and bidi controls', () => {
    expect(linksIn('https://a.org\nhttps://b.org\thttps://c.org')).toEqual([
      ['https://a.org', 'https://a.org'],
      ['https://b.org', 'https://b.org'],
      ['https://c.org', 'https://c.org'],
    ]);
    expect(linksIn('https://a.org\u202egro.live')).toEqual([['https://a.org', 'https://a.org']]);
    expect(linksIn('https://a.org\u0000x')).toEqual([['https://a.org', 'https://a.org']]);
    expect(linksIn('https://a.org\u00a0x')).toEqual([['https://a.org', 'https://a.org']]);
  });

  it('ends a link at CJK punctuation, curly quotes and emoji', () => {
    expect(linksIn('看这个https://example.org/路径，很好。')).toEqual([
      ['https://example.org/路径', 'https://example.org/路径'],
    ]);
    expect(linksIn('“https://example.org”')).toEqual([
      ['https://example.org', 'https://example.org'],
    ]);
    expect(linksIn('https://example.org😀')).toEqual([
      ['https://example.org', 'https://example.org'],
    ]);
  });

  it('keeps non-ASCII letters in hosts and paths', () => {
    expect(linksIn('https://de.wikipedia.org/wiki/Straße ok')).toEqual([
      ['https://de.wikipedia.org/wiki/Straße', 'https://de.wikipedia.org/wiki/Straße'],
    ]);
    expect(linksIn('https://例子.测试/')).toEqual([['https://例子.测试/', 'https://例子.测试/']]);
  });

  it('does not start a link inside a word, an address or a path', () => {
    expect(linksIn('xhttps://example.org')).toEqual([]);
    expect(linksIn('9http://example.org')).toEqual([]);
    expect(linksIn('me@www.example.org')).toEqual([]);
    expect(linksIn('awww.example.org')).toEqual([]);
    expect(linksIn('sub.www.example.org')).toEqual([]);
    expect(linksIn('ftp://www.example.org')).toEqual([]);
    expect(linksIn('git+https://example.org/x')).toEqual([]);
  });

  it('starts a link after spaces, brackets, quotes, colons and emoji', () => {
    for (const before of [' ', '(', '[', '"', "'", ':', '=', '😀', '\n']) {
      expect(linksIn(`${before}https://example.org`)).toEqual([
        ['https://example.org', 'https://example.org'],
      ]);
      expect(linksIn(`${before}www.example.org`)).toEqual([
        ['www.example.org', 'https://www.example.org'],
      ]);
    }
  });

  it('finds a link right after a failed candidate', () => {
    expect(linksIn('http://.https://example.org')).toEqual([
      ['https://example.org', 'https://example.org'],
    ]);
    expect(linksIn('www. www.example.org')).toEqual([
      ['www.example.org', 'https://www.example.org'],
    ]);
  });

  it('keeps markup as text and only the URL as a link', () => {
    expect(linkify('<b>x</b> https://example.org/<img>')).toEqual([
      plain('<b>x</b> '),
      link('https://example.org/'),
      plain('<img>'),
    ]);
  });

  it('keeps lone surrogates as text without throwing', () => {
    const text = '\ud800https://a.org\udc00 \udc00www.b.org';
    expect(joined(linkify(text))).toBe(text);
    expect(linksIn(text)).toEqual([
      ['https://a.org', 'https://a.org'],
      ['www.b.org', 'https://www.b.org'],
    ]);
  });
});

describe('linkify on adversarial input', () => {
  const ADVERSARIAL: readonly [string, string][] = [
    ['http:// repeated', 'http://'.repeat(40_000)],
    ['http://x repeated', 'http://x'.repeat(40_000)],
    ['http://[ repeated', 'http://['.repeat(40_000)],
    ['http://.: repeated', 'http://.:'.repeat(40_000)],
    ['www. repeated', 'www.'.repeat(80_000)],
    ['www.éwww.. repeated', 'www.éwww..'.repeat(30_000)],
    [' www.a repeated', ' www.a'.repeat(50_000)],
    ['a long host', `https://${'a'.repeat(300_000)}`],
    ['a long run of closers', `https://a.org/${')'.repeat(300_000)}`],
    ['a long run of dots', `https://a.org${'.'.repeat(300_000)}`],
    ['nested brackets', `https://a.org/${'('.repeat(150_000)}${')'.repeat(150_000)}`],
    ['a long path', `https://a.org/${'a/'.repeat(150_000)}`],
  ];

  // Quadratic work on 300,000 characters takes minutes; linear takes milliseconds. No clock is
  // read here: the test's 15 s timeout, hundreds of times what a linear pass needs even on a
  // busy machine, is what a quadratic one runs into.
  it.each(ADVERSARIAL)(
    'handles %s (300,000 characters) in linear time',
    (_name, text) => {
      expect(joined(linkify(text))).toBe(text);
    },
    15_000,
  );

  it('links a whole message of the largest size', () => {
    const path = 'a'.repeat(MAX_TEXT_CHARS - 'https://example.org/'.length);
    expect(linksIn(`https://example.org/${path}`)).toHaveLength(1);
  });
});

/** Pieces that make texts full of near-links, brackets, punctuation and odd characters. */
const PIECES = [
  'http://',
  'https://',
  'HTTPS://',
  'www.',
  'javascript:',
  'data:',
  'example',
  'org',
  '.',
  ',',
  ':',
  ';',
  '!',
  '?',
  "'",
  '"',
  '*',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  '<',
  '>',
  '/',
  '@',
  '-',
  '_',
  '#',
  '&',
  '=',
  ' ',
  '\n',
  '\u202e',
  '\u00a0',
  'é',
  '路',
  '，',
  '😀',
  '\ud800',
  '\udc00',
  '1',
  'a',
];

const labelArb = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?$/);
const pathArb = fc.stringMatching(/^(\/[A-Za-z0-9._~%-]{0,8}){0,3}(\?[a-z0-9=&]{0,10})?$/);

/** A URL someone would paste, with a host that always qualifies and a tail that is never trimmed. */
const urlArb = fc
  .record({
    scheme: fc.constantFrom('http://', 'https://', 'www.'),
    labels: fc.array(labelArb, { minLength: 2, maxLength: 3 }),
    path: pathArb,
  })
  .map(({ scheme, labels, path }) => {
    const url = `${scheme}${labels.join('.')}${path}`;
    return /[.,;:!?'*]$/.test(url) ? `${url}x` : url;
  });

/** Texts of pieces and real URLs glued together in any order, and arbitrary strings. */
const textArb = fc.oneof(
  fc
    .array(
      fc.oneof(
        { arbitrary: fc.constantFrom(...PIECES), weight: 5 },
        { arbitrary: urlArb, weight: 1 },
      ),
      { maxLength: 40 },
    )
    .map((parts) => parts.join('')),
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
);

describe('linkify properties', () => {
  it('segments always concatenate back to the input, none empty, no two texts adjacent', () => {
    fc.assert(
      fc.property(textArb, (text) => {
        const segments = linkify(text);
        expect(joined(segments)).toBe(text);
        for (const [i, segment] of segments.entries()) {
          expect(segment.text.length).toBeGreaterThan(0);
          if (segment.kind === 'text') expect(segments[i + 1]?.kind).not.toBe('text');
        }
      }),
      FC,
    );
  }, 60_000);

  it('every href starts with http:// or https:// and is the link text as shown', () => {
    let runs = 0;
    let linksSeen = 0;
    fc.assert(
      fc.property(textArb, (text) => {
        runs += 1;
        for (const segment of linkify(text)) {
          if (segment.kind !== 'link') continue;
          linksSeen += 1;
          expect(segment.href).toMatch(/^https?:\/\//);
          const scheme = /^https?:\/\//i.exec(segment.text)?.[0];
          if (scheme) {
            expect(segment.href).toBe(scheme.toLowerCase() + segment.text.slice(scheme.length));
          } else {
            expect(segment.text.slice(0, 4).toLowerCase()).toBe('www.');
            expect(segment.href).toBe(`https://${segment.text}`);
          }
        }
      }),
      FC,
    );
    // The generated texts must actually hold links, or this property says nothing. (Counted
    // against the runs done: a very busy machine may stop early, see test/property.ts.)
    expect(linksSeen).toBeGreaterThan(runs / 10);
  }, 60_000);

  it('links never hold spaces, controls or markup and never end in punctuation', () => {
    fc.assert(
      fc.property(textArb, (text) => {
        for (const segment of linkify(text)) {
          if (segment.kind !== 'link') continue;
          expect(segment.text).not.toMatch(/[\s\p{Cc}\p{Cf}<>"`]/u);
          expect(segment.text).not.toMatch(/[.,;:!?'*]$/);
        }
      }),
      FC,
    );
  }, 60_000);

  it('a link found in any text is found whole when it stands alone', () => {
    fc.assert(
      fc.property(textArb, (text) => {
        for (const segment of linkify(text)) {
          if (segment.kind === 'link') expect(linkify(segment.text)).toEqual([segment]);
        }
      }),
      FC,
    );
  }, 60_000);

  it('finds a pasted URL between words and sentence punctuation', () => {
    const opening = fc.constantFrom('', '(', '[', '"', "'", '<', '“', '\n', ':');
    fc.assert(
      fc.property(
        fc.string({ maxLength: 10 }).map((s) => s.replace(/[^a-z ]/g, '')),
        opening,
        urlArb,
        fc.constantFrom('', '.', ',', '!', '?', ')', ']', '.)', '…', ':', ';', '"', "'", '>', '”'),
        fc.string({ maxLength: 10 }).map((s) => s.replace(/[^a-z ]/g, '')),
        (head, open, url, close, tail) => {
          const text = `${head} ${open}${url}${close}${tail ? ` ${tail}` : ''}`;
          const href = url.startsWith('www.') ? `https://${url}` : url;
          expect(linksIn(text)).toContainEqual([url, href]);
        },
      ),
      FC,
    );
  }, 60_000);
});
