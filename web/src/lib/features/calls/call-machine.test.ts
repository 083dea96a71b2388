import { describe, expect, it } from 'vitest';
import type { CallFrame } from '../../protocol/peer-frames';
import {
  IDLE,
  isBusy,
  mediaDialler,
  step,
  type CallEffect,
  type CallInput,
  type CallState,
} from './call-machine';
import type { Fingerprint, RoomKey } from '../../protocol/ids';

const ROOM = 'room-1' as RoomKey;
const OTHER_ROOM = 'room-2' as RoomKey;
const ME = 'M'.repeat(52) as Fingerprint;
const BOB = 'B'.repeat(52) as Fingerprint;
const CAROL = 'C'.repeat(52) as Fingerprint;
const ZED = 'Z'.repeat(52) as Fingerprint;
const CALL = 'call-5';
const LOWER_CALL = 'call-1';
const HIGHER_CALL = 'call-9';

function frame(
  from: Fingerprint,
  f: Exclude<CallFrame, { type: 'call-media' }>,
  now = 1_000,
  room = ROOM,
): CallInput {
  return { type: 'frame', from, room, self: ME, frame: f, now };
}

function run(
  state: CallState,
  ...inputs: CallInput[]
): { state: CallState; effects: CallEffect[] } {
  let current = state;
  let effects: CallEffect[] = [];
  for (const input of inputs) {
    const next = step(current, input);
    current = next.state;
    effects = next.effects;
  }
  return { state: current, effects };
}

const dial = (callId = CALL, now = 0): CallInput => ({
  type: 'dial',
  callId,
  room: ROOM,
  peer: BOB,
  self: ME,
  media: 'video',
  now,
});
const invite = (from = BOB, callId = CALL, now = 0, group = false): CallInput =>
  frame(from, { type: 'call-invite', callId, media: 'audio', group }, now);

const outgoing = (): CallState => run(IDLE, dial()).state;
const ringingIn = (): CallState => run(IDLE, invite()).state;
const inCallAsCaller = (): CallState =>
  run(outgoing(), frame(BOB, { type: 'call-accept', callId: CALL }, 1_000)).state;
const inCallAsCallee = (): CallState => run(ringingIn(), { type: 'accept', now: 1_000 }).state;
const inRoomCall = (): CallState =>
  run(IDLE, { type: 'start-group', callId: CALL, room: ROOM, self: ME, media: 'video', now: 0 })
    .state;

function logOf(effects: CallEffect[]) {
  return effects.find((e) => e.type === 'log');
}

