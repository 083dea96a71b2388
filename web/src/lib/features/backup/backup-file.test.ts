import { describe, expect, it } from 'vitest';
import * as v from 'valibot';
import { fromBase64Url, toBase64Url } from '../../encoding';
import {
  fakeFingerprint,
  fakeRoomKey,
  makeConversation,
  makeEvent,
  makeMember,
} from '../../testing/factories';
import { TEST_PASSPHRASE, codeOf, readAll } from '../../testing/backup-files';
import type { SnapshotFile } from '../../storage/backup-store';
import {
  DEFAULT_KDF_ITERATIONS,
  MAX_FRAME_BYTES,
  deriveBackupKey,
  writeBackup,
  type BackupRecord,
} from './backup-file';
import { backupRecordSchema, recordSequence } from './backup-records';

// Every write and read here derives a key at 600,000 iterations (~0.1–0.5 s): the reader's
// bound is not loosened for tests, so the cases share files where they can.

const PASS = TEST_PASSPHRASE;
const META: BackupRecord = { t: 'meta', app: 'parley', created: 1, schema: 3, identity: {} };

async function bytesOf(file: Blob): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await file.arrayBuffer());
}

/** The file's parts: header JSON text and each frame (length prefix included). */
function partsOf(bytes: Uint8Array<ArrayBuffer>): {
  header: string;
  frames: Uint8Array<ArrayBuffer>[];
} {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerEnd = 12 + view.getUint32(8);
  const frames: Uint8Array<ArrayBuffer>[] = [];
  for (let offset = headerEnd; offset < bytes.length;) {
    const end = offset + 4 + view.getUint32(offset);
    frames.push(bytes.slice(offset, end));
    offset = end;
  }
  return { header: new TextDecoder().decode(bytes.slice(12, headerEnd)), frames };
}

/** A file of `header` (its length prefix set anew) and `frames`. */
function fileOf(header: string, frames: Uint8Array<ArrayBuffer>[]): Blob {
  const headerBytes = new TextEncoder().encode(header);
  const length = new Uint8Array(4);
  new DataView(length.buffer).setUint32(0, headerBytes.length);
  return new Blob([new TextEncoder().encode('PARLEYBK'), length, headerBytes, ...frames]);
}

function fileRecord(o: Partial<SnapshotFile> = {}): BackupRecord {
  return {
    t: 'file',
    value: {
      sha256: toBase64Url(new Uint8Array(32).fill(9)),
      size: 100_000,
      mime: 'image/png',
      chunkSize: 65_536,
      chunkCount: 2,
      manifest: toBase64Url(new Uint8Array(64).fill(1)),
      have: toBase64Url(new Uint8Array([3])),
      storedBytes: 100_000,
      convs: [fakeRoomKey(1)],
      updatedAt: 5,
      ...o,
    },
  };
}

function chunk(index: number, length: number): BackupRecord {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + index) & 0xff;
  return {
    t: 'chunk',
    sha256: toBase64Url(new Uint8Array(32).fill(9)),
    index,
    bytes: toBase64Url(bytes),
  };
}

