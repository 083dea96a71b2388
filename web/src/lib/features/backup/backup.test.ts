import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createIdentityKeys } from '../../crypto/identity';
import { verifyDeviceChain } from '../../crypto/device';
import { toBase64Url } from '../../encoding';
import { openIdbFileStore } from '../../storage/idb-files';
import { openIdbStore, type IdbChatStore } from '../../storage/idb-store';
import type { StoredIdentity } from '../../storage/chat-store';
import type { SnapshotRecord } from '../../storage/backup-store';
import {
  fakeFingerprint,
  fakeSign,
  fakeRoomKey,
  makeConversation,
  makeEvent,
} from '../../testing/factories';
import { TEST_PASSPHRASE, codeOf, readAll } from '../../testing/backup-files';
import { textOf } from '../../domain/events';
import { backupIdentityOf, restoredIdentityOf } from './backup-identity';
import {
  BACKUP_FORMAT_VERSION,
  DEFAULT_KDF_ITERATIONS,
  writeBackup,
  type BackupRecord,
} from './backup-file';
import {
  checkBackup,
  checkPassphrases,
  exportBackup,
  openBackupAccess,
  writeRestore,
} from './backup';

const PASS = TEST_PASSPHRASE;

async function identity(): Promise<StoredIdentity> {
  const keys = await createIdentityKeys();
  return { id: 'self', ...keys, name: 'Alice', color: '#336699', createdAt: 1_000 };
}

function meta(identityPart: unknown = {}): BackupRecord {
  return { t: 'meta', app: 'parley', created: 1, schema: 3, identity: identityPart };
}

/** A file of several frames: many events, a chunk of binary bytes. */
async function bigBackup(): Promise<{ file: Blob; records: BackupRecord[] }> {
  const records: BackupRecord[] = [meta()];
  for (let seq = 1; seq <= 3000; seq++) {
    records.push({
      t: 'event',
      value: makeEvent({ seq, text: `message ${seq} ${'x'.repeat(400)}` }),
    });
  }
  const bytes = crypto.getRandomValues(new Uint8Array(65_536));
  const sha256 = toBase64Url(new Uint8Array(32).fill(3));
  records.push({
    t: 'file',
    value: {
      sha256,
      size: bytes.length,
      mime: 'application/octet-stream',
      chunkSize: 65_536,
      chunkCount: 1,
      manifest: null,
      have: toBase64Url(new Uint8Array([1])),
      storedBytes: bytes.length,
      convs: [fakeRoomKey(1)],
      updatedAt: 1,
    },
  });
  records.push({ t: 'chunk', sha256, index: 0, bytes: toBase64Url(bytes) });
  return { file: await writeBackup(records, PASS), records };
}

