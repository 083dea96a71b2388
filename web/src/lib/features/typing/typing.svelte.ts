/**
 * The typing indicator (DESIGN §6, ephemeral): while the person types, a room's linked members
 * hear `typing` at most once every TYPING_SEND_INTERVAL_MS; a member's `typing` shows until
 * TYPING_SHOW_MS pass without another, their message arrives, or they leave.
 */
import { TYPING_SEND_INTERVAL_MS, TYPING_SHOW_MS } from '../../config';
import type { FrameHandlers } from '../../kernel/frames';
import type { Kernel } from '../../kernel/kernel.svelte';
import { keysOf } from '../../domain/records';
import { isPageVisible } from '../../kernel/page';
import type { MeshPeer } from '../../net/room-mesh';
import type { Fingerprint, RoomKey } from '../../protocol/ids';

/** Who is typing where. */
export class Typing {
  #kernel: Kernel;
  #authorName: (room: RoomKey, fingerprint: Fingerprint) => string;
  /** room → fingerprint → when that member's "typing" ends (ms). */
  #typing = $state.raw<Readonly<Record<RoomKey, Readonly<Record<Fingerprint, number>>>>>({});
  /** The timers that end each entry of `#typing`, by `${room} ${fingerprint}`. */
  #timers: Record<string, ReturnType<typeof setTimeout>> = {};
  /** room → when we last told its members we are typing (ms), while the composer has text. */
  #sentAt: Partial<Record<RoomKey, number>> = {};

  /** The frames typing owns. */
  readonly frames: Pick<FrameHandlers, 'typing'> = {
    typing: (peer) => this.#handleTyping(peer),
  };

  constructor(kernel: Kernel, authorName: (room: RoomKey, fingerprint: Fingerprint) => string) {
    this.#kernel = kernel;
    this.#authorName = authorName;
    kernel.bus.on({
      change: ({ change }) => {
        if (change.type !== 'events') return;
        this.#stop(
          change.conv,
          change.events.map((e) => e.author),
        );
      },
      'peer-gone': (peer) => this.#stop(peer.room, [peer.fingerprint]),
      'room-left': ({ room }) => {
        this.#stop(room, keysOf(this.#typing[room] ?? {}));
        delete this.#sentAt[room];
      },
      'network-down': () => {
        for (const timer of Object.values(this.#timers)) clearTimeout(timer);
        this.#timers = {};
        this.#typing = {};
      },
    });
  }

  /** The display names of the members typing in a room now, sorted. */
  typingIn(room: RoomKey): string[] {
    const typing = this.#typing[room];
    if (!typing) return [];
    const collator = new Intl.Collator();
    return keysOf(typing)
      .map((fingerprint) => this.#authorName(room, fingerprint))
      .sort((a, b) => collator.compare(a, b));
  }

  /**
   * The text in a room's composer changed as the person typed. While it is not empty the room's
   * linked members hear `typing`, at most once every TYPING_SEND_INTERVAL_MS and never while the
   * page is hidden (the interval runs on across sends and cleared text).
   */
  noteTyping(room: RoomKey, text: string): void {
    // Cleared (or sent): nothing to say. The interval runs on across sends, so a quick exchange
    // costs the room one frame per interval, not one per message.
    if (!text.trim() || !isPageVisible()) return;
    const now = this.#kernel.now();
    const sentAt = this.#sentAt[room];
    if (sentAt !== undefined && now - sentAt < TYPING_SEND_INTERVAL_MS) return;
    // Reached nobody: not throttled, so a member who links meanwhile hears the next keystroke.
    if (this.#kernel.network.links.broadcast(room, { type: 'typing' }) > 0) {
      this.#sentAt[room] = now;
    }
  }

  /** A member's `typing`: shown until the show time passes without another. */
  #handleTyping(peer: MeshPeer): void {
    // Only a member listed in a conversation (not an invite's room), and never ourselves.
    if (!this.#kernel.presence.isCurrent(peer)) return;
    if (peer.fingerprint === this.#kernel.self) return;
    const key = `${peer.room} ${peer.fingerprint}`;
    clearTimeout(this.#timers[key]);
    this.#timers[key] = setTimeout(() => this.#stop(peer.room, [peer.fingerprint]), TYPING_SHOW_MS);
    this.#typing = {
      ...this.#typing,
      [peer.room]: {
        ...this.#typing[peer.room],
        [peer.fingerprint]: this.#kernel.now() + TYPING_SHOW_MS,
      },
    };
  }

  /** These members of a room are typing no more (their time is up, a message came, they left). */
  #stop(room: RoomKey, fingerprints: Iterable<Fingerprint>): void {
    const typing = this.#typing[room];
    if (!typing) return;
    const left = { ...typing };
    let isChanged = false;
    for (const fingerprint of fingerprints) {
      if (!(fingerprint in left)) continue;
      const key = `${room} ${fingerprint}`;
      clearTimeout(this.#timers[key]);
      delete this.#timers[key];
      delete left[fingerprint];
      isChanged = true;
    }
    if (!isChanged) return;
    const next = { ...this.#typing };
    if (Object.keys(left).length > 0) next[room] = left;
    else delete next[room];
    this.#typing = next;
  }
}
