import { afterEach, describe, expect, it } from 'vitest';
import { createIdentityKeys } from '../crypto/identity';
import { toBase64Url } from '../encoding';
import {
  fakeSign,
  fakeFingerprint,
  fakeRoomKey,
  makeConversation,
  makeEvent,
  makeMember,
} from '../testing/factories';
import type { SnapshotRecord } from './backup-store';
import type { StoredIdentity } from './chat-store';
import { isEmptyForRestore, readSnapshot, writeSnapshot } from './idb-backup';
import { createIdbFileStore } from './idb-files';
import { openParleyDb, type Db } from './idb-schema';
import type { SearchState } from './search-store';
import { openIdbStore, type IdbChatStore } from './idb-store';

const ALICE = fakeFingerprint(2);
const ROOM = fakeRoomKey(1);
const NOW = 1_700_000_000_000;

const opened: { close(): void }[] = [];
afterEach(() => {
  for (const handle of opened.splice(0)) handle.close();
});

async function identity(): Promise<StoredIdentity> {
  const keys = await createIdentityKeys();
  return { id: 'self', ...keys, name: 'Alice', color: '#336699', createdAt: 1_000 };
}

async function openDb(): Promise<Db> {
  const db = await openParleyDb(`backup-${crypto.randomUUID()}`);
  opened.push(db);
  return db;
}

async function storeOver(db: Db): Promise<IdbChatStore> {
  const store = await openIdbStore({ name: db.name });
  opened.push(store);
  return store;
}

async function collect(records: AsyncIterable<SnapshotRecord>): Promise<SnapshotRecord[]> {
  const out: SnapshotRecord[] = [];
  for await (const record of records) out.push(record);
  return out;
}

async function* replay(records: SnapshotRecord[]): AsyncGenerator<SnapshotRecord> {
  for (const record of records) {
    await Promise.resolve();
    yield record;
  }
}

/** Every row of the stores a backup copies, chunk Blobs as their bytes. */
async function rowsOf(db: Db) {
  const blobs = await db.getAll('blobs');
  return {
    conversations: await db.getAll('conversations'),
    events: await db.getAll('events'),
    contacts: await db.getAll('contacts'),
    settings: await db.getAll('settings'),
    files: await db.getAll('files'),
    blobs: await Promise.all(
      blobs.map(async (row) => ({ ...row, bytes: new Uint8Array(await row.bytes.arrayBuffer()) })),
    ),
  };
}

/** Bytes of chunk `index` of a test file (a pattern, so a swapped chunk shows). */
function chunkBytes(index: number, length: number): ArrayBuffer {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i + index * 7) & 0xff;
  return bytes.buffer;
}

/**
 * A store with a bit of everything: 1,200 events (more than a read batch), a tombstone, a
 * contact, settings of both sorts, a file of 40 chunks (more than a chunk batch), one after it
 * in key order with its one chunk (each file's chunk reads must stop at its end), one not
 * fetched at all.
 */
async function filledDb(self: StoredIdentity): Promise<Db> {
  const db = await openDb();
  const store = await storeOver(db);
  expect((await store.putIdentity(self)).ok).toBe(true);
  const member = makeMember({ fingerprint: ALICE });
  await store.putConversation(
    makeConversation({ id: ROOM, title: 'Family', members: { [ALICE]: member } }),
  );
  for (const word of ['one', 'two']) {
    const own = await store.appendOwnEvent({
      conv: ROOM,
      author: self.fingerprint,
      content: { kind: 'text', body: { text: word } },
      sign: fakeSign,
      nowMs: NOW,
    });
    expect(own.ok).toBe(true);
  }
  const received = Array.from({ length: 1200 }, (_, i) =>
    makeEvent({ conv: ROOM, author: ALICE, seq: i + 1, text: `from Alice ${i + 1}` }),
  );
  expect((await store.addEvents(received, NOW)).ok).toBe(true);
  expect((await store.markDisputed(ROOM, ALICE, 7)).ok).toBe(true);
  const contact = {
    fingerprint: fakeFingerprint(3),
    spki: toBase64Url(new Uint8Array(91).fill(3)),
    name: 'Bob',
    color: '#112233',
    conv: fakeRoomKey(3),
    addedAt: 2_000,
  };
  const direct = makeConversation({
    id: fakeRoomKey(3),
    kind: 'direct',
    contact: contact.fingerprint,
    title: 'Bob',
  });
  expect((await store.addContact(contact, direct)).ok).toBe(true);
  await store.putSetting('appSettings', {
    theme: 'dark',
    signalUrl: 'https://signal.example',
    hasAskedPersistence: true,
    notifications: true,
  });
  await store.putSetting('parley:files:auto-download-mb', 25);
  await store.putSetting('contactInvites', [{ secret: 'x' }]);
  await store.putSetting(`usedSeq:${fakeRoomKey(9)}`, { [self.fingerprint]: 4 });

  const files = createIdbFileStore(db);
  const sha = toBase64Url(new Uint8Array(32).fill(5));
  await files.describe(
    { sha256: sha, size: 40 * 16 - 3, mime: 'text/plain', chunkSize: 16, chunkCount: 40 },
    ROOM,
  );
  await files.setManifest(sha, new Uint8Array(40 * 32).fill(1).buffer);
  await files.putChunks(
    sha,
    Array.from({ length: 40 }, (_, index) => ({
      index,
      bytes: chunkBytes(index, index === 39 ? 13 : 16),
    })),
  );
  const small = toBase64Url(new Uint8Array(32).fill(6));
  await files.describe(
    { sha256: small, size: 16, mime: 'image/png', chunkSize: 16, chunkCount: 1 },
    ROOM,
  );
  await files.putChunks(small, [{ index: 0, bytes: chunkBytes(99, 16) }]);
  const notFetched = toBase64Url(new Uint8Array(32).fill(4));
  await files.describe(
    { sha256: notFetched, size: 10, mime: 'image/png', chunkSize: 16, chunkCount: 1 },
    ROOM,
  );
  return db;
}

