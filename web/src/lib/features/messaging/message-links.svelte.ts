/**
 * Links in message text, with the link finder (domain/linkify.ts) loaded on demand: most
 * messages hold no link, and the finder stays off the first screen. A text that cannot hold one
 * (no `http://`, `https://` or `www.` in any case) is one text segment, exactly what the finder
 * would return; a text that may hold one is shown as text until the finder is here (it is asked
 * for after the first screen, so that is rare and brief), then with its links.
 */
import type { linkify as Linkify, TextSegment } from '../../domain/linkify';

let linkify = $state.raw<typeof Linkify | null>(null);
let loading: Promise<void> | null = null;

/**
 * Loads the link finder (once; after a failure the next call tries again). Message text
 * re-renders with its links when it is here.
 */
export function loadLinkFinder(): Promise<void> {
  loading ??= import('../../domain/linkify').then(
    (module) => {
      linkify = module.linkify;
    },
    (error: unknown) => {
      loading = null;
      throw error;
    },
  );
  return loading;
}

/** Could `text` hold a link? False only when the finder would surely find none. */
export function mayHoldLink(text: string): boolean {
  const lower = text.toLowerCase();
  return lower.includes('http://') || lower.includes('https://') || lower.includes('www.');
}

/** `text` as text and link segments (see linkify); reactive: links appear once the finder loaded. */
export function messageSegments(text: string): TextSegment[] {
  if (!mayHoldLink(text)) return text === '' ? [] : [{ kind: 'text', text }];
  if (linkify) return linkify(text);
  loadLinkFinder().catch(() => {
    // Shown as text meanwhile; MessageList logs the failure, and the next text tries again.
  });
  return [{ kind: 'text', text }];
}
