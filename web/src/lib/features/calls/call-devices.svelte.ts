/**
 * What we send in a call (DESIGN §8): the microphone and camera opened once per call, mute and
 * camera off, device switches and screen sharing — every change a `replaceTrack` on the same
 * senders (PeerJS cannot renegotiate) — and the device lists.
 */
import { createLogger } from '../../log';
import type { CallMedia } from './call-machine';
import {
  problemOf,
  type DeviceLists,
  type Devices,
  type LocalMedia,
  type MediaProblem,
} from './devices';

const log = createLogger('calls');

/** What the call is told by its devices. */
export interface CallDevicesHost {
  /** Sends `track` instead of the current one of its kind on every media connection. */
  replaceTrack(kind: 'audio' | 'video', track: MediaStreamTrack): Promise<void>;
  /** What we send changed (mute, camera, screen): tell the others. */
  onMediaChanged(): void;
  /** A device or the screen could not be had. */
  onFailure(notice: 'screen-failed' | 'device-failed'): void;
}

/** The local media of this tab's call. */
export class CallDevices {
  #devices: Devices;
  #host: CallDevicesHost;
  #local = $state.raw<LocalMedia | null>(null);
  #isMuted = $state(false);
  #isCameraOff = $state(false);
  #isSharing = $state(false);
  #problem = $state<MediaProblem | null>(null);
  #isPreparing = $state(false);
  #lists = $state.raw<DeviceLists>({ audioinput: [], videoinput: [], audiooutput: [] });
  #speakerId = $state('');
  /** Devices being opened (see `open`). */
  #opening: Promise<boolean> | null = null;
  /** The camera track kept while the screen is shared, to go back to. */
  #cameraTrack: MediaStreamTrack | null = null;
  /** Dropped: nothing may start or keep a device from now on. */
  #isDisposed = false;

  constructor(devices: Devices, host: CallDevicesHost) {
    this.#devices = devices;
    this.#host = host;
  }

  /** What we send (for the self view), while in or placing a call. */
  get stream(): MediaStream | null {
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
  /** True while devices open for a call being placed, joined or answered. */
  get isPreparing(): boolean {
    return this.#isPreparing;
  }
  /** The devices to choose from (labels once permission was given). */
  get lists(): DeviceLists {
    return this.#lists;
  }
  /** The chosen speaker ('' for the default). */
  get speakerId(): string {
    return this.#speakerId;
  }

  /** Opens the devices for a call (once, however often asked); false when the call cannot go on. */
  open(media: CallMedia): Promise<boolean> {
    if (this.#local) return Promise.resolve(true);
    this.#opening ??= this.#doOpen(media).finally(() => (this.#opening = null));
    return this.#opening;
  }

  /** Stops every device (the call ended). */
  release(): void {
    for (const track of this.#local?.stream.getTracks() ?? []) track.stop();
    this.#cameraTrack?.stop();
    this.#cameraTrack = null;
    this.#local = null;
    this.#isSharing = false;
  }

  /** The call layer is dropped: devices still opening are closed when they arrive. */
  dispose(): void {
    this.#isDisposed = true;
    this.release();
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
    this.#host.onMediaChanged();
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
    this.#host.onMediaChanged();
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
      screen = await this.#devices.openScreen();
    } catch (error) {
      log.warn('screen sharing failed', error);
      // The person closing the picker is no failure worth a message.
      if (problemOf(error) !== 'denied') this.#host.onFailure('screen-failed');
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
    this.#host.onMediaChanged();
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
  async refreshLists(): Promise<void> {
    this.#lists = await this.#devices.listDevices();
  }

  async #doOpen(media: CallMedia): Promise<boolean> {
    this.#isPreparing = true;
    try {
      const local = await this.#devices.openLocalMedia(media);
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
    await this.#host.replaceTrack(kind, track);
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
      track = await this.#devices.openDevice(kind, deviceId);
    } catch (error) {
      log.warn('could not open a device', kind, error);
      this.#problem = problemOf(error);
      this.#host.onFailure('device-failed');
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
    const back =
      camera && camera.readyState === 'live' ? camera : this.#devices.placeholderTrack('video');
    back.enabled = !this.#isCameraOff;
    await this.#sendTrack('video', back, true);
    this.#host.onMediaChanged();
  }
}
