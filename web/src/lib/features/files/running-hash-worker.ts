/**
 * The Worker that hashes one file while it is fetched (running-hash.ts; whole-hash.ts starts one
 * per large download and ends it when the download ends), so hashing does not hold up the page.
 */
import { RunningHash, type RunningHashMessage, type RunningHashRequest } from './running-hash';

const scope = globalThis as unknown as {
  addEventListener(
    type: 'message',
    listener: (event: MessageEvent<RunningHashRequest>) => void,
  ): void;
  postMessage(message: RunningHashMessage): void;
};

let running: RunningHash | null = null;

scope.addEventListener('message', (event) => {
  const request = event.data;
  switch (request.type) {
    case 'start':
      running = new RunningHash(request.count, (bytes) =>
        scope.postMessage({ type: 'done', bytes }),
      );
      return;
    case 'chunk':
      running?.add(request.index, request.chunk);
      return;
    case 'digest':
      void (running?.digest() ?? Promise.resolve(null)).then((sha256) =>
        scope.postMessage({ type: 'digest', sha256 }),
      );
      return;
  }
});
