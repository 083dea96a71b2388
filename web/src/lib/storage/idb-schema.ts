/**
 * The IndexedDB layout (DESIGN §10) and how it is opened, upgraded and deleted. Part of the
 * IndexedDB adapter (storage/idb-*.ts, the only modules that import `idb`).
 */
import {
  openDB,
  deleteDB,
  type DBSchema,
  type IDBPDatabase,
  type IDBPTransaction,
  type StoreNames,
} from 'idb';
import { createLogger } from '../log';
import type { StoredEvent } from '../protocol/events';
import type { Contact, Conversation, StoredIdentity } from './chat-store';
import type { FileRecord } from './file-store';
import type { SearchDoc, SearchState } from './search-store';

const log = createLogger('store');

/** Default database name. */
export const DEFAULT_DB_NAME = 'parley';

// Builds before per-conversation clocks kept one clock for all rooms under the settings key
// 'parley:hlc'; it is no longer read or written (each conversation record carries its own).

/** One row of the settings store. */
export interface SettingRecord {
  /** Setting name. */
  key: string;
  /** Any structured-cloneable value. */
  value: unknown;
}

/**
 * What stays of an event that was refused (over its author's budget), deleted by the person, or
 * disputed (its author signed another event with the same seq: domain/equivocation.ts):
 * its key, so it counts as held (the vector moves past it, sync does not bring it back) and is
 * never sent on. It has no clock, so the display-order index leaves it out.
 */
export interface EventTombstone {
  /** Conversation id. */
  conv: string;
  /** Author fingerprint. */
  author: string;
  /** The author's seq. */
  seq: number;
  /** Why it is gone. */
  gone: 'refused' | 'deleted' | 'disputed';
}

/** True for a tombstone row of the events store. */
export function isTombstone(row: StoredEvent | EventTombstone): row is EventTombstone {
  return 'gone' in row;
}

/** One row of the blobs store: a chunk of a file (storage/idb-files.ts). */
export interface BlobChunkRecord {
  /** SHA-256 of the whole file, base64url. */
  sha256: string;
  /** Chunk index within the file. */
  index: number;
  /**
   * The chunk's bytes, as a Blob: Chromium keeps it on disk, so a file made of its chunks
   * (saving, showing) is never read into memory whole.
   */
  bytes: Blob;
}

/** The database layout at the latest version. */
export interface ParleyDb extends DBSchema {
  /** The one identity record, id 'self'. */
  identity: { key: 'self'; value: StoredIdentity };
  /** Conversations by id, with an index for the list order. */
  conversations: { key: string; value: Conversation; indexes: { byLastActivity: number } };
  /**
   * Events by [conv, author, seq] (dedupe key), indexed in display order per conversation and,
   * for edits, reactions and deletions, by the message they change; and the tombstones of
   * refused and deleted ones (in neither index: they have no clock and no body).
   */
  events: {
    key: [string, string, number];
    value: StoredEvent | EventTombstone;
    indexes: { byConvOrder: [string, string, string, number]; byTarget: [string, string, number] };
  };
  /** App settings and internal state such as the clock. */
  settings: { key: string; value: SettingRecord };
  /** Saved contacts by fingerprint. */
  contacts: { key: string; value: Contact };
  /** File chunks by [sha256, index]. */
  blobs: { key: [string, number]; value: BlobChunkRecord };
  /** Per-file records by sha256 (chunks held, manifest), indexed by the conversations using them. */
  files: { key: string; value: FileRecord; indexes: { byConv: string } };
  /** The search index's record of each indexed message by [conv, author, seq] (search-store.ts). */
  searchDocs: { key: [string, string, number]; value: SearchDoc };
  /**
   * The search index's postings: keys [token, conv, hlc, author, seq] with no value to speak of,
   * so a word (or a word's prefix) is a key range, newest last within a conversation.
   */
  searchPostings: { key: [string, string, string, string, number]; value: 1 };
  /** The search index's own state (the background build's position) by key. */
  searchState: { key: string; value: SearchState };
}

