/**
 * The call state machine (DESIGN §8): pure, no timers, no I/O. `step(state, input)` returns the
 * next state and the effects the caller must carry out (send a frame, start or stop the ring
 * timer, open or close media, write the call log). Everything about who says what when lives
 * here, so it is tested without a browser.
 *
 * - 1:1 calls ring: invite → ringing → accept / decline / busy / cancel / ring timeout (missed).
 * - Room calls do not ring: the starter is in the call at once; members join with `call-accept`.
 * - Media is always dialled by the participant who already was in the call, towards the one who
 *   accepted (the caller dials the callee as soon as it rings — the callee answers that media
 *   connection only on Accept —, and again on accept if that did not work out; room participants
 *   dial a member who joins). Two
 *   participants who learn of each other otherwise (an invite on a new link) use the lower
 *   fingerprint as the dialler.
 * - Glare (two people call each other at once): the call with the lower ID wins; the side whose
 *   own call lost drops it and accepts the other one.
 * - Exactly one call log per call: the caller (the room call's starter) writes it when the call
 *   ends for them; when the caller's page goes away mid-call (a closing hang-up or a lost link),
 *   the callee writes it instead (in a room call: the remaining participant with the lowest
 *   fingerprint). The history shows one line per call ID, so a rare double write shows once.
 */
import type { CallLogBody, CallOutcome } from '../../protocol/events';
import type { CallFrame, CallMedia } from '../../protocol/peer-frames';
import type { Fingerprint, RoomKey } from '../../protocol/ids';

export type { CallMedia };

/** What every call in progress knows about itself. */
export interface CallInfo {
  /** The call's ID. */
  callId: string;
  /** The room (conversation) the call belongs to; its log goes there. */
  room: RoomKey;
  /** Voice or video. */
  media: CallMedia;
  /** A room call (joinable, no ringing). */
  group: boolean;
  /** Our own fingerprint. */
  self: Fingerprint;
  /** Who started the call (the caller; ourselves when we did). */
  starter: Fingerprint;
  /** The other person of a 1:1 call; NO_PEER ('') in a room call. */
  peer: Fingerprint;
  /** When this side started or heard of the call (ms). */
  startedAt: number;
  /** True when this side writes the call log when the call ends. */
  isLogWriter: boolean;
}

/** A call that ended, for the UI ("Call ended", "Busy", …). */
export interface EndedCall {
  /** The call's ID. */
  callId: string;
  /** Its room. */
  room: RoomKey;
  /** How it ended from this side. */
  outcome: CallOutcome;
  /** Seconds from answer to end (0 unless answered). */
  durationS: number;
}

/** Where this tab is with calls. */
export type CallState =
  /** No call; `last` is the one that ended most recently. */
  | { phase: 'idle'; last: EndedCall | null }
  /** We are calling someone (1:1); `isRinging` once they said their device rings. */
  | { phase: 'outgoing'; call: CallInfo; isRinging: boolean }
  /** Someone is calling us (1:1). */
  | { phase: 'incoming'; call: CallInfo }
  /** In a call with `participants` (fingerprints, not us) since `answeredAt`. */
  | { phase: 'active'; call: CallInfo; answeredAt: number; participants: readonly Fingerprint[] };

/** A call-control frame and who it came from, over an authenticated link in `room`. */
export interface CallFrameInput {
  type: 'frame';
  /** The sender's fingerprint (proven by the link's handshake). */
  from: Fingerprint;
  /** The room of the link it came over. */
  room: RoomKey;
  /** Our own fingerprint. */
  self: Fingerprint;
  /** The frame (media-state frames are not the machine's business). */
  frame: Exclude<CallFrame, { type: 'call-media' }>;
  /** Now (ms). */
  now: number;
}

/** Everything that can happen to the call state. */
export type CallInput =
  /** The person calls `peer` (1:1) from `room`. */
  | {
      type: 'dial';
      callId: string;
      room: RoomKey;
      peer: Fingerprint;
      self: Fingerprint;
      media: CallMedia;
      now: number;
    }
  /** The person starts a room call. */
  | {
      type: 'start-group';
      callId: string;
      room: RoomKey;
      self: Fingerprint;
      media: CallMedia;
      now: number;
    }
  /** The person joins a room call in progress; `participants` are those known to be in it. */
  | {
      type: 'join-group';
      callId: string;
      room: RoomKey;
      self: Fingerprint;
      media: CallMedia;
      starter: Fingerprint;
      participants: readonly Fingerprint[];
      now: number;
    }
  /** The person answers the ringing call. */
  | { type: 'accept'; now: number }
  /** The person declines the ringing call. */
  | { type: 'decline'; now: number }
  /** The person hangs up (or cancels while it rings); `closing` when the page is going away. */
  | { type: 'hang-up'; now: number; closing: boolean }
  /** The ring timer of `callId` ran out. */
  | { type: 'ring-timeout'; callId: string; now: number }
  /** A call frame arrived. */
  | CallFrameInput
  /** The authenticated link to `fingerprint` in `room` closed. */
  | { type: 'peer-gone'; fingerprint: Fingerprint; room: RoomKey; now: number };

