import { textOf } from '../domain/events';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import fc from 'fast-check';
import { toBase64Url } from '../encoding';
import { utf8ByteLength } from './parse-helpers';
import { FAKE_SIG, fakeFingerprint, fakeRoomKey, makeEvent } from '../testing/factories';
import { assertNever } from './assert-never';
import type { ChatEvent } from './events';
import {
  MAX_BATCH_EVENTS,
  MAX_CHAIN_AUTHORS,
  MAX_FRAME_BYTES,
  MAX_NAME_CHARS,
  MAX_TEXT_CHARS,
  MAX_VECTOR_AUTHORS,
} from './limits';
import {
  encodePeerFrame,
  MAX_REMOVED_MEMBERS,
  parsePeerFrame,
  splitEventsIntoFrames,
  type ParsedPeerFrame,
  type PeerFrame,
} from './peer-frames';
import { propertyParams } from '../testing/property';
import type { Fingerprint, RoomKey, RoomSecret } from './ids';

const SPKI = toBase64Url(new Uint8Array(91).fill(4));
const NONCE = toBase64Url(new Uint8Array(32).fill(5));
const MAC = toBase64Url(new Uint8Array(32).fill(6));
const SIG = toBase64Url(new Uint8Array(64).fill(7));
const CALL_ID = toBase64Url(new Uint8Array(16).fill(8));

function makeHello(o: Partial<{ nonce: string }> = {}) {
  return { type: 'hello', protocol: 1, nonce: o.nonce ?? NONCE };
}

function makeIdentity(o: Partial<{ name: string; color: string; key: string; sig: string }> = {}) {
  return {
    type: 'identity',
    key: o.key ?? SPKI,
    profile: { name: o.name ?? 'Ada', color: o.color ?? '#1f7a5c' },
    sig: o.sig ?? SIG,
  };
}

function makeEventsFrame(events: unknown[] = [makeEvent()], keys: Record<string, unknown> = {}) {
  return { type: 'events', events, keys };
}

const raw = (value: unknown) => JSON.stringify(value);

/** A valid fingerprint that differs for each i < 1024 (fakeFingerprint repeats after 256). */
function distinctFingerprint(i: number): string {
  const base32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  return `${base32[i >> 5] ?? 'A'}${base32[i & 31] ?? 'A'}${'A'.repeat(50)}`;
}

