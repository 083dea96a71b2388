/**
 * Room calls in progress (DESIGN §8, "Call in progress — Join"): which call runs in which room
 * and who is in it, as far as the call frames we heard say.
 */
import type { CallMedia } from './call-machine';
import type { CallFrame } from '../../protocol/peer-frames';
import type { Fingerprint, PeerId, RoomKey } from '../../protocol/ids';

/** A room call in progress that we may join. */
export interface RoomCall {
  callId: string;
  media: CallMedia;
  /** Who we heard start it (the first participant heard of). */
  starter: Fingerprint;
  /** Who is in it, as far as we heard. */
  participants: Fingerprint[];
}

/** The sender side of a frame: an authenticated member on a link. */
export interface CallPeer {
  /** Their link's peer ID. */
  peerId: PeerId;
  /** The link's room. */
  room: RoomKey;
  /** Their fingerprint. */
  fingerprint: Fingerprint;
}

/** The registry of room calls. */
export class RoomCalls {
  #self: () => Fingerprint | null;
  #isInCall: (callId: string) => boolean;
  /** room → the room call in progress there. */
  #calls = $state.raw<Readonly<Record<RoomKey, RoomCall>>>({});

  /** `isInCall`: whether we are in the call of that ID (a call we are in never ends by itself here). */
  constructor(self: () => Fingerprint | null, isInCall: (callId: string) => boolean) {
    this.#self = self;
    this.#isInCall = isInCall;
  }

  /** The room call in progress in `room` with someone in it, if any. */
  in(room: RoomKey): RoomCall | null {
    const roomCall = this.#calls[room];
    return roomCall && roomCall.participants.length > 0 ? roomCall : null;
  }

  /** We started a room call. */
  started(room: RoomKey, callId: string, media: CallMedia, self: Fingerprint): void {
    this.#calls = {
      ...this.#calls,
      [room]: { callId, media, starter: self, participants: [self] },
    };
  }

  /** Follows a call frame from a member. */
  track(peer: CallPeer, frame: Exclude<CallFrame, { type: 'call-media' }>): void {
    const current = this.#calls[peer.room];
    if (frame.type === 'call-invite') {
      if (!frame.group) return;
      if (current?.callId === frame.callId) {
        if (!current.participants.includes(peer.fingerprint)) {
          this.#setParticipants(peer.room, [...current.participants, peer.fingerprint]);
        }
        return;
      }
      this.#calls = {
        ...this.#calls,
        [peer.room]: {
          callId: frame.callId,
          media: frame.media,
          starter: peer.fingerprint,
          participants: [peer.fingerprint],
        },
      };
      return;
    }
    if (current?.callId !== frame.callId) return;
    if (frame.type === 'call-accept' && !current.participants.includes(peer.fingerprint)) {
      this.#setParticipants(peer.room, [...current.participants, peer.fingerprint]);
    } else if (frame.type === 'call-hangup') {
      this.#setParticipants(
        peer.room,
        current.participants.filter((p) => p !== peer.fingerprint),
      );
    }
  }

  /** A member is gone from a room: they are in its call no more. */
  left(room: RoomKey, fingerprint: Fingerprint): void {
    const roomCall = this.#calls[room];
    if (!roomCall?.participants.includes(fingerprint)) return;
    this.#setParticipants(
      room,
      roomCall.participants.filter((p) => p !== fingerprint),
    );
  }

  #setParticipants(room: RoomKey, participants: Fingerprint[]): void {
    const current = this.#calls[room];
    if (!current) return;
    const next = { ...this.#calls };
    const self = this.#self();
    // Only ourselves left (or nobody): the call is over for the room.
    if (participants.filter((p) => p !== self).length === 0 && !this.#isInCall(current.callId)) {
      delete next[room];
    } else {
      next[room] = { ...current, participants };
    }
    this.#calls = next;
  }
}