describe('call machine: placing a 1:1 call', () => {
  it('sends an invite and starts the ring timer', () => {
    const { state, effects } = run(IDLE, dial());
    expect(state).toMatchObject({
      phase: 'outgoing',
      isRinging: false,
      call: { peer: BOB, isLogWriter: true },
    });
    expect(effects).toEqual([
      {
        type: 'send',
        to: BOB,
        room: ROOM,
        frame: { type: 'call-invite', callId: CALL, media: 'video', group: false },
      },
      { type: 'start-ring-timer', callId: CALL },
    ]);
  });

  it('notes that the callee rings and dials the media it will answer on accept, once', () => {
    const { state, effects } = run(outgoing(), frame(BOB, { type: 'call-ringing', callId: CALL }));
    expect(state).toMatchObject({ phase: 'outgoing', isRinging: true });
    expect(effects).toEqual([{ type: 'connect-media', to: BOB }]);
    const again = run(state, frame(BOB, { type: 'call-ringing', callId: CALL }));
    expect(again.state).toBe(state);
    expect(again.effects).toEqual([]);
  });

  it('on accept, stops the ring timer and dials the media', () => {
    const { state, effects } = run(
      outgoing(),
      frame(BOB, { type: 'call-accept', callId: CALL }, 3_000),
    );
    expect(state).toMatchObject({ phase: 'active', answeredAt: 3_000, participants: [BOB] });
    expect(effects).toEqual([{ type: 'stop-ring-timer' }, { type: 'connect-media', to: BOB }]);
  });

  it.each([
    ['call-decline', 'declined'],
    ['call-busy', 'busy'],
  ] as const)('on %s, ends and logs %s', (type, outcome) => {
    const { state, effects } = run(outgoing(), frame(BOB, { type, callId: CALL }));
    expect(state).toEqual({
      phase: 'idle',
      last: { callId: CALL, room: ROOM, outcome, durationS: 0 },
    });
    expect(logOf(effects)).toEqual({
      type: 'log',
      room: ROOM,
      body: { callId: CALL, media: 'video', outcome, durationS: 0, group: false },
    });
    expect(effects).toContainEqual({ type: 'stop-ring-timer' });
    expect(effects).toContainEqual({ type: 'end-media' });
  });

  it('hanging up while it rings cancels, tells the callee and logs "cancelled"', () => {
    const { state, effects } = run(outgoing(), { type: 'hang-up', now: 5, closing: false });
    expect(state).toMatchObject({ phase: 'idle', last: { outcome: 'cancelled' } });
    expect(effects[0]).toEqual({
      type: 'send',
      to: BOB,
      room: ROOM,
      frame: { type: 'call-cancel', callId: CALL },
    });
    expect(logOf(effects)?.body.outcome).toBe('cancelled');
  });

  it('a ring timeout ends it as missed, cancels at the callee and logs it', () => {
    const { state, effects } = run(outgoing(), { type: 'ring-timeout', callId: CALL, now: 45_000 });
    expect(state).toMatchObject({ phase: 'idle', last: { outcome: 'missed' } });
    expect(effects).toContainEqual({
      type: 'send',
      to: BOB,
      room: ROOM,
      frame: { type: 'call-cancel', callId: CALL },
    });
    expect(logOf(effects)?.body.outcome).toBe('missed');
  });

  it('ignores the timeout of another call', () => {
    const before = outgoing();
    expect(run(before, { type: 'ring-timeout', callId: 'old', now: 1 })).toEqual({
      state: before,
      effects: [],
    });
  });

  it('the callee going away while it rings is a missed call', () => {
    const { state, effects } = run(outgoing(), {
      type: 'peer-gone',
      fingerprint: BOB,
      room: ROOM,
      now: 9,
    });
    expect(state).toMatchObject({ phase: 'idle', last: { outcome: 'missed' } });
    expect(logOf(effects)?.body.outcome).toBe('missed');
  });

  it('ignores frames for another call, and from anyone but the callee', () => {
    const before = outgoing();
    expect(run(before, frame(BOB, { type: 'call-accept', callId: 'other' })).state).toBe(before);
    expect(run(before, frame(CAROL, { type: 'call-accept', callId: CALL })).state).toBe(before);
    expect(run(before, frame(BOB, { type: 'call-cancel', callId: CALL })).state).toBe(before);
    expect(run(before, { type: 'peer-gone', fingerprint: CAROL, room: ROOM, now: 1 }).state).toBe(
      before,
    );
    expect(
      run(before, { type: 'peer-gone', fingerprint: BOB, room: OTHER_ROOM, now: 1 }).state,
    ).toBe(before);
  });

  it('cannot dial or start a room call while busy', () => {
    const before = outgoing();
    expect(run(before, dial('x')).state).toBe(before);
    expect(
      run(before, {
        type: 'start-group',
        callId: 'x',
        room: ROOM,
        self: ME,
        media: 'audio',
        now: 0,
      }).state,
    ).toBe(before);
  });
});

