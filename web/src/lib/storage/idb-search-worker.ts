/**
 * The Worker that keeps the search index (DESIGN §10 "Off the main thread"): its own IndexedDB
 * connection, so indexing a message (a transaction, a put per word) and running a search cost the
 * page one message each way. Started by worker-search-index.ts; it answers calls as they finish.
 */
import { openIdbSearchIndex, type IdbSearchIndex } from './idb-search';
import {
  isSearchMethod,
  toFailure,
  type SearchAnswer,
  type SearchCall,
  type SearchMethod,
} from './search-calls';

/** Where calls come from and answers go: the Worker's scope (or, in tests, a MessagePort). */
export interface SearchPort {
  addEventListener(type: 'message', listener: (event: MessageEvent<SearchCall>) => void): void;
  postMessage(message: SearchAnswer): void;
}

/** Answers the page's calls on `port`, on the database named by its first `open`. */
export function serveSearchCalls(port: SearchPort): void {
  let opening: Promise<IdbSearchIndex> | null = null;
  port.addEventListener('message', ({ data }) => {
    if (data.type === 'open') {
      // Another tab's newer schema, or "Delete all data", closes the connection (idb-schema.ts):
      // calls fail from then on, as they would on the page.
      opening ??= openIdbSearchIndex({ name: data.name });
      opening.then(
        () => port.postMessage({ type: 'opened' }),
        (error: unknown) => port.postMessage({ type: 'open-failed', error: toFailure(error) }),
      );
      return;
    }
    const { id, method, args } = data;
    void (async () => {
      try {
        if (!opening || !isSearchMethod(method)) throw new Error(`no such call: ${String(method)}`);
        const index = await opening;
        const methods = index as unknown as Record<
          SearchMethod,
          (...a: unknown[]) => Promise<unknown>
        >;
        port.postMessage({ type: 'answer', id, value: await methods[method](...args) });
      } catch (error) {
        port.postMessage({ type: 'failed', id, error: toFailure(error) });
      }
    })();
  });
}

// In a Worker (not when a test imports this module).
if ('importScripts' in globalThis) serveSearchCalls(globalThis);
