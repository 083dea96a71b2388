/**
 * The ends of the message list while more history is stored beyond them (DESIGN §6 "Long
 * histories"): a marker at each end loads the next page as it comes within a screen of the
 * visible part, so reading back and forth is plain scrolling.
 */

/**
 * Calls `load` whenever `edge` (a marker at one end of MessageList.svelte's log) is within a
 * screen of what its scroller shows, one load at a time; after a load that changed the view it
 * looks again (a short page may leave the marker in reach). Returns the stop function.
 */
export function watchEdge(edge: HTMLElement, load: () => Promise<boolean>): () => void {
  const root = edge.closest<HTMLElement>('.scroller');
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