describe('call machine: receiving a 1:1 call', () => {
  it('rings: answers "ringing" and starts the ring timer', () => {
    const { state, effects } = run(IDLE, invite());
    expect(state).toMatchObject({
      phase: 'incoming',
      call: { callId: CALL, peer: BOB, starter: BOB, self: ME, isLogWriter: false, media: 'audio' },
    });
    expect(effects).toEqual([
      { type: 'send', to: BOB, room: ROOM, frame: { type: 'call-ringing', callId: CALL } },
      { type: 'start-ring-timer', callId: CALL },
    ]);
  });

  it('accepting tells the caller and waits for their media', () => {
    const { state, effects } = run(ringingIn(), { type: 'accept', now: 2_000 });
    expect(state).toMatchObject({ phase: 'active', answeredAt: 2_000, participants: [BOB] });
    expect(effects).toEqual([
      { type: 'stop-ring-timer' },
      { type: 'send', to: BOB, room: ROOM, frame: { type: 'call-accept', callId: CALL } },
    ]);
  });

  it('declining tells the caller and writes no log (the caller does)', () => {
    const { state, effects } = run(ringingIn(), { type: 'decline', now: 1 });
    expect(state).toMatchObject({ phase: 'idle', last: { outcome: 'declined' } });
    expect(effects[0]).toEqual({ type: 'stop-ring-timer' });
    expect(effects).toContainEqual({
      type: 'send',
      to: BOB,
      room: ROOM,
      frame: { type: 'call-decline', callId: CALL },
    });
    expect(logOf(effects)).toBeUndefined();
  });

  it('hanging up (or closing the page) while it rings declines', () => {
    const { effects } = run(ringingIn(), { type: 'hang-up', now: 1, closing: true });
    expect(effects).toContainEqual({
      type: 'send',
      to: BOB,
      room: ROOM,
      frame: { type: 'call-decline', callId: CALL },
    });
  });

  it('the caller cancelling stops the ringing without a log here', () => {
    const { state, effects } = run(ringingIn(), frame(BOB, { type: 'call-cancel', callId: CALL }));
    expect(state).toMatchObject({ phase: 'idle', last: { outcome: 'cancelled' } });
    expect(effects).toEqual([{ type: 'stop-ring-timer' }, { type: 'end-media' }]);
  });

  it('its own ring timeout ends it as missed, without a log here', () => {
    const { state, effects } = run(ringingIn(), {
      type: 'ring-timeout',
      callId: CALL,
      now: 45_000,
    });
    expect(state).toMatchObject({ phase: 'idle', last: { outcome: 'missed' } });
    expect(logOf(effects)).toBeUndefined();
  });

  it('the caller going away while it rings ends it', () => {
    const { state } = run(ringingIn(), { type: 'peer-gone', fingerprint: BOB, room: ROOM, now: 1 });
    expect(state).toMatchObject({ phase: 'idle', last: { outcome: 'missed' } });
  });

  it('a repeated invite changes nothing', () => {
    const before = ringingIn();
    expect(run(before, invite())).toEqual({ state: before, effects: [] });
  });

  it('accept, decline and hang-up do nothing without a call', () => {
    expect(run(IDLE, { type: 'accept', now: 1 }).state).toBe(IDLE);
    expect(run(IDLE, { type: 'decline', now: 1 }).state).toBe(IDLE);
    expect(run(IDLE, { type: 'hang-up', now: 1, closing: false }).state).toBe(IDLE);
    expect(run(IDLE, { type: 'ring-timeout', callId: CALL, now: 1 }).state).toBe(IDLE);
    expect(run(IDLE, frame(BOB, { type: 'call-hangup', callId: CALL, closing: false })).state).toBe(
      IDLE,
    );
    expect(run(IDLE, { type: 'peer-gone', fingerprint: BOB, room: ROOM, now: 1 }).state).toBe(IDLE);
  });
});

describe('call machine: an answer crossing a cancel', () => {
  it('the caller, already idle, tells a late accept that the call is over', () => {
    const cancelled = run(outgoing(), { type: 'hang-up', now: 500, closing: false }).state;
    expect(cancelled.phase).toBe('idle');
    const { state, effects } = run(cancelled, frame(BOB, { type: 'call-accept', callId: CALL }));
    expect(state).toBe(cancelled);
    expect(effects).toEqual([
      {
        type: 'send',
        to: BOB,
        room: ROOM,
        frame: { type: 'call-hangup', callId: CALL, closing: false },
      },
    ]);
    // Not for some other call.
    expect(run(cancelled, frame(BOB, { type: 'call-accept', callId: 'x' })).effects).toEqual([]);
  });

  it('the callee, already in the call, ends it when the cancel arrives after its accept', () => {
    const { state, effects } = run(
      inCallAsCallee(),
      frame(BOB, { type: 'call-cancel', callId: CALL }),
    );
    expect(state).toMatchObject({ phase: 'idle', last: { callId: CALL, outcome: 'cancelled' } });
    expect(effects).toContainEqual({ type: 'end-media' });
    expect(logOf(effects)).toBeUndefined();
  });
});

