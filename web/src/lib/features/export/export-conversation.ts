/**
 * Export conversation: reads one conversation's whole history from the store, page by page,
 * and hands the browser a text file (conversation-text.ts) to download.
 */
import '../../i18n/more';
import { formatDuration } from '../../domain/call-log';
import { safeFileName } from '../../domain/file-names';
import { labelsByDay, buildRows } from '../../domain/message-rows';
import { currentLocale, formatDateTime, formatTime, t, tp } from '../../i18n/i18n';
import type { StoredEvent } from '../../protocol/events';
import type { Fingerprint, RoomKey } from '../../protocol/ids';
import { formatBytes } from '../../pwa/site-storage';
import type { ChatStore } from '../../storage/chat-store';
import { conversationText, type ExportWords } from './conversation-text';

/** Events read per store call: big enough to be quick, small enough to keep each read short. */
const PAGE_EVENTS = 2_000;

/** A conversation's events in display order, read newest page first (the store pages back). */
export async function readAllEvents(
  store: ChatStore,
  conv: RoomKey,
  pageEvents = PAGE_EVENTS,
): Promise<StoredEvent[]> {
  const pages: StoredEvent[][] = [];
  let before: StoredEvent | undefined;
  for (;;) {
    const page = await store.listEvents(conv, {
      limit: pageEvents,
      ...(before ? { before } : {}),
    });
    if (page.length === 0) break;
    pages.push(page);
    before = page[0];
    if (page.length < pageEvents) break;
  }
  return pages.reverse().flat();
}

/**
 * The app's words and formats for the copy, in the language shown. `call` words a call's line
 * (the calls feature's, handed in by the component: features do not import each other's state).
 */
export function exportWords(call: ExportWords['call']): ExportWords {
  const locale = currentLocale();
  return {
    heading: (title, ms) => t('export.heading', { title, date: formatDateTime(ms) }),
    count: (messages) => tp('export.count', messages),
    time: formatTime,
    edited: t('export.edited'),
    deleted: t('message.deleted'),
    file: (file) => {
      if (file.voice)
        return t('files.voiceMessage', {
          duration: formatDuration(Math.round(file.voice.durationMs / 1000)),
        });
      const size = formatBytes(file.size, locale);
      return file.image
        ? t('export.image', { name: file.name, size })
        : t('export.file', { name: file.name, size, type: file.mime });
    },
    reply: (name, text) => t('export.reply', { name, text: text ?? t('message.notLoaded') }),
    call,
    unsupported: (name) => t('message.unsupported', { name }),
  };
}

/** What the export needs from the app. */
export interface ExportSource {
  store: ChatStore;
  self: Fingerprint | undefined;
  title: string;
  nameOf(author: Fingerprint): string;
  words: ExportWords;
}

/** The copy of `conv` as text, and the name to save it under. */
export async function exportConversation(
  source: ExportSource,
  conv: RoomKey,
  nowMs = Date.now(),
): Promise<{ text: string; fileName: string }> {
  const events = await readAllEvents(source.store, conv);
  const dayFormat = new Intl.DateTimeFormat(currentLocale(), { dateStyle: 'full' });
  const rows = buildRows(events, {
    self: source.self,
    dayOf: labelsByDay((ms) => dayFormat.format(ms)),
  });
  const text = conversationText(
    source.title,
    nowMs,
    rows,
    (author) => source.nameOf(author),
    source.words,
  );
  const date = new Date(nowMs);
  const day = `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;
  return { text, fileName: safeFileName(`${source.title} ${day}.txt`) };
}

/** Hands `text` to the browser's download as a UTF-8 text file. */
export function saveText(text: string, fileName: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.rel = 'noopener';
  document.body.append(link);
  link.click();
  link.remove();
  // The download holds its own reference; a minute is plenty for the browser to take it.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
