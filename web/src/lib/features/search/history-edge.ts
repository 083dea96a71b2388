/**
 * The ends of the message list while more history is stored beyond them (DESIGN §6 "View
 * window"): a marker at each end loads the next page as it comes within a screen of the
 * visible part, so reading back and forth is plain scrolling; and what the reader looks at stays
 * in place while a page comes in and the far end leaves.
 */
import { tick } from 'svelte';

/** The message list's scroller (MessageList.svelte) around `element`. */
export function scrollerOf(element: Element): HTMLElement | null {
  return element.closest('.scroller');
}

/**
 * Changes the log through `show` (true when it changed) keeping the first message in view where
 * it was. The browser's scroll anchoring is set aside meanwhile: it kept the view at the very top
 * or bottom when rows came in past it, and it does not exist in every browser. One layout read
 * before and one after, per page.
 */
export async function keepingView(
  scroller: HTMLElement | null,
  show: () => boolean,
): Promise<boolean> {
  if (!scroller) return show();
  const view = scroller.getBoundingClientRect();
  // A message, not a day label (the first message of a day carries it, and that changes). Looked
  // for in the first chunk that reaches into the view: the chunks above it are skipped by the
  // browser (content-visibility), and measuring their rows would lay them out.
  let anchor: HTMLElement | undefined;
  for (const chunk of scroller.querySelectorAll<HTMLElement>('[role="log"] > *')) {
    if (chunk.getBoundingClientRect().bottom <= view.top) continue;
    anchor = [...chunk.querySelectorAll<HTMLElement>('article')].find(
      (row) => row.getBoundingClientRect().bottom > view.top,
    );
    if (anchor) break;
  }
  // Its bottom: its top moves when it loses its author line to an earlier message of the author.
  const before = anchor?.getBoundingClientRect().bottom;
  scroller.style.overflowAnchor = 'none';
  try {
    const isShown = show();
    await tick();
    if (anchor?.isConnected && before !== undefined) {
      const moved = anchor.getBoundingClientRect().bottom - before;
      if (Math.abs(moved) >= 0.5) scroller.scrollTop += moved;
    }
    return isShown;
  } finally {
    scroller.style.overflowAnchor = '';
  }
}

/**
 * Calls `load` whenever `edge` (a marker at one end of MessageList.svelte's log) is within a
 * screen of what its scroller shows, one load at a time; after a load that changed the view it
 * looks again (a short page may leave the marker in reach). Returns the stop function.
 */
export function watchEdge(edge: HTMLElement, load: () => Promise<boolean>): () => void {
  const root = scrollerOf(edge);
  let isStopped = false;
  let isLoading = false;
  const observer = new IntersectionObserver(
    (entries) => {
      if (isStopped || isLoading || !entries.some((entry) => entry.isIntersecting)) return;
      isLoading = true;
      void load().then((isChanged) => {
        isLoading = false;
        if (isStopped || !isChanged) return;
        // Observing anew reports where the marker is now, once.
        observer.unobserve(edge);
        observer.observe(edge);
      });
    },
    { root, rootMargin: '100% 0px' },
  );
  observer.observe(edge);
  return () => {
    isStopped = true;
    observer.disconnect();
  };
}