describe('call machine: busy', () => {
  it.each<[string, () => CallState]>([
    ['calling someone else', () => run(IDLE, { ...dial(), peer: CAROL } as CallInput).state],
    ['ringing for someone else', () => run(IDLE, invite(CAROL)).state],
    ['in a call', inCallAsCaller],
    ['in a room call', inRoomCall],
  ])('answers a new 1:1 invite with call-busy while %s', (_what, make) => {
    const before = make();
    expect(isBusy(before)).toBe(true);
    const { state, effects } = run(before, invite(BOB, 'new-call'));
    expect(state).toBe(before);
    expect(effects).toEqual([
      { type: 'send', to: BOB, room: ROOM, frame: { type: 'call-busy', callId: 'new-call' } },
    ]);
  });

  it('is not busy when idle', () => {
    expect(isBusy(IDLE)).toBe(false);
  });
});

describe('call machine: glare (both call each other at once)', () => {
  it('the side whose call has the higher ID accepts the other call', () => {
    const mine = run(IDLE, dial(HIGHER_CALL)).state;
    const { state, effects } = run(mine, invite(BOB, LOWER_CALL, 7));
    expect(state).toMatchObject({
      phase: 'active',
      call: { callId: LOWER_CALL, starter: BOB, isLogWriter: false },
      participants: [BOB],
    });
    expect(effects).toEqual([
      { type: 'stop-ring-timer' },
      { type: 'send', to: BOB, room: ROOM, frame: { type: 'call-accept', callId: LOWER_CALL } },
    ]);
  });

  it('the side whose call has the lower ID ignores the other invite and gets accepted', () => {
    const mine = run(IDLE, dial(LOWER_CALL)).state;
    const ignored = run(mine, invite(BOB, HIGHER_CALL));
    expect(ignored).toEqual({ state: mine, effects: [] });
    const { state, effects } = run(mine, frame(BOB, { type: 'call-accept', callId: LOWER_CALL }));
    expect(state).toMatchObject({
      phase: 'active',
      call: { callId: LOWER_CALL, isLogWriter: true },
    });
    expect(effects).toContainEqual({ type: 'connect-media', to: BOB });
  });

  it('both sides end in the same call with exactly one log writer', () => {
    // Alice (ME) calls with HIGHER, Bob with LOWER: run both machines side by side.
    const alice = run(run(IDLE, dial(HIGHER_CALL)).state, invite(BOB, LOWER_CALL)).state;
    const bobSelf = BOB;
    const bob = run(
      IDLE,
      {
        type: 'dial',
        callId: LOWER_CALL,
        room: ROOM,
        peer: ME,
        self: bobSelf,
        media: 'audio',
        now: 0,
      },
      {
        type: 'frame',
        from: ME,
        room: ROOM,
        self: bobSelf,
        frame: { type: 'call-invite', callId: HIGHER_CALL, media: 'video', group: false },
        now: 1,
      },
      {
        type: 'frame',
        from: ME,
        room: ROOM,
        self: bobSelf,
        frame: { type: 'call-accept', callId: LOWER_CALL },
        now: 2,
      },
    ).state;
    expect(alice.phase).toBe('active');
    expect(bob.phase).toBe('active');
    if (alice.phase !== 'active' || bob.phase !== 'active') return;
    expect(alice.call.callId).toBe(bob.call.callId);
    expect([alice.call.isLogWriter, bob.call.isLogWriter].filter(Boolean)).toHaveLength(1);
  });
});

