/**
 * What a backup reads from and writes into the store (DESIGN §10 "Backup"): every record a
 * restored browser needs, as plain JSON-ready values. The IndexedDB adapter is
 * storage/idb-backup.ts, which backup opens on a connection of its own.
 */
import type { StoredEvent } from '../protocol/events';
import type { Contact, Conversation, StoredIdentity } from './chat-store';
import type { FileDescription } from './file-store';

/** A tombstone row of the events store (see idb-schema.ts EventTombstone). */
export interface SnapshotTombstone {
  conv: string;
  author: string;
  seq: number;
  gone: 'refused' | 'deleted' | 'disputed';
}

/** A file record with its binary fields as base64url. */
export interface SnapshotFile extends FileDescription {
  /** The chunks' SHA-256s in order, base64url, once known. */
  manifest: string | null;
  /** Bitmap of the chunks held, base64url. */
  have: string;
  storedBytes: number;
  convs: string[];
  updatedAt: number;
  removedAt?: number;
}

/** One record of a store snapshot. */
export type SnapshotRecord =
  | { t: 'conversation'; value: Conversation }
  | { t: 'event'; value: StoredEvent | SnapshotTombstone }
  | { t: 'contact'; value: Contact }
  | { t: 'setting'; value: { key: string; value: unknown } }
  | { t: 'file'; value: SnapshotFile }
  | { t: 'chunk'; sha256: string; index: number; bytes: string };

/**
 * Settings rows that belong to this browser, never to a backup (the keys are spelled here
 * because storage knows no feature; each names its owner):
 * - `usedSeq:<conv>` (storage/idb-events.ts): the highest seq our key used in a deleted room;
 *   a restored browser writes under a key of its own, so the old key's seqs mean nothing there.
 * - `contactInvites` (features/contacts/invites.svelte.ts): one-time invites this browser waits
 *   in; two browsers must not both answer one.
 * Not in `settings` at all, so never in a backup either: the search index (`searchDocs`,
 * `searchPostings`, `searchState`: the restored browser builds it again) and what lives in
 * localStorage/sessionStorage (theme, language, log level, peer session, outbox journal, the
 * network lock's tab state).
 */
export function isDeviceSetting(key: string): boolean {
  return key.startsWith('usedSeq:') || key === 'contactInvites';
}

/**
 * Fields of the `appSettings` row (features/settings/settings-rules.ts) that answer for this
 * browser only: whether it asked for persistent storage (a restored browser that inherited
 * `true` would never ask, and its data could be evicted) and whether it notifies (that needs
 * this browser's own permission, asked from Settings). The reader takes a missing field as its
 * default.
 */
const DEVICE_APP_SETTINGS = ['hasAskedPersistence', 'notifications'] as const;

/**
 * The setting as a backup carries it, or null when it stays with this browser: device rows
 * are left out, device fields of `appSettings` are dropped. Used when reading a snapshot and
 * again when writing one, so an older or foreign file cannot bring them in either.
 */
export function portableSetting(record: {
  key: string;
  value: unknown;
}): { key: string; value: unknown } | null {
  if (isDeviceSetting(record.key)) return null;
  const { value } = record;
  if (record.key !== 'appSettings' || typeof value !== 'object' || value === null) return record;
  const kept = Object.fromEntries(
    Object.entries(value).filter(
      ([field]) => !(DEVICE_APP_SETTINGS as readonly string[]).includes(field),
    ),
  );
  return { key: record.key, value: kept };
}

/** How many records of each kind (`t`) a restore wrote. */
export interface SnapshotCounts {
  /** Records written by kind; device settings left out are not counted. */
  counts: Record<string, number>;
}

/** The store's side of backup and restore. */
export interface BackupAccess {
  /** The database schema version the records come from. */
  readonly schemaVersion: number;
  /**
   * Every conversation, its events (tombstones too), contact and setting but this browser's
   * own (`portableSetting`), in that order, read in bounded batches (never a whole store in
   * memory). With `includeFiles`, then every file record, each followed by its chunks; without,
   * no file record at all: the restored browser knows the files from their messages and fetches
   * them from members like any file it never had. Not the identity (the caller's), nor the
   * search index (rebuilt after a restore).
   */
  readSnapshot(options: { includeFiles: boolean }): AsyncGenerator<SnapshotRecord>;
  /**
   * Writes records into a store without an identity (otherwise it throws before writing): first
   * clears what a restore cut short left, then writes in batches, then the identity last, with
   * the search index emptied so it is built again. A file's bitmap and byte count are set from
   * the chunks written, never taken from the file. On failure it empties what it wrote and
   * rethrows; a restore cut short (a closed tab) leaves no identity, so the app starts at
   * onboarding and Restore can run again (deleting the database first is as good).
   */
  writeSnapshot(
    records: AsyncIterable<SnapshotRecord>,
    identity: StoredIdentity,
  ): Promise<SnapshotCounts>;
  /** True when there is no identity and no conversation: a restore overwrites nothing. */
  isEmptyForRestore(): Promise<boolean>;
}
