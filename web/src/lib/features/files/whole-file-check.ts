/**
 * The whole-file check (DESIGN §9 "A false file message"): chunks and manifest prove only what a
 * message's root says, and a hostile member can pair a root of its own with another file's
 * SHA-256. So a download counts as done only once its stored bytes hash to the message's
 * SHA-256: hashed while the chunks arrived (chunk-checks.ts), or else read back; a false file is
 * deleted here. Other messages' descriptions of the same SHA-256 (other
 * roots) met while it is fetched are remembered, and one of them is fetched if it turns out false.
 * Part of transfers.ts, which owns the downloads.
 */
import { createLogger } from '../../log';
import type { RoomKey } from '../../protocol/ids';
import type { FileStore } from '../../storage/file-store';
import { hashFile } from './file-hashing';
import {
  isWanted,
  type Download,
  type FileMeta,
  type TransferState,
  type TransferStatus,
} from './transfer-model';

const log = createLogger('files');

/** Other descriptions of one SHA-256 remembered while it is fetched (a hostile member's flood). */
const MAX_OTHER_ROOTS = 8;

/** The SHA-256 (base64url) of a whole stored file: `hashFile`, in a Worker from 8 MiB. */
export async function hashWhole(file: Blob, chunkSize: number): Promise<string> {
  return (await hashFile(file, { chunkSize })).sha256;
}

/**
 * Another message describes the SHA-256 of `known` (not done) with other chunks: at most one of
 * them is true. True when `known` gives way (it is not being fetched); else the other is
 * remembered, to be tried if this one is false.
 */
export function givesWayToOtherRoot(known: Download, conv: RoomKey, meta: FileMeta): boolean {
  if (known.status === 'idle' || known.status === 'failed') return true;
  if (known.others.size < MAX_OTHER_ROOTS) known.others.set(meta.root, { conv, meta });
  return false;
}

/** What the whole-file check needs of transfers. */
export interface WholeFilePorts {
  store: Pick<FileStore, 'chunkBlobs' | 'deleteFile'>;
  /** The SHA-256 (base64url) of a whole stored file (default `hashWhole`). */
  wholeHash: (file: Blob, chunkSize: number) => Promise<string>;
  /** The download now kept for `sha256`, if any. */
  downloadOf(sha256: string): Download | undefined;
  /** Storing or reading failed: the download stops, failed. */
  fail(download: Download, error: unknown): void;
  /** Tells the app the download's state. */
  report(download: Download): void;
  /** Stops the download (its holders are told to cancel) with `status`. */
  stop(download: Download, status: TransferStatus, error?: TransferState['error']): void;
  /** Forgets the download of `sha256` and fetches another description of it instead. */
  fetchInstead(sha256: string, conv: RoomKey, meta: FileMeta): Promise<void>;
}

/**
 * Every chunk is stored: the file counts as done only once its bytes hash to the message's
 * SHA-256 (chunks and manifest only prove what the message's root says, and a hostile member
 * can pair a root of its own with another file's SHA-256). A false file is deleted here, and
 * another message's description of that SHA-256, if one came meanwhile, is fetched instead.
 */
export async function checkWhole(download: Download, ports: WholeFilePorts): Promise<void> {
  const { sha256, chunkSize } = download.meta;
  // Hashed while the chunks arrived (each checked against the manifest, as was each chunk
  // stored), unless that could not cover the file: then the stored file is read back.
  const checks = download.checks;
  download.checks = undefined;
  let isTrue: boolean;
  try {
    let whole = (await checks?.digest()) ?? null;
    if (whole === null) {
      const parts = await ports.store.chunkBlobs(sha256);
      whole = parts && (await ports.wholeHash(new Blob(parts), chunkSize));
    }
    isTrue = whole === sha256;
  } catch (error) {
    ports.fail(download, error);
    return;
  }
  if (ports.downloadOf(sha256) !== download || !isWanted(download)) return;
  if (isTrue) {
    download.status = 'done';
    ports.report(download);
    return;
  }
  log.warn('a file does not hash to its message’s SHA-256: deleted here', sha256);
  try {
    await ports.store.deleteFile(sha256);
  } catch (error) {
    log.warn('deleting a false file failed', error);
  }
  download.have.fill(0);
  download.doneBytes = 0;
  download.manifest = null;
  ports.stop(download, 'failed', 'mismatch');
  const next = download.others.values().next();
  if (!next.done) await ports.fetchInstead(sha256, next.value.conv, next.value.meta);
}