/** What the machine asks its owner to do, in order. */
export type CallEffect =
  /** Send a frame to one member over their link in `room`. */
  | { type: 'send'; to: Fingerprint; room: RoomKey; frame: CallFrame }
  /** Send a frame to every linked member of `room`. */
  | { type: 'broadcast'; room: RoomKey; frame: CallFrame }
  /** (Re)start the ring timer for `callId` (CALL_RING_TIMEOUT_MS). */
  | { type: 'start-ring-timer'; callId: string }
  /** Stop the ring timer. */
  | { type: 'stop-ring-timer' }
  /** Open the media connection to a participant (we are its dialler). */
  | { type: 'connect-media'; to: Fingerprint }
  /** Close the media connection to one participant who left. */
  | { type: 'drop-media'; to: Fingerprint }
  /** The call is over here: close every media connection and release the devices. */
  | { type: 'end-media' }
  /** Write the call's log line to `room`. */
  | { type: 'log'; room: RoomKey; body: CallLogBody };

/** The next state and what to do. */
export interface CallStep {
  state: CallState;
  effects: CallEffect[];
}

/** The `peer` of a room call: nobody in particular. */
export const NO_PEER = '' as Fingerprint;

/** The state of a tab with no call. */
export const IDLE: CallState = { phase: 'idle', last: null };

/** True while the person is in a call or one rings (a new 1:1 invite then gets `call-busy`). */
export function isBusy(state: CallState): boolean {
  return state.phase !== 'idle';
}

/** Of two participants, the one who opens the media connection between them. */
export function mediaDialler(a: string, b: string): string {
  return a < b ? a : b;
}

const unchanged = (state: CallState): CallStep => ({ state, effects: [] });

/** Advances the call state by one input. */
export function step(state: CallState, input: CallInput): CallStep {
  switch (input.type) {
    case 'dial':
      if (state.phase !== 'idle') return unchanged(state);
      return {
        state: {
          phase: 'outgoing',
          isRinging: false,
          call: {
            callId: input.callId,
            room: input.room,
            media: input.media,
            group: false,
            self: input.self,
            starter: input.self,
            peer: input.peer,
            startedAt: input.now,
            isLogWriter: true,
          },
        },
        effects: [
          {
            type: 'send',
            to: input.peer,
            room: input.room,
            frame: { type: 'call-invite', callId: input.callId, media: input.media, group: false },
          },
          { type: 'start-ring-timer', callId: input.callId },
        ],
      };
    case 'start-group':
      if (state.phase !== 'idle') return unchanged(state);
      return {
        state: {
          phase: 'active',
          answeredAt: input.now,
          participants: [],
          call: {
            callId: input.callId,
            room: input.room,
            media: input.media,
            group: true,
            self: input.self,
            starter: input.self,
            peer: NO_PEER,
            startedAt: input.now,
            isLogWriter: true,
          },
        },
        effects: [
          {
            type: 'broadcast',
            room: input.room,
            frame: { type: 'call-invite', callId: input.callId, media: input.media, group: true },
          },
        ],
      };
    case 'join-group':
      if (state.phase !== 'idle') return unchanged(state);
      return {
        state: {
          phase: 'active',
          answeredAt: input.now,
          participants: input.participants.filter((p) => p !== input.self),
          call: {
            callId: input.callId,
            room: input.room,
            media: input.media,
            group: true,
            self: input.self,
            starter: input.starter,
            peer: NO_PEER,
            startedAt: input.now,
            isLogWriter: input.starter === input.self,
          },
        },
        effects: [
          {
            type: 'broadcast',
            room: input.room,
            frame: { type: 'call-accept', callId: input.callId },
          },
        ],
      };
    case 'accept': {
      if (state.phase !== 'incoming') return unchanged(state);
      const { call } = state;
      return {
        state: { phase: 'active', call, answeredAt: input.now, participants: [call.peer] },
        effects: [
          { type: 'stop-ring-timer' },
          {
            type: 'send',
            to: call.peer,
            room: call.room,
            frame: { type: 'call-accept', callId: call.callId },
          },
        ],
      };
    }
    case 'decline': {
      if (state.phase !== 'incoming') return unchanged(state);
      const { call } = state;
      return end(state, 'declined', 0, [
        { type: 'stop-ring-timer' },
        {
          type: 'send',
          to: call.peer,
          room: call.room,
          frame: { type: 'call-decline', callId: call.callId },
        },
      ]);
    }
    case 'hang-up':
      return hangUp(state, input.now, input.closing);
    case 'ring-timeout': {
      if (state.phase === 'outgoing' && state.call.callId === input.callId) {
        const { call } = state;
        return end(state, 'missed', 0, [
          {
            type: 'send',
            to: call.peer,
            room: call.room,
            frame: { type: 'call-cancel', callId: call.callId },
          },
        ]);
      }
      if (state.phase === 'incoming' && state.call.callId === input.callId) {
        return end(state, 'missed', 0, []);
      }
      return unchanged(state);
    }
    case 'frame':
      return onFrame(state, input);
    case 'peer-gone':
      return onPeerGone(state, input);
  }
}

