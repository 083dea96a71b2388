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

/** Settings that belong to this browser, never to a backup. */
export function isDeviceSetting(key: string): boolean {
  // usedSeq:<conv>: the highest seq our key used (a restored browser writes under a new key);
  // contactInvites: one-time invites this browser serves (two browsers must not both answer).
  return key.startsWith('usedSeq:') || key === 'contactInvites';
}

/** The store's side of backup and restore. */
export interface BackupAccess {
  /** The database schema version the records come from. */
  readonly schemaVersion: number;
  /**
   * Every conversation, event (tombstones too), contact and setting but this browser's own;
   * with `includeFiles`, every file record and chunk. Read in bounded batches.
   */
  readSnapshot(options: { includeFiles: boolean }): AsyncGenerator<SnapshotRecord>;
  /**
   * Writes records into an empty store in batches, then the identity last (a restore cut short
   * leaves no identity: the app starts at onboarding, and Restore can be tried again).
   */
  writeSnapshot(records: AsyncIterable<SnapshotRecord>, identity: StoredIdentity): Promise<void>;
}
