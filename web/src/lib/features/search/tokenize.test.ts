import { describe, expect, it } from 'vitest';
import { MAX_TOKEN_CHARS, MAX_TOKENS_PER_MESSAGE } from './search-limits';
import { fold, queryTerms, snippet, tokenize } from './tokenize';

describe('fold', () => {
  it('folds case and accents, and keeps Hangul syllables whole', () => {
    expect(fold('Café CRÈME Ångström')).toBe('cafe creme angstrom');
    expect(fold('ﬁ')).toBe('fi');
    expect(fold('한국어')).toBe('한국어');
  });
});

describe('tokenize', () => {
  it('splits Latin text into folded words', () => {
    expect(tokenize('Hello, World! Meet at the Café.')).toEqual([
      'hello',
      'world',
      'meet',
      'at',
      'the',
      'cafe',
    ]);
  });

  it('indexes a Chinese run as its characters and adjacent pairs', () => {
    const tokens = tokenize('我们明天下午三点见面');
    expect(tokens).toContain('下午');
    expect(tokens).toContain('下');
    expect(tokens).toContain('午三');
    expect(tokens).not.toContain('我们明天下午三点见面');
  });

  it('handles mixed scripts and Japanese', () => {
    const tokens = tokenize('Meeting 東京タワー at 3pm');
    expect(tokens).toEqual(expect.arrayContaining(['meeting', '東京', 'タワ', 'at', '3pm']));
  });

  it('is bounded: token length and tokens per message', () => {
    const long = 'a'.repeat(100);
    expect(tokenize(long)).toEqual(['a'.repeat(MAX_TOKEN_CHARS)]);
    const many = Array.from({ length: 1000 }, (_, i) => `w${i}`).join(' ');
    expect(tokenize(many)).toHaveLength(MAX_TOKENS_PER_MESSAGE);
  });
});

describe('queryTerms', () => {
  it('matches the last word as a prefix while it is typed', () => {
    expect(queryTerms('Meet caf')).toEqual([
      { token: 'meet', isPrefix: false },
      { token: 'caf', isPrefix: true },
    ]);
    expect(queryTerms('meet ')).toEqual([{ token: 'meet', isPrefix: false }]);
  });

  it('asks for the pairs of a Chinese query, a single character as itself', () => {
    expect(queryTerms('下午')).toEqual([{ token: '下午', isPrefix: false }]);
    expect(queryTerms('三点见')).toEqual([
      { token: '三点', isPrefix: false },
      { token: '点见', isPrefix: false },
    ]);
    expect(queryTerms('午')).toEqual([{ token: '午', isPrefix: false }]);
  });

  it('finds what the index holds: every query term is a token or a token’s prefix', () => {
    const tokens = tokenize('我们明天下午三点见面 at the CAFÉ');
    for (const query of ['下午', '三点见面', 'café', 'Caf', '下午 cafe']) {
      for (const term of queryTerms(query)) {
        const isFound = term.isPrefix
          ? tokens.some((t) => t.startsWith(term.token))
          : tokens.includes(term.token);
        expect(isFound, `${query}: ${term.token}`).toBe(true);
      }
    }
  });

  it('gives no terms for punctuation alone', () => {
    expect(queryTerms(' ,.!? ')).toEqual([]);
  });
});

describe('snippet', () => {
  it('marks the matched words in the original text, accents and case kept', () => {
    const parts = snippet('See you at the Café tonight', queryTerms('cafe'));
    expect(parts).toEqual([
      { text: 'See you at the ', isMatch: false },
      { text: 'Café', isMatch: true },
      { text: ' tonight', isMatch: false },
    ]);
  });

  it('marks the whole word a prefix starts', () => {
    const parts = snippet('At the old Lighthouse.', queryTerms('old lighth'));
    expect(parts.filter((p) => p.isMatch).map((p) => p.text)).toEqual(['old', 'Lighthouse']);
  });

  it('marks a Chinese match and cuts long text around the first match', () => {
    const text = `${'前'.repeat(300)}我们明天下午三点见面${'后'.repeat(300)}`;
    const parts = snippet(text, queryTerms('下午'), 60);
    expect(parts.filter((p) => p.isMatch).map((p) => p.text)).toEqual(['下午']);
    expect(parts[0]?.text).toBe('…');
    expect(parts.at(-1)?.text).toBe('…');
    expect(parts.map((p) => p.text).join('').length).toBeLessThanOrEqual(62);
  });
});
