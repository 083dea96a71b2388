/**
 * The Worker that hashes one file off the main thread (file-hashing.ts starts one per large
 * file and ends it when done or cancelled), so hashing gigabytes does not hold up the page.
 */
import { hashHere, type HashMessage, type HashRequest } from './file-hash-core';

const scope = globalThis as unknown as {
  addEventListener(type: 'message', listener: (event: MessageEvent<HashRequest>) => void): void;
  postMessage(message: HashMessage, transfer?: Transferable[]): void;
};

scope.addEventListener('message', (event) => {
  const { blob, chunkSize } = event.data;
  const onProgress = (doneBytes: number) => scope.postMessage({ type: 'progress', doneBytes });
  void hashHere(blob, { chunkSize, onProgress }).then(
    (hashes) => scope.postMessage({ type: 'done', hashes }, [hashes.manifest]),
    (error: unknown) =>
      scope.postMessage({
        type: 'error',
        name: error instanceof Error ? error.name : 'Error',
        message: error instanceof Error ? error.message : String(error),
      }),
  );
});