describe('a store snapshot', () => {
  it('restores into an empty database row for row, device settings left behind', async () => {
    const self = await identity();
    const from = await filledDb(self);
    const records = await collect(readSnapshot(from, { includeFiles: true }));
    const kinds = records.map((record) => record.t);
    // Conversations before their events; each file before its chunks.
    expect(kinds.indexOf('event')).toBeGreaterThan(kinds.lastIndexOf('conversation'));
    expect(kinds.indexOf('chunk')).toBeGreaterThan(kinds.indexOf('file'));

    const to = await openDb();
    expect(await isEmptyForRestore(to)).toBe(true);
    await to.put('searchState', {
      key: 'build',
      version: 3,
      after: null,
      isDone: true,
      purging: [],
      marks: {},
    } satisfies SearchState);
    const { counts } = await writeSnapshot(to, replay(records), self);
    expect(counts).toEqual({
      conversation: 2,
      contact: 1,
      setting: 2,
      event: 1202,
      file: 3,
      chunk: 41,
    });
    expect(await isEmptyForRestore(to)).toBe(false);

    const [source, restored] = await Promise.all([rowsOf(from), rowsOf(to)]);
    expect(restored.conversations).toEqual(source.conversations);
    expect(restored.events).toEqual(source.events);
    expect(restored.events.filter((row) => 'gone' in row)).toEqual([
      { conv: ROOM, author: ALICE, seq: 7, gone: 'disputed' },
    ]);
    expect(restored.contacts).toEqual(source.contacts);
    expect(restored.blobs).toEqual(source.blobs);
    expect(restored.files.map(({ updatedAt: _u, ...file }) => file)).toEqual(
      source.files.map(({ updatedAt: _u, ...file }) => file),
    );
    expect(restored.settings).toEqual([
      { key: 'appSettings', value: { theme: 'dark', signalUrl: 'https://signal.example' } },
      { key: 'parley:files:auto-download-mb', value: 25 },
    ]);
    expect((await to.get('identity', 'self'))?.fingerprint).toBe(self.fingerprint);
    // The index is built again from the restored events.
    expect(await to.count('searchState')).toBe(0);
  });

  it('leaves files out without includeFiles, so the restored browser fetches them again', async () => {
    const self = await identity();
    const from = await filledDb(self);
    const records = await collect(readSnapshot(from, { includeFiles: false }));
    expect(records.some((record) => record.t === 'file' || record.t === 'chunk')).toBe(false);
    const to = await openDb();
    await writeSnapshot(to, replay(records), self);
    expect(await to.count('files')).toBe(0);
    expect(await to.count('blobs')).toBe(0);
    expect(await to.count('events')).toBe(1202);
  });

  it('marks a file as holding only the chunks it restored', async () => {
    const self = await identity();
    const sha256 = toBase64Url(new Uint8Array(32).fill(8));
    const claimsAll: SnapshotRecord = {
      t: 'file',
      value: {
        sha256,
        size: 20,
        mime: 'text/plain',
        chunkSize: 16,
        chunkCount: 2,
        manifest: null,
        have: toBase64Url(new Uint8Array([3])),
        storedBytes: 20,
        convs: [ROOM],
        updatedAt: 1,
        removedAt: 1,
      },
    };
    const to = await openDb();
    await writeSnapshot(
      to,
      replay([
        { t: 'conversation', value: makeConversation() },
        claimsAll,
        { t: 'chunk', sha256, index: 1, bytes: toBase64Url(new Uint8Array(4).fill(1)) },
      ]),
      self,
    );
    const file = await to.get('files', sha256);
    expect(file?.have).toEqual(new Uint8Array([2]));
    expect(file?.storedBytes).toBe(4);
    expect(file?.removedAt).toBeUndefined();
  });

  it('writes nothing over an identity, and empties what it wrote when a record does not fit', async () => {
    const self = await identity();
    const from = await filledDb(self);
    const records = await collect(readSnapshot(from, { includeFiles: true }));
    await expect(writeSnapshot(from, replay(records), self)).rejects.toThrow(/identity/);
    expect(await from.count('events')).toBe(1202);

    const to = await openDb();
    const stray: SnapshotRecord = {
      t: 'chunk',
      sha256: toBase64Url(new Uint8Array(32).fill(7)),
      index: 0,
      bytes: toBase64Url(new Uint8Array(4)),
    };
    await expect(writeSnapshot(to, replay([...records, stray]), self)).rejects.toThrow(/fit/);
    expect(await to.get('identity', 'self')).toBeUndefined();
    for (const name of [
      'conversations',
      'events',
      'contacts',
      'settings',
      'files',
      'blobs',
    ] as const) {
      expect(await to.count(name)).toBe(0);
    }
  });

  it('clears what a restore cut short left before writing again', async () => {
    const self = await identity();
    const to = await openDb();
    await to.put('conversations', makeConversation({ id: fakeRoomKey(4), title: 'Left over' }));
    expect(await isEmptyForRestore(to)).toBe(false);
    await writeSnapshot(to, replay([{ t: 'conversation', value: makeConversation() }]), self);
    expect((await to.getAll('conversations')).map((c) => c.id)).toEqual([fakeRoomKey(1)]);
  });
});
