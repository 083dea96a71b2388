/**
 * Calls as the UI sees them (DESIGN §8). The chat session creates this on first use (a call
 * button or an incoming `call-invite`) and feeds it the call frames and link changes of its
 * mesh; the call UI reads its getters and calls its methods. The rules of who says what are the
 * pure machine in `chat/call-machine.ts`; this class carries out its effects: frames, the ring
 * timer, media connections through the transport, devices, stats and the call log.
 */
import {
  IDLE,
  step,
  type CallEffect,
  type CallInput,
  type CallMedia,
  type CallState,
  type EndedCall,
} from '../chat/call-machine';
import {
  CALL_RING_TIMEOUT_MS,
  CALL_STATS_INTERVAL_MS,
  MAX_CALL_PARTICIPANTS,
  MEDIA_RECONNECT_GRACE_MS,
  TEST_HOOK_RING_TIMEOUT_KEY,
} from '../config';
import { toBase64Url } from '../encoding';
import { createLogger } from '../log';
import {
  summariseStats,
  type CallPath,
  type CallQuality,
  type RtcStat,
} from '../media/call-quality';
import {
  listDevices,
  openDevice,
  openLocalMedia,
  openScreen,
  placeholderTrack,
  problemOf,
  type DeviceChoice,
  type LocalMedia,
  type MediaProblem,
} from '../media/local-media';
import type { MediaCall, Transport } from '../net/transport';
import { assertNever } from '../protocol/assert-never';
import type { CallLogBody } from '../protocol/events';
import type { CallFrame } from '../protocol/peer-frames';

const log = createLogger('calls');

/** What the chat session lends the call layer. */
export interface CallHost {
  /** Our fingerprint, or null before there is an identity. */
  self(): string | null;
  /** The transport, for media connections. */
  readonly transport: Transport;
  /** Sends a call frame to one member over their authenticated link in `room`. */
  sendTo(room: string, fingerprint: string, frame: CallFrame): boolean;
  /** Sends a call frame to every linked member of `room`; how many got it. */
  broadcast(room: string, frame: CallFrame): number;
  /** The peer ID of `fingerprint`'s authenticated link in `room`, if linked now. */
  peerIdOf(room: string, fingerprint: string): string | undefined;
  /** The fingerprint behind an authenticated link in `room` from `peerId`, if any. */
  memberAt(room: string, peerId: string): string | undefined;
  /** A member's display name. */
  nameOf(room: string, fingerprint: string): string;
  /** The contact of a direct chat; undefined for a room. */
  directContact(room: string): string | undefined;
  /** Stores and sends the call's log line (a signed `call-log` event). */
  writeCallLog(room: string, body: CallLogBody): Promise<boolean>;
  /** Wall clock. */
  now(): number;
}

/** The sender side of a frame: an authenticated member on a link. */
export interface CallPeer {
  /** Their link's peer ID. */
  peerId: string;
  /** The link's room. */
  room: string;
  /** Their fingerprint. */
  fingerprint: string;
}

/** What a participant's microphone and camera do, as they told us. */
export interface RemoteMediaState {
  audio: boolean;
  video: boolean;
  screen: boolean;
}

/** One other participant as the call view shows them. */
export interface RemoteView {
  /** Their fingerprint. */
  fingerprint: string;
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

/** A room call in progress that we may join. */
export interface RoomCall {
  callId: string;
  media: CallMedia;
  /** Who we heard start it (the first participant heard of). */
  starter: string;
  /** Who is in it, as far as we heard. */
  participants: string[];
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

/** One media connection and what we know of it. */
interface MediaLink {
  call: MediaCall;
  stream: MediaStream | null;
  quality: CallQuality | null;
  path: CallPath | null;
}

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
export class CallSession {
  #host: CallHost;
  #state = $state.raw<CallState>(IDLE);
  #local = $state.raw<LocalMedia | null>(null);
  #isMuted = $state(false);
  #isCameraOff = $state(false);
  #isSharing = $state(false);
  #problem = $state<MediaProblem | null>(null);
  #notice = $state<CallNotice | null>(null);
  #isPreparing = $state(false);
  /** fingerprint → media connection; replaced whole so views update. */
  #links = $state.raw<Readonly<Record<string, MediaLink>>>({});
  /** fingerprint → their last `call-media`. */
  #remoteMedia = $state.raw<Readonly<Record<string, RemoteMediaState>>>({});
  /** fingerprint → a media connection is being re-established. */
  #reconnecting = $state.raw<Readonly<Record<string, true>>>({});
  /** room → the room call in progress there. */
  #roomCalls = $state.raw<Readonly<Record<string, RoomCall>>>({});
  #devices = $state.raw<Record<'audioinput' | 'videoinput' | 'audiooutput', DeviceChoice[]>>({
    audioinput: [],
    videoinput: [],
    audiooutput: [],
  });
  #speakerId = $state('');
  #ringTimer: ReturnType<typeof setTimeout> | undefined;
  #statsTimer: ReturnType<typeof setInterval> | undefined;
  /** Dropped by the chat session: nothing may start or keep a device from now on. */
  #isDisposed = false;
  // Not UI state: timer handles.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #graceTimers = new Map<string, ReturnType<typeof setTimeout>>();
  /** Devices being opened (see #openLocal). */
  #opening: Promise<boolean> | null = null;
  /** The camera track kept while the screen is shared, to go back to. */
  #cameraTrack: MediaStreamTrack | null = null;