describe('the backup file', () => {
  it('gives back every record in order across frames, with the counts at the end', async () => {
    const { file, records } = await bigBackup();
    expect(file.size).toBeGreaterThan(2 << 20);
    const read = await readAll(file);
    expect(read.slice(0, -1)).toEqual(records);
    expect(read.at(-1)).toEqual({
      t: 'end',
      counts: { meta: 1, event: 3000, file: 1, chunk: 1 },
    });
  });

  it('holds nothing readable: no text of a record appears in the file', async () => {
    const file = await writeBackup([meta({ secret: 'the-room-secret-1234' })], PASS);
    const bytes = new TextDecoder().decode(await file.arrayBuffer());
    expect(bytes).toContain('PBKDF2-SHA-256');
    expect(bytes).not.toContain('the-room-secret-1234');
    expect(bytes).not.toContain('parley"');
  });

  it('says which of wrong passphrase, damaged, cut short, newer or not a backup', async () => {
    const { file } = await bigBackup();
    const bytes = new Uint8Array(await file.arrayBuffer());
    expect(await codeOf(readAll(file, 'wrong passphrase'))).toBe('wrong-passphrase');
    const flipped = bytes.slice();
    flipped[Math.floor(bytes.length / 2)]! ^= 1;
    expect(await codeOf(readAll(new Blob([flipped]), PASS))).toBe('damaged');
    // Cut inside a frame, and cut exactly after a frame (the last one dropped).
    expect(await codeOf(readAll(new Blob([bytes.slice(0, bytes.length - 100)])))).toBe('damaged');
    const firstFrameEnd = frameEnds(bytes)[0]!;
    expect(await codeOf(readAll(new Blob([bytes.slice(0, firstFrameEnd)])))).toBe('damaged');
    expect(await codeOf(readAll(new Blob([bytes, new Uint8Array([0, 0, 0, 0])])))).toBe('damaged');
    const headerEnd = 12 + new DataView(bytes.buffer).getUint32(8);
    const newer = new TextDecoder()
      .decode(bytes.slice(12, headerEnd))
      .replace('"format":1', '"format":2');
    const newerBytes = bytes.slice();
    newerBytes.set(new TextEncoder().encode(newer), 12);
    expect(await codeOf(readAll(new Blob([newerBytes])))).toBe('newer-version');
    expect(await codeOf(readAll(new Blob([crypto.getRandomValues(new Uint8Array(500))])))).toBe(
      'not-a-backup',
    );
    expect(await codeOf(readAll(new Blob([])))).toBe('not-a-backup');
  });

  it('derives its key with PBKDF2-SHA-256, 600,000 iterations and a 16-byte salt; refuses weaker', async () => {
    expect(DEFAULT_KDF_ITERATIONS).toBe(600_000);
    const file = await writeBackup([meta()], PASS);
    const header = headerOf(new Uint8Array(await file.arrayBuffer()));
    expect(header).toMatchObject({
      format: BACKUP_FORMAT_VERSION,
      kdf: { name: 'PBKDF2-SHA-256', iterations: 600_000 },
    });
    const other = headerOf(new Uint8Array(await (await writeBackup([meta()], PASS)).arrayBuffer()));
    expect(other.kdf.salt).not.toBe(header.kdf.salt);
    const weak = await writeBackup([meta()], PASS, { iterations: 1000 });
    expect(await codeOf(readAll(weak))).toBe('damaged');
  });

  it('refuses a record the app could not hold, even under the right passphrase', async () => {
    const bad = await writeBackup(
      [meta(), { t: 'event', value: { ...makeEvent(), seq: -1 } }],
      PASS,
    );
    expect(await codeOf(readAll(bad))).toBe('damaged');
    const noMeta = await writeBackup([{ t: 'event', value: makeEvent() }], PASS);
    expect(await codeOf(readAll(noMeta))).toBe('damaged');
  });
});

function headerOf(bytes: Uint8Array): {
  format: number;
  kdf: { iterations: number; salt: string };
} {
  const length = new DataView(bytes.buffer).getUint32(8);
  return JSON.parse(new TextDecoder().decode(bytes.slice(12, 12 + length))) as ReturnType<
    typeof headerOf
  >;
}

function frameEnds(bytes: Uint8Array): number[] {
  const view = new DataView(bytes.buffer);
  let offset = 12 + view.getUint32(8);
  const ends: number[] = [];
  while (offset < bytes.length) {
    offset += 4 + view.getUint32(offset);
    ends.push(offset);
  }
  return ends;
}

describe('passphrases', () => {
  it('need 8 characters and the same twice', () => {
    expect(checkPassphrases('short', 'short')).toBe('backup.passphraseTooShort');
    expect(checkPassphrases('long enough', 'long enougH')).toBe('backup.passphraseMismatch');
    expect(checkPassphrases('密码短语很长很长', '密码短语很长很长')).toBeNull();
  });
});

describe('the identity in a backup', () => {
  it('is a new device key that leads back to the identity', async () => {
    const alice = await identity();
    const part = await backupIdentityOf(alice);
    const restored = await restoredIdentityOf(part);
    expect(restored).not.toBeNull();
    expect(restored!.fingerprint).not.toBe(alice.fingerprint);
    expect(restored!.earlierKeys).toEqual([alice.fingerprint]);
    expect(restored!.privateKey.extractable).toBe(false);
    expect((await verifyDeviceChain(restored!.devices!, restored!.spki))?.fingerprint).toBe(
      alice.fingerprint,
    );
    // A backup of the restored browser extends the chain.
    const again = await restoredIdentityOf(await backupIdentityOf(restored!));
    expect(again!.earlierKeys).toEqual([alice.fingerprint, restored!.fingerprint]);
  });

  it('is refused when its parts do not hold together', async () => {
    const alice = await identity();
    const part = await backupIdentityOf(alice);
    expect(await restoredIdentityOf({ ...part, earlierKeys: [fakeFingerprint(9)] })).toBeNull();
    const other = await backupIdentityOf(alice);
    expect(await restoredIdentityOf({ ...part, device: other.device })).toBeNull();
    expect(await restoredIdentityOf({ ...part, devices: [] })).toBeNull();
    expect(await restoredIdentityOf('nonsense')).toBeNull();
  });
});

