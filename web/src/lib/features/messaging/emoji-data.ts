/**
 * The emoji picker's built-in set: common emoji in a few categories, each with its CLDR short
 * name (the picker's accessible names). Only the picker imports this, and the picker is loaded
 * on demand, so none of it is on the first screen. Emoji whose base character defaults to text
 * presentation carry U+FE0F so they show as emoji.
 */
import '../../i18n/more';
import type { MessageKey } from '../../i18n/i18n';

/** One emoji the picker offers. */
export interface Emoji {
  /** What is inserted: one emoji, possibly with a variation selector. */
  char: string;
  /** Its CLDR short name in English, e.g. "thumbs up". */
  name: string;
}

/** A heading in the picker and the emoji under it. */
export interface EmojiCategory {
  /** Stable id, used in element ids and as the each-block key. */
  id: string;
  /** The catalog key of the heading. */
  label: MessageKey;
  /** The emoji, in display order. */
  emojis: readonly Emoji[];
}

export const EMOJI_CATEGORIES: readonly EmojiCategory[] = [
  {
    id: 'smileys',
    label: 'emoji.category.smileys',
    emojis: [
      { char: '😀', name: 'grinning face' },
      { char: '😄', name: 'grinning face with smiling eyes' },
      { char: '😁', name: 'beaming face with smiling eyes' },
      { char: '😅', name: 'grinning face with sweat' },
      { char: '😂', name: 'face with tears of joy' },
      { char: '🤣', name: 'rolling on the floor laughing' },
      { char: '🙂', name: 'slightly smiling face' },
      { char: '😉', name: 'winking face' },
      { char: '😊', name: 'smiling face with smiling eyes' },
      { char: '😇', name: 'smiling face with halo' },
      { char: '😍', name: 'smiling face with heart-eyes' },
      { char: '😘', name: 'face blowing a kiss' },
      { char: '😋', name: 'face savoring food' },
      { char: '😜', name: 'winking face with tongue' },
      { char: '🤗', name: 'smiling face with open hands' },
      { char: '🤔', name: 'thinking face' },
      { char: '😐', name: 'neutral face' },
      { char: '🙄', name: 'face with rolling eyes' },
      { char: '😏', name: 'smirking face' },
      { char: '😴', name: 'sleeping face' },
      { char: '😎', name: 'smiling face with sunglasses' },
      { char: '🥳', name: 'partying face' },
      { char: '😮', name: 'face with open mouth' },
      { char: '🥺', name: 'pleading face' },
      { char: '😢', name: 'crying face' },
      { char: '😭', name: 'loudly crying face' },
      { char: '😱', name: 'face screaming in fear' },
      { char: '😡', name: 'enraged face' },
    ],
  },
  {
    id: 'people',
    label: 'emoji.category.people',
    emojis: [
      { char: '👍', name: 'thumbs up' },
      { char: '👎', name: 'thumbs down' },
      { char: '👌', name: 'OK hand' },
      { char: '✌️', name: 'victory hand' },
      { char: '🤞', name: 'crossed fingers' },
      { char: '👏', name: 'clapping hands' },
      { char: '🙌', name: 'raising hands' },
      { char: '🙏', name: 'folded hands' },
      { char: '👋', name: 'waving hand' },
      { char: '✋', name: 'raised hand' },
      { char: '👉', name: 'backhand index pointing right' },
      { char: '💪', name: 'flexed biceps' },
      { char: '🤝', name: 'handshake' },
      { char: '👀', name: 'eyes' },
      { char: '🤷', name: 'person shrugging' },
      { char: '🤦', name: 'person facepalming' },
    ],
  },
  {
    id: 'symbols',
    label: 'emoji.category.symbols',
    emojis: [
      { char: '❤️', name: 'red heart' },
      { char: '🧡', name: 'orange heart' },
      { char: '💛', name: 'yellow heart' },
      { char: '💚', name: 'green heart' },
      { char: '💙', name: 'blue heart' },
      { char: '💜', name: 'purple heart' },
      { char: '🖤', name: 'black heart' },
      { char: '💔', name: 'broken heart' },
      { char: '💯', name: 'hundred points' },
      { char: '✨', name: 'sparkles' },
      { char: '🔥', name: 'fire' },
      { char: '⭐', name: 'star' },
      { char: '✅', name: 'check mark button' },
      { char: '❌', name: 'cross mark' },
      { char: '❓', name: 'red question mark' },
      { char: '‼️', name: 'double exclamation mark' },
    ],
  },
  {
    id: 'nature',
    label: 'emoji.category.nature',
    emojis: [
      { char: '🐶', name: 'dog face' },
      { char: '🐱', name: 'cat face' },
      { char: '🦊', name: 'fox' },
      { char: '🐻', name: 'bear' },
      { char: '🐼', name: 'panda' },
      { char: '🐸', name: 'frog' },
      { char: '🦄', name: 'unicorn' },
      { char: '🌸', name: 'cherry blossom' },
      { char: '🌻', name: 'sunflower' },
      { char: '🌈', name: 'rainbow' },
      { char: '☀️', name: 'sun' },
      { char: '🌙', name: 'crescent moon' },
    ],
  },
  {
    id: 'food',
    label: 'emoji.category.food',
    emojis: [
      { char: '☕', name: 'hot beverage' },
      { char: '🍵', name: 'teacup without handle' },
      { char: '🍺', name: 'beer mug' },
      { char: '🍷', name: 'wine glass' },
      { char: '🍕', name: 'pizza' },
      { char: '🍔', name: 'hamburger' },
      { char: '🍜', name: 'steaming bowl' },
      { char: '🍎', name: 'red apple' },
      { char: '🍰', name: 'shortcake' },
      { char: '🎂', name: 'birthday cake' },
    ],
  },
  {
    id: 'activities',
    label: 'emoji.category.activities',
    emojis: [
      { char: '🎉', name: 'party popper' },
      { char: '🎁', name: 'wrapped gift' },
      { char: '🎈', name: 'balloon' },
      { char: '⚽', name: 'soccer ball' },
      { char: '🎮', name: 'video game' },
      { char: '🎵', name: 'musical note' },
      { char: '📷', name: 'camera' },
      { char: '💡', name: 'light bulb' },
      { char: '📌', name: 'pushpin' },
      { char: '⏰', name: 'alarm clock' },
      { char: '🚀', name: 'rocket' },
      { char: '🏠', name: 'house' },
    ],
  },
];
