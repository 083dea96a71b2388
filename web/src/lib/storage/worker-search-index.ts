/**
 * The search index kept by a Worker (DESIGN §10 "Off the main thread"): every SearchIndex call is
 * posted to idb-search-worker.ts, which runs it on an IndexedDB connection of its own, so the
 * page's main thread pays one message each way instead of a transaction and a put per word of
 * every message. Where no Worker starts, or one fails later, the index opens on the page instead
 * (idb-search.ts) and the calls still waiting run there again: each is idempotent (ops apply in
 * any order, states are saved whole). Part of the IndexedDB adapter (storage/idb-*.ts).
 */
import { createLogger } from '../log';
import { DEFAULT_DB_NAME } from './idb-schema';
import { openIdbSearchIndex } from './idb-search';
import {
  fromFailure,
  isSearchAnswer,
  SEARCH_METHODS,
  type SearchAnswer,
  type SearchCall,
  type SearchMethod,
} from './search-calls';
import type { SearchIndex } from './search-store';

const log = createLogger('search');

/** A call posted to the Worker, kept until answered (and run again on the page if it fails). */
interface Waiting {
  method: SearchMethod;
  args: unknown[];
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** Opens the search index of database `name` in a Worker, or on the page where none starts. */
export async function openWorkerSearchIndex(
  opts: { name?: string; createWorker?: () => Worker } = {},
): Promise<SearchIndex> {
  const name = opts.name ?? DEFAULT_DB_NAME;
  const createWorker =
    opts.createWorker ??
    (() => new Worker(new URL('./idb-search-worker.ts', import.meta.url), { type: 'module' }));
  let worker: Worker;
  try {
    worker = createWorker();
    await opened(worker, name);
  } catch (error) {
    log.warn('the search index could not start in a Worker; it runs on the page', error);
    return openIdbSearchIndex({ name });
  }
  return new WorkerSearchIndex(worker, name) as unknown as SearchIndex;
}

/** Resolves once the Worker opened the database; rejects if it cannot. */
function opened(worker: Worker, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onMessage = ({ data }: MessageEvent<unknown>): void => {
      if (!isSearchAnswer(data)) return;
      if (data.type === 'opened') finish(null);
      else if (data.type === 'open-failed') finish(fromFailure(data.error));
    };
    const onError = (event: ErrorEvent): void => {
      event.preventDefault();
      finish(new Error(`search worker: ${event.message}`));
    };
    const finish = (error: Error | null): void => {
      worker.removeEventListener('message', onMessage);
      worker.removeEventListener('error', onError);
      if (error) {
        worker.terminate();
        reject(error);
      } else {
        resolve();
      }
    };
    worker.addEventListener('message', onMessage);
    worker.addEventListener('error', onError);
    const call: SearchCall = { type: 'open', name };
    worker.postMessage(call);
  });
}

/** SearchIndex over a Worker; each method of SEARCH_METHODS is a posted call. */
class WorkerSearchIndex {
  #worker: Worker | null;
  readonly #name: string;
  #nextId = 1;
  readonly #waiting = new Map<number, Waiting>();
  /** The index on the page, once the Worker failed. */
  #onPage: Promise<SearchIndex> | null = null;

  constructor(worker: Worker, name: string) {
    this.#worker = worker;
    this.#name = name;
    worker.addEventListener('message', ({ data }: MessageEvent<unknown>) => {
      if (isSearchAnswer(data)) this.#answered(data);
    });
    worker.addEventListener('error', (event) => {
      event.preventDefault();
      this.#fail(new Error(`search worker: ${event.message}`));
    });
    worker.addEventListener('messageerror', () =>
      this.#fail(new Error('search worker: unreadable answer')),
    );
    for (const method of SEARCH_METHODS) {
      Object.defineProperty(this, method, {
        value: (...args: unknown[]) => this.#call(method, args),
      });
    }
  }

  #call(method: SearchMethod, args: unknown[]): Promise<unknown> {
    if (this.#onPage || !this.#worker) return this.#runOnPage(method, args);
    const worker = this.#worker;
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { method, args, resolve, reject });
      const call: SearchCall = { type: 'call', id, method, args };
      try {
        worker.postMessage(call);
      } catch (error) {
        // Not cloneable (never expected): this call fails, the Worker goes on.
        this.#waiting.delete(id);
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  #answered(answer: SearchAnswer): void {
    if (answer.type !== 'answer' && answer.type !== 'failed') return;
    const waiting = this.#waiting.get(answer.id);
    if (!waiting) return;
    this.#waiting.delete(answer.id);
    if (answer.type === 'answer') waiting.resolve(answer.value);
    else waiting.reject(fromFailure(answer.error));
  }

  /** The Worker failed: it ends, and the index opens on the page, where waiting calls run again. */
  #fail(error: Error): void {
    if (!this.#worker) return;
    log.warn('the search worker failed; the index runs on the page from now on', error);
    this.#worker.terminate();
    this.#worker = null;
    const waiting = [...this.#waiting.values()];
    this.#waiting.clear();
    for (const { method, args, resolve, reject } of waiting) {
      this.#runOnPage(method, args).then(resolve, reject);
    }
  }

  async #runOnPage(method: SearchMethod, args: unknown[]): Promise<unknown> {
    this.#onPage ??= openIdbSearchIndex({ name: this.#name });
    const index = await this.#onPage;
    return (index[method] as (...a: unknown[]) => Promise<unknown>).apply(index, args);
  }
}
