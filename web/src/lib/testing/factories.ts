/**
 * Test data factories for events and conversations (STYLE: factories, not JSON blobs). Used only
 * by tests; nothing in the app imports this module.
 */
import { base32, toBase64Url } from '../encoding';
import type { IdentityKeys } from '../crypto/identity';
import {
  PROTOCOL_VERSION,
  type ChatEvent,
  type EventContent,
  type UnsignedEvent,
} from '../protocol/events';
import type { Conversation, Member } from '../storage/chat-store';
import { encodeHlc } from '../domain/hlc';
import type { Fingerprint, RoomKey, RoomSecret } from '../protocol/ids';
import { signEvent } from '../domain/events';

/** A well-formed room key (43 chars) derived from a small number. */
export function fakeRoomKey(n = 1): RoomKey {
  return toBase64Url(new Uint8Array(32).fill(n)) as RoomKey;
}

/** A well-formed fingerprint (52 chars) derived from a small number. */
export function fakeFingerprint(n = 1): Fingerprint {
  return base32(new Uint8Array(32).fill(n)) as Fingerprint;
}

/** A well-formed but meaningless signature (86 chars). */
export const FAKE_SIG = toBase64Url(new Uint8Array(64).fill(7));

/** A store's `sign` for tests: stamps FAKE_SIG instead of signing. */
export const fakeSign = (e: UnsignedEvent): Promise<ChatEvent> =>
  Promise.resolve({ ...e, sig: FAKE_SIG });

/** Overrides accepted by `makeEvent`. */
export interface EventOverrides {
  /** Message text (default 'hi'). */
  text?: string;
  /** Conversation id (default fakeRoomKey(1)). */
  conv?: RoomKey;
  /** Author fingerprint (default fakeFingerprint(1)). */
  author?: Fingerprint;
  /** Sequence number (default 1). */
  seq?: number;
  /** Clock: an encoded string, or ms (counter 0). Default: 1_700_000_000_000 + seq. */
  hlc?: string | number;
  /** Signature (default FAKE_SIG). */
  sig?: string;
}

/** An unsigned text event. */
export function makeUnsignedEvent(o: EventOverrides = {}): UnsignedEvent {
  const seq = o.seq ?? 1;
  const hlc =
    typeof o.hlc === 'string' ? o.hlc : encodeHlc({ ms: o.hlc ?? 1_700_000_000_000 + seq, c: 0 });
  return {
    v: PROTOCOL_VERSION,
    conv: o.conv ?? fakeRoomKey(1),
    author: o.author ?? fakeFingerprint(1),
    seq,
    hlc,
    kind: 'text',
    body: { text: o.text ?? 'hi' },
  };
}

/** A text event with a well-formed fake signature (for storage and shape tests). */
export function makeEvent(o: EventOverrides = {}): ChatEvent {
  return { ...makeUnsignedEvent(o), sig: o.sig ?? FAKE_SIG };
}

/** An event of any kind: `makeEvent`'s envelope around `content`. */
export function makeEventWith(
  content: EventContent,
  o: Omit<EventOverrides, 'text'> = {},
): ChatEvent {
  const { kind: _kind, body: _body, ...envelope } = makeEvent(o);
  return { ...envelope, ...content };
}

/** A text event really signed by `keys` (author is taken from them). */
export function makeSignedEvent(
  keys: IdentityKeys,
  o: Omit<EventOverrides, 'author' | 'sig'> = {},
): Promise<ChatEvent> {
  return signEvent(makeUnsignedEvent({ ...o, author: keys.fingerprint }), keys.privateKey);
}

/** A room conversation record. */
export function makeConversation(o: Partial<Conversation> = {}): Conversation {
  return {
    id: fakeRoomKey(1),
    kind: 'room',
    secret: toBase64Url(new Uint8Array(16).fill(1)) as RoomSecret,
    title: '',
    createdAt: 1_000,
    lastActivityAt: 1_000,
    lastPreview: '',
    unread: 0,
    members: {},
    vector: {},
    ...o,
  };
}

/** A member record (default: fakeFingerprint(2), named Alice, last seen at 1_000). */
export function makeMember(o: Partial<Member> = {}): Member {
  return {
    fingerprint: fakeFingerprint(2),
    spki: 'spki',
    name: 'Alice',
    color: '#123456',
    lastSeenAt: 1_000,
    ...o,
  };
}