describe('call machine: hanging up an answered call', () => {
  it('the caller hangs up: tells the callee and logs the duration', () => {
    const { state, effects } = run(inCallAsCaller(), {
      type: 'hang-up',
      now: 134_400,
      closing: false,
    });
    expect(state).toEqual({
      phase: 'idle',
      last: { callId: CALL, room: ROOM, outcome: 'answered', durationS: 133 },
    });
    expect(effects).toEqual([
      {
        type: 'send',
        to: BOB,
        room: ROOM,
        frame: { type: 'call-hangup', callId: CALL, closing: false },
      },
      { type: 'end-media' },
      {
        type: 'log',
        room: ROOM,
        body: { callId: CALL, media: 'video', outcome: 'answered', durationS: 133, group: false },
      },
    ]);
  });

  it('the callee hangs up: tells the caller, who logs it', () => {
    const callee = run(inCallAsCallee(), { type: 'hang-up', now: 61_000, closing: false });
    expect(callee.effects).toContainEqual({
      type: 'send',
      to: BOB,
      room: ROOM,
      frame: { type: 'call-hangup', callId: CALL, closing: false },
    });
    expect(logOf(callee.effects)).toBeUndefined();
    const caller = run(
      inCallAsCaller(),
      frame(BOB, { type: 'call-hangup', callId: CALL, closing: false }, 61_000),
    );
    expect(caller.state).toMatchObject({
      phase: 'idle',
      last: { outcome: 'answered', durationS: 60 },
    });
    expect(logOf(caller.effects)?.body.durationS).toBe(60);
  });

  it('a caller whose page closes writes no log; the callee writes it instead', () => {
    const caller = run(inCallAsCaller(), { type: 'hang-up', now: 11_000, closing: true });
    expect(caller.effects[0]).toMatchObject({ frame: { type: 'call-hangup', closing: true } });
    expect(logOf(caller.effects)).toBeUndefined();
    const callee = run(
      inCallAsCallee(),
      frame(BOB, { type: 'call-hangup', callId: CALL, closing: true }, 11_000),
    );
    expect(logOf(callee.effects)?.body).toMatchObject({ outcome: 'answered', durationS: 10 });
  });

  it("the caller's link dropping ends the call and the callee logs it", () => {
    const { state, effects } = run(inCallAsCallee(), {
      type: 'peer-gone',
      fingerprint: BOB,
      room: ROOM,
      now: 4_000,
    });
    expect(state).toMatchObject({ phase: 'idle', last: { outcome: 'answered', durationS: 3 } });
    expect(effects).toContainEqual({ type: 'end-media' });
    expect(logOf(effects)?.body.outcome).toBe('answered');
  });

  it("the callee's link dropping ends the call and the caller logs it", () => {
    const { effects } = run(inCallAsCaller(), {
      type: 'peer-gone',
      fingerprint: BOB,
      room: ROOM,
      now: 4_000,
    });
    expect(logOf(effects)?.body.durationS).toBe(3);
  });

  it('never reports a negative duration', () => {
    const { state } = run(inCallAsCaller(), { type: 'hang-up', now: 0, closing: false });
    expect(state).toMatchObject({ last: { durationS: 0 } });
  });
});