  constructor(host: CallHost) {
    this.#host = host;
    host.transport.onMediaCall((call) => this.#handleIncomingMedia(call));
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
    return this.#local?.stream ?? null;
  }
  /** The microphone is muted (or there is none). */
  get isMuted(): boolean {
    return this.#isMuted || !this.#local?.hasMic;
  }
  /** The camera is off (or there is none). */
  get isCameraOff(): boolean {
    return !this.#isSharing && (this.#isCameraOff || !this.#local?.hasCamera);
  }
  /** A screen is being shared. */
  get isSharing(): boolean {
    return this.#isSharing;
  }
  /** Why the microphone or camera could not be had, if so. */
  get problem(): MediaProblem | null {
    return this.#problem;
  }
  /** Something to tell the person (not reachable, busy, …), until dismissed. */
  get notice(): CallNotice | null {
    return this.#notice;
  }
  /** True while devices open for a call being placed, joined or answered. */
  get isPreparing(): boolean {
    return this.#isPreparing;
  }
  /** The other participants of the active call. */
  get remotes(): RemoteView[] {
    const s = this.#state;
    if (s.phase !== 'active') return [];
    // A local scratch set, built and dropped within this getter.
    // eslint-disable-next-line svelte/prefer-svelte-reactivity
    const fingerprints = new Set([...s.participants, ...Object.keys(this.#links)]);
    return [...fingerprints].map((fingerprint) => {
      const link = this.#links[fingerprint];
      return {
        fingerprint,
        name: this.#host.nameOf(s.call.room, fingerprint),
        stream: link?.stream ?? null,
        // Until they say otherwise: what the call was placed with.
        media: this.#remoteMedia[fingerprint] ?? {
          audio: true,
          video: s.call.media === 'video',
          screen: false,
        },
        quality: link?.quality ?? null,
        path: link?.path ?? null,
        isReconnecting: this.#reconnecting[fingerprint] === true,
      };
    });
  }
  /** The room call in progress in `room` that we are not in, if any. */
  roomCallIn(room: string): RoomCall | null {
    const s = this.#state;
    const roomCall = this.#roomCalls[room];
    if (!roomCall || roomCall.participants.length === 0) return null;
    if (s.phase === 'active' && s.call.callId === roomCall.callId) return null;
    return roomCall;
  }
  /** The devices to choose from (labels once permission was given). */
  get devices(): Record<'audioinput' | 'videoinput' | 'audiooutput', DeviceChoice[]> {
    return this.#devices;
  }
  /** The chosen speaker ('' for the default). */
  get speakerId(): string {
    return this.#speakerId;
  }

  // ---- What the person does ------------------------------------------------------------------

  /**
   * Starts a call from a conversation: a 1:1 call in a direct chat, a room call in a room (or
   * joins the room call already in progress there). False when it could not start.
   */
  async startCall(room: string, media: CallMedia): Promise<boolean> {
    const contact = this.#host.directContact(room);
    if (contact) return this.callMember(room, contact, media);
    if (this.roomCallIn(room)) return this.join(room);
    const self = this.#host.self();
    if (!self || this.#state.phase !== 'idle') return false;
    if (!(await this.#openLocal(media))) return false;
    // While the devices opened (a permission prompt can take a while), someone else may have
    // started a call in this room: join theirs rather than start a second one.
    if (this.#state.phase !== 'idle') return false;
    if (this.roomCallIn(room)) return this.join(room);
    this.#apply({ type: 'start-group', callId: newCallId(), room, self, media, now: this.#now() });
    const s = this.#state as CallState;
    if (s.phase === 'active') {
      this.#roomCalls = {
        ...this.#roomCalls,
        [room]: { callId: s.call.callId, media, starter: self, participants: [self] },
      };
    }
    return true;
  }

  /** Calls one member of a room (or the contact of a direct chat), 1:1. */
  async callMember(room: string, fingerprint: string, media: CallMedia): Promise<boolean> {
    const self = this.#host.self();
    if (!self || this.#state.phase !== 'idle') return false;
    if (!this.#host.peerIdOf(room, fingerprint)) {
      this.#notice = 'not-reachable';
      return false;
    }
    if (!(await this.#openLocal(media))) return false;
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
  async join(room: string): Promise<boolean> {
    const roomCall = this.roomCallIn(room);
    const self = this.#host.self();
    if (!roomCall || !self || this.#state.phase !== 'idle') return false;
    if (roomCall.participants.length >= MAX_CALL_PARTICIPANTS) {
      this.#notice = 'room-call-full';
      return false;
    }
    if (!(await this.#openLocal(roomCall.media))) return false;
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
    if (!(await this.#openLocal(s.call.media))) return;
    // The caller may have given up while the devices opened (or a second click answered).
    if (this.#state !== s) {
      if (this.#state.phase === 'idle') this.#releaseLocal();
      return;
    }
    this.#apply({ type: 'accept', now: this.#now() });
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
  async toggleMute(): Promise<void> {
    const local = this.#local;
    if (!local) return;
    if (!local.hasMic) {
      // Receive-only so far: try the microphone now.
      if (!(await this.#useDevice('audio'))) return;
      this.#isMuted = false;
    } else {
      this.#isMuted = !this.#isMuted;
    }
    for (const track of this.#local?.stream.getAudioTracks() ?? []) track.enabled = !this.#isMuted;
    this.#sendMediaState();
  }

  /** Turns the camera off or on; the others see it. */
  async toggleCamera(): Promise<void> {
    const local = this.#local;
    if (!local) return;
    if (!local.hasCamera) {
      if (!(await this.#useDevice('video'))) return;
      this.#isCameraOff = false;
    } else {
      this.#isCameraOff = !this.#isCameraOff;
    }
    if (!this.#isSharing) {
      for (const track of this.#local?.stream.getVideoTracks() ?? []) {
        track.enabled = !this.#isCameraOff;
      }
    }
    this.#sendMediaState();
  }

  /** Shares a screen instead of the camera, or goes back to the camera. */
  async toggleScreenShare(): Promise<void> {
    if (this.#isSharing) {
      await this.#stopSharing();
      return;
    }
    const local = this.#local;
    if (!local) return;
    let screen: MediaStreamTrack;
    try {
      screen = await openScreen();
    } catch (error) {
      log.warn('screen sharing failed', error);
      // The person closing the picker is no failure worth a message.
      if (problemOf(error) !== 'denied') this.#notice = 'screen-failed';
      return;
    }
    // The call ended while the screen picker was open.
    if (this.#local !== local) {
      screen.stop();
      return;
    }
    this.#cameraTrack = local.stream.getVideoTracks()[0] ?? null;
    screen.addEventListener('ended', () => void this.#stopSharing());
    await this.#sendTrack('video', screen, false);
    if (this.#local === null) return;
    this.#isSharing = true;
    this.#sendMediaState();
  }

  /** Uses another microphone or camera. */
  async switchDevice(kind: 'audio' | 'video', deviceId: string): Promise<void> {
    await this.#useDevice(kind, deviceId);
  }

  /** Plays the others through another speaker (where the browser supports choosing). */
  setSpeaker(deviceId: string): void {
    this.#speakerId = deviceId;
  }

  /** Re-reads the device lists (e.g. when the device menu opens). */
  async refreshDevices(): Promise<void> {
    this.#devices = await listDevices();
  }

  /** Hides the notice. */
  dismissNotice(): void {
    this.#notice = null;
  }

  // ---- What the chat session feeds in -------------------------------------------------------

  /** A call frame from an authenticated member. */
  handleFrame(peer: CallPeer, frame: CallFrame): void {
    const self = this.#host.self();
    if (!self || peer.fingerprint === self) return;
    if (frame.type === 'call-media') {
      this.#handleMediaState(peer, frame);
      return;
    }
    this.#trackRoomCall(peer, frame);
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
    if (s.call.peer === peer.fingerprint && !this.#links[peer.fingerprint]) {
      if (s.call.starter === s.call.self) this.#dialMedia(peer.fingerprint);
    }
  }

  /** A member's link closed. */
  handlePeerGone(peer: CallPeer): void {
    // Still linked in that room (another link to the same person took over): nothing is gone.
    if (this.#host.peerIdOf(peer.room, peer.fingerprint)) return;
    const roomCall = this.#roomCalls[peer.room];
    if (roomCall?.participants.includes(peer.fingerprint)) {
      this.#setRoomCallParticipants(
        peer.room,
        roomCall.participants.filter((p) => p !== peer.fingerprint),
      );
    }
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
   * The chat session drops this call layer (another tab took the network): any call ends, the
   * camera and microphone are released, and devices still opening are closed when they arrive.
   */
  dispose(): void {
    this.#isDisposed = true;
    this.leave();
    clearTimeout(this.#ringTimer);
    this.#endMedia();
  }

  // ---- The machine and its effects -----------------------------------------------------------

  #now(): number {
    return this.#host.now();
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
        this.#dialMedia(effect.to);
        return;
      case 'drop-media':
        this.#closeMedia(effect.to, 'left the call');
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
    this.#statsTimer = setInterval(() => void this.#readStats(), CALL_STATS_INTERVAL_MS);
    this.#sendMediaState();
    void this.refreshDevices();
  }

  /** Keeps the registry of room calls in progress (for "Call in progress — Join"). */
  #trackRoomCall(peer: CallPeer, frame: Exclude<CallFrame, { type: 'call-media' }>): void {
    const current = this.#roomCalls[peer.room];
    if (frame.type === 'call-invite') {
      if (!frame.group) return;
      if (current?.callId === frame.callId) {
        if (!current.participants.includes(peer.fingerprint)) {
          this.#setRoomCallParticipants(peer.room, [...current.participants, peer.fingerprint]);
        }
        return;
      }
      this.#roomCalls = {
        ...this.#roomCalls,
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
      this.#setRoomCallParticipants(peer.room, [...current.participants, peer.fingerprint]);
    } else if (frame.type === 'call-hangup') {
      this.#setRoomCallParticipants(
        peer.room,
        current.participants.filter((p) => p !== peer.fingerprint),
      );
    }
  }

  #setRoomCallParticipants(room: string, participants: string[]): void {
    const current = this.#roomCalls[room];
    if (!current) return;
    const next = { ...this.#roomCalls };
    const self = this.#host.self();
    // Only ourselves left (or nobody): the call is over for the room.
    if (participants.filter((p) => p !== self).length === 0 && !this.#isInCall(current.callId)) {
      delete next[room];
    } else {
      next[room] = { ...current, participants };
    }
    this.#roomCalls = next;
  }

  #isInCall(callId: string): boolean {
    return this.#state.phase === 'active' && this.#state.call.callId === callId;
  }

  #handleMediaState(peer: CallPeer, frame: Extract<CallFrame, { type: 'call-media' }>): void {
    const s = this.#state;
    if (s.phase !== 'active' || s.call.callId !== frame.callId || s.call.room !== peer.room) {
      return;
    }
    this.#remoteMedia = {
      ...this.#remoteMedia,
      [peer.fingerprint]: { audio: frame.audio, video: frame.video, screen: frame.screen },
    };
  }

  #sendMediaState(): void {
    const s = this.#state;
    if (s.phase !== 'active') return;
    const frame: CallFrame = {
      type: 'call-media',
      callId: s.call.callId,
      audio: !this.isMuted,
      video: !this.isCameraOff,
      screen: this.#isSharing,
    };
    if (s.call.group) this.#host.broadcast(s.call.room, frame);
    else this.#host.sendTo(s.call.room, s.call.peer, frame);
  }

  // ---- Media ---------------------------------------------------------------------------------

  /** Opens the devices for a call (once, however often asked); false when the call cannot go on. */
  #openLocal(media: CallMedia): Promise<boolean> {
    if (this.#local) return Promise.resolve(true);
    this.#opening ??= this.#doOpenLocal(media).finally(() => (this.#opening = null));
    return this.#opening;
  }

  async #doOpenLocal(media: CallMedia): Promise<boolean> {
    this.#isPreparing = true;
    try {
      const local = await openLocalMedia(media);
      if (this.#isDisposed) {
        for (const track of local.stream.getTracks()) track.stop();
        return false;
      }
      // A new call starts on the camera, whatever the last one was sharing.
      this.#isSharing = false;
      this.#cameraTrack = null;
      this.#local = local;
      this.#problem = local.problem;
      this.#isMuted = false;
      this.#isCameraOff = media === 'audio';
      for (const track of local.stream.getVideoTracks()) track.enabled = media === 'video';
      return true;
    } catch (error) {
      log.error('could not prepare call media', error);
      this.#problem = 'failed';
      return false;
    } finally {
      this.#isPreparing = false;
    }
  }

  #releaseLocal(): void {
    for (const track of this.#local?.stream.getTracks() ?? []) track.stop();
    this.#cameraTrack?.stop();
    this.#cameraTrack = null;
    this.#local = null;
    this.#isSharing = false;
  }

  #dialMedia(fingerprint: string): void {
    const s = this.#state;
    const local = this.#local;
    if (s.phase !== 'active' || !local) return;
    const peerId = this.#host.peerIdOf(s.call.room, fingerprint);
    if (!peerId) {
      log.info('no link to dial the media of', fingerprint);
      return;
    }
    const { callId, room } = s.call;
    this.#host.transport
      .callPeer(peerId, room, callId, local.stream)
      .then((call) => {
        // The call may have ended, or media from them arrived, while the code loaded.
        if (!this.#isInCall(callId) || this.#links[fingerprint]) call.close('call ended');
        else this.#adoptMedia(fingerprint, call);
      })
      .catch((error: unknown) => log.error('could not dial the media of', fingerprint, error));
  }

  /**
   * A media connection reached us: taken only from a member with an authenticated link in the
   * room of the call we are in, for that call's ID (a 1:1 call: only its other person). Anyone
   * else who knows our peer ID is refused.
   */
  #handleIncomingMedia(call: MediaCall): void {
    const s = this.#state;
    const local = this.#local;
    const fingerprint = this.#host.memberAt(call.room, call.remoteId);
    const isExpected =
      s.phase === 'active' &&
      local !== null &&
      fingerprint !== undefined &&
      call.callId === s.call.callId &&
      call.room === s.call.room &&
      (s.call.group || fingerprint === s.call.peer);
    if (!isExpected || !fingerprint || !local) {
      log.warn('refused a media connection nobody expected from', call.remoteId);
      call.close('not expected');
      return;
    }
    call.answer(local.stream);
    this.#adoptMedia(fingerprint, call);
  }

  #adoptMedia(fingerprint: string, call: MediaCall): void {
    const old = this.#links[fingerprint];
    this.#links = {
      ...this.#links,
      [fingerprint]: { call, stream: null, quality: null, path: null },
    };
    if (old && old.call !== call) old.call.close('replaced');
    call.setHandlers({
      onStream: (stream) => {
        const link = this.#links[fingerprint];
        if (link?.call !== call) return;
        this.#links = { ...this.#links, [fingerprint]: { ...link, stream } };
        this.#clearReconnect(fingerprint);
        this.#sendMediaState();
      },
      onClose: (reason) => this.#handleMediaClosed(fingerprint, call, reason),
    });
  }

  /**
   * A media connection closed. If the call goes on and the member's data link is still up, it
   * was the media path alone (a network blip): the side that dials them dials again, and if no
   * media is back within MEDIA_RECONNECT_GRACE_MS they count as gone.
   */
  #handleMediaClosed(fingerprint: string, call: MediaCall, reason: string): void {
    if (this.#links[fingerprint]?.call !== call) return;
    const links = { ...this.#links };
    delete links[fingerprint];
    this.#links = links;
    const s = this.#state;
    if (s.phase !== 'active' || reason === 'left the call' || reason === 'call ended') return;
    if (!this.#host.peerIdOf(s.call.room, fingerprint)) return; // peer-gone will end it
    log.info('media connection lost; reconnecting', fingerprint, reason);
    this.#reconnecting = { ...this.#reconnecting, [fingerprint]: true };
    if (call.isDialer) setTimeout(() => this.#redial(fingerprint, s.call.callId), 250);
    if (!this.#graceTimers.has(fingerprint)) {
      this.#graceTimers.set(
        fingerprint,
        setTimeout(() => {
          this.#graceTimers.delete(fingerprint);
          if (this.#links[fingerprint]?.stream) return;
          this.#clearReconnect(fingerprint);
          log.warn('media did not come back; the participant counts as gone', fingerprint);
          this.#apply({ type: 'peer-gone', fingerprint, room: s.call.room, now: this.#now() });
        }, MEDIA_RECONNECT_GRACE_MS),
      );
    }
  }

  #redial(fingerprint: string, callId: string): void {
    if (!this.#isInCall(callId) || this.#links[fingerprint]) return;
    this.#dialMedia(fingerprint);
  }

  #clearReconnect(fingerprint: string): void {
    clearTimeout(this.#graceTimers.get(fingerprint));
    this.#graceTimers.delete(fingerprint);
    if (this.#reconnecting[fingerprint]) {
      const next = { ...this.#reconnecting };
      delete next[fingerprint];
      this.#reconnecting = next;
    }
  }

  #closeMedia(fingerprint: string, reason: string): void {
    const link = this.#links[fingerprint];
    this.#clearReconnect(fingerprint);
    if (!link) return;
    const links = { ...this.#links };
    delete links[fingerprint];
    this.#links = links;
    link.call.close(reason);
  }

  #endMedia(): void {
    clearInterval(this.#statsTimer);
    this.#statsTimer = undefined;
    for (const fingerprint of Object.keys(this.#links)) this.#closeMedia(fingerprint, 'call ended');
    for (const fingerprint of [...this.#graceTimers.keys()]) this.#clearReconnect(fingerprint);
    this.#remoteMedia = {};
    this.#releaseLocal();
  }

  /** Sends `track` instead of the current one of its kind, to everyone and in the self view. */
  async #sendTrack(
    kind: 'audio' | 'video',
    track: MediaStreamTrack,
    stopOld: boolean,
  ): Promise<void> {
    const local = this.#local;
    if (!local) {
      track.stop();
      return;
    }
    await Promise.all(
      Object.values(this.#links).map((link) => link.call.replaceTrack(kind, track)),
    );
    // The call ended (or its media changed) meanwhile: never bring a device back to life.
    if (this.#local !== local) {
      track.stop();
      return;
    }
    const old =
      kind === 'audio' ? local.stream.getAudioTracks()[0] : local.stream.getVideoTracks()[0];
    const others = local.stream.getTracks().filter((t) => t !== old);
    if (stopOld) old?.stop();
    this.#local = { ...local, stream: new MediaStream([...others, track]) };
  }

  /** Opens a microphone or camera (a chosen one, or the default) and sends it. */
  async #useDevice(kind: 'audio' | 'video', deviceId?: string): Promise<boolean> {
    let track: MediaStreamTrack;
    try {
      track = await openDevice(kind, deviceId);
    } catch (error) {
      log.warn('could not open a device', kind, error);
      this.#problem = problemOf(error);
      this.#notice = 'device-failed';
      return false;
    }
    if (!this.#local) {
      track.stop();
      return false;
    }
    if (kind === 'audio') track.enabled = !this.#isMuted;
    if (kind === 'video' && this.#isSharing) {
      // Keep sharing; the new camera is what we go back to.
      this.#cameraTrack?.stop();
      this.#cameraTrack = track;
    } else {
      if (kind === 'video') track.enabled = true;
      await this.#sendTrack(kind, track, true);
    }
    const local = this.#local;
    if (local) {
      this.#local = kind === 'audio' ? { ...local, hasMic: true } : { ...local, hasCamera: true };
    }
    return true;
  }

  async #stopSharing(): Promise<void> {
    if (!this.#isSharing) return;
    this.#isSharing = false;
    const camera = this.#cameraTrack;
    this.#cameraTrack = null;
    const back = camera && camera.readyState === 'live' ? camera : placeholderTrack('video');
    back.enabled = !this.#isCameraOff;
    await this.#sendTrack('video', back, true);
    this.#sendMediaState();
  }

  async #readStats(): Promise<void> {
    for (const [fingerprint, link] of Object.entries(this.#links)) {
      const report = await link.call.getStats();
      if (!report) continue;
      // RTCStatsReport values are typed `any` by lib.dom; summariseStats checks every field.
      const summary = summariseStats(report.values() as Iterable<RtcStat>);
      const current = this.#links[fingerprint];
      if (current?.call !== link.call) continue;
      if (current.quality === summary.quality && current.path === summary.path) continue;
      this.#links = {
        ...this.#links,
        [fingerprint]: { ...current, quality: summary.quality, path: summary.path },
      };
    }
  }
}
