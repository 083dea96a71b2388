import { describe, expect, it } from 'vitest';
import type { RoomKey } from '../protocol/ids';
import {
  dropSharedText,
  heldShareQuery,
  holdShareQuery,
  sendSharedTextTo,
  takeSharedText,
} from './share-target';
import { shareFromQuery, sharedText } from './share-query';
import {
  attachSharedFiles,
  forgetStaleSharedFiles,
  loadSharedFiles,
  SHARED_FILES,
  SHARED_FILES_MAX_AGE_MS,
  type FilesFeature,
  type SharedFilesStorage,
} from './shared-files';

const SHARE_ID = '0b7f3c1e-2d4a-4c8e-9f10-1a2b3c4d5e6f';
const ROOM = 'room-a' as RoomKey;

/** Cache Storage with one cache, in memory: what public/sw-share.js leaves behind. */
function makeCacheStorage(): SharedFilesStorage & { paths(): string[] } {
  const entries = new Map<string, Response>();
  const cache = {
    keys: () => Promise.resolve([...entries.keys()].map((url) => new Request(url))),
    match: (request: Request) => Promise.resolve(entries.get(request.url)?.clone()),
    put: (request: Request, response: Response) => {
      entries.set(request.url, response);
      return Promise.resolve();
    },
    delete: (request: Request) => Promise.resolve(entries.delete(request.url)),
  } as unknown as Cache;
  let isOpen = false;
  return {
    open: (name) => {
      expect(name).toBe(SHARED_FILES.cache);
      isOpen = true;
      return Promise.resolve(cache);
    },
    has: () => Promise.resolve(isOpen),
    paths: () => [...entries.keys()].map((url) => new URL(url).pathname).sort(),
  };
}

/** Keeps `files` as the service worker does. */
async function shareFiles(
  storage: SharedFilesStorage,
  files: File[],
  { id = SHARE_ID, sharedAtMs = Date.now() } = {},
): Promise<void> {
  const cache = await storage.open(SHARED_FILES.cache);
  await Promise.all(
    files.map((file, i) =>
      cache.put(
        new Request(`https://parley.example/shared/${id}/${i}`),
        new Response(file, {
          headers: {
            'Content-Type': file.type || 'application/octet-stream',
            [SHARED_FILES.nameHeader]: encodeURIComponent(file.name),
            [SHARED_FILES.sharedAtHeader]: String(sharedAtMs),
          },
        }),
      ),
    ),
  );
}

function makeFile(name: string, text = 'content', type = 'text/plain'): File {
  return new File([text], name, { type });
}

describe('sharedText', () => {
  it('puts the link after the text on its own line', () => {
    expect(
      sharedText('?share-title=T&share-text=Look+at+this&share-url=https%3A%2F%2Fa.example'),
    ).toBe('Look at this\nhttps://a.example');
  });

  it('keeps a link once when the text already has it', () => {
    expect(
      sharedText('?share-text=see+https%3A%2F%2Fa.example&share-url=https%3A%2F%2Fa.example'),
    ).toBe('see https://a.example');
  });

  it('falls back to the title, and gives nothing without a share', () => {
    expect(sharedText('?share-title=Only+a+title')).toBe('Only a title');
    expect(sharedText('')).toBe('');
    expect(sharedText('?other=1')).toBe('');
  });
});

describe('the held share', () => {
  it('goes once to the composer of the picked room only', () => {
    holdShareQuery('?share-text=hello');
    expect(shareFromQuery(heldShareQuery() ?? '')?.text).toBe('hello');
    expect(takeSharedText('room-a')).toBe('');
    sendSharedTextTo('room-a', 'hello');
    expect(heldShareQuery()).toBeNull();
    expect(takeSharedText('room-b')).toBe('');
    expect(takeSharedText('room-a')).toBe('hello');
    expect(takeSharedText('room-a')).toBe('');
  });

  it('is gone after Cancel', () => {
    holdShareQuery('?share-text=x');
    dropSharedText();
    expect(heldShareQuery()).toBeNull();
    expect(takeSharedText('room-a')).toBe('');
  });
});