describe('the backup file format', () => {
  it('keeps records whole across many frames, binary chunks byte for byte', async () => {
    const records: BackupRecord[] = [META, { t: 'conversation', value: makeConversation() }];
    for (let seq = 1; seq <= 5000; seq++) {
      records.push({ t: 'event', value: makeEvent({ seq, text: `${seq} ${'é'.repeat(300)}` }) });
    }
    records.push(fileRecord(), chunk(0, 65_536), chunk(1, 100_000 - 65_536));
    const file = await writeBackup(records, PASS);
    const { frames } = partsOf(await bytesOf(file));
    expect(frames.length).toBeGreaterThanOrEqual(3);
    const read = await readAll(file);
    expect(read.slice(0, -1)).toEqual(records);
    expect(read.at(-1)).toEqual({
      t: 'end',
      counts: { meta: 1, conversation: 1, event: 5000, file: 1, chunk: 2 },
    });
    const last = read.at(-2);
    expect(last?.t === 'chunk' && fromBase64Url(last.bytes)[7]).toBe((7 * 31 + 1) & 0xff);

    // The same file, tampered with in the ways a disk, a transfer or a person could.
    const bytes = await bytesOf(file);
    const { header, frames: parts } = partsOf(bytes);
    const [first, second, ...rest] = parts;
    expect(await codeOf(readAll(fileOf(header, [first!, ...rest, second!])))).toBe('damaged');
    expect(await codeOf(readAll(fileOf(header, parts.slice(0, -1))))).toBe('damaged');
    const middle = parts.map((part) => part.slice());
    middle[1]![100]! ^= 0x01;
    expect(await codeOf(readAll(fileOf(header, middle)))).toBe('damaged');
    expect(await codeOf(readAll(new Blob([bytes.slice(0, bytes.length - 1)])))).toBe('damaged');
    const bigLength = parts.map((part) => part.slice());
    new DataView(bigLength[1]!.buffer).setUint32(0, 0xfffffff0);
    expect(await codeOf(readAll(fileOf(header, bigLength)))).toBe('damaged');
    // A header changed where the key does not see it: every frame's additional data does.
    expect(await codeOf(readAll(fileOf(header.replace('"created":', '"created":1'), parts)))).toBe(
      'damaged',
    );
  });

  it('tells a wrong passphrase from a damaged first frame', async () => {
    const file = await writeBackup([META], PASS);
    expect(await codeOf(readAll(file, 'Correct horse battery'))).toBe('wrong-passphrase');
    const { header, frames } = partsOf(await bytesOf(file));
    const flipped = frames[0]!.slice();
    flipped[10]! ^= 0x80;
    expect(await codeOf(readAll(fileOf(header, [flipped]), PASS))).toBe('damaged');
    // The same passphrase, spelled with a combining accent, opens it (NFC).
    const accented = await writeBackup([META], 'caf\u00e9 passphrase');
    expect(await readAll(accented, 'cafe\u0301 passphrase')).toHaveLength(2);
  });

  it('derives a non-extractable AES-256-GCM key by PBKDF2-SHA-256 with a fresh 16-byte salt', async () => {
    expect(DEFAULT_KDF_ITERATIONS).toBe(600_000);
    const [a, b] = await Promise.all([writeBackup([META], PASS), writeBackup([META], PASS)]);
    const headerA = JSON.parse(partsOf(await bytesOf(a)).header) as {
      format: number;
      kdf: { name: string; iterations: number; salt: string };
      iv: string;
    };
    const headerB = JSON.parse(partsOf(await bytesOf(b)).header) as typeof headerA;
    expect(headerA.format).toBe(1);
    expect(headerA.kdf.name).toBe('PBKDF2-SHA-256');
    expect(headerA.kdf.iterations).toBe(600_000);
    expect(fromBase64Url(headerA.kdf.salt)).toHaveLength(16);
    expect(fromBase64Url(headerA.iv)).toHaveLength(8);
    expect(headerB.kdf.salt).not.toBe(headerA.kdf.salt);
    expect(headerB.iv).not.toBe(headerA.iv);
    const key = await deriveBackupKey(PASS, {
      name: 'PBKDF2-SHA-256',
      iterations: 600_000,
      salt: headerA.kdf.salt,
    });
    expect(key.algorithm).toEqual({ name: 'AES-GCM', length: 256 });
    expect(key.extractable).toBe(false);
    expect(new Set(key.usages)).toEqual(new Set(['encrypt', 'decrypt']));
  });

  it('refuses a header it must not trust, before deriving anything', async () => {
    const file = await writeBackup([META], PASS);
    const { header, frames } = partsOf(await bytesOf(file));
    const edited = (from: string, to: string) => fileOf(header.replace(from, to), frames);
    expect(await codeOf(readAll(edited('"iterations":600000', '"iterations":599999')))).toBe(
      'damaged',
    );
    expect(await codeOf(readAll(edited('"iterations":600000', '"iterations":10000001')))).toBe(
      'damaged',
    );
    expect(await codeOf(readAll(edited('"format":1', '"format":2')))).toBe('newer-version');
    expect(await codeOf(readAll(edited('"format":1', '"formax":1')))).toBe('not-a-backup');
    expect(await codeOf(readAll(fileOf('{"format":1', frames)))).toBe('not-a-backup');
    expect(await codeOf(readAll(fileOf(`{"pad":"${'x'.repeat(5000)}"}`, frames)))).toBe(
      'not-a-backup',
    );
    const random = crypto.getRandomValues(new Uint8Array(2000));
    expect(await codeOf(readAll(new Blob([random])))).toBe('not-a-backup');
    expect(await codeOf(readAll(new Blob([new TextEncoder().encode('PARLEYBK')])))).toBe(
      'not-a-backup',
    );
  });

  it('refuses, under the right passphrase, a record the app could not hold or out of place', async () => {
    const files: BackupRecord[][] = [
      [META, { t: 'event', value: { ...makeEvent(), hlc: 'yesterday' } }],
      [META, chunk(0, 65_536)],
      [{ t: 'conversation', value: makeConversation() }, META],
      [],
    ];
    const codes = await Promise.all(
      files.map(async (records) => codeOf(readAll(await writeBackup(records, PASS)))),
    );
    expect(codes).toEqual(files.map(() => 'damaged'));
  });
});

