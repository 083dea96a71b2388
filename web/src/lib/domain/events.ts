/**
 * Event rules (DESIGN §6): the canonical bytes an author signs, signing (verifying:
 * verify-event.ts), display order, keys for rendering and previews.
 */
import { utf8 } from '../encoding';
import { signBytes } from '../crypto/sign';
import { assertNever } from '../protocol/assert-never';
import { isKnownKind } from '../protocol/event-kinds';
import type {
  ChatEvent,
  EventContent,
  EventRef,
  StoredEvent,
  UnsignedEvent,
  UnsignedStoredEvent,
} from '../protocol/events';
import type { RoomKey } from '../protocol/ids';

const EVENT_LABEL = 'parley-event-v1';

/** Deterministic JSON: object keys sorted (by UTF-16 code units), no whitespace; throws on non-JSON values. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') {
    return JSON.stringify(value);
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('non-finite number in canonical JSON');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const entries = Object.keys(record)
      .filter((key) => record[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`);
    return `{${entries.join(',')}}`;
  }
  throw new TypeError(`${typeof value} in canonical JSON`);
}

/**
 * The bytes an event's signature covers: UTF-8 of the JSON array
 * ["parley-event-v1", v, conv, author, seq, hlc, kind, body-with-sorted-keys].
 */
export function canonicalEventBytes(e: UnsignedStoredEvent): Uint8Array<ArrayBuffer> {
  return utf8(canonicalJson([EVENT_LABEL, e.v, e.conv, e.author, e.seq, e.hlc, e.kind, e.body]));
}

/** True for an event of a kind this build knows (the rest a newer build wrote: DESIGN §6). */
export function isKnownEvent(e: StoredEvent): e is ChatEvent {
  return isKnownKind(e.kind);
}

/**
 * Copies exactly the signed fields, dropping anything else a value may carry; the body of a kind
 * this build does not know is copied whole, as signed.
 */
function unsignedPart<E extends UnsignedStoredEvent>(e: E): E {
  const { v, conv, author, seq, hlc, kind, body } = e;
  return { v, conv, author, seq, hlc, kind, body } as E;
}

/** Signs an event with the author's private key. */
export async function signEvent(e: UnsignedEvent, privateKey: CryptoKey): Promise<ChatEvent> {
  const unsigned = unsignedPart(e);
  return { ...unsigned, sig: await signBytes(privateKey, canonicalEventBytes(unsigned)) };
}

/** The fields that decide display order. */
export type EventOrderKey = Pick<ChatEvent, 'hlc' | 'author' | 'seq'>;

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Display order: by hlc, then author, then seq (a total order within a conversation). */
export function compareEvents(a: EventOrderKey, b: EventOrderKey): number {
  return compareStrings(a.hlc, b.hlc) || compareStrings(a.author, b.author) || a.seq - b.seq;
}

/** A stable unique key for an event, `${conv}/${author}/${seq}` (keyed each blocks, maps). */
export function eventKey(e: Pick<ChatEvent, 'conv' | 'author' | 'seq'>): string {
  return `${e.conv}/${e.author}/${e.seq}`;
}

/**
 * Whether someone else's event counts as unread: a message, or a call we missed. Reactions,
 * edits, deletions, names, profiles and kinds this build does not know do not.
 */
export function countsAsUnread(e: StoredEvent): boolean {
  if (!isKnownEvent(e)) return false;
  return (
    e.kind === 'text' || e.kind === 'file' || (e.kind === 'call-log' && e.body.outcome === 'missed')
  );
}

/** Longest conversation-list preview, in UTF-16 code units. */
export const MAX_PREVIEW_CHARS = 120;

/** A one-line plain-text preview of an event for the conversation list. */
export function eventPreview(content: EventContent): string {
  switch (content.kind) {
    case 'text':
    case 'edit':
      return previewLine(content.body.text);
    case 'reaction':
      return content.body.on ? content.body.emoji : '';
    case 'delete':
      return '—';
    case 'room-meta':
      return previewLine(`✎ ${content.body.name}`);
    case 'profile':
      return '';
    case 'call-log':
      return content.body.media === 'video' ? '📹' : '📞';
    case 'file':
      // The name says what it is (no emoji: a browser without an emoji font shows a box).
      return previewLine(content.body.name);
    default:
      return assertNever(content);
  }
}

function previewLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > MAX_PREVIEW_CHARS ? `${line.slice(0, MAX_PREVIEW_CHARS - 1)}…` : line;
}

/** The text an event carries (a message's, or an edit's new text); '' for other kinds. */
export function textOf(e: { kind: string; body: unknown }): string {
  if (!isKnownKind(e.kind)) return '';
  const known = e as EventContent;
  return known.kind === 'text' || known.kind === 'edit' ? known.body.text : '';
}

/** An event's reference (author and seq), for replies, reactions, edits and deletions. */
export function refOf(e: Pick<ChatEvent, 'author' | 'seq'>): EventRef {
  return { author: e.author, seq: e.seq };
}

/** The key of the event a reference points at in `conv` (the same form as `eventKey`). */
export function refKey(conv: RoomKey, ref: EventRef): string {
  return `${conv}/${ref.author}/${ref.seq}`;
}