describe('shareFromQuery', () => {
  it('takes the files id and the text together', () => {
    expect(shareFromQuery(`?share-files=${SHARE_ID}&share-text=Look`)).toEqual({
      text: 'Look',
      files: SHARE_ID,
      refused: null,
    });
  });

  it('keeps a share of files alone, and a refusal alone', () => {
    expect(shareFromQuery(`?share-files=${SHARE_ID}`)?.files).toBe(SHARE_ID);
    expect(shareFromQuery('?share-refused=too-many')).toEqual({
      text: '',
      files: null,
      refused: 'too-many',
    });
    expect(shareFromQuery('?share-refused=odd')?.refused).toBe('failed');
  });

  it('ignores a files id the service worker did not make, and no share at all', () => {
    expect(shareFromQuery('?share-files=..%2F..%2Fx')).toBeNull();
    expect(shareFromQuery('?share-files=..%2F..%2Fx&share-text=hi')?.files).toBeNull();
    expect(shareFromQuery('?action=new-room')).toBeNull();
  });

  it('is held until a conversation is picked', () => {
    holdShareQuery(`?share-files=${SHARE_ID}`);
    expect(shareFromQuery(heldShareQuery() ?? '')).toEqual({
      text: '',
      files: SHARE_ID,
      refused: null,
    });
    dropSharedText();
    expect(heldShareQuery()).toBeNull();
  });
});

describe('the shared files', () => {
  it('come back from the cache in order with their names and types', async () => {
    const storage = makeCacheStorage();
    const shared = Array.from({ length: 11 }, (_, i) => makeFile(`f${i}.txt`, `#${i}`));
    shared[1] = makeFile('Ünïcode & spaces %.pdf', 'pdf', 'application/pdf');
    await shareFiles(storage, shared);

    const files = await loadSharedFiles(SHARE_ID, storage);
    expect(files.map((f) => f.name)).toEqual(shared.map((f) => f.name));
    expect(files[1]?.type).toBe('application/pdf');
    expect(await files[10]?.text()).toBe('#10');
  });

  it('are none when the cache no longer holds the share', async () => {
    const storage = makeCacheStorage();
    await shareFiles(storage, [makeFile('other.txt')], { id: 'another-share' });
    expect(await loadSharedFiles(SHARE_ID, storage)).toEqual([]);
  });

  it('are attached to the picked room, then deleted from the cache', async () => {
    const storage = makeCacheStorage();
    await shareFiles(storage, [makeFile('a.jpg', 'jpg', 'image/jpeg'), makeFile('b.pdf')]);
    await shareFiles(storage, [makeFile('keep.txt')], { id: 'another-share' });
    const attached: { room: RoomKey; names: string[] }[] = [];
    const feature: FilesFeature = {
      load: () =>
        Promise.resolve({
          attach: (room, files) => {
            attached.push({ room, names: files.map((f) => f.name) });
            return Promise.resolve();
          },
        }),
    };

    const files = await loadSharedFiles(SHARE_ID, storage);
    await attachSharedFiles(ROOM, SHARE_ID, files, feature, storage);
    expect(attached).toEqual([{ room: ROOM, names: ['a.jpg', 'b.pdf'] }]);
    expect(storage.paths()).toEqual(['/shared/another-share/0']);
  });

  it('are deleted even when the files feature fails to load', async () => {
    const storage = makeCacheStorage();
    await shareFiles(storage, [makeFile('a.txt')]);
    const feature: FilesFeature = { load: () => Promise.reject(new Error('offline')) };
    await expect(
      attachSharedFiles(ROOM, SHARE_ID, await loadSharedFiles(SHARE_ID, storage), feature, storage),
    ).rejects.toThrow('offline');
    expect(storage.paths()).toEqual([]);
  });

  it('are dropped when never picked up for a day', async () => {
    const storage = makeCacheStorage();
    const nowMs = 1_800_000_000_000;
    await shareFiles(storage, [makeFile('old.txt')], {
      id: 'old',
      sharedAtMs: nowMs - SHARED_FILES_MAX_AGE_MS,
    });
    await shareFiles(storage, [makeFile('new.txt')], { id: 'new', sharedAtMs: nowMs - 1_000 });
    await forgetStaleSharedFiles(nowMs, storage);
    expect(storage.paths()).toEqual(['/shared/new/0']);
  });
});