describe('backup records', () => {
  const isValid = (record: unknown) => v.safeParse(backupRecordSchema, record).success;

  it('take what the store holds and refuse what the app would trip on', () => {
    const member = makeMember({ fingerprint: fakeFingerprint(2) });
    const good = makeConversation({ members: { [fakeFingerprint(2)]: member } });
    expect(isValid({ t: 'conversation', value: good })).toBe(true);
    expect(isValid(fileRecord())).toBe(true);
    expect(isValid({ t: 'event', value: makeEvent() })).toBe(true);
    const tombstone = { conv: fakeRoomKey(1), author: fakeFingerprint(1), seq: 2, gone: 'deleted' };
    expect(isValid({ t: 'event', value: tombstone })).toBe(true);

    expect(isValid({ t: 'conversation', value: { ...good, id: 'not a room key' } })).toBe(false);
    expect(isValid({ t: 'conversation', value: { ...good, unread: -1 } })).toBe(false);
    const misfiled = { ...good, members: { [fakeFingerprint(3)]: member } };
    expect(isValid({ t: 'conversation', value: misfiled })).toBe(false);
    expect(isValid({ t: 'event', value: { ...makeEvent(), seq: 0 } })).toBe(false);
    expect(isValid({ t: 'event', value: { ...tombstone, gone: 'lost' } })).toBe(false);
    expect(isValid(fileRecord({ have: toBase64Url(new Uint8Array(2)) }))).toBe(false);
    expect(isValid(fileRecord({ manifest: toBase64Url(new Uint8Array(32)) }))).toBe(false);
    expect(isValid(fileRecord({ chunkCount: 3 }))).toBe(false);
    expect(isValid(fileRecord({ storedBytes: 100_001 }))).toBe(false);
    expect(isValid({ ...chunk(0, 10), bytes: 'not base64url!' })).toBe(false);
    expect(isValid({ t: 'contact', value: { fingerprint: 'x' } })).toBe(false);
    expect(isValid({ t: 'surprise' })).toBe(false);
  });

  it('put each chunk after its file, inside it, at its exact length, once', () => {
    const accepted = (records: BackupRecord[]) => {
      const sequence = recordSequence();
      return records.map((record) => sequence.accepts(record));
    };
    expect(accepted([fileRecord(), chunk(1, 100_000 - 65_536), chunk(0, 65_536)])).toEqual([
      true,
      true,
      true,
    ]);
    expect(accepted([chunk(0, 65_536), fileRecord()])).toEqual([false, true]);
    expect(accepted([fileRecord(), chunk(2, 10)])).toEqual([true, false]);
    expect(accepted([fileRecord(), chunk(1, 65_536)])).toEqual([true, false]);
    expect(accepted([fileRecord(), chunk(0, 65_536), chunk(0, 65_536)])).toEqual([
      true,
      true,
      false,
    ]);
    expect(accepted([fileRecord(), fileRecord()])).toEqual([true, false]);
  });
});

describe('the backup writer', () => {
  it('refuses to write a frame the reader would refuse', async () => {
    const huge: BackupRecord = {
      t: 'setting',
      value: { key: 'huge', value: 'x'.repeat(MAX_FRAME_BYTES) },
    };
    await expect(writeBackup([META, huge], PASS)).rejects.toThrow(RangeError);
  });
});
