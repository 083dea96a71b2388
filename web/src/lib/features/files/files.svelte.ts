/**
 * Files, images and voice messages (DESIGN §9), as the rest of the app uses them: attaching
 * (hash, store, then send the `file` event), fetching what members send (automatically up to the
 * auto-download size), saving, showing, and freeing space. Loaded on demand (file-links.svelte.ts).
 */
import type { Kernel } from '../../kernel/kernel.svelte';
import { createLogger } from '../../log';
import type { MeshPeer } from '../../net/room-mesh';
import { isKnownEvent } from '../../domain/events';
import type { EventContent, FileBody, StoredEvent } from '../../protocol/events';
import type { RoomKey } from '../../protocol/ids';
import { MAX_FILE_BYTES } from '../../protocol/file-limits';
import type { FileStore } from '../../storage/file-store';
import { StorageFullError } from '../../storage/file-store';
import { chunkSizeFor } from './chunk-plan';
import { hashFile, storeFile } from './file-hashing';
import { makePreview, imageSize } from './previews';
import { Transfers, type TransferState } from './transfers';
import { safeFileName } from '../../domain/file-names';

const log = createLogger('files');

/** Images shown inline (anything else, SVG and HTML included, is only offered as a download). */
// eslint-disable-next-line svelte/prefer-svelte-reactivity -- a constant
export const INLINE_IMAGE_TYPES: ReadonlySet<string> = new Set([
  'image/png',
  'image/jpeg',
  'image/webp',
  'image/gif',
]);

/** The settings key of the auto-download size (MB). */
const AUTO_DOWNLOAD_KEY = 'parley:files:auto-download-mb';
/** Files up to this many MB are fetched by default as soon as their message arrives. */
export const DEFAULT_AUTO_DOWNLOAD_MB = 25;
/** The largest auto-download size Settings takes, in MB. */
export const MAX_AUTO_DOWNLOAD_MB = 4096;

/** Whether a value is an auto-download size Settings takes (whole MB, 0 for never). */
export function isAutoDownloadMb(value: unknown): value is number {
  return (
    Number.isInteger(value) && (value as number) >= 0 && (value as number) <= MAX_AUTO_DOWNLOAD_MB
  );
}

/** A file being prepared for sending (hashed and stored) before its message goes out. */
export interface Preparing {
  id: number;
  room: RoomKey;
  name: string;
  size: number;
  doneBytes: number;
  /** Why it stopped, if it did. */
  error?: 'too-large' | 'storage-full' | 'failed';
  abort: AbortController;
}

/** What the feature needs from the app. */
export interface FilesDeps {
  store: FileStore;
  /** Queues an event of ours in a room (the outbox). */
  say(room: RoomKey, content: EventContent): Promise<boolean>;
}

/** Files in every conversation of this tab. */
export class Files {
  #kernel: Kernel;
  #deps: FilesDeps;
  #transfers: Transfers | null = null;
  /** Per file, where it stands (replaced whole on change: SvelteMap would add to the first screen). */
  #states = $state.raw<Readonly<Record<string, TransferState>>>({});
  /** Files whose chunks were deleted here ("Removed from this device"). */
  #removed = $state.raw<Readonly<Record<string, true>>>({});
  /** Files up to this many MB are fetched as soon as their message arrives (Settings → Files). */
  #autoDownloadMb = $state(DEFAULT_AUTO_DOWNLOAD_MB);
  #preparing = $state<Preparing[]>([]);
  #nextId = 1;
  /** blob: URLs made for shown files (not reactive: components await them). */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a cache, read by promise
  #urls = new Map<string, Promise<string>>();

  constructor(kernel: Kernel, deps: FilesDeps) {
    this.#kernel = kernel;
    this.#deps = deps;
    kernel.bus.on({
      'network-up': () => this.#start(),
      'network-down': () => this.#stop(),
      'peer-ready': (peer) => this.#addPeer(peer),
      'link-gone': (peer) => this.#transfers?.removePeer(linkKey(peer)),
      change: ({ change }) => {
        if (change.type === 'events') this.received(change.conv, change.events);
        // A deleted conversation's files go with it (unless another one holds them too).
        if (change.type === 'conversation-deleted') {
          this.deleteFiles(change.conv).catch((error: unknown) =>
            log.warn('freeing the files of a deleted conversation failed', error),
          );
        }
      },
    });
    void this.#dropOrphans();
    if (kernel.network.isUp) this.#start();
    void this.#loadSettings();
  }

