import { describe, expect, it } from 'vitest';
import {
  dropSharedText,
  heldSharedText,
  holdSharedText,
  sendSharedTextTo,
  sharedText,
  takeSharedText,
} from './share-target';

describe('sharedText', () => {
  it('puts the link after the text on its own line', () => {
    expect(
      sharedText('?share-title=T&share-text=Look+at+this&share-url=https%3A%2F%2Fa.example'),
    ).toBe('Look at this\nhttps://a.example');
  });

  it('keeps a link once when the text already has it', () => {
    expect(
      sharedText('?share-text=see+https%3A%2F%2Fa.example&share-url=https%3A%2F%2Fa.example'),
    ).toBe('see https://a.example');
  });

  it('falls back to the title, and gives nothing without a share', () => {
    expect(sharedText('?share-title=Only+a+title')).toBe('Only a title');
    expect(sharedText('')).toBe('');
    expect(sharedText('?other=1')).toBe('');
  });
});

describe('the held share', () => {
  it('goes once to the composer of the picked room only', () => {
    holdSharedText('hello');
    expect(heldSharedText()).toBe('hello');
    expect(takeSharedText('room-a')).toBe('');
    sendSharedTextTo('room-a');
    expect(takeSharedText('room-b')).toBe('');
    expect(takeSharedText('room-a')).toBe('hello');
    expect(takeSharedText('room-a')).toBe('');
  });

  it('is gone after Cancel', () => {
    holdSharedText('x');
    dropSharedText();
    expect(heldSharedText()).toBeNull();
  });
});
