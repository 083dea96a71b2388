/**
 * Files as the first screen sees them (DESIGN §9): a handle that loads the files feature
 * (files.svelte.ts, its storage and its strings) only once it is needed — when the network
 * starts (this browser may serve files to members), when a file message arrives or is shown, or
 * when the person attaches one. File events stored before it is here are handed to it on load.
 */
import type { Kernel } from '../../kernel/kernel.svelte';
import type { StoredEvent } from '../../protocol/events';
import type { RoomKey } from '../../protocol/ids';
import type { Files, FilesDeps } from './files.svelte';
import { createLogger } from '../../log';

const log = createLogger('files');

/** Loads the files feature on first need. */
export class FileLinks {
  #loading: Promise<Files> | null = null;
  /** File events stored before the feature was here. */
  #early: [RoomKey, StoredEvent[]][] | null = [];

  constructor(
    private readonly kernel: Kernel,
    private readonly deps: Omit<FilesDeps, 'store'> & {
      openFileStore(): Promise<FilesDeps['store']>;
    },
  ) {
    kernel.bus.on({
      'network-up': () => this.#loadSoon(),
      change: ({ change }) => {
        if (change.type !== 'events') return;
        const files = change.events.filter((e) => e.kind === 'file');
        if (files.length === 0 || !this.#early) return;
        this.#early.push([change.conv, files]);
        this.#loadSoon();
      },
    });
  }

  #loadSoon(): void {
    this.load().catch((error: unknown) => log.error('loading files failed', error));
  }

  /** The feature, loading it first if needed (after a failure the next call tries again). */
  load(): Promise<Files> {
    return (this.#loading ??= Promise.all([
      import('./files.svelte'),
      this.deps.openFileStore(),
    ]).then(
      ([{ Files }, store]) => {
        const files = new Files(this.kernel, { ...this.deps, store });
        for (const [conv, events] of this.#early ?? []) files.received(conv, events);
        this.#early = null;
        return files;
      },
      (error: unknown) => {
        this.#loading = null;
        throw error;
      },
    ));
  }
}