describe('export and restore through the store', () => {
  const names: string[] = [];
  const stores: IdbChatStore[] = [];
  let alice: StoredIdentity;

  async function open(name: string): Promise<IdbChatStore> {
    names.push(name);
    const store = await openIdbStore({ name });
    stores.push(store);
    return store;
  }

  beforeEach(async () => {
    alice = await identity();
  });
  afterEach(() => {
    for (const store of stores.splice(0)) store.close();
  });

  it('restores conversations, events, tombstones, contacts, settings and files into a new store', async () => {
    const from = await open(`backup-from-${crypto.randomUUID()}`);
    await from.putIdentity(alice);
    const room = fakeRoomKey(1);
    await from.putConversation(makeConversation({ id: room, title: 'Family', sentUpTo: 5 }));
    for (const word of ['one', 'two', 'three']) {
      const stored = await from.appendOwnEvent({
        conv: room,
        author: alice.fingerprint,
        content: { kind: 'text', body: { text: word } },
        sign: fakeSign,
        nowMs: 1_700_000_000_000,
      });
      expect(stored.ok).toBe(true);
    }
    await from.putSetting('appSettings', { theme: 'dark' });
    await from.putSetting('contactInvites', [{ secret: 'x' }]);
    await from.putSetting(`usedSeq:${room}`, { [alice.fingerprint]: 3 });
    const files = await openIdbFileStore({ name: names[0] });
    const sha = toBase64Url(new Uint8Array(32).fill(5));
    await files.describe(
      { sha256: sha, size: 10, mime: 'text/plain', chunkSize: 65_536, chunkCount: 1 },
      room,
    );
    await files.putChunks(sha, [
      { index: 0, bytes: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]).buffer },
    ]);
    files.close();

    const access = await openBackupAccess(names[0]);
    const snapshot: SnapshotRecord[] = [];
    for await (const record of access.readSnapshot({ includeFiles: false })) snapshot.push(record);
    expect(snapshot.some((r) => r.t === 'file' || r.t === 'chunk')).toBe(false);

    const file = await exportBackup({ identity: alice, access }, PASS, { includeFiles: true });
    const checked = await checkBackup(file, PASS);
    expect(checked.counts).toMatchObject({
      meta: 1,
      conversation: 1,
      event: 3,
      setting: 1,
      file: 1,
      chunk: 1,
    });

    const to = await open(`backup-to-${crypto.randomUUID()}`);
    await writeRestore(file, PASS, checked, { dbName: names[1] });
    const restored = await to.getIdentity();
    expect(restored?.fingerprint).toBe(checked.identity.fingerprint);
    expect(restored?.earlierKeys).toEqual([alice.fingerprint]);
    const conversation = await to.getConversation(room);
    expect(conversation?.title).toBe('Family');
    expect(conversation?.sentUpTo).toBeUndefined();
    const events = await to.listEvents(room);
    expect(events.map((e) => textOf(e))).toEqual(['one', 'two', 'three']);
    expect(await to.getSetting('appSettings')).toEqual({ theme: 'dark' });
    expect(await to.getSetting('contactInvites')).toBeUndefined();
    expect(await to.getSetting(`usedSeq:${room}`)).toBeUndefined();
    const toFiles = await openIdbFileStore({ name: names[1] });
    expect(new Uint8Array((await toFiles.getChunk(sha, 0))!)).toEqual(
      new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]),
    );
    toFiles.close();
  });

  it('writes nothing for a wrong passphrase or a damaged file', async () => {
    const from = await open(`backup-from-${crypto.randomUUID()}`);
    await from.putIdentity(alice);
    await from.putConversation(makeConversation({ title: 'Kept out' }));
    const file = await exportBackup(
      { identity: alice, access: await openBackupAccess(names.at(-1)) },
      PASS,
      {
        includeFiles: false,
      },
    );
    expect(await codeOf(checkBackup(file, 'not the passphrase'))).toBe('wrong-passphrase');
    const bytes = new Uint8Array(await file.arrayBuffer());
    expect(await codeOf(checkBackup(new Blob([bytes.slice(0, -5)]), PASS))).toBe('damaged');
  });
});