/** The person hangs up: cancels a call that still rings, or leaves the call. */
function hangUp(state: CallState, now: number, closing: boolean): CallStep {
  switch (state.phase) {
    case 'idle':
      return unchanged(state);
    case 'incoming':
      // Closing the page while it rings says no.
      return step(state, { type: 'decline', now });
    case 'outgoing': {
      const { call } = state;
      // Best effort when the page is closing: the write may not finish (nobody else can do it).
      return end(state, 'cancelled', 0, [
        {
          type: 'send',
          to: call.peer,
          room: call.room,
          frame: { type: 'call-cancel', callId: call.callId },
        },
      ]);
    }
    case 'active': {
      const { call } = state;
      const frame: CallFrame = { type: 'call-hangup', callId: call.callId, closing };
      const tell: CallEffect = call.group
        ? { type: 'broadcast', room: call.room, frame }
        : { type: 'send', to: call.peer, room: call.room, frame };
      return end(state, 'answered', secondsBetween(state.answeredAt, now), [tell], closing);
    }
  }
}

function onFrame(state: CallState, input: CallFrameInput): CallStep {
  const { frame, from } = input;
  if (frame.type === 'call-invite') return onInvite(state, input, frame);
  if (state.phase === 'idle' || state.call.callId !== frame.callId) {
    // An answer that crossed our cancel (or our ring timeout): tell them the call is over, or
    // they would wait in a call nobody dials.
    const ended = state.phase === 'idle' ? state.last : null;
    if (frame.type === 'call-accept' && ended?.callId === frame.callId) {
      return {
        state,
        effects: [
          {
            type: 'send',
            to: from,
            room: input.room,
            frame: { type: 'call-hangup', callId: frame.callId, closing: false },
          },
        ],
      };
    }
    return unchanged(state);
  }
  const { call } = state;
  // In a 1:1 call only the other person speaks; in a room call only its room's members.
  if (!call.group && from !== call.peer) return unchanged(state);
  if (call.group && input.room !== call.room) return unchanged(state);
  switch (frame.type) {
    case 'call-ringing':
      // Their phone rings: dial the media now, so that Accept only has to answer it (the callee
      // holds it unanswered until then, and closes it if the call ends otherwise).
      if (state.phase !== 'outgoing' || state.isRinging) return unchanged(state);
      return {
        state: { ...state, isRinging: true },
        effects: [{ type: 'connect-media', to: call.peer }],
      };
    case 'call-accept':
      if (state.phase === 'outgoing') {
        return {
          state: { phase: 'active', call, answeredAt: input.now, participants: [call.peer] },
          effects: [{ type: 'stop-ring-timer' }, { type: 'connect-media', to: call.peer }],
        };
      }
      if (state.phase === 'active' && call.group && !state.participants.includes(from)) {
        // A member joined: those already in the call dial them.
        return {
          state: { ...state, participants: [...state.participants, from] },
          effects: [{ type: 'connect-media', to: from }],
        };
      }
      return unchanged(state);
    case 'call-decline':
      return state.phase === 'outgoing' ? end(state, 'declined', 0, []) : unchanged(state);
    case 'call-busy':
      return state.phase === 'outgoing' ? end(state, 'busy', 0, []) : unchanged(state);
    case 'call-cancel':
      // Also when our accept crossed it: the caller gave up before it heard the answer.
      if (state.phase === 'incoming' || (state.phase === 'active' && !call.group)) {
        return end(state, 'cancelled', 0, []);
      }
      return unchanged(state);
    case 'call-hangup':
      if (state.phase !== 'active') return unchanged(state);
      return leave(state, from, input.now, frame.closing);
  }
}

