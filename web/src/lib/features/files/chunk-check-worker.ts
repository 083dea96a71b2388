/**
 * The Worker that checks one download's chunks (chunk-check-core.ts; chunk-checks.ts starts one
 * per large download and ends it when the download ends), so hashing and making Blobs do not hold
 * up the page that receives the pieces.
 */
import { ChunkCheckCore, type ChunkCheckMessage, type ChunkCheckRequest } from './chunk-check-core';

const scope = globalThis as unknown as {
  addEventListener(
    type: 'message',
    listener: (event: MessageEvent<ChunkCheckRequest>) => void,
  ): void;
  postMessage(message: ChunkCheckMessage, transfer?: Transferable[]): void;
};

let core: ChunkCheckCore | null = null;

scope.addEventListener('message', (event) => {
  const request = event.data;
  switch (request.type) {
    case 'start':
      core = new ChunkCheckCore(request.count, request.isRunning);
      return;
    case 'check': {
      const { id, index, bytes, expected } = request;
      const checking = core
        ? core.check(index, bytes, expected)
        : Promise.reject(new Error('not started'));
      void checking.then(
        // A buffer the running hash keeps stays here; the page takes a new one.
        (checked) =>
          scope.postMessage(
            { type: 'checked', id, blob: checked.blob, bytes: checked.bytes },
            checked.bytes ? [checked.bytes.buffer] : [],
          ),
        (error: unknown) =>
          scope.postMessage({ type: 'checked', id, blob: null, bytes, error: String(error) }, [
            bytes.buffer,
          ]),
      );
      return;
    }
    case 'digest':
      void (core?.digest() ?? Promise.resolve(null)).then((sha256) =>
        scope.postMessage({ type: 'digest', sha256 }),
      );
      return;
  }
});
