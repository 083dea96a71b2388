/** Reading backup files back in tests (features/backup). */
import { BackupError, readBackup, type BackupRecord } from '../features/backup/backup-file';

/** The passphrase the backup tests write with. */
export const TEST_PASSPHRASE = 'correct horse battery';

/** Every record of a backup file, in order (rejects as `readBackup` does). */
export async function readAll(file: Blob, passphrase = TEST_PASSPHRASE): Promise<BackupRecord[]> {
  const out: BackupRecord[] = [];
  for await (const record of readBackup(file, passphrase)) out.push(record);
  return out;
}

/** How `promise` ended: 'resolved', a BackupError's code, or "other: …". */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'resolved';
  } catch (error) {
    return error instanceof BackupError ? error.code : `other: ${String(error)}`;
  }
}
