/**
 * A click on a notification shown through the service worker (public/sw-notifications.js) comes
 * back as a message asking the page to open a route. Its own module: it listens from start-up,
 * while showing notifications (notifications.ts) loads only when they are switched on.
 */

/** The message the service worker posts to the page after a notification click. */
export interface OpenRouteMessage {
  /** Marks the message. */
  type: 'parley:open';
  /** The route to open. */
  hash: string;
}

/**
 * Opens the route of a clicked notification when the service worker says so; returns the
 * cleanup.
 */
export function listenForNotificationClicks(open: (hash: string) => void): () => void {
  const container = typeof navigator === 'undefined' ? undefined : navigator.serviceWorker;
  if (!container) return () => undefined;
  const onMessage = (event: MessageEvent): void => {
    const data: unknown = event.data;
    if (isOpenRouteMessage(data)) open(data.hash);
  };
  container.addEventListener('message', onMessage);
  return () => container.removeEventListener('message', onMessage);
}

/** Whether a message from the service worker asks to open a route (only `#/…` routes). */
export function isOpenRouteMessage(data: unknown): data is OpenRouteMessage {
  if (typeof data !== 'object' || data === null) return false;
  const message = data as Record<string, unknown>;
  return (
    message.type === 'parley:open' &&
    typeof message.hash === 'string' &&
    message.hash.startsWith('#/')
  );
}
