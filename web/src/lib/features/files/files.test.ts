import { describe, expect, it, vi } from 'vitest';
import { isKnownEvent, textOf } from '../../domain/events';
import { MemoryHub } from '../../net/memory-transport';
import type { Parley } from '../../parley';
import type { FileBody } from '../../protocol/events';
import type { RoomKey } from '../../protocol/ids';
import { openIdbFileStore } from '../../storage/idb-files';
import { StorageFullError } from '../../storage/file-store';
import { appHarness } from '../../testing/app-harness';
import { meetInRoom } from '../../testing/meet-in-room';

const h = appHarness();

/** `length` bytes that differ from chunk to chunk (so a chunk out of place would show). */
function patterned(length: number, seed = 7): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    bytes[i] = x >>> 24;
  }
  return bytes;
}

/** The `file` events of a room as the timeline holds them. */
function fileBodies(app: Parley, room: RoomKey): FileBody[] {
  return app.timeline
    .messagesOf(room)
    .flatMap((e) => (isKnownEvent(e) && e.kind === 'file' ? [e.body] : []));
}

async function bytesOf(app: Parley, body: FileBody): Promise<Uint8Array> {
  const files = await app.files.load();
  return new Uint8Array(await (await files.blobOf(body)).arrayBuffer());
}

describe('files', () => {
  it('sends a file whose every chunk Bob fetches, checks and stores', async () => {
    const hub = new MemoryHub();
    const alice = await h.memberOn(hub, 'Alice');
    const bob = await h.memberOn(hub, 'Bob');
    const { room } = await meetInRoom(alice, bob);
    // Three chunks of 256 KiB and a bit: the manifest, several wants and a short last chunk.
    const content = patterned(3 * 256 * 1024 + 1234);
    const aliceFiles = await alice.files.load();
    await aliceFiles.attach(room, [
      new File([content], 'notes.bin', { type: 'application/x-test' }),
    ]);
    expect(aliceFiles.preparingIn(room)).toEqual([]);

    await vi.waitFor(() => expect(fileBodies(bob, room)).toHaveLength(1), { timeout: 5_000 });
    const [body] = fileBodies(bob, room);
    if (!body) throw new Error('no file event');
    expect(body).toMatchObject({ name: 'notes.bin', size: content.length, chunkSize: 256 * 1024 });
    const bobFiles = await bob.files.load();
    // Under 25 MB: fetched without asking.
    await vi.waitFor(() => expect(bobFiles.stateOf(body.sha256)?.status).toBe('done'), {
      timeout: 10_000,
    });
    expect(await bytesOf(bob, body)).toEqual(content);
  });

  it('frees a file with Delete files and fetches it again with Download again', async () => {
    const hub = new MemoryHub();
    const alice = await h.memberOn(hub, 'Alice');
    const bob = await h.memberOn(hub, 'Bob');
    const { room } = await meetInRoom(alice, bob);
    const bobFiles = await bob.files.load();
    const content = patterned(1000, 3);
    const aliceFiles = await alice.files.load();
    await aliceFiles.attach(room, [new File([content], 'late.txt', { type: 'text/plain' })]);
    await vi.waitFor(() => expect(fileBodies(bob, room)).toHaveLength(1), { timeout: 5_000 });
    const [body] = fileBodies(bob, room);
    if (!body) throw new Error('no file event');
    await vi.waitFor(() => expect(bobFiles.stateOf(body.sha256)?.status).toBe('done'), {
      timeout: 10_000,
    });
    expect((await bobFiles.usage()).get(room)).toBe(content.length);

    await bobFiles.deleteFiles(room);
    expect(bobFiles.isRemoved(body.sha256)).toBe(true);
    expect(bobFiles.stateOf(body.sha256)?.status).toBe('idle');
    expect((await bobFiles.usage()).get(room) ?? 0).toBe(0);
    await bobFiles.download(room, body);
    await vi.waitFor(() => expect(bobFiles.stateOf(body.sha256)?.status).toBe('done'), {
      timeout: 10_000,
    });
    expect(bobFiles.isRemoved(body.sha256)).toBe(false);
    expect(await bytesOf(bob, body)).toEqual(content);
  });

  it('waits while nobody online holds a file, never asks a member who sent a bad chunk again, and gets it from an honest one', async () => {
    const hub = new MemoryHub();
    const alice = await h.memberOn(hub, 'Alice');
    const bob = await h.memberOn(hub, 'Bob');
    // Mallory stores what she fetched correctly, but serves it with one byte flipped.
    let badServed = 0;
    const mallory = await h.memberOn(hub, 'Mallory', {
      deps: {
        openFileStore: async () => {
          const store = await openIdbFileStore({ name: `mallory-${crypto.randomUUID()}` });
          const honest = store.getChunks.bind(store);
          store.getChunks = async (sha256, from, to) => {
            const chunks = await honest(sha256, from, to);
            for (const bytes of chunks) {
              if (!bytes) continue;
              bytes[0] = (bytes[0] ?? 0) ^ 0xff;
              badServed++;
            }
            return chunks;
          };
          return store;
        },
      },
    });
    const { room, secret, aliceFp } = await meetInRoom(alice, bob);
    await mallory.timeline.openRoom(secret, aliceFp);
    await vi.waitFor(() => expect(mallory.kernel.presence.peersOf(room)).toHaveLength(2), {
      timeout: 5_000,
    });
    const content = patterned(300 * 1024, 11);
    await (await alice.files.load()).attach(room, [new File([content], 'plan.pdf')]);
    const malloryFiles = await mallory.files.load();
    const bobFiles = await bob.files.load();
    await vi.waitFor(() => expect(fileBodies(bob, room)).toHaveLength(1), { timeout: 5_000 });
    const [body] = fileBodies(bob, room);
    if (!body) throw new Error('no file event');
    await vi.waitFor(
      () => {
        expect(malloryFiles.stateOf(body.sha256)?.status).toBe('done');
        expect(bobFiles.stateOf(body.sha256)?.status).toBe('done');
      },
      { timeout: 10_000 },
    );

    // Bob frees his copy; Alice goes offline: only Mallory holds it.
    await bobFiles.deleteFiles(room);
    alice.kernel.network.stop();
    await bobFiles.download(room, body);
    // Mallory is asked, sends bad chunks, and is dropped: Bob waits, nothing stored.
    await vi.waitFor(() => expect(badServed).toBeGreaterThan(0), { timeout: 10_000 });
    await vi.waitFor(() => expect(bobFiles.stateOf(body.sha256)?.status).toBe('waiting'), {
      timeout: 10_000,
    });
    expect(bobFiles.stateOf(body.sha256)?.doneBytes).toBe(0);

    // Alice is back: Bob gets it from her, whole and exact.
    alice.kernel.network.run();
    await vi.waitFor(() => expect(bobFiles.stateOf(body.sha256)?.status).toBe('done'), {
      timeout: 15_000,
    });
    expect(await bytesOf(bob, body)).toEqual(content);
    // Asked once for at most both chunks, never again after the first bad one.
    expect(badServed).toBeLessThanOrEqual(2);
  });

  it('frees the files of a deleted conversation', async () => {
    const hub = new MemoryHub();
    const alice = await h.memberOn(hub, 'Alice');
    const bob = await h.memberOn(hub, 'Bob');
    const { room } = await meetInRoom(alice, bob);
    const files = await alice.files.load();
    await files.attach(room, [new File([patterned(5000, 5)], 'gone.bin')]);
    expect((await files.usage()).get(room)).toBe(5000);
    expect(await alice.conversations.deleteConversation(room)).toBe(true);
    await vi.waitFor(async () => expect((await files.usage()).get(room) ?? 0).toBe(0), {
      timeout: 5_000,
    });
  });

  it('says the disk is full, stores nothing of the file, and loses nothing else', async () => {
    const hub = new MemoryHub();
    const alice = await h.memberOn(hub, 'Alice');
    // Bob's disk is full for file chunks.
    const bob = await h.memberOn(hub, 'Bob', {
      deps: {
        openFileStore: async () => {
          const store = await openIdbFileStore({ name: `full-${crypto.randomUUID()}` });
          store.putChunks = () =>
            Promise.reject(new StorageFullError(new DOMException('full', 'QuotaExceededError')));
          return store;
        },
      },
    });
    const { room } = await meetInRoom(alice, bob);
    await (await alice.files.load()).attach(room, [new File([patterned(2000, 9)], 'big.bin')]);
    await vi.waitFor(() => expect(fileBodies(bob, room)).toHaveLength(1), { timeout: 5_000 });
    const [body] = fileBodies(bob, room);
    if (!body) throw new Error('no file event');
    const bobFiles = await bob.files.load();
    await vi.waitFor(
      () =>
        expect(bobFiles.stateOf(body.sha256)).toMatchObject({
          status: 'failed',
          error: 'storage-full',
        }),
      { timeout: 10_000 },
    );
    expect(bobFiles.stateOf(body.sha256)?.doneBytes).toBe(0);
    expect(await alice.messages.send(room, 'still here?')).toBe(true);
    await vi.waitFor(
      () =>
        expect(bob.timeline.messagesOf(room).some((e) => textOf(e) === 'still here?')).toBe(true),
      { timeout: 5_000 },
    );
  });

  it('shows a file as failed, never an unhandled rejection, when storage breaks under a download', async () => {
    const hub = new MemoryHub();
    const alice = await h.memberOn(hub, 'Alice');
    // Bob's database closed under the files feature (as at a page's teardown or a broken disk).
    const bob = await h.memberOn(hub, 'Bob', {
      deps: {
        openFileStore: async () => {
          const store = await openIdbFileStore({ name: `broken-${crypto.randomUUID()}` });
          store.describe = () => Promise.reject(new DOMException('closed', 'InvalidStateError'));
          return store;
        },
      },
    });
    const { room } = await meetInRoom(alice, bob);
    await (await alice.files.load()).attach(room, [new File([patterned(3000, 5)], 'a.bin')]);
    await vi.waitFor(() => expect(fileBodies(bob, room)).toHaveLength(1), { timeout: 5_000 });
    const [body] = fileBodies(bob, room);
    if (!body) throw new Error('no file event');
    const bobFiles = await bob.files.load();
    await vi.waitFor(
      () =>
        expect(bobFiles.stateOf(body.sha256)).toMatchObject({ status: 'failed', error: 'storage' }),
      { timeout: 10_000 },
    );
    // Asking again goes through the same path and resolves.
    await expect(bobFiles.download(room, body)).resolves.toBeUndefined();
    expect(bobFiles.stateOf(body.sha256)?.status).toBe('failed');
  });
});
