/**
 * Calls as the UI sees them (DESIGN §8), loaded on first use (a call button, or an incoming
 * `call-invite`). The rules of who says what are the pure machine in `call-machine.ts`; this
 * controller carries out its effects — frames, the ring timer, media connections
 * (`media-links`), devices (`call-devices`), stats and the call log — and keeps the registry of
 * room calls (`room-calls`).
 */
import { MAX_CALL_PARTICIPANTS } from '../../config';
import {
  CALL_RING_TIMEOUT_MS,
  CALL_STATS_INTERVAL_MS,
  TEST_HOOK_RING_TIMEOUT_KEY,
} from '../../config-network';
import { toBase64Url } from '../../encoding';
import { createLogger } from '../../log';
import type { Transport } from '../../net/transport';
import { assertNever } from '../../protocol/assert-never';
import type { CallLogBody } from '../../protocol/events';
import type { CallFrame } from '../../protocol/peer-frames';
import { CallDevices } from './call-devices.svelte';
import {
  IDLE,
  step,
  type CallEffect,
  type CallInput,
  type CallMedia,
  type CallState,
  type EndedCall,
} from './call-machine';
import type { DeviceLists, Devices, MediaProblem } from './devices';
import { MediaLinks, type RemoteMediaState } from './media-links.svelte';
import type { CallPath, CallQuality } from './call-quality';
import { RoomCalls, type CallPeer, type RoomCall } from './room-calls.svelte';
import type { Fingerprint, PeerId, RoomKey } from '../../protocol/ids';

export type { CallPeer, RoomCall, RemoteMediaState };

const log = createLogger('calls');

/** What the app lends the call layer. */
export interface CallHost {
  /** Our fingerprint, or null before there is an identity. */
  self(): Fingerprint | null;
  /** The transport, for media connections. */
  readonly transport: Transport;
  /** Sends a call frame to one member over their authenticated link in `room`. */
  sendTo(room: RoomKey, fingerprint: Fingerprint, frame: CallFrame): boolean;
  /** Sends a call frame to every linked member of `room`; how many got it. */
  broadcast(room: RoomKey, frame: CallFrame): number;
  /** The peer ID of `fingerprint`'s authenticated link in `room`, if linked now. */
  peerIdOf(room: RoomKey, fingerprint: Fingerprint): PeerId | undefined;
  /** The fingerprint behind an authenticated link in `room` from `peerId`, if any. */
  memberAt(room: RoomKey, peerId: PeerId): Fingerprint | undefined;
  /** A member's display name. */
  nameOf(room: RoomKey, fingerprint: Fingerprint): string;
  /** The contact of a direct chat; undefined for a room. */
  directContact(room: RoomKey): Fingerprint | undefined;
  /** Stores and sends the call's log line (a signed `call-log` event). */
  writeCallLog(room: RoomKey, body: CallLogBody): Promise<boolean>;
  /** Wall clock. */
  now(): number;
}

/** One other participant as the call view shows them. */
export interface RemoteView {
  /** Their fingerprint. */
  fingerprint: Fingerprint;
  /** Their display name. */
  name: string;
  /** Their media, once it arrived. */
  stream: MediaStream | null;
  /** Their microphone, camera and screen state. */
  media: RemoteMediaState;
  /** Connection quality and path, once measured. */
  quality: CallQuality | null;
  path: CallPath | null;
  /** The media connection dropped and is being dialled again. */
  isReconnecting: boolean;
}

/** What the person can be told about calls. */
export type CallNotice =
  | 'not-reachable'
  | 'room-call-full'
  | 'busy'
  | 'declined'
  | 'missed'
  | 'screen-failed'
  | 'device-failed';

/** The ring timeout: CALL_RING_TIMEOUT_MS unless an e2e test set its hook. */
function ringTimeoutMs(): number {
  try {
    const hooked = Number(globalThis.localStorage?.getItem(TEST_HOOK_RING_TIMEOUT_KEY));
    if (Number.isFinite(hooked) && hooked > 0) return hooked;
  } catch {
    // No storage (private mode): the real timeout.
  }
  return CALL_RING_TIMEOUT_MS;
}

function newCallId(): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(16)));
}

/** The call layer of one tab. */
export class CallController {
  #host: CallHost;
  #state = $state.raw<CallState>(IDLE);
  #notice = $state<CallNotice | null>(null);
  #ringTimer: ReturnType<typeof setTimeout> | undefined;
  #statsTimer: ReturnType<typeof setInterval> | undefined;
  #devices: CallDevices;
  #media: MediaLinks;
  #roomCalls: RoomCalls;

