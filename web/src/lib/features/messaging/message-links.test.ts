import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { linkify } from '../../domain/linkify';
import { propertyParams } from '../../testing/property';
import { loadLinkFinder, mayHoldLink, messageSegments } from './message-links.svelte';

const FC = propertyParams(20_261_205, 2000);

/** Text that leans towards link starts, in every case. */
const textArb = fc
  .array(
    fc.oneof(
      fc.string(),
      fc.constantFrom('http://', 'HTTPS://', 'hTtP://', 'www.', 'WWW.', 'a.org', ' ', '/x', '.'),
    ),
    { maxLength: 8 },
  )
  .map((parts) => parts.join(''));

describe('message links', () => {
  it('a text the finder would find no link in is one text segment before the finder loads', () => {
    // Before loadLinkFinder: the first test in this file, nothing loaded it.
    expect(messageSegments('see you at 5')).toEqual([{ kind: 'text', text: 'see you at 5' }]);
    expect(messageSegments('')).toEqual([]);
    const pending = messageSegments('see https://example.org');
    expect(pending).toEqual([{ kind: 'text', text: 'see https://example.org' }]);
  });

  it('mayHoldLink is false only where linkify finds no link', () => {
    fc.assert(
      fc.property(textArb, (text) => {
        if (!mayHoldLink(text)) {
          expect(linkify(text)).toEqual(text === '' ? [] : [{ kind: 'text', text }]);
        }
      }),
      FC,
    );
  });

  it('once the finder is loaded, segments are exactly linkify’s', async () => {
    await loadLinkFinder();
    expect(messageSegments('see https://example.org.')).toEqual(
      linkify('see https://example.org.'),
    );
    fc.assert(
      fc.property(textArb, (text) => {
        expect(messageSegments(text)).toEqual(linkify(text));
      }),
      FC,
    );
  });
});
