import { describe, expect, it } from 'vitest';
import { t } from '../../i18n/i18n';
import { EMOJI_CATEGORIES } from './emoji-data';

const all = EMOJI_CATEGORIES.flatMap((category) => category.emojis);
const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

describe('EMOJI_CATEGORIES', () => {
  it('offers a modest set in a few named categories', () => {
    expect(all.length).toBeGreaterThanOrEqual(60);
    expect(all.length).toBeLessThanOrEqual(120);
    for (const category of EMOJI_CATEGORIES) {
      expect(category.emojis.length).toBeGreaterThan(0);
      expect(t(category.label)).not.toBe(category.label);
    }
    expect(new Set(EMOJI_CATEGORIES.map((category) => category.id)).size).toBe(
      EMOJI_CATEGORIES.length,
    );
  });

  it('lists each emoji once, with a name of its own', () => {
    expect(new Set(all.map((emoji) => emoji.char)).size).toBe(all.length);
    expect(new Set(all.map((emoji) => emoji.name)).size).toBe(all.length);
    for (const emoji of all) expect(emoji.name).toMatch(/^[A-Za-z][A-Za-z -]*[a-z]$/);
  });

  it('holds one emoji per entry, shown as emoji (U+FE0F where the default is text)', () => {
    for (const { char } of all) {
      expect([...graphemes.segment(char)]).toHaveLength(1);
      const isEmojiByDefault = /^\p{Emoji_Presentation}$/u.test(char);
      const isTextMadeEmoji = /^\p{Extended_Pictographic}\uFE0F$/u.test(char);
      expect(isEmojiByDefault || isTextMadeEmoji, char).toBe(true);
    }
  });
});
