/**
 * The typing indicator as the rest of the app sees it (DESIGN §6, ephemeral). Its code
 * (typing.svelte.ts) loads right after the first screen: nobody can be typing before a member has
 * linked, which takes the network, which loads after the first screen too. Until it is here, a
 * `typing` frame waits for it (the link's next frame waits behind it, so a message that follows
 * still ends the indicator; at most TYPING_LOAD_WAIT_MS, then the frame is dropped, as an
 * ephemeral frame may be), keystrokes are handed on once it is here, and nobody shows as typing.
 */
import type { FrameHandlers } from '../../kernel/frames';
import type { Kernel } from '../../kernel/kernel.svelte';
import { createLogger } from '../../log';
import type { Fingerprint, RoomKey } from '../../protocol/ids';
import type { Typing } from './typing.svelte';

/** Loads typing.svelte.ts (a test hands in its own). */
type LoadTyping = () => Promise<Pick<typeof import('./typing.svelte'), 'Typing'>>;

const log = createLogger('typing');

/** The longest a `typing` frame (and the link's frames behind it) waits for the code. */
export const TYPING_LOAD_WAIT_MS = 2_000;

/** Loads typing.svelte.ts once and hands everything on to it. */
export class TypingFacade {
  #kernel: Kernel;
  #authorName: (room: RoomKey, fingerprint: Fingerprint) => string;
  #loadCode: LoadTyping;
  #loaded = $state.raw<Typing | null>(null);
  #loading: Promise<Typing> | null = null;

  /** The frames typing owns. */
  readonly frames: Pick<FrameHandlers, 'typing'> = {
    typing: async (peer, frame) => {
      try {
        await (this.#loaded ?? (await this.#loadSoon())).frames.typing(peer, frame);
      } catch (error) {
        log.warn('a typing frame was dropped: the typing code did not load', error);
      }
    },
  };

  constructor(
    kernel: Kernel,
    authorName: (room: RoomKey, fingerprint: Fingerprint) => string,
    loadCode: LoadTyping = () => import('./typing.svelte'),
  ) {
    this.#kernel = kernel;
    this.#authorName = authorName;
    this.#loadCode = loadCode;
  }

  /** Starts loading (a kernel loader: it does not hold up the first screen). */
  start(): Promise<void> {
    this.load().catch((error: unknown) => log.warn('loading the typing indicator failed', error));
    return Promise.resolve();
  }

  /** The code, loading it first if needed (after a failure the next call tries again). */
  load(): Promise<Typing> {
    this.#loading ??= this.#loadCode().then(
      ({ Typing }) => (this.#loaded = new Typing(this.#kernel, this.#authorName)),
      (error: unknown) => {
        this.#loading = null;
        throw error;
      },
    );
    return this.#loading;
  }

  /**
   * The code, if it loads within TYPING_LOAD_WAIT_MS: a frame waiting for it holds the link's
   * next frames, so not for long (`typing` may be dropped). Only asked before it is here.
   */
  #loadSoon(): Promise<Typing> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(reject, TYPING_LOAD_WAIT_MS, new Error('too slow'));
    });
    return Promise.race([this.load(), late]).finally(() => clearTimeout(timer));
  }

  /** The display names of the members typing in a room now, sorted. */
  typingIn(room: RoomKey): string[] {
    return this.#loaded?.typingIn(room) ?? [];
  }

  /** The text in a room's composer changed as the person typed (see Typing.noteTyping). */
  noteTyping(room: RoomKey, text: string): void {
    const loaded = this.#loaded;
    if (loaded) {
      loaded.noteTyping(room, text);
      return;
    }
    this.load().then(
      (typing) => typing.noteTyping(room, text),
      (error: unknown) => log.warn('loading the typing indicator failed', error),
    );
  }
}