/** An open Parley database. */
export type Db = IDBPDatabase<ParleyDb>;
type UpgradeTx = IDBPTransaction<ParleyDb, StoreNames<ParleyDb>[], 'versionchange'>;

/** One schema step; `MIGRATIONS[n]` upgrades a database from version n to n + 1. */
export type Migration = (db: Db, tx: UpgradeTx) => void;

/** Every schema step in order. Append new steps; never edit a released one. */
export const MIGRATIONS: readonly Migration[] = [
  // 0 → 1: the initial layout.
  (db) => {
    db.createObjectStore('identity', { keyPath: 'id' });
    const conversations = db.createObjectStore('conversations', { keyPath: 'id' });
    conversations.createIndex('byLastActivity', 'lastActivityAt');
    const events = db.createObjectStore('events', { keyPath: ['conv', 'author', 'seq'] });
    events.createIndex('byConvOrder', ['conv', 'hlc', 'author', 'seq']);
    db.createObjectStore('settings', { keyPath: 'key' });
    db.createObjectStore('contacts', { keyPath: 'fingerprint' });
    db.createObjectStore('blobs', { keyPath: ['sha256', 'index'] });
  },
  // 1 → 2: a record per file (the chunks stay in blobs), found by conversation.
  (db) => {
    const files = db.createObjectStore('files', { keyPath: 'sha256' });
    files.createIndex('byConv', 'convs', { multiEntry: true });
  },
  // 2 → 3: the search index (storage/idb-search.ts); built in the background from the events.
  (db) => {
    db.createObjectStore('searchDocs', { keyPath: ['conv', 'author', 'seq'] });
    db.createObjectStore('searchPostings');
    db.createObjectStore('searchState', { keyPath: 'key' });
  },
  // 3 → 4: edits, reactions and deletions by the message they change, so a view of history far
  // from the newest shows its messages as changed later (search-store.ts readChanges).
  (_db, tx) => {
    tx.objectStore('events').createIndex('byTarget', [
      'conv',
      'body.target.author',
      'body.target.seq',
    ]);
  },
];

/** The schema version this build opens. */
export const DB_VERSION = MIGRATIONS.length;

/**
 * Opens (creating or upgrading) the database `name`. When another tab asks for a newer schema,
 * this connection closes itself and calls `onVersionChange`.
 */
export function openParleyDb(name: string, onVersionChange?: () => void): Promise<Db> {
  return openDB<ParleyDb>(name, DB_VERSION, {
    upgrade(database, oldVersion, newVersion, tx) {
      const target = newVersion ?? DB_VERSION;
      log.info(`upgrading ${name} from v${oldVersion} to v${target}`);
      for (let version = oldVersion; version < target; version++) {
        const migrate = MIGRATIONS[version];
        if (!migrate) throw new Error(`no migration from v${version}`);
        migrate(database, tx);
      }
    },
    blocked(currentVersion, blockedVersion) {
      log.warn(
        `opening ${name} v${blockedVersion} waits for another tab to close v${currentVersion}`,
      );
    },
    blocking(currentVersion, blockedVersion, event) {
      // Another tab wants a newer schema: get out of its way (it cannot upgrade while we are open).
      log.warn(`closing ${name} v${currentVersion} so another tab can open v${blockedVersion}`);
      if (event.target instanceof IDBDatabase) event.target.close();
      onVersionChange?.();
    },
    terminated() {
      log.error(`the browser closed ${name} unexpectedly`);
    },
  });
}

/**
 * Deletes the whole database ("Delete all data"). Close every connection first: the deletion
 * waits for connections of other tabs, which close themselves through `blocking`/`onVersionChange`.
 */
export async function deleteIdbDatabase(name: string = DEFAULT_DB_NAME): Promise<void> {
  await deleteDB(name, {
    blocked() {
      log.warn(`deleting ${name} waits for another tab to close it`);
    },
  });
}