describe('call machine: room calls', () => {
  it('starting one puts us in it at once and invites the room', () => {
    const { state, effects } = run(IDLE, {
      type: 'start-group',
      callId: CALL,
      room: ROOM,
      self: ME,
      media: 'video',
      now: 0,
    });
    expect(state).toMatchObject({
      phase: 'active',
      participants: [],
      call: { group: true, isLogWriter: true },
    });
    expect(effects).toEqual([
      {
        type: 'broadcast',
        room: ROOM,
        frame: { type: 'call-invite', callId: CALL, media: 'video', group: true },
      },
    ]);
  });

  it('a room-call invite does not ring and is not busy', () => {
    expect(run(IDLE, invite(BOB, CALL, 0, true))).toEqual({ state: IDLE, effects: [] });
    const busy = inCallAsCaller();
    expect(run(busy, invite(CAROL, 'other', 0, true))).toEqual({ state: busy, effects: [] });
  });

  it('joining tells the room and waits for the participants to dial', () => {
    const { state, effects } = run(IDLE, {
      type: 'join-group',
      callId: CALL,
      room: ROOM,
      self: ME,
      media: 'video',
      starter: BOB,
      participants: [BOB, CAROL, ME],
      now: 0,
    });
    expect(state).toMatchObject({
      phase: 'active',
      participants: [BOB, CAROL],
      call: { isLogWriter: false },
    });
    expect(effects).toEqual([
      { type: 'broadcast', room: ROOM, frame: { type: 'call-accept', callId: CALL } },
    ]);
  });

  it('a participant dials each member who joins, once', () => {
    const first = run(inRoomCall(), frame(BOB, { type: 'call-accept', callId: CALL }));
    expect(first.state).toMatchObject({ participants: [BOB] });
    expect(first.effects).toEqual([{ type: 'connect-media', to: BOB }]);
    const again = run(first.state, frame(BOB, { type: 'call-accept', callId: CALL }));
    expect(again.effects).toEqual([]);
  });

  it('ignores a join from another room', () => {
    const before = inRoomCall();
    expect(
      run(before, frame(BOB, { type: 'call-accept', callId: CALL }, 1, OTHER_ROOM)).state,
    ).toBe(before);
  });

  it('a participant learnt from an invite is dialled by the lower fingerprint', () => {
    const low = run(inRoomCall(), invite(ZED, CALL, 0, true));
    expect(low.effects).toEqual([{ type: 'connect-media', to: ZED }]);
    const high = run(inRoomCall(), invite(BOB, CALL, 0, true));
    expect(high.state).toMatchObject({ participants: [BOB] });
    expect(high.effects).toEqual([]);
    expect(mediaDialler(ME, BOB)).toBe(BOB);
  });

  it('someone leaving drops their media and the call goes on', () => {
    const withTwo = run(
      inRoomCall(),
      frame(BOB, { type: 'call-accept', callId: CALL }),
      frame(CAROL, { type: 'call-accept', callId: CALL }),
    ).state;
    const { state, effects } = run(
      withTwo,
      frame(BOB, { type: 'call-hangup', callId: CALL, closing: false }),
    );
    expect(state).toMatchObject({ phase: 'active', participants: [CAROL] });
    expect(effects).toEqual([{ type: 'drop-media', to: BOB }]);
    const gone = run(state, { type: 'peer-gone', fingerprint: CAROL, room: ROOM, now: 1 });
    expect(gone.state).toMatchObject({ phase: 'active', participants: [] });
    expect(gone.effects).toEqual([{ type: 'drop-media', to: CAROL }]);
  });

  it('the starter leaving logs the call with its duration for the room', () => {
    const { effects } = run(inRoomCall(), { type: 'hang-up', now: 90_000, closing: false });
    expect(effects[0]).toEqual({
      type: 'broadcast',
      room: ROOM,
      frame: { type: 'call-hangup', callId: CALL, closing: false },
    });
    expect(logOf(effects)?.body).toEqual({
      callId: CALL,
      media: 'video',
      outcome: 'answered',
      durationS: 90,
      group: true,
    });
  });

  it("when the starter's page closes, the remaining participant with the lowest fingerprint takes over the log", () => {
    const join = (self: Fingerprint, others: Fingerprint[]): CallState =>
      run(IDLE, {
        type: 'join-group',
        callId: CALL,
        room: ROOM,
        self,
        media: 'video',
        starter: ZED,
        participants: [ZED, ...others],
        now: 0,
      }).state;
    const starterGone = (s: CallState) =>
      run(s, {
        type: 'frame',
        from: ZED,
        room: ROOM,
        self: '' as Fingerprint,
        frame: { type: 'call-hangup', callId: CALL, closing: true },
        now: 5_000,
      }).state;
    const bob = starterGone(join(BOB, [CAROL]));
    const carol = starterGone(join(CAROL, [BOB]));
    expect(bob).toMatchObject({ call: { isLogWriter: true } });
    expect(carol).toMatchObject({ call: { isLogWriter: false } });
    const left = run(bob, { type: 'hang-up', now: 9_000, closing: false });
    expect(logOf(left.effects)?.body).toMatchObject({ group: true, outcome: 'answered' });
    // A starter that left on purpose (not closing) already wrote the log.
    const calm = run(join(BOB, [CAROL]), {
      type: 'frame',
      from: ZED,
      room: ROOM,
      self: BOB,
      frame: { type: 'call-hangup', callId: CALL, closing: false },
      now: 5_000,
    }).state;
    expect(calm).toMatchObject({ call: { isLogWriter: false } });
  });
});
