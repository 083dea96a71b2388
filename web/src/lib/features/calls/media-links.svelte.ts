/**
 * A call's media connections (DESIGN §8): dialled by the participant who was in the call first,
 * answered only for members with an authenticated link in the call's room and that call's ID;
 * what each participant sends, their quality and path, and the reconnect after a network blip.
 */
import { MEDIA_RECONNECT_GRACE_MS } from '../../config-network';
import { entriesOf, keysOf } from '../../domain/records';
import { createLogger } from '../../log';
import type { MediaCall, Transport } from '../../net/transport';
import type { CallState } from './call-machine';
import { summariseStats, type CallPath, type CallQuality, type RtcStat } from './call-quality';
import type { Fingerprint, PeerId, RoomKey } from '../../protocol/ids';

const log = createLogger('calls');

/** What a participant's microphone and camera do, as they told us. */
export interface RemoteMediaState {
  audio: boolean;
  video: boolean;
  screen: boolean;
}

/** One media connection and what we know of it. */
export interface MediaLink {
  call: MediaCall;
  stream: MediaStream | null;
  quality: CallQuality | null;
  path: CallPath | null;
}

/** What media links need of the call. */
export interface MediaLinksHost {
  /** The transport, for media connections. */
  readonly transport: Transport;
  /** The call's state now. */
  state(): CallState;
  /** What we send, while in a call. */
  localStream(): MediaStream | null;
  /** The peer ID of `fingerprint`'s authenticated link in `room`, if linked now. */
  peerIdOf(room: RoomKey, fingerprint: Fingerprint): PeerId | undefined;
  /** The fingerprint behind an authenticated link in `room` from `peerId`, if any. */
  memberAt(room: RoomKey, peerId: PeerId): Fingerprint | undefined;
  /** A participant's media arrived (tell them ours). */
  onStream(): void;
  /** A participant's media did not come back in time: they count as gone. */
  onLost(fingerprint: Fingerprint, room: RoomKey): void;
}

/** The media connections of the call in progress. */
export class MediaLinks {
  #host: MediaLinksHost;
  /** fingerprint → media connection; replaced whole so views update. */
  #links = $state.raw<Readonly<Record<Fingerprint, MediaLink>>>({});
  /** fingerprint → their last `call-media`. */
  #remoteMedia = $state.raw<Readonly<Record<Fingerprint, RemoteMediaState>>>({});
  /** fingerprint → a media connection is being re-established. */
  #reconnecting = $state.raw<Readonly<Record<Fingerprint, true>>>({});
  #graceTimers: Partial<Record<Fingerprint, ReturnType<typeof setTimeout>>> = {};
  /** Participants whose media we are dialling now (a second dial would only be closed). */
  #dialling: Partial<Record<Fingerprint, true>> = {};
  /** The caller's media connection that came while our phone rang: answered on Accept only. */
  #held: { fingerprint: Fingerprint; call: MediaCall } | null = null;

