import { afterEach, describe, expect, it } from 'vitest';
import { roomKeyFromSecret } from '../crypto/room-keys';
import type { Parley } from '../parley';
import { appHarness } from '../testing/app-harness';
import { serveSearchCalls } from './idb-search-worker';
import type { SearchCall } from './search-calls';
import type { SearchIndex } from './search-store';
import { openWorkerSearchIndex } from './worker-search-index';

const h = appHarness();

/**
 * A stand-in for the Worker: the real worker code (serveSearchCalls) on the other end of a
 * MessageChannel, so every call and answer is structured-cloned as between threads.
 */
class ChannelWorker extends EventTarget {
  readonly #port: MessagePort;
  readonly #server: MessagePort;
  /** Calls seen (the test's view of what crossed). */
  readonly calls: SearchCall[] = [];
  /** When set, calls are swallowed instead of passed on (a Worker that hangs, then fails). */
  isSwallowing = false;

  constructor() {
    super();
    const { port1, port2 } = new MessageChannel();
    this.#port = port1;
    this.#server = port2;
    port1.onmessage = (event: MessageEvent<unknown>) =>
      this.dispatchEvent(new MessageEvent('message', { data: event.data }));
    port2.start();
    serveSearchCalls(port2);
  }

  postMessage(call: SearchCall): void {
    this.calls.push(call);
    if (!this.isSwallowing || call.type === 'open') this.#port.postMessage(call);
  }

  /** The Worker dies (a script error). */
  crash(): void {
    this.dispatchEvent(Object.assign(new Event('error'), { message: 'boom' }));
  }

  terminate(): void {
    this.#port.close();
    this.#server.close();
  }
}

const workers: ChannelWorker[] = [];
afterEach(() => {
  for (const worker of workers.splice(0)) worker.terminate();
});

function openThrough(worker: ChannelWorker, name = h.dbName): Promise<SearchIndex> {
  workers.push(worker);
  return openWorkerSearchIndex({ name, createWorker: () => worker as unknown as Worker });
}

async function texts(app: Parley, query: string): Promise<string[]> {
  const search = await app.search.load();
  await search.settled();
  return (await search.search(query)).map((hit) => hit.text);
}

describe('the search index in a Worker', () => {
  it('indexes and finds messages with every call crossing the thread', async () => {
    const worker = new ChannelWorker();
    const app = await h.readyApp({ openSearchIndex: () => openThrough(worker) });
    const room = await roomKeyFromSecret((await app.conversations.createRoom())!);
    await app.search.load();
    expect(await app.messages.send(room, 'We meet at the Café')).toBe(true);
    expect(await app.messages.send(room, 'unrelated')).toBe(true);
    expect(await texts(app, 'cafe')).toEqual(['We meet at the Café']);
    const methods = new Set(worker.calls.flatMap((c) => (c.type === 'call' ? [c.method] : [])));
    expect(methods).toContain('saveState');
    expect(methods).toContain('search');
  });

  it('passes a failure back with its name', async () => {
    const index = await openThrough(new ChannelWorker());
    // A conversation that is not stored has nothing above its marks; a bad key range fails.
    await expect(
      index.readEventsAbove('c', {}, ['c', 'a', Number.NaN] as never, 10),
    ).rejects.toMatchObject({ name: 'DataError' });
  });

  it('runs on the page when no Worker starts', async () => {
    const app = await h.readyApp({
      openSearchIndex: () =>
        openWorkerSearchIndex({
          name: h.dbName,
          createWorker: () => {
            throw new Error('no workers here');
          },
        }),
    });
    const room = await roomKeyFromSecret((await app.conversations.createRoom())!);
    expect(await app.messages.send(room, 'still found')).toBe(true);
    expect(await texts(app, 'found')).toEqual(['still found']);
  });

  it('runs the calls still waiting on the page when the Worker fails, and goes on there', async () => {
    const worker = new ChannelWorker();
    const app = await h.readyApp({ openSearchIndex: () => openThrough(worker) });
    const room = await roomKeyFromSecret((await app.conversations.createRoom())!);
    const search = await app.search.load();
    await search.settled();
    worker.isSwallowing = true;
    expect(await app.messages.send(room, 'sent while the worker hangs')).toBe(true);
    const settled = search.settled();
    worker.crash();
    await settled;
    expect(await app.messages.send(room, 'sent after it failed')).toBe(true);
    expect(await texts(app, 'sent')).toEqual([
      'sent after it failed',
      'sent while the worker hangs',
    ]);
  });
});
