/** What the composer of a room is doing besides writing a new message. */
import type { EventRef } from '../../protocol/events';

export type ComposeIntent =
  /** Answering a message (sent with `replyTo`, shown as a quote). */
  | { kind: 'reply'; target: EventRef; author: string; text: string }
  /** Changing the text of one of our own messages. */
  | { kind: 'edit'; target: EventRef; text: string };