  #setState(file: string, state: TransferState): void {
    this.#states = { ...this.#states, [file]: state };
    const toSave = this.#saveWanted.get(file);
    if (state.status === 'done' && toSave) {
      this.#saveWanted.delete(file);
      this.save(toSave).catch((error: unknown) => log.warn('saving a file failed', error));
    }
  }

  /**
   * Files to save once they are here (Download on a file not fetched yet). Kept here, not in
   * the message: the message may be shown anew while its file arrives.
   */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- internal bookkeeping
  #saveWanted = new Map<string, FileBody>();

  /** Saves a file, fetching it first (resuming what is stored) if it is not all here. */
  async downloadAndSave(conv: RoomKey, body: FileBody): Promise<void> {
    if (this.#states[body.sha256]?.status === 'done') return this.save(body);
    this.#saveWanted.set(body.sha256, body);
    await this.download(conv, body);
  }

  #setRemoved(file: string, isRemoved: boolean): void {
    if ((this.#removed[file] === true) === isRemoved) return;
    const { [file]: _gone, ...rest } = this.#removed;
    this.#removed = isRemoved ? { ...rest, [file]: true } : rest;
  }

  /** Files up to this many MB are fetched without asking (0: only on Download). */
  get autoDownloadMb(): number {
    return this.#autoDownloadMb;
  }

  /** Changes the auto-download size and keeps it; false when it is not a size Settings takes. */
  async setAutoDownloadMb(mb: number): Promise<boolean> {
    if (!isAutoDownloadMb(mb)) return false;
    this.#autoDownloadMb = mb;
    const result = await this.#kernel.store?.putSetting(AUTO_DOWNLOAD_KEY, mb);
    return result?.ok === true;
  }

  /** Reads the kept auto-download size. */
  async #loadSettings(): Promise<void> {
    try {
      const stored = await this.#kernel.store?.getSetting<unknown>(AUTO_DOWNLOAD_KEY);
      if (isAutoDownloadMb(stored)) this.#autoDownloadMb = stored;
    } catch (error) {
      log.warn('reading the auto-download size failed; using the default', error);
    }
  }

  /** How many files finished arriving here since the page opened (reactive). */
  get doneCount(): number {
    return Object.values(this.#states).filter((state) => state.status === 'done').length;
  }

  /** Where a file stands here (reactive); undefined before anything was asked about it. */
  stateOf(file: string): TransferState | undefined {
    return this.#states[file];
  }

  /** Whether a file's chunks were deleted here, its message kept (reactive). */
  isRemoved(file: string): boolean {
    return this.#removed[file] === true;
  }

  /** Files being prepared in a room (reactive). */
  preparingIn(room: RoomKey): Preparing[] {
    return this.#preparing.filter((item) => item.room === room);
  }

  /** New events in a conversation: fetch the files the person would want without asking. */
  received(conv: RoomKey, events: readonly StoredEvent[]): void {
    for (const e of events) {
      if (!isKnownEvent(e) || e.kind !== 'file') continue;
      if (this.#isAutomatic(e.body)) void this.download(conv, e.body);
      else this.refresh(e.body).catch((error: unknown) => log.warn('reading a file failed', error));
    }
  }

  /** Reads a file's stored state once (a message shows "Download" or the file). */
  async refresh(body: FileBody): Promise<void> {
    if (body.sha256 in this.#states) return;
    const record = await this.#deps.store.get(body.sha256);
    if (body.sha256 in this.#states) return;
    const isDone =
      record !== undefined && record.storedBytes >= body.size && record.manifest !== null;
    if (record?.removedAt !== undefined && !isDone) this.#setRemoved(body.sha256, true);
    this.#setState(body.sha256, {
      status: isDone ? 'done' : 'idle',
      doneBytes: record?.storedBytes ?? 0,
      totalBytes: body.size,
    });
  }

  /**
   * A file message is shown: read the file's state, and go on fetching it if it is wanted here
   * but incomplete — one the person would get without asking, or one whose download had begun
   * (a reload or a closed tab stopped it; what was stored stays, and only the rest is fetched).
   * A file deleted here stays removed until Download again.
   */
  async show(conv: RoomKey, body: FileBody): Promise<void> {
    try {
      await this.refresh(body);
    } catch (error) {
      log.warn('reading a file failed', error);
      return;
    }
    const state = this.#states[body.sha256];
    if (state?.status !== 'idle' || this.isRemoved(body.sha256)) return;
    if (this.#cancelled.has(body.sha256)) return;
    if (this.#isAutomatic(body) || state.doneBytes > 0) await this.download(conv, body);
  }

  /**
   * Fetches a file (resuming what is stored) from members of `conv`. Never rejects: callers fire
   * and forget, so a storage failure (the database closed under it, a broken disk) shows as the
   * file's failed state instead of an unhandled rejection.
   */
  async download(conv: RoomKey, body: FileBody): Promise<void> {
    try {
      await this.#download(conv, body);
    } catch (error) {
      log.warn('fetching a file failed', error);
      const state = this.#states[body.sha256];
      this.#setState(body.sha256, {
        status: 'failed',
        doneBytes: state?.doneBytes ?? 0,
        totalBytes: body.size,
        error: error instanceof StorageFullError ? 'storage-full' : 'storage',
      });
    }
  }

  async #download(conv: RoomKey, body: FileBody): Promise<void> {
    this.#setRemoved(body.sha256, false);
    this.#cancelled.delete(body.sha256);
    if (!this.#transfers) {
      await this.refresh(body);
      const state = this.#states[body.sha256];
      if (state?.status !== 'done') {
        this.#setState(body.sha256, {
          status: 'waiting',
          doneBytes: state?.doneBytes ?? 0,
          totalBytes: body.size,
        });
      }
      this.#wanted.set(body.sha256, { conv, body });
      return;
    }
    await this.#transfers.fetch(conv, body);
  }

  /** Files asked for while the network was down: fetched once it is up. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- internal bookkeeping
  #wanted = new Map<string, { conv: RoomKey; body: FileBody }>();

  /** Files whose download the person cancelled in this tab: showing them again does not resume. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- internal bookkeeping
  #cancelled = new Set<string>();

  /** Stops fetching a file; what arrived stays for later. */
  cancel(file: string): void {
    this.#cancelled.add(file);
    this.#saveWanted.delete(file);
    this.#wanted.delete(file);
    this.#transfers?.cancel(file);
  }

  /** Whether a file's message fetches it by itself. */
  #isAutomatic(body: FileBody): boolean {
    return (
      body.voice !== undefined ||
      (body.image !== undefined && INLINE_IMAGE_TYPES.has(body.mime)) ||
      body.size <= this.#autoDownloadMb * 1_000_000
    );
  }

  /** A `blob:` URL of a held file (images and voice messages), made once per file. */
  objectUrl(body: FileBody): Promise<string> {
    let url = this.#urls.get(body.sha256);
    if (!url) {
      url = this.blobOf(body).then((blob) => URL.createObjectURL(blob));
      url.catch(() => this.#urls.delete(body.sha256));
      this.#urls.set(body.sha256, url);
    }
    return url;
  }

  /** Saves a held file through the browser's own download, under its (made safe) name. */
  async save(body: FileBody): Promise<void> {
    const blob = await this.blobOf(body);
    const url = URL.createObjectURL(blob);
    const link = document.createElement('a');
    link.href = url;
    link.download = safeFileName(body.name);
    link.rel = 'noopener';
    document.body.append(link);
    link.click();
    link.remove();
    // The download has its own reference; a minute is plenty for the browser to take it.
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  }

  /** The file as a Blob made of its stored chunks (never read into memory whole). */
  async blobOf(body: FileBody): Promise<Blob> {
    const parts = await this.#deps.store.chunkBlobs(body.sha256);
    if (!parts) throw new Error('the file is not held here');
    const type =
      INLINE_IMAGE_TYPES.has(body.mime) || body.mime.startsWith('audio/')
        ? body.mime
        : 'application/octet-stream';
    return new Blob(parts, { type });
  }

  /**
   * Attaches files to a room: each is hashed and stored here (so this browser can serve it),
   * then its message is sent. Progress shows in `preparingIn`.
   */
  async attach(
    room: RoomKey,
    files: readonly File[],
    voice?: { durationMs: number },
  ): Promise<void> {
    await Promise.all(files.map((file) => this.#attachOne(room, file, voice)));
  }

  async #attachOne(room: RoomKey, file: File, voice?: { durationMs: number }): Promise<void> {
    const item: Preparing = {
      id: this.#nextId++,
      room,
      name: file.name || 'file',
      size: file.size,
      doneBytes: 0,
      abort: new AbortController(),
    };
    this.#preparing.push(item);
    const live = (): Preparing | undefined => this.#preparing.find((p) => p.id === item.id);
    if (file.size > MAX_FILE_BYTES) {
      const shown = live();
      if (shown) shown.error = 'too-large';
      return;
    }
    try {
      const chunkSize = chunkSizeFor(file.size);
      const { signal } = item.abort;
      const hashed = await hashFile(file, {
        chunkSize,
        signal,
        onProgress: (done) => {
          const shown = live();
          if (shown) shown.doneBytes = Math.round(done / 2);
        },
      });
      const mime = file.type;
      await this.#deps.store.describe(
        {
          sha256: hashed.sha256,
          size: file.size,
          mime,
          chunkSize,
          chunkCount: Math.ceil(file.size / chunkSize),
        },
        room,
      );
      await this.#deps.store.setManifest(hashed.sha256, hashed.manifest);
      await storeFile(
        file,
        this.#deps.store,
        { sha256: hashed.sha256, chunkSize },
        {
          signal,
          onProgress: (done) => {
            const shown = live();
            if (shown) shown.doneBytes = Math.round(file.size / 2 + done / 2);
          },
        },
      );
      const isImage = INLINE_IMAGE_TYPES.has(mime) && !voice;
      const size = isImage ? await imageSize(file) : null;
      const preview = isImage ? await makePreview(file) : null;
      const body: FileBody = {
        name: (file.name || 'file').slice(0, 255),
        size: file.size,
        mime,
        sha256: hashed.sha256,
        chunkSize,
        root: hashed.root,
        ...(preview ? { preview } : {}),
        ...(size ? { image: size } : {}),
        ...(voice ? { voice } : {}),
      };
      this.#setState(body.sha256, {
        status: 'done',
        doneBytes: file.size,
        totalBytes: file.size,
      });
      await this.#deps.say(room, { kind: 'file', body });
      this.#preparing = this.#preparing.filter((p) => p.id !== item.id);
    } catch (error) {
      if (item.abort.signal.aborted) {
        this.#preparing = this.#preparing.filter((p) => p.id !== item.id);
        return;
      }
      log.warn('attaching a file failed', error);
      const shown = live();
      if (shown) shown.error = error instanceof StorageFullError ? 'storage-full' : 'failed';
    }
  }

  /** Stops preparing a file, or dismisses one that failed. */
  dismiss(id: number): void {
    const item = this.#preparing.find((p) => p.id === id);
    item?.abort.abort();
    this.#preparing = this.#preparing.filter((p) => p.id !== id);
  }

  /** Bytes of files stored here, per conversation. */
  usage(): Promise<Map<string, number>> {
    return this.#deps.store.usageByConversation();
  }

  /** Frees a conversation's files here (the messages stay and can fetch them again). */
  async deleteFiles(conv: RoomKey): Promise<void> {
    const { files } = await this.#deps.store.deleteConversationFiles(conv);
    for (const file of files) {
      this.#transfers?.forget(file);
      this.#setRemoved(file, true);
      this.#setState(file, {
        status: 'idle',
        doneBytes: 0,
        totalBytes: this.#states[file]?.totalBytes ?? 0,
      });
      const url = this.#urls.get(file);
      this.#urls.delete(file);
      void url?.then(
        (u) => URL.revokeObjectURL(u),
        () => undefined,
      );
    }
  }

  /** Frees files of conversations deleted while this feature was not loaded. */
  async #dropOrphans(): Promise<void> {
    const store = this.#kernel.store;
    if (!store) return;
    try {
      for (const conv of (await this.#deps.store.usageByConversation()).keys()) {
        if (!(await store.getConversation(conv as RoomKey)))
          await this.deleteFiles(conv as RoomKey);
      }
    } catch (error) {
      log.warn('freeing the files of deleted conversations failed', error);
    }
  }

  #start(): void {
    if (this.#transfers) return;
    this.#transfers = new Transfers({
      store: this.#deps.store,
      onState: (file, state) => this.#setState(file, state),
      canRelink: () => this.#kernel.network.status === 'online',
    });
    for (const peer of this.#kernel.presence.all()) this.#addPeer(peer);
    const wanted = [...this.#wanted.values()];
    this.#wanted.clear();
    for (const { conv, body } of wanted) void this.download(conv, body);
  }

  #stop(): void {
    this.#transfers?.stop();
    this.#transfers = null;
  }

  #addPeer(peer: MeshPeer): void {
    const channel = this.#kernel.network.links.binaryChannel(peer);
    if (!channel || !this.#transfers) return;
    this.#transfers.addPeer({ key: linkKey(peer), room: peer.room, channel });
  }
}

function linkKey(peer: MeshPeer): string {
  return `${peer.room} ${peer.peerId}`;
}
