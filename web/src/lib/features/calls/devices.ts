/**
 * The call's devices as a port (STYLE "devices, clocks and timers are injected ports"): the
 * microphone, camera and screen. `browser-devices.ts` is the real one (loaded with the call
 * layer); tests hand in their own, so no module needs mocking.
 */
import type { CallMedia } from '../../protocol/peer-frames';

/** Why we could not get a device. */
export type MediaProblem = 'denied' | 'no-device' | 'failed';

/** What the person sends in a call. */
export interface LocalMedia {
  /** One audio and one video track (stand-ins where there is no device). */
  stream: MediaStream;
  /** The audio track is a real microphone. */
  hasMic: boolean;
  /** The video track is a real camera. */
  hasCamera: boolean;
  /** Why the microphone or camera (as asked for) could not be had, if so. */
  problem: MediaProblem | null;
}

/** One device the person can choose. */
export interface DeviceChoice {
  /** Its ID for `openDevice` / `setSinkId`. */
  id: string;
  /** Its label ('' until permission was given once). */
  label: string;
}

/** The kinds of device a call uses. */
export type DeviceKind = 'audioinput' | 'videoinput' | 'audiooutput';

/** The devices there are, by kind. */
export type DeviceLists = Record<DeviceKind, DeviceChoice[]>;

/** What a call needs of the device layer. */
export interface Devices {
  /**
   * Opens the microphone (and the camera for a video call), falling back to the microphone alone
   * and then to stand-in tracks (receive only); the problem says why.
   */
  openLocalMedia(media: CallMedia): Promise<LocalMedia>;
  /** Opens one camera or microphone (by device ID, or the default one). */
  openDevice(kind: 'audio' | 'video', deviceId?: string): Promise<MediaStreamTrack>;
  /** Asks the person for a screen or window to share; its video track. */
  openScreen(): Promise<MediaStreamTrack>;
  /** A stand-in for a track that was turned off or lost. */
  placeholderTrack(kind: 'audio' | 'video'): MediaStreamTrack;
  /** The microphones, cameras and speakers there are. */
  listDevices(): Promise<DeviceLists>;
}

/** The kind of problem a getUserMedia failure means. */
export function problemOf(error: unknown): MediaProblem {
  const name = error instanceof DOMException || error instanceof Error ? error.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError') return 'denied';
  if (name === 'NotFoundError' || name === 'OverconstrainedError' || name === 'NotReadableError') {
    return 'no-device';
  }
  return 'failed';
}

/** True where the browser can choose the speaker of a media element. */
export function canChooseSpeaker(): boolean {
  return typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;
}
