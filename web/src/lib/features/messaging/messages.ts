/**
 * The person's intentions on messages (DESIGN §6): send, reply, react, edit, delete, and naming a
 * room. Each becomes content for the outbox; checks happen here, before anything is stored.
 */
import { isKnownEvent, refOf } from '../../domain/events';
import type { Kernel } from '../../kernel/kernel.svelte';
import { isDisplayName } from '../../protocol/display-name';
import {
  MAX_REACTION_CHARS,
  MAX_TOPIC_CHARS,
  type ChatEvent,
  type EventRef,
} from '../../protocol/events';
import { MAX_TEXT_CHARS } from '../../protocol/limits';
import type { Conversation } from '../../storage/chat-store';
import type { Outbox } from './outbox';
import type { RoomKey } from '../../protocol/ids';

/** Message text without leading blank lines and trailing space; '' when nothing or too long. */
export function cleanText(raw: string): string {
  const text = raw.replace(/^\s*\n|\s+$/g, '');
  return text.trim() && text.length <= MAX_TEXT_CHARS ? text : '';
}

/** A listener of messages from others as they are stored. */
export type IncomingListener = (room: RoomKey, events: readonly ChatEvent[]) => void;

/** What people say in conversations. */
export class Messages {
  #kernel: Kernel;
  #outbox: Outbox;
  #conversation: (room: RoomKey) => Conversation | undefined;
  #incoming = new Set<IncomingListener>();

  constructor(
    kernel: Kernel,
    outbox: Outbox,
    conversation: (room: RoomKey) => Conversation | undefined,
  ) {
    this.#kernel = kernel;
    this.#outbox = outbox;
    this.#conversation = conversation;
    kernel.bus.on({
      change: ({ change, isFromOtherTab }) => {
        if (change.type !== 'events' || isFromOtherTab) return;
        const self = kernel.self;
        const messages = change.events.filter(
          (e): e is ChatEvent => isKnownEvent(e) && e.kind === 'text' && e.author !== self,
        );
        if (messages.length === 0) return;
        for (const listener of this.#incoming) listener(change.conv, messages);
      },
    });
  }

  /**
   * Sends a text message to a room: stored first, then pushed to every linked member. Resolves
   * true once stored, false when it was not (the notice says why; the caller keeps the text).
   * Texts sent while earlier ones are being written are stored and pushed together.
   */
  send(room: RoomKey, rawText: string, replyTo?: EventRef): Promise<boolean> {
    const text = cleanText(rawText);
    if (!text) return Promise.resolve(false);
    return this.#outbox.queue(room, {
      kind: 'text',
      body: replyTo ? { text, replyTo: { author: replyTo.author, seq: replyTo.seq } } : { text },
    });
  }

  /** Puts an emoji on one of a room's messages, or takes it off (`on` false). */
  react(room: RoomKey, target: EventRef, emoji: string, on: boolean): Promise<boolean> {
    if (!emoji || emoji.length > MAX_REACTION_CHARS) return Promise.resolve(false);
    return this.#outbox.queue(room, {
      kind: 'reaction',
      body: { target: refOf(target), emoji, on },
    });
  }

  /** Changes the text of one of our own messages, for everyone. */
  edit(room: RoomKey, target: EventRef, rawText: string): Promise<boolean> {
    const text = cleanText(rawText);
    if (!text || target.author !== this.#kernel.self) return Promise.resolve(false);
    return this.#outbox.queue(room, { kind: 'edit', body: { target: refOf(target), text } });
  }

  /** Deletes one of our own messages, for everyone (the others keep a "deleted" mark). */
  delete(room: RoomKey, target: EventRef): Promise<boolean> {
    if (target.author !== this.#kernel.self) return Promise.resolve(false);
    return this.#outbox.queue(room, { kind: 'delete', body: { target: refOf(target) } });
  }

  /**
   * Names a room and sets its topic, for every member (a `room-meta` event; the latest holds).
   * 'invalid' for an empty or unsafe name or a topic that is too long.
   */
  async setRoomMeta(
    room: RoomKey,
    rawName: string,
    rawTopic: string,
  ): Promise<boolean | 'invalid'> {
    const name = rawName.trim();
    const topic = rawTopic.trim();
    if (!isDisplayName(name) || topic.length > MAX_TOPIC_CHARS) return 'invalid';
    if (this.#conversation(room)?.kind !== 'room') return false;
    return this.#outbox.queue(room, { kind: 'room-meta', body: { name, topic } });
  }

  /**
   * Calls `listener` with the text messages from others each time some are stored here (not our
   * own, not reactions or edits); for notifications. Returns the unsubscribe.
   */
  onIncoming(listener: IncomingListener): () => void {
    this.#incoming.add(listener);
    return () => this.#incoming.delete(listener);
  }
}