  constructor(host: CallHost, devices: Devices) {
    this.#host = host;
    this.#roomCalls = new RoomCalls(
      () => host.self(),
      (callId) => this.#isInCall(callId),
    );
    this.#media = new MediaLinks({
      transport: host.transport,
      state: () => this.#state,
      localStream: () => this.#devices.stream,
      peerIdOf: (room, fingerprint) => host.peerIdOf(room, fingerprint),
      memberAt: (room, peerId) => host.memberAt(room, peerId),
      onStream: () => this.#sendMediaState(),
      onLost: (fingerprint, room) =>
        this.#apply({ type: 'peer-gone', fingerprint, room, now: this.#now() }),
    });
    this.#devices = new CallDevices(devices, {
      replaceTrack: (kind, track) => this.#media.replaceTrack(kind, track),
      onMediaChanged: () => this.#sendMediaState(),
      onFailure: (notice) => {
        this.#notice = notice;
      },
    });
  }

  // ---- What the UI reads ---------------------------------------------------------------------

  /** The call state (idle, outgoing, incoming, active). */
  get state(): CallState {
    return this.#state;
  }
  /** The call that ended last, if no call is on now. */
  get lastEnded(): EndedCall | null {
    return this.#state.phase === 'idle' ? this.#state.last : null;
  }
  /** The name of the other person of a 1:1 call (or the room call's room title is the UI's). */
  get peerName(): string {
    const s = this.#state;
    return s.phase === 'idle' || !s.call.peer ? '' : this.#host.nameOf(s.call.room, s.call.peer);
  }
  /** What we send (for the self view), while in or placing a call. */
  get localStream(): MediaStream | null {
    return this.#devices.stream;
  }
  /** The microphone is muted (or there is none). */
  get isMuted(): boolean {
    return this.#devices.isMuted;
  }
  /** The camera is off (or there is none). */
  get isCameraOff(): boolean {
    return this.#devices.isCameraOff;
  }
  /** A screen is being shared. */
  get isSharing(): boolean {
    return this.#devices.isSharing;
  }
  /** Why the microphone or camera could not be had, if so. */
  get problem(): MediaProblem | null {
    return this.#devices.problem;
  }
  /** Something to tell the person (not reachable, busy, …), until dismissed. */
  get notice(): CallNotice | null {
    return this.#notice;
  }
  /** True while devices open for a call being placed, joined or answered. */
  get isPreparing(): boolean {
    return this.#devices.isPreparing;
  }
  /** The other participants of the active call. */
  get remotes(): RemoteView[] {
    const s = this.#state;
    if (s.phase !== 'active') return [];
    const linked = this.#media.fingerprints.filter((f) => !s.participants.includes(f));
    const fingerprints = [...s.participants, ...linked];
    return fingerprints.map((fingerprint) => {
      const link = this.#media.linkOf(fingerprint);
      return {
        fingerprint,
        name: this.#host.nameOf(s.call.room, fingerprint),
        stream: link?.stream ?? null,
        // Until they say otherwise: what the call was placed with.
        media: this.#media.remoteMediaOf(fingerprint) ?? {
          audio: true,
          video: s.call.media === 'video',
          screen: false,
        },
        quality: link?.quality ?? null,
        path: link?.path ?? null,
        isReconnecting: this.#media.isReconnecting(fingerprint),
      };
    });
  }
  /** The room call in progress in `room` that we are not in, if any. */
  roomCallIn(room: RoomKey): RoomCall | null {
    const roomCall = this.#roomCalls.in(room);
    return roomCall && !this.#isInCall(roomCall.callId) ? roomCall : null;
  }
  /** The devices to choose from (labels once permission was given). */
  get devices(): DeviceLists {
    return this.#devices.lists;
  }
  /** The chosen speaker ('' for the default). */
  get speakerId(): string {
    return this.#devices.speakerId;
  }

  // ---- What the person does ------------------------------------------------------------------

  /**
   * Starts a call from a conversation: a 1:1 call in a direct chat, a room call in a room (or
   * joins the room call already in progress there). False when it could not start.
   */
  async startCall(room: RoomKey, media: CallMedia): Promise<boolean> {
    const contact = this.#host.directContact(room);
    if (contact) return this.callMember(room, contact, media);
    if (this.roomCallIn(room)) return this.join(room);
    const self = this.#host.self();
    if (!self || this.#state.phase !== 'idle') return false;
    if (!(await this.#devices.open(media))) return false;
    // While the devices opened (a permission prompt can take a while), someone else may have
    // started a call in this room: join theirs rather than start a second one.
    if (this.#state.phase !== 'idle') return false;
    if (this.roomCallIn(room)) return this.join(room);
    this.#apply({ type: 'start-group', callId: newCallId(), room, self, media, now: this.#now() });
    const s = this.#state as CallState;
    if (s.phase === 'active') this.#roomCalls.started(room, s.call.callId, media, self);
    return true;
  }

  /** Calls one member of a room (or the contact of a direct chat), 1:1. */
  async callMember(room: RoomKey, fingerprint: Fingerprint, media: CallMedia): Promise<boolean> {
    const self = this.#host.self();
    if (!self || this.#state.phase !== 'idle') return false;
    if (!this.#host.peerIdOf(room, fingerprint)) {
      this.#notice = 'not-reachable';
      return false;
    }
    if (!(await this.#devices.open(media))) return false;
    this.#apply({
      type: 'dial',
      callId: newCallId(),
      room,
      peer: fingerprint,
      self,
      media,
      now: this.#now(),
    });
    return true;
  }

  /** Joins the room call in progress in `room`. */
  async join(room: RoomKey): Promise<boolean> {
    const roomCall = this.roomCallIn(room);
    const self = this.#host.self();
    if (!roomCall || !self || this.#state.phase !== 'idle') return false;
    if (roomCall.participants.length >= MAX_CALL_PARTICIPANTS) {
      this.#notice = 'room-call-full';
      return false;
    }
    if (!(await this.#devices.open(roomCall.media))) return false;
    this.#apply({
      type: 'join-group',
      callId: roomCall.callId,
      room,
      self,
      media: roomCall.media,
      starter: roomCall.starter,
      participants: roomCall.participants,
      now: this.#now(),
    });
    return true;
  }

  /** Answers the ringing call. */
  async accept(): Promise<void> {
    const s = this.#state;
    if (s.phase !== 'incoming') return;
    if (!(await this.#devices.open(s.call.media))) return;
    // The caller may have given up while the devices opened (or a second click answered).
    if (this.#state !== s) {
      if (this.#state.phase === 'idle') this.#devices.release();
      return;
    }
    this.#apply({ type: 'accept', now: this.#now() });
    // The caller dialled while it rang: answering that connection now saves a round trip.
    this.#media.answerHeld();
  }

  /** Declines the ringing call. */
  decline(): void {
    this.#apply({ type: 'decline', now: this.#now() });
  }

  /** Hangs up (or cancels a call that still rings). */
  hangUp(): void {
    this.#apply({ type: 'hang-up', now: this.#now(), closing: false });
  }

  /** Mutes or unmutes the microphone; the others see it. */
  toggleMute(): Promise<void> {
    return this.#devices.toggleMute();
  }

  /** Turns the camera off or on; the others see it. */
  toggleCamera(): Promise<void> {
    return this.#devices.toggleCamera();
  }

  /** Shares a screen instead of the camera, or goes back to the camera. */
  toggleScreenShare(): Promise<void> {
    return this.#devices.toggleScreenShare();
  }

  /** Uses another microphone or camera. */
  switchDevice(kind: 'audio' | 'video', deviceId: string): Promise<void> {
    return this.#devices.switchDevice(kind, deviceId);
  }

  /** Plays the others through another speaker (where the browser supports choosing). */
  setSpeaker(deviceId: string): void {
    this.#devices.setSpeaker(deviceId);
  }

  /** Re-reads the device lists (e.g. when the device menu opens). */
  refreshDevices(): Promise<void> {
    return this.#devices.refreshLists();
  }

  /** Hides the notice. */
  dismissNotice(): void {
    this.#notice = null;
  }

  // ---- What the app feeds in -----------------------------------------------------------------

  /** A call frame from an authenticated member. */
  handleFrame(peer: CallPeer, frame: CallFrame): void {
    const self = this.#host.self();
    if (!self || peer.fingerprint === self) return;
    if (frame.type === 'call-media') {
      this.#handleMediaState(peer, frame);
      return;
    }
    this.#roomCalls.track(peer, frame);
    this.#apply({
      type: 'frame',
      from: peer.fingerprint,
      room: peer.room,
      self,
      frame,
      now: this.#now(),
    });
  }

  /** A member linked in a room: they hear of our room call there; a lost media link may redial. */
  handlePeerReady(peer: CallPeer): void {
    const s = this.#state;
    if (s.phase !== 'active' || s.call.room !== peer.room) return;
    if (s.call.group) {
      this.#host.sendTo(peer.room, peer.fingerprint, {
        type: 'call-invite',
        callId: s.call.callId,
        media: s.call.media,
        group: true,
      });
      return;
    }
    if (s.call.peer === peer.fingerprint && !this.#media.linkOf(peer.fingerprint)) {
      if (s.call.starter === s.call.self) this.#media.dial(peer.fingerprint);
    }
  }

  /** A member's link closed. */
  handlePeerGone(peer: CallPeer): void {
    // Still linked in that room (another link to the same person took over): nothing is gone.
    if (this.#host.peerIdOf(peer.room, peer.fingerprint)) return;
    this.#roomCalls.left(peer.room, peer.fingerprint);
    this.#apply({
      type: 'peer-gone',
      fingerprint: peer.fingerprint,
      room: peer.room,
      now: this.#now(),
    });
  }

  /** The page is going away: hang up now (the others end within the frame's flight). */
  leave(): void {
    this.#apply({ type: 'hang-up', now: this.#now(), closing: true });
  }

  /**
   * The app drops this call layer (another tab took the network): any call ends, the camera and
   * microphone are released, and devices still opening are closed when they arrive.
   */
  dispose(): void {
    this.#devices.dispose();
    this.leave();
    clearTimeout(this.#ringTimer);
    this.#endMedia();
  }

  // ---- The machine and its effects -----------------------------------------------------------

  #now(): number {
    return this.#host.now();
  }

  #isInCall(callId: string): boolean {
    return this.#state.phase === 'active' && this.#state.call.callId === callId;
  }

  #apply(input: CallInput): void {
    const before = this.#state;
    const { state, effects } = step(before, input);
    this.#state = state;
    for (const effect of effects) this.#run(effect);
    if (state.phase === 'active' && before.phase !== 'active') this.#becameActive();
    if (state.phase === 'idle' && before.phase !== 'idle') {
      const outcome = state.last?.outcome;
      if (outcome === 'busy' || outcome === 'declined') this.#notice = outcome;
      if (outcome === 'missed' && before.phase === 'outgoing') this.#notice = 'missed';
    }
  }

  #run(effect: CallEffect): void {
    switch (effect.type) {
      case 'send':
        if (!this.#host.sendTo(effect.room, effect.to, effect.frame)) {
          log.info('a call frame found no link', effect.frame.type);
        }
        return;
      case 'broadcast':
        this.#host.broadcast(effect.room, effect.frame);
        return;
      case 'start-ring-timer': {
        clearTimeout(this.#ringTimer);
        const { callId } = effect;
        this.#ringTimer = setTimeout(
          () => this.#apply({ type: 'ring-timeout', callId, now: this.#now() }),
          ringTimeoutMs(),
        );
        return;
      }
      case 'stop-ring-timer':
        clearTimeout(this.#ringTimer);
        this.#ringTimer = undefined;
        return;
      case 'connect-media':
        this.#media.dial(effect.to);
        return;
      case 'drop-media':
        this.#media.close(effect.to, 'left the call');
        return;
      case 'end-media':
        this.#endMedia();
        return;
      case 'log':
        this.#host
          .writeCallLog(effect.room, effect.body)
          .then((ok) => (ok ? undefined : log.warn('the call log was not stored')))
          .catch((error: unknown) => log.error('writing the call log failed', error));
        return;
      default:
        assertNever(effect);
    }
  }

  #becameActive(): void {
    clearInterval(this.#statsTimer);
    this.#statsTimer = setInterval(() => void this.#media.readStats(), CALL_STATS_INTERVAL_MS);
    this.#sendMediaState();
    void this.refreshDevices();
  }

  #handleMediaState(peer: CallPeer, frame: Extract<CallFrame, { type: 'call-media' }>): void {
    const s = this.#state;
    if (s.phase !== 'active' || s.call.callId !== frame.callId || s.call.room !== peer.room) {
      return;
    }
    this.#media.setRemoteMedia(peer.fingerprint, {
      audio: frame.audio,
      video: frame.video,
      screen: frame.screen,
    });
  }

  #sendMediaState(): void {
    const s = this.#state;
    if (s.phase !== 'active') return;
    const frame: CallFrame = {
      type: 'call-media',
      callId: s.call.callId,
      audio: !this.isMuted,
      video: !this.isCameraOff,
      screen: this.isSharing,
    };
    if (s.call.group) this.#host.broadcast(s.call.room, frame);
    else this.#host.sendTo(s.call.room, s.call.peer, frame);
  }

  #endMedia(): void {
    clearInterval(this.#statsTimer);
    this.#statsTimer = undefined;
    this.#media.closeAll();
    this.#devices.release();
  }
}
