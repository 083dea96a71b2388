/**
 * Backup and restore (DESIGN §10 "Backup"), loaded on demand from Settings and the first screen.
 * Export: a new device key for the restored browser (backup-identity.ts), then every record of
 * the store, encrypted into one file (backup-file.ts). Restore reads the file twice: the first
 * pass checks everything (passphrase, every frame, every record, the identity) and writes
 * nothing, so a wrong passphrase or a damaged file changes nothing; the second writes.
 */
import type { Kernel } from '../../kernel/kernel.svelte';
import type { Conversation, StoredIdentity } from '../../storage/chat-store';
import type { BackupAccess, SnapshotRecord } from '../../storage/backup-store';
import { openIdbBackup } from '../../storage/idb-backup';
import { backupIdentityOf, restoredIdentityOf } from './backup-identity';
import { BackupError, readBackup, writeBackup, type BackupRecord } from './backup-file';

/** Shortest passphrase accepted for a new backup. */
export const MIN_PASSPHRASE_CHARS = 8;

/** Why a passphrase pair cannot be used for a new backup (string keys of the catalog). */
export function checkPassphrases(
  passphrase: string,
  confirm: string,
): 'backup.passphraseTooShort' | 'backup.passphraseMismatch' | null {
  if ([...passphrase].length < MIN_PASSPHRASE_CHARS) return 'backup.passphraseTooShort';
  if (passphrase !== confirm) return 'backup.passphraseMismatch';
  return null;
}

/** The name a backup is saved under: parley-backup-<name>-YYYY-MM-DD.parley. */
export function backupFileName(now = new Date()): string {
  const day = `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`;
  return `parley-backup-${day}.parley`;
}

/**
 * Hands the backup to the browser's download (so its own download UI shows it). Export
 * conversation has its own twin: sharing one would split a chunk off the first screen's map.
 */
export function saveBackupFile(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = Object.assign(document.createElement('a'), { href: url, download: fileName });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** What is needed to export: the identity and the store's records. */
export interface ExportSource {
  identity: StoredIdentity;
  access: BackupAccess;
}

/** Makes the encrypted backup file's bytes. */
export async function exportBackup(
  source: ExportSource,
  passphrase: string,
  options: { includeFiles: boolean; now?: number },
): Promise<Blob> {
  const identity = await backupIdentityOf(source.identity);
  async function* records(): AsyncGenerator<BackupRecord> {
    yield {
      t: 'meta',
      app: 'parley',
      created: options.now ?? Date.now(),
      schema: source.access.schemaVersion,
      identity,
    };
    yield* source.access.readSnapshot({ includeFiles: options.includeFiles });
  }
  return writeBackup(records(), passphrase);
}

/** A backup that passed every check, ready to restore. */
export interface CheckedBackup {
  /** The identity the restored browser will be (a new device of it). */
  identity: StoredIdentity;
  /** How many records of each kind it holds. */
  counts: Record<string, number>;
}

/**
 * Reads the whole file without writing anything: rejects with a BackupError when the passphrase
 * is wrong, the file is not a backup, is damaged or comes from a newer version.
 */
export async function checkBackup(
  file: Blob,
  passphrase: string,
  onProgress?: (done: number, total: number) => void,
): Promise<CheckedBackup> {
  let identity: StoredIdentity | null = null;
  const counts: Record<string, number> = {};
  for await (const record of readBackup(file, passphrase, { onProgress })) {
    if (record.t === 'meta') {
      identity = await restoredIdentityOf(record.identity);
      if (!identity) throw new BackupError('damaged');
    }
    counts[record.t] = (counts[record.t] ?? 0) + 1;
  }
  if (!identity) throw new BackupError('damaged');
  return { identity, counts };
}

/**
 * Writes a checked backup into the store (empty: onboarding, or just wiped) and saves
 * its identity last, so a restore cut short leaves no identity and the app starts at
 * onboarding again. The caller reloads the page afterwards.
 */
export async function writeRestore(
  file: Blob,
  passphrase: string,
  checked: CheckedBackup,
  options: { onProgress?: (done: number, total: number) => void; dbName?: string } = {},
): Promise<void> {
  const { onProgress } = options;
  const access = await openBackupAccess(options.dbName);
  async function* records(): AsyncGenerator<SnapshotRecord> {
    for await (const record of readBackup(file, passphrase, { onProgress })) {
      if (record.t === 'meta' || record.t === 'end') continue;
      if (record.t === 'conversation') {
        // What was sent is counted in our own seqs, and this browser writes under a new key.
        const { sentUpTo: _sent, ...value } = record.value;
        yield { ...record, value: { ...value, members: withEarlierKeys(value.members, checked) } };
        continue;
      }
      yield record;
    }
  }
  try {
    await access.writeSnapshot(records(), checked.identity);
  } finally {
    access.close();
  }
}

/**
 * The store's backup side on a connection of its own (storage/idb-backup.ts; the feature loads
 * it itself so the first screen carries nothing of it). `name`: another database (tests).
 */
export async function openBackupAccess(name?: string): Promise<BackupAccess & { close(): void }> {
  return openIdbBackup(name);
}

/**
 * Restores over this browser's identity (the person confirmed): deletes everything here, opens
 * the empty store again, writes the backup and starts the page again. On failure the app is at
 * its first screen, where Restore from backup can run again, and a notice says why.
 */
export async function replaceWithBackup(
  kernel: Kernel,
  file: Blob,
  passphrase: string,
  checked: CheckedBackup,
): Promise<void> {
  try {
    if (!(await kernel.deleteAllData())) return;
    await kernel.init();
    await writeRestore(file, passphrase, checked);
    location.replace('/');
  } catch (error) {
    kernel.notices.show({
      key: 'backup.restoreFailed',
      params: { reason: error instanceof Error ? error.message : String(error) },
    });
  }
}

/**
 * A conversation's members with the keys this person wrote under before (the browser it came
 * from, and so on): named as the person, so what they wrote there shows as ours here.
 */
function withEarlierKeys(
  members: Conversation['members'],
  checked: CheckedBackup,
): Conversation['members'] {
  const { identity } = checked;
  const next = { ...members };
  identity.earlierKeys?.forEach((fingerprint, i) => {
    const spki = identity.devices?.[i]?.issuer;
    if (next[fingerprint] || !spki) return;
    next[fingerprint] = {
      fingerprint,
      spki,
      name: identity.name,
      color: identity.color,
      lastSeenAt: 0,
    };
  });
  return next;
}