/** Independent restatement of the limits every parsed frame must satisfy. */
function expectWithinLimits(frame: ParsedPeerFrame): void {
  const b64 = /^[A-Za-z0-9_-]*$/;
  switch (frame.type) {
    case 'hello':
      expect(frame.protocol).toBe(1);
      expect(frame.nonce).toMatch(/^[A-Za-z0-9_-]{43}$/);
      return;
    case 'auth':
      expect(frame.mac).toMatch(/^[A-Za-z0-9_-]{43}$/);
      return;
    case 'identity':
      expect(frame.profile.name.length).toBeGreaterThan(0);
      expect(frame.profile.name.length).toBeLessThanOrEqual(MAX_NAME_CHARS);
      expect(frame.profile.name.trim()).toBe(frame.profile.name);
      expect(frame.profile.color).toMatch(/^#[0-9a-fA-F]{6}$/);
      expect(frame.key).toMatch(b64);
      expect(frame.sig).toMatch(/^[A-Za-z0-9_-]{86}$/);
      return;
    case 'events':
      expect(frame.events.length).toBeLessThanOrEqual(MAX_BATCH_EVENTS);
      expect(Object.keys(frame.keys).length).toBeLessThanOrEqual(MAX_BATCH_EVENTS);
      for (const e of frame.events) {
        expect(e.v).toBe(1);
        expect(['text', 'reaction', 'edit', 'delete', 'room-meta', 'call-log']).toContain(e.kind);
        expect(textOf(e).length).toBeLessThanOrEqual(MAX_TEXT_CHARS);
        expect(Number.isSafeInteger(e.seq) && e.seq >= 1).toBe(true);
        expect(e.hlc).toMatch(/^\d{15}-\d{5}$/);
        expect(e.conv).toMatch(/^[A-Za-z0-9_-]{43}$/);
        expect(e.author).toMatch(/^[A-Z2-7]{52}$/);
        expect(e.sig).toMatch(/^[A-Za-z0-9_-]{86}$/);
      }
      return;
    case 'sync':
    case 'have':
      expect(Object.keys(frame.vector).length).toBeLessThanOrEqual(MAX_VECTOR_AUTHORS);
      for (const [author, seq] of Object.entries(frame.vector)) {
        expect(author).toMatch(/^[A-Z2-7]{52}$/);
        expect(Number.isSafeInteger(seq) && seq >= 1).toBe(true);
      }
      return;
    case 'read':
      expect(frame.hlc).toMatch(/^\d{15}-\d{5}$/);
      return;
    case 'typing':
      expect(Object.keys(frame)).toEqual(['type']);
      return;
    case 'contact-accept':
      expect(frame.secret).toMatch(/^[A-Za-z0-9_-]{22}$/);
      return;
    case 'contact-request':
    case 'contact-decline':
    case 'room-removed':
      expect(Object.keys(frame)).toEqual(['type']);
      return;
    case 'room-move':
      expect(frame.secret).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(frame.ownerKey).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(frame.removed.length).toBeGreaterThanOrEqual(1);
      expect(frame.removed.length).toBeLessThanOrEqual(MAX_REMOVED_MEMBERS);
      for (const fingerprint of frame.removed) expect(fingerprint).toMatch(/^[A-Z2-7]{52}$/);
      expect(frame.sig).toMatch(/^[A-Za-z0-9_-]{86}$/);
      return;
    case 'ping':
    case 'pong':
      expect(Number.isFinite(frame.t)).toBe(true);
      return;
    case 'bye':
      expect(Object.keys(frame)).toEqual(['type']);
      return;
    case 'call-invite':
      expect(frame.callId).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(['audio', 'video']).toContain(frame.media);
      expect(typeof frame.group).toBe('boolean');
      return;
    case 'call-ringing':
    case 'call-accept':
    case 'call-decline':
    case 'call-cancel':
    case 'call-busy':
      expect(frame.callId).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(Object.keys(frame).sort()).toEqual(['callId', 'type']);
      return;
    case 'call-hangup':
      expect(frame.callId).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(typeof frame.closing).toBe('boolean');
      return;
    case 'call-media':
      expect(frame.callId).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect([frame.audio, frame.video, frame.screen].every((b) => typeof b === 'boolean')).toBe(
        true,
      );
      return;
    default:
      assertNever(frame);
  }
}

let warn: MockInstance<typeof console.warn>;
beforeEach(() => {
  warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('parsePeerFrame accepts', () => {
  const ev = makeEvent({ text: 'hello' });
  it.each<[string, unknown]>([
    ['hello', makeHello()],
    ['auth', { type: 'auth', mac: MAC }],
    ['identity', makeIdentity()],
    ['identity with a 64-char name', makeIdentity({ name: 'n'.repeat(MAX_NAME_CHARS) })],
    ['identity with a CJK name', makeIdentity({ name: '王小明' })],
    ['have', { type: 'have', vector: { [ev.author]: 2 } }],
    [
      'have with chain digests',
      { type: 'have', vector: { [ev.author]: 2 }, chains: { [ev.author]: `2:${'a'.repeat(22)}` } },
    ],
    ['events', makeEventsFrame([ev], { [ev.author]: SPKI })],
    ['events with no events', makeEventsFrame([])],
    [
      'events at the text limit',
      makeEventsFrame([makeEvent({ text: 'x'.repeat(MAX_TEXT_CHARS) })]),
    ],
    [
      'a reply, a reaction, an edit and a deletion',
      makeEventsFrame([
        { ...ev, seq: 2, body: { text: 'yes', replyTo: { author: ev.author, seq: 1 } } },
        {
          ...ev,
          seq: 3,
          kind: 'reaction',
          body: { target: { author: ev.author, seq: 1 }, emoji: '👍🏽', on: true },
        },
        {
          ...ev,
          seq: 4,
          kind: 'edit',
          body: { target: { author: ev.author, seq: 1 }, text: 'hi' },
        },
        { ...ev, seq: 5, kind: 'delete', body: { target: { author: ev.author, seq: 2 } } },
      ] as ChatEvent[]),
    ],
    [
      'a profile',
      makeEventsFrame([
        { ...ev, kind: 'profile', body: { name: 'Zoë Ångström', color: '#1f7a5c' } },
      ] as ChatEvent[]),
    ],
    ['sync', { type: 'sync', vector: { [ev.author]: 3 } }],
    ['sync with an empty vector', { type: 'sync', vector: {} }],
    ['read', { type: 'read', hlc: '001700000000000-00003' }],
    ['typing', { type: 'typing' }],
    ['contact-request', { type: 'contact-request' }],
    ['contact-accept', { type: 'contact-accept', secret: 'AAAAAAAAAAAAAAAAAAAAAA' as RoomSecret }],
    ['contact-decline', { type: 'contact-decline' }],
    [
      'room-move',
      {
        type: 'room-move',
        secret: 'AAAAAAAAAAAAAAAAAAAAAA',
        removed: [fakeFingerprint(3)],
        sig: FAKE_SIG,
        ownerKey: SPKI,
      },
    ],
    ['room-removed', { type: 'room-removed' }],
    ['ping', { type: 'ping', t: 123.5 }],
    ['pong', { type: 'pong', t: 0 }],
    ['bye', { type: 'bye' }],
    ['call-invite', { type: 'call-invite', callId: CALL_ID, media: 'video', group: false }],
    [
      'call-invite (room call)',
      { type: 'call-invite', callId: CALL_ID, media: 'audio', group: true },
    ],
    ['call-ringing', { type: 'call-ringing', callId: CALL_ID }],
    ['call-accept', { type: 'call-accept', callId: CALL_ID }],
    ['call-decline', { type: 'call-decline', callId: CALL_ID }],
    ['call-cancel', { type: 'call-cancel', callId: CALL_ID }],
    ['call-busy', { type: 'call-busy', callId: CALL_ID }],
    ['call-hangup', { type: 'call-hangup', callId: CALL_ID, closing: true }],
    [
      'call-media',
      { type: 'call-media', callId: CALL_ID, audio: false, video: true, screen: false },
    ],
    [
      'a call log',
      makeEventsFrame([
        {
          ...ev,
          kind: 'call-log',
          body: {
            callId: CALL_ID,
            media: 'video',
            outcome: 'answered',
            durationS: 133,
            group: false,
          },
        },
      ]),
    ],
  ])('%s', (_what, frame) => {
    const parsed = parsePeerFrame(raw(frame));
    expect(parsed).toEqual(frame);
    expect(warn).not.toHaveBeenCalled();
  });

  it('a frame of exactly MAX_FRAME_BYTES bytes', () => {
    const base = raw({ type: 'bye', pad: '' });
    const remaining = MAX_FRAME_BYTES - base.length;
    const pad = 'é'.repeat(Math.floor(remaining / 2)) + 'x'.repeat(remaining % 2);
    const exact = raw({ type: 'bye', pad });
    expect(utf8ByteLength(exact)).toBe(MAX_FRAME_BYTES);
    expect(parsePeerFrame(exact)).toEqual({ type: 'bye' });
    expect(parsePeerFrame(`${exact} `)).toBeNull();
  });

  it('strips unknown fields (newer peers may add optional ones)', () => {
    expect(parsePeerFrame(raw({ type: 'bye', reason: 'later' }))).toEqual({ type: 'bye' });
  });

  it('strips what a typing frame carries beyond its type (never a draft)', () => {
    expect(parsePeerFrame(raw({ type: 'typing', text: 'Hel', until: 5 }))).toEqual({
      type: 'typing',
    });
  });
});

describe('parsePeerFrame rejects', () => {
  const ev = makeEvent();
  it.each<[string, unknown]>([
    ['a non-string', { type: 'bye' }],
    ['bad JSON', '{"type":'],
    ['JSON that is not an object', '[1,2]'],
    ['an unknown type', raw({ type: 'teleport' })],
    ['a missing type', raw({ t: 1 })],
    ['another protocol version', raw({ ...makeHello(), protocol: 2 })],
    ['a 65-char name', raw(makeIdentity({ name: 'n'.repeat(MAX_NAME_CHARS + 1) }))],
    ['an empty name', raw(makeIdentity({ name: '' }))],
    ['a name with spaces around it', raw(makeIdentity({ name: ' Ada ' }))],
    ['a name with a right-to-left override', raw(makeIdentity({ name: 'Ada\u202Eevil' }))],
    ['a name with a control character', raw(makeIdentity({ name: 'Ada\u0007' }))],
    ['a bad colour', raw(makeIdentity({ color: 'red' }))],
    ['a short nonce', raw(makeHello({ nonce: 'abc' }))],
    ['a key that is not base64url', raw(makeIdentity({ key: 'a+b/' }))],
    ['an identity sig of the wrong size', raw(makeIdentity({ sig: MAC }))],
    ['an auth mac of the wrong size', raw({ type: 'auth', mac: SIG })],
    ['a read marker that is not an HLC', raw({ type: 'read', hlc: '1700000000000' })],
    ['a read marker that is a number', raw({ type: 'read', hlc: 1_700_000_000_000 })],
    ['a read frame without a marker', raw({ type: 'read' })],
    ['a typing type in another case', raw({ type: 'Typing' })],
    ['a typing type that is not a string', raw({ type: ['typing'] })],
    ['a typing frame that is an array', raw([{ type: 'typing' }])],
    ['a contact-accept without a secret', raw({ type: 'contact-accept' })],
    [
      'a contact-accept with a secret of the wrong size',
      raw({ type: 'contact-accept', secret: 'AAAAAAAAAAAAAAAAAAAAAAAA' }),
    ],
    [
      'a contact-accept with a secret of another alphabet',
      raw({ type: 'contact-accept', secret: 'A+AAAAAAAAAAAAAAAAAAAA' }),
    ],
    ['a have vector with seq 0', raw({ type: 'have', vector: { [fakeFingerprint(1)]: 0 } })],
    [
      'a room move that removes nobody',
      raw({
        type: 'room-move',
        secret: 'AAAAAAAAAAAAAAAAAAAAAA',
        removed: [],
        sig: FAKE_SIG,
        ownerKey: SPKI,
      }),
    ],
    [
      'a room move with a malformed fingerprint',
      raw({
        type: 'room-move',
        secret: 'AAAAAAAAAAAAAAAAAAAAAA',
        removed: ['bob'],
        sig: FAKE_SIG,
        ownerKey: SPKI,
      }),
    ],
    [
      'a room move without the owner’s key',
      raw({
        type: 'room-move',
        secret: 'AAAAAAAAAAAAAAAAAAAAAA',
        removed: [fakeFingerprint(3)],
        sig: FAKE_SIG,
      }),
    ],
    [
      'a reaction whose emoji is too long',
      raw({
        type: 'events',
        keys: {},
        events: [
          {
            ...ev,
            kind: 'reaction',
            body: { target: { author: ev.author, seq: 1 }, emoji: 'x'.repeat(17), on: true },
          },
        ],
      }),
    ],
    [
      'a profile whose name hides its direction',
      raw({
        type: 'events',
        keys: {},
        events: [{ ...ev, kind: 'profile', body: { name: 'Eve\u202Eecila', color: '#000000' } }],
      }),
    ],
    [
      'a profile with a colour that is not #rrggbb',
      raw({
        type: 'events',
        keys: {},
        events: [{ ...ev, kind: 'profile', body: { name: 'Eve', color: 'red;x' } }],
      }),
    ],
    [
      'an edit without a target',
      raw({ type: 'events', keys: {}, events: [{ ...ev, kind: 'edit', body: { text: 'x' } }] }),
    ],
    [
      'a reply to seq 0',
      raw({
        type: 'events',
        keys: {},
        events: [{ ...ev, body: { text: 'x', replyTo: { author: ev.author, seq: 0 } } }],
      }),
    ],
    [
      'text over 8000 chars',
      raw(makeEventsFrame([makeEvent({ text: 'x'.repeat(MAX_TEXT_CHARS + 1) })])),
    ],
    ['seq 0', raw(makeEventsFrame([{ ...ev, seq: 0 }]))],
    ['a fractional seq', raw(makeEventsFrame([{ ...ev, seq: 1.5 }]))],
    ['an unsafe seq', raw(makeEventsFrame([{ ...ev, seq: 2 ** 53 }]))],
    ['a seq as a string', raw(makeEventsFrame([{ ...ev, seq: '1' }]))],
    ['a bad hlc', raw(makeEventsFrame([{ ...ev, hlc: '2024-01-01' }]))],
    ['a bad conv', raw(makeEventsFrame([{ ...ev, conv: 'room' }]))],
    ['a lower-case author', raw(makeEventsFrame([{ ...ev, author: ev.author.toLowerCase() }]))],
    ['a bad sig', raw(makeEventsFrame([{ ...ev, sig: 'not-a-signature' }]))],
    ['an event kind that is not lowercase words', raw(makeEventsFrame([{ ...ev, kind: 'Poll' }]))],
    ['event version 2', raw(makeEventsFrame([{ ...ev, v: 2 }]))],
    ['a body that is not an object', raw(makeEventsFrame([{ ...ev, body: 'hi' }]))],
    ['a key map with a bad fingerprint', raw(makeEventsFrame([], { __proto__x: SPKI }))],
    ['events that are not an array', raw({ type: 'events', events: {}, keys: {} })],
    ['a sync vector with seq 0', raw({ type: 'sync', vector: { [ev.author]: 0 } })],
    ['a sync vector with a bad author', raw({ type: 'sync', vector: { alice: 1 } })],
    ['a sync vector that is an array', raw({ type: 'sync', vector: [1, 2] })],
    [
      'a chain digest of the wrong shape',
      raw({ type: 'sync', vector: {}, chains: { [ev.author]: `0:${'a'.repeat(22)}` } }),
    ],
    [
      'chain digests over the author limit',
      raw({
        type: 'have',
        vector: {},
        chains: Object.fromEntries(
          Array.from({ length: MAX_CHAIN_AUTHORS + 1 }, (_, i) => [
            distinctFingerprint(i),
            `1:${'a'.repeat(22)}`,
          ]),
        ),
      }),
    ],
    [
      'a sync vector over the author limit',
      raw({
        type: 'sync',
        vector: Object.fromEntries(
          Array.from({ length: MAX_VECTOR_AUTHORS + 1 }, (_, i) => [distinctFingerprint(i), 1]),
        ),
      }),
    ],
    [
      '257 events',
      raw(
        makeEventsFrame(
          Array.from({ length: MAX_BATCH_EVENTS + 1 }, (_, i) =>
            makeEvent({ seq: i + 1, text: '' }),
          ),
        ),
      ),
    ],
    ['a call-invite without a call id', raw({ type: 'call-invite', media: 'video', group: false })],
    [
      'a call-invite with a call id of the wrong size',
      raw({ type: 'call-invite', callId: NONCE, media: 'video', group: false }),
    ],
    [
      'a call-invite for screen media',
      raw({ type: 'call-invite', callId: CALL_ID, media: 'screen', group: false }),
    ],
    ['a call-invite without group', raw({ type: 'call-invite', callId: CALL_ID, media: 'audio' })],
    ['a call-accept with a numeric call id', raw({ type: 'call-accept', callId: 42 })],
    ['a call-hangup without closing', raw({ type: 'call-hangup', callId: CALL_ID })],
    [
      'a call-media with a string state',
      raw({ type: 'call-media', callId: CALL_ID, audio: 'on', video: true, screen: false }),
    ],
    [
      'a call log with a negative duration',
      raw(
        makeEventsFrame([
          {
            ...ev,
            kind: 'call-log',
            body: {
              callId: CALL_ID,
              media: 'audio',
              outcome: 'answered',
              durationS: -1,
              group: false,
            },
          },
        ]),
      ),
    ],
    [
      'a call log with an unknown outcome',
      raw(
        makeEventsFrame([
          {
            ...ev,
            kind: 'call-log',
            body: {
              callId: CALL_ID,
              media: 'audio',
              outcome: 'exploded',
              durationS: 0,
              group: false,
            },
          },
        ]),
      ),
    ],
    ['a non-finite ping', '{"type":"ping","t":1e999}'],
    ['a frame over 64 KiB', raw({ type: 'bye', pad: 'x'.repeat(MAX_FRAME_BYTES) })],
    [
      'a frame over 64 KiB in bytes though not in chars',
      raw({ type: 'bye', pad: 'é'.repeat(MAX_FRAME_BYTES / 2) }),
    ],
  ])('%s', (_what, input) => {
    expect(parsePeerFrame(input)).toBeNull();
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it.each<[string, unknown]>([
    ['a long name', makeIdentity({ name: 'secret-name'.repeat(10) })],
    ['a bad colour', makeIdentity({ color: 'secret-name' })],
    ['an unknown type', { type: `secret-name${'x'.repeat(5000)}` }],
  ])('does not log the content of %s', (_what, frame) => {
    parsePeerFrame(raw(frame));
    expect(warn).toHaveBeenCalledTimes(1);
    expect(JSON.stringify(warn.mock.calls)).not.toContain('secret-name');
    expect(JSON.stringify(warn.mock.calls).length).toBeLessThan(300);
  });
});

// Thousands of runs each: on a busy machine they can take longer than vitest's default 5 s.
describe('parsePeerFrame under fuzzing', () => {
  const FC = propertyParams(1_234_567, 2000);

  it('never throws on arbitrary strings and JSON', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.json()), (input) => {
        const parsed = parsePeerFrame(input);
        if (parsed) expectWithinLimits(parsed);
        else expect(parsed).toBeNull();
      }),
      FC,
    );
  }, 60_000);

  it('never throws on arbitrary values of any type', () => {
    fc.assert(
      fc.property(fc.anything(), (input) => {
        expect(parsePeerFrame(input)).toBeNull();
      }),
      FC,
    );
  }, 60_000);

  it('never returns a frame that breaks the limits, whatever is changed in a valid one', () => {
    const eventArb = fc.record({
      v: fc.oneof(fc.constant(1), fc.integer()),
      conv: fc.oneof(fc.constant(fakeRoomKey(3)), fc.string()),
      author: fc.oneof(fc.constant(fakeFingerprint(3)), fc.string()),
      seq: fc.oneof(fc.integer({ min: 1 }), fc.double(), fc.integer()),
      hlc: fc.oneof(fc.constant('001700000000000-00001'), fc.stringMatching(/^\d{1,16}-\d{1,6}$/)),
      kind: fc.oneof(fc.constant('text'), fc.string()),
      body: fc.record({ text: fc.string({ maxLength: MAX_TEXT_CHARS + 50 }) }),
      sig: fc.oneof(fc.constant(SIG), fc.string()),
    });
    const frameArb = fc.oneof(
      fc.record({
        type: fc.constant('hello'),
        protocol: fc.oneof(fc.constant(1), fc.integer()),
        nonce: fc.oneof(fc.constant(NONCE), fc.string()),
      }),
      fc.record({
        type: fc.constant('identity'),
        key: fc.oneof(fc.constant(SPKI), fc.string()),
        profile: fc.record({
          name: fc.string({ maxLength: MAX_NAME_CHARS + 10 }),
          color: fc.oneof(fc.constant('#aabbcc'), fc.string()),
        }),
        sig: fc.oneof(fc.constant(SIG), fc.string()),
      }),
      fc.record({ type: fc.constant('auth'), mac: fc.oneof(fc.constant(MAC), fc.string()) }),
      fc.record({
        type: fc.constant('events'),
        events: fc.array(eventArb, { maxLength: 5 }),
        keys: fc.dictionary(fc.oneof(fc.constant(fakeFingerprint(3)), fc.string()), fc.string()),
      }),
      fc.record({ type: fc.constantFrom('ping', 'pong'), t: fc.double() }),
      fc.record({ type: fc.string() }),
    );
    fc.assert(
      fc.property(frameArb, (frame) => {
        const parsed = parsePeerFrame(JSON.stringify(frame));
        if (parsed) expectWithinLimits(parsed);
        else expect(parsed).toBeNull();
      }),
      FC,
    );
  }, 60_000);
});

describe('splitEventsIntoFrames', () => {
  const FC = propertyParams(99, 60);

  it('packs small events into one frame with only the keys of its authors', () => {
    const a = makeEvent({ author: fakeFingerprint(1), seq: 1 });
    const b = makeEvent({ author: fakeFingerprint(2), seq: 1 });
    const frames = splitEventsIntoFrames([a, b], {
      [a.author]: SPKI,
      [b.author]: SPKI,
      [fakeFingerprint(9)]: SPKI,
    });
    expect(frames).toEqual([
      { type: 'events', events: [a, b], keys: { [a.author]: SPKI, [b.author]: SPKI } },
    ]);
  });

  it('returns no frames for no events', () => {
    expect(splitEventsIntoFrames([], {})).toEqual([]);
  });

  it('splits at MAX_BATCH_EVENTS when events are small enough to reach it', () => {
    // Real events are ~290 bytes, so the byte limit binds first; tiny fields isolate the count.
    const events = Array.from({ length: 600 }, (_, i) =>
      makeEvent({
        seq: i + 1,
        text: '',
        conv: 'c' as RoomKey,
        author: 'a' as Fingerprint,
        sig: 's',
      }),
    );
    const frames = splitEventsIntoFrames(events, {});
    expect(frames.map((f) => f.events.length)).toEqual([256, 256, 88]);
  });

  it('splits at MAX_FRAME_BYTES, filling each frame as far as it goes', () => {
    const events = Array.from({ length: 600 }, (_, i) => makeEvent({ seq: i + 1, text: '' }));
    const frames = splitEventsIntoFrames(events, {});
    expect(frames.length).toBeGreaterThan(2);
    for (const [i, frame] of frames.entries()) {
      expect(utf8ByteLength(encodePeerFrame(frame))).toBeLessThanOrEqual(MAX_FRAME_BYTES);
      const next = frames[i + 1]?.events[0];
      if (next) {
        const overfull = { ...frame, events: [...frame.events, next] };
        expect(utf8ByteLength(encodePeerFrame(overfull))).toBeGreaterThan(MAX_FRAME_BYTES);
      }
    }
  });

  it('fits even a worst-case event (8000 escaped control characters) in a frame', () => {
    const worst = makeEvent({ text: '\u0001'.repeat(MAX_TEXT_CHARS) });
    const frames = splitEventsIntoFrames([worst, worst], { [worst.author]: SPKI });
    expect(frames).toHaveLength(2);
    for (const f of frames)
      expect(utf8ByteLength(encodePeerFrame(f))).toBeLessThanOrEqual(MAX_FRAME_BYTES);
  });

  it('keeps order, loses nothing, and every frame fits and parses (property)', () => {
    const textArb = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.string({ unit: 'grapheme', maxLength: 3000 }),
      fc.constantFrom('x'.repeat(MAX_TEXT_CHARS), '字'.repeat(MAX_TEXT_CHARS), '😀'.repeat(4000)),
    );
    fc.assert(
      fc.property(
        fc.array(fc.record({ text: textArb, author: fc.integer({ min: 1, max: 4 }) }), {
          maxLength: 300,
        }),
        (specs) => {
          const events: ChatEvent[] = specs.map((s, i) =>
            makeEvent({ text: s.text, author: fakeFingerprint(s.author), seq: i + 1 }),
          );
          const keys = Object.fromEntries([1, 2, 3].map((n) => [fakeFingerprint(n), SPKI]));
          const frames = splitEventsIntoFrames(events, keys);
          expect(frames.flatMap((f) => f.events)).toEqual(events);
          for (const frame of frames) {
            const encoded = encodePeerFrame(frame);
            expect(utf8ByteLength(encoded)).toBeLessThanOrEqual(MAX_FRAME_BYTES);
            expect(frame.events.length).toBeLessThanOrEqual(MAX_BATCH_EVENTS);
            expect(Object.keys(frame.keys).sort()).toEqual(
              [...new Set(frame.events.map((e) => e.author))].filter((a) => a in keys).sort(),
            );
            expect(parsePeerFrame(encoded)).toEqual(frame);
          }
        },
      ),
      FC,
    );
    expect(warn).not.toHaveBeenCalled();
  }, 60_000);

  it('round-trips every frame type through encode and parse', () => {
    const frames: PeerFrame[] = [
      { type: 'hello', protocol: 1, nonce: NONCE },
      { type: 'auth', mac: MAC },
      { type: 'identity', key: SPKI, profile: { name: 'A', color: '#000000' }, sig: SIG },
      { type: 'sync', vector: { [fakeFingerprint(1)]: 1 } },
      { type: 'have', vector: {} },
      { type: 'read', hlc: '001700000000000-00000' },
      { type: 'typing' },
      { type: 'contact-request' },
      { type: 'contact-accept', secret: 'AAAAAAAAAAAAAAAAAAAAAA' as RoomSecret },
      { type: 'contact-decline' },
      { type: 'events', events: [makeEvent()], keys: {} },
      { type: 'ping', t: 1 },
      { type: 'pong', t: 1 },
      { type: 'bye' },
      { type: 'call-invite', callId: CALL_ID, media: 'audio', group: false },
      { type: 'call-ringing', callId: CALL_ID },
      { type: 'call-accept', callId: CALL_ID },
      { type: 'call-decline', callId: CALL_ID },
      { type: 'call-cancel', callId: CALL_ID },
      { type: 'call-busy', callId: CALL_ID },
      { type: 'call-hangup', callId: CALL_ID, closing: false },
      { type: 'call-media', callId: CALL_ID, audio: true, video: false, screen: true },
    ];
    for (const frame of frames) expect(parsePeerFrame(encodePeerFrame(frame))).toEqual(frame);
  });
});