function onInvite(
  state: CallState,
  input: CallFrameInput,
  frame: Extract<CallFrame, { type: 'call-invite' }>,
): CallStep {
  const { from, room, now } = input;
  if (frame.group) {
    // A room call in progress. We are in it already: make sure we have media with the sender.
    if (
      state.phase === 'active' &&
      state.call.group &&
      state.call.callId === frame.callId &&
      !state.participants.includes(from)
    ) {
      const effects: CallEffect[] =
        mediaDialler(state.call.self, from) === state.call.self
          ? [{ type: 'connect-media', to: from }]
          : [];
      return { state: { ...state, participants: [...state.participants, from] }, effects };
    }
    // Otherwise it is shown as "call in progress — Join", which is not the machine's business.
    return unchanged(state);
  }
  if (state.phase !== 'idle') {
    if (state.call.callId === frame.callId) return unchanged(state); // a repeat
    if (state.phase === 'outgoing' && state.call.peer === from) {
      // Glare: both called each other. The lower call ID wins on both sides.
      if (state.call.callId < frame.callId) return unchanged(state); // ours wins; they accept it
      const call: CallInfo = {
        callId: frame.callId,
        room,
        media: frame.media,
        group: false,
        self: state.call.self,
        starter: from,
        peer: from,
        startedAt: now,
        isLogWriter: false,
      };
      return {
        state: { phase: 'active', call, answeredAt: now, participants: [from] },
        effects: [
          { type: 'stop-ring-timer' },
          { type: 'send', to: from, room, frame: { type: 'call-accept', callId: frame.callId } },
        ],
      };
    }
    return {
      state,
      effects: [
        { type: 'send', to: from, room, frame: { type: 'call-busy', callId: frame.callId } },
      ],
    };
  }
  return {
    state: {
      phase: 'incoming',
      call: {
        callId: frame.callId,
        room,
        media: frame.media,
        group: false,
        self: input.self,
        starter: from,
        peer: from,
        startedAt: now,
        isLogWriter: false,
      },
    },
    effects: [
      { type: 'send', to: from, room, frame: { type: 'call-ringing', callId: frame.callId } },
      { type: 'start-ring-timer', callId: frame.callId },
    ],
  };
}

function onPeerGone(state: CallState, input: Extract<CallInput, { type: 'peer-gone' }>): CallStep {
  if (state.phase === 'idle') return unchanged(state);
  const { call } = state;
  if (input.room !== call.room) return unchanged(state);
  if (!call.group) {
    if (input.fingerprint !== call.peer) return unchanged(state);
    switch (state.phase) {
      case 'outgoing':
        return end(state, 'missed', 0, []);
      case 'incoming':
        return end(state, 'missed', 0, []);
      case 'active':
        return leave(state, input.fingerprint, input.now, true);
    }
  }
  if (state.phase !== 'active' || !state.participants.includes(input.fingerprint)) {
    return unchanged(state);
  }
  return leave(state, input.fingerprint, input.now, true);
}

/**
 * `who` left the active call (hung up, or is gone; `isAbrupt` when its page closed or its link
 * dropped). A 1:1 call ends; a room call goes on with the others.
 */
function leave(
  state: Extract<CallState, { phase: 'active' }>,
  who: Fingerprint,
  now: number,
  isAbrupt: boolean,
): CallStep {
  const { call } = state;
  // The log writer's page went away: someone else must write it (DESIGN §8).
  const starterVanished = isAbrupt && who === call.starter && !call.isLogWriter;
  if (!call.group) {
    const takeOver = starterVanished ? { ...state, call: { ...call, isLogWriter: true } } : state;
    return end(takeOver, 'answered', secondsBetween(state.answeredAt, now), []);
  }
  const participants = state.participants.filter((p) => p !== who);
  const isNextWriter = starterVanished && [call.self, ...participants].every((p) => p >= call.self);
  return {
    state: {
      ...state,
      participants,
      call: isNextWriter ? { ...call, isLogWriter: true } : call,
    },
    effects: [{ type: 'drop-media', to: who }],
  };
}

/** Ends the call here with `outcome`; the log writer writes its line unless its page is closing. */
function end(
  state: Exclude<CallState, { phase: 'idle' }>,
  outcome: CallOutcome,
  durationS: number,
  first: CallEffect[],
  isClosing = false,
): CallStep {
  const { call } = state;
  const effects: CallEffect[] = [...first];
  if (state.phase !== 'active') effects.push({ type: 'stop-ring-timer' });
  effects.push({ type: 'end-media' });
  if (call.isLogWriter && !isClosing) {
    effects.push({
      type: 'log',
      room: call.room,
      body: { callId: call.callId, media: call.media, outcome, durationS, group: call.group },
    });
  }
  return {
    state: {
      phase: 'idle',
      last: { callId: call.callId, room: call.room, outcome, durationS },
    },
    effects: dedupeTimerStops(effects),
  };
}

/** One `stop-ring-timer` is enough. */
function dedupeTimerStops(effects: CallEffect[]): CallEffect[] {
  let isStopped = false;
  return effects.filter((e) => {
    if (e.type !== 'stop-ring-timer') return true;
    if (isStopped) return false;
    isStopped = true;
    return true;
  });
}

/** Whole seconds from `from` to `to`, never negative. */
function secondsBetween(from: number, to: number): number {
  return Math.max(0, Math.round((to - from) / 1000));
}