  constructor(host: MediaLinksHost) {
    this.#host = host;
    host.transport.onMediaCall((call) => this.#handleIncoming(call));
  }

  /** The participants we have a media connection with. */
  get fingerprints(): Fingerprint[] {
    return keysOf(this.#links);
  }
  /** A participant's media connection, if any. */
  linkOf(fingerprint: Fingerprint): MediaLink | undefined {
    return this.#links[fingerprint];
  }
  /** What a participant told us they send, if they did. */
  remoteMediaOf(fingerprint: Fingerprint): RemoteMediaState | undefined {
    return this.#remoteMedia[fingerprint];
  }
  /** True while a participant's media is being dialled again. */
  isReconnecting(fingerprint: Fingerprint): boolean {
    return this.#reconnecting[fingerprint] === true;
  }

  /** A participant's `call-media`. */
  setRemoteMedia(fingerprint: Fingerprint, media: RemoteMediaState): void {
    this.#remoteMedia = { ...this.#remoteMedia, [fingerprint]: media };
  }

  /**
   * Dials a participant's media (we are the one who dials them): in the call, or while a 1:1
   * call we placed rings (the callee answers it on Accept). Nothing when a connection to them is
   * up or being dialled.
   */
  dial(fingerprint: Fingerprint): void {
    const s = this.#host.state();
    const stream = this.#host.localStream();
    if ((s.phase !== 'active' && s.phase !== 'outgoing') || !stream) return;
    if (this.#links[fingerprint] || this.#dialling[fingerprint]) return;
    const peerId = this.#host.peerIdOf(s.call.room, fingerprint);
    if (!peerId) {
      log.info('no link to dial the media of', fingerprint);
      return;
    }
    const { callId, room } = s.call;
    this.#dialling[fingerprint] = true;
    this.#host.transport
      .callPeer(peerId, room, callId, stream)
      .then((call) => {
        // The call may have ended, or media from them arrived, while the code loaded.
        if (!this.#isInCall(callId) || this.#links[fingerprint]) call.close('call ended');
        else this.#adopt(fingerprint, call);
      })
      .catch((error: unknown) => log.error('could not dial the media of', fingerprint, error))
      .finally(() => delete this.#dialling[fingerprint]);
  }

  /**
   * We accepted: answers the caller's media connection that came while the phone rang (if it
   * did; otherwise the caller dials on hearing the accept, and it is answered as it comes).
   */
  answerHeld(): void {
    const held = this.#held;
    this.#held = null;
    if (!held) return;
    const s = this.#host.state();
    const stream = this.#host.localStream();
    if (s.phase !== 'active' || s.call.callId !== held.call.callId || !stream) {
      held.call.close('not expected');
      return;
    }
    held.call.answer(stream);
    this.#adopt(held.fingerprint, held.call);
  }

  /** Closes a participant's media connection. */
  close(fingerprint: Fingerprint, reason: string): void {
    const link = this.#links[fingerprint];
    this.#clearReconnect(fingerprint);
    if (!link) return;
    const links = { ...this.#links };
    delete links[fingerprint];
    this.#links = links;
    link.call.close(reason);
  }

  /** The call ended: every media connection closes (one held unanswered too). */
  closeAll(): void {
    this.#held?.call.close('call ended');
    this.#held = null;
    for (const fingerprint of keysOf(this.#links)) this.close(fingerprint, 'call ended');
    for (const fingerprint of keysOf(this.#graceTimers)) this.#clearReconnect(fingerprint);
    this.#remoteMedia = {};
  }

  /** Sends `track` instead of the current one of its kind on every media connection. */
  async replaceTrack(kind: 'audio' | 'video', track: MediaStreamTrack): Promise<void> {
    await Promise.all(
      Object.values(this.#links).map((link) => link.call.replaceTrack(kind, track)),
    );
  }

  /** Reads each connection's statistics for the quality indicator. */
  async readStats(): Promise<void> {
    for (const [fingerprint, link] of entriesOf(this.#links)) {
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

  /** The call `callId` is ours: in progress, or placed by us and not answered yet. */
  #isInCall(callId: string): boolean {
    const s = this.#host.state();
    return (s.phase === 'active' || s.phase === 'outgoing') && s.call.callId === callId;
  }

  /**
   * A media connection reached us: taken only from a member with an authenticated link in the
   * room of the call we are in, for that call's ID (a 1:1 call: only its other person); while
   * our phone rings for that call, held until we accept. Anyone else who knows our peer ID is
   * refused.
   */
  #handleIncoming(call: MediaCall): void {
    const s = this.#host.state();
    const stream = this.#host.localStream();
    const fingerprint = this.#host.memberAt(call.room, call.remoteId);
    const isFromRingingCaller =
      s.phase === 'incoming' &&
      !s.call.group &&
      fingerprint === s.call.peer &&
      call.callId === s.call.callId &&
      call.room === s.call.room;
    if (isFromRingingCaller) {
      // Held, not answered: no media flows either way unless we accept.
      this.#held?.call.close('replaced');
      this.#held = { fingerprint, call };
      return;
    }
    const isExpected =
      s.phase === 'active' &&
      stream !== null &&
      fingerprint !== undefined &&
      call.callId === s.call.callId &&
      call.room === s.call.room &&
      (s.call.group || fingerprint === s.call.peer);
    if (!isExpected || !fingerprint || !stream) {
      log.warn('refused a media connection nobody expected from', call.remoteId);
      call.close('not expected');
      return;
    }
    call.answer(stream);
    this.#adopt(fingerprint, call);
  }

  #adopt(fingerprint: Fingerprint, call: MediaCall): void {
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
        this.#host.onStream();
      },
      onClose: (reason) => this.#handleClosed(fingerprint, call, reason),
    });
  }

  /**
   * A media connection closed. If the call goes on and the member's data link is still up, it
   * was the media path alone (a network blip): the side that dials them dials again, and if no
   * media is back within MEDIA_RECONNECT_GRACE_MS they count as gone.
   */
  #handleClosed(fingerprint: Fingerprint, call: MediaCall, reason: string): void {
    if (this.#links[fingerprint]?.call !== call) return;
    const links = { ...this.#links };
    delete links[fingerprint];
    this.#links = links;
    const s = this.#host.state();
    if (s.phase !== 'active' || reason === 'left the call' || reason === 'call ended') return;
    if (!this.#host.peerIdOf(s.call.room, fingerprint)) return; // peer-gone will end it
    log.info('media connection lost; reconnecting', fingerprint, reason);
    this.#reconnecting = { ...this.#reconnecting, [fingerprint]: true };
    if (call.isDialer) setTimeout(() => this.#redial(fingerprint, s.call.callId), 250);
    if (this.#graceTimers[fingerprint] === undefined) {
      this.#graceTimers[fingerprint] = setTimeout(() => {
        delete this.#graceTimers[fingerprint];
        if (this.#links[fingerprint]?.stream) return;
        this.#clearReconnect(fingerprint);
        log.warn('media did not come back; the participant counts as gone', fingerprint);
        this.#host.onLost(fingerprint, s.call.room);
      }, MEDIA_RECONNECT_GRACE_MS);
    }
  }

  #redial(fingerprint: Fingerprint, callId: string): void {
    if (!this.#isInCall(callId) || this.#links[fingerprint]) return;
    this.dial(fingerprint);
  }

  #clearReconnect(fingerprint: Fingerprint): void {
    clearTimeout(this.#graceTimers[fingerprint]);
    delete this.#graceTimers[fingerprint];
    if (this.#reconnecting[fingerprint]) {
      const next = { ...this.#reconnecting };
      delete next[fingerprint];
      this.#reconnecting = next;
    }
  }
}
