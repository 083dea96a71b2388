/**
 * A readable copy of one conversation (Export conversation, DESIGN §10): plain UTF-8 text, one
 * line per message under a line per day, as a person would read it back years later. Peer text
 * stays text — it is never interpreted — and is only re-indented so a multi-line message cannot
 * pass itself off as another message's line.
 */
import type { TimelineRow } from '../../domain/message-rows';
import type { FileBody } from '../../protocol/events';
import type { Fingerprint } from '../../protocol/ids';

/** The words and formats of the reader's language (export-words.ts gives the app's). */
export interface ExportWords {
  /** The first line: the conversation's title and when it was exported. */
  heading(title: string, exportedAtMs: number): string;
  /** "1,234 messages". */
  count(messages: number): string;
  /** A message's time of day. */
  time(ms: number): string;
  /** After an edited message's text. */
  edited: string;
  /** In place of a deleted message. */
  deleted: string;
  /** A file, image or voice message. */
  file(file: FileBody): string;
  /** The line above a reply: who and what it answers (null: not in this copy, or deleted). */
  reply(name: string, text: string | null): string;
  /** A call's line ("Video call, 2:13"). */
  call(row: TimelineRow & { kind: 'call' }): string;
  /** Something a newer version wrote. */
  unsupported(name: string): string;
}

/** Quoted text in a reply's line is cut to this many characters. */
const MAX_QUOTE_CHARS = 80;
const INDENT = '    ';

/** Line breaks of every kind (a peer's text may use any), so each continuation is indented. */
// eslint-disable-next-line no-control-regex -- vertical tab and form feed break lines too
const LINE_BREAKS = /\r\n|[\n\r\u000b\u000c\u0085\u2028\u2029]/;

function indented(text: string): string {
  return text.split(LINE_BREAKS).join(`\n${INDENT}`);
}

function oneLine(text: string): string {
  const flat = text.split(LINE_BREAKS).join(' ');
  return flat.length > MAX_QUOTE_CHARS ? `${flat.slice(0, MAX_QUOTE_CHARS)}…` : flat;
}

/** The whole copy: heading, then the rows (in display order) under their days. */
export function conversationText(
  title: string,
  exportedAtMs: number,
  rows: readonly TimelineRow[],
  nameOf: (author: Fingerprint) => string,
  words: ExportWords,
): string {
  const messages = rows.filter((row) => row.kind === 'message').length;
  const lines = [words.heading(title, exportedAtMs), words.count(messages)];
  for (const row of rows) {
    if (row.day !== null) lines.push('', `— ${row.day} —`, '');
    const head = `[${words.time(row.ms)}]`;
    const name = nameOf(row.author);
    switch (row.kind) {
      case 'call':
        lines.push(`${head} ${words.call(row)}`);
        break;
      case 'unsupported':
        lines.push(`${head} ${words.unsupported(name)}`);
        break;
      case 'message': {
        const { view } = row;
        if (view.quote) {
          const { text: quoted, isDeleted } = view.quote;
          const text = isDeleted ? words.deleted : quoted === null ? null : oneLine(quoted);
          lines.push(`${head} ${words.reply(nameOf(view.quote.author), text)}`);
        }
        let body: string;
        if (view.isDeleted) body = words.deleted;
        else if (view.file) body = words.file(view.file);
        else body = indented(view.text) + (view.isEdited ? ` ${words.edited}` : '');
        lines.push(`${head} ${name}: ${body}`);
        if (view.reactions.length > 0) {
          const reactions = view.reactions.map((r) => `${r.emoji} ${r.count}`).join('  ');
          lines.push(`${INDENT}${reactions}`);
        }
        break;
      }
    }
  }
  return `${lines.join('\n')}\n`;
}
