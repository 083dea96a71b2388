/**
 * What a conversation shows: its text messages with every later reaction, edit and deletion
 * applied (DESIGN §6). Pure: the same events give the same views on every member.
 *
 * - An edit or deletion counts only when its author wrote the target message; a later one (in
 *   display order) wins over an earlier one, and a deletion is final.
 * - A reaction is per (author, emoji): the latest of that author's says whether it is on.
 * - A reply shows the quoted message as it is now (edited, or deleted), or says it is not loaded.
 */
import type { ChatEvent, EventRef, FileBody, StoredEvent } from '../protocol/events';
import { eventKey, isKnownEvent, refKey } from './events';
import type { Fingerprint } from '../protocol/ids';

/** One emoji's reactions on a message. */
export interface ReactionCount {
  emoji: string;
  /** How many people have it on. */
  count: number;
  /** True when one of them is `self`. */
  isMine: boolean;
}

/** The quote a reply shows. */
export interface QuoteView {
  /** The quoted message's author. */
  author: Fingerprint;
  /** Its text now; null when it is not loaded here (older than the page) or deleted. */
  text: string | null;
  /** The quoted message was deleted. */
  isDeleted: boolean;
}

/** One message (text, or a file, image or voice message) as shown. */
export interface MessageView {
  /** The original `text` or `file` event (its key, author, clock and delivery are the message's). */
  event: ChatEvent & { kind: 'text' | 'file' };
  /** The text now (after edits); '' when deleted, and for a file. */
  text: string;
  /** What a file message describes; null for text and once deleted. */
  file: FileBody | null;
  isEdited: boolean;
  isDeleted: boolean;
  /** The message it answers, if it is a reply. */
  quote: QuoteView | null;
  /** Reactions with at least one person, in the order first put on. */
  reactions: ReactionCount[];
}

interface Building {
  view: MessageView;
  /** `${author}\n${emoji}` → on. */
  reactionsBy: Map<string, { emoji: string; author: Fingerprint; isOn: boolean }>;
  replyTo?: EventRef;
}

/** Folds a conversation's events (in display order) into the messages it shows. */
export function foldMessages(
  events: readonly StoredEvent[],
  self: Fingerprint | undefined,
): MessageView[] {
  const byKey = new Map<string, Building>();
  const order: Building[] = [];
  for (const e of events) {
    // A kind this build does not know is shown on its own (the message list), never folded in.
    if (!isKnownEvent(e)) continue;
    switch (e.kind) {
      case 'text':
      case 'file': {
        const building: Building = {
          view: {
            event: e,
            text: e.kind === 'text' ? e.body.text : '',
            file: e.kind === 'file' ? e.body : null,
            isEdited: false,
            isDeleted: false,
            quote: null,
            reactions: [],
          },
          reactionsBy: new Map(),
          replyTo: e.body.replyTo,
        };
        byKey.set(eventKey(e), building);
        order.push(building);
        break;
      }
      case 'edit': {
        const target = byKey.get(refKey(e.conv, e.body.target));
        if (!target || target.view.event.author !== e.author || target.view.isDeleted) break;
        // A file's description is fixed: only text messages are edited.
        if (target.view.event.kind !== 'text') break;
        target.view.text = e.body.text;
        target.view.isEdited = true;
        break;
      }
      case 'delete': {
        const target = byKey.get(refKey(e.conv, e.body.target));
        if (!target || target.view.event.author !== e.author) break;
        target.view.text = '';
        target.view.file = null;
        target.view.isDeleted = true;
        break;
      }
      case 'room-meta':
        // Not a message: it names the room (the conversation's title).
        break;
      case 'profile':
        // Not a message: it renames its author (the members' names).
        break;
      case 'call-log':
        // Not a message: shown as a line of its own (chat/call-log.ts).
        break;
      case 'reaction': {
        const target = byKey.get(refKey(e.conv, e.body.target));
        if (!target) break;
        const key = `${e.author}\n${e.body.emoji}`;
        // Re-inserting keeps "the order first put on" for a reaction taken off and put back.
        const known = target.reactionsBy.get(key);
        if (known) known.isOn = e.body.on;
        else
          target.reactionsBy.set(key, { emoji: e.body.emoji, author: e.author, isOn: e.body.on });
        break;
      }
    }
  }
  for (const { view, reactionsBy, replyTo } of order) {
    const counts = new Map<string, ReactionCount>();
    for (const { emoji, author, isOn } of reactionsBy.values()) {
      if (!isOn) continue;
      const count = counts.get(emoji) ?? { emoji, count: 0, isMine: false };
      count.count++;
      count.isMine ||= author === self;
      counts.set(emoji, count);
    }
    view.reactions = [...counts.values()];
    if (replyTo) {
      const quoted = byKey.get(refKey(view.event.conv, replyTo))?.view;
      view.quote = {
        author: replyTo.author,
        text: quoted && !quoted.isDeleted ? quoteText(quoted) : null,
        isDeleted: quoted?.isDeleted ?? false,
      };
    }
  }
  return order.map((b) => b.view);
}

/** What a quote of `view` says: its text, or a file message's name. */
export function quoteText(view: MessageView): string {
  return view.file ? `📎 ${view.file.name}` : view.text;
}
