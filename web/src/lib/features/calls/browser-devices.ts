/**
 * The browser's devices for calls (DESIGN §8), the real `Devices` port: the microphone and
 * camera, with a fallback when permission is refused or a device is missing, screen capture, and
 * device lists.
 *
 * A call always sends exactly one audio and one video track, from its first offer: PeerJS cannot
 * renegotiate (DESIGN §12), so a missing device is stood in for by a silent or blank track, and
 * turning the camera on, switching devices or sharing the screen is `replaceTrack` on the same
 * senders.
 */
import type { CallMedia } from '../../protocol/peer-frames';
import { createLogger } from '../../log';
import {
  problemOf,
  type DeviceLists,
  type Devices,
  type LocalMedia,
  type MediaProblem,
} from './devices';

const log = createLogger('media');

/** The stand-in tracks and what made them, released together. */
let placeholderAudio: { context: AudioContext; track: MediaStreamTrack } | null = null;

/** A silent audio track. */
function silentAudioTrack(): MediaStreamTrack {
  if (placeholderAudio?.track.readyState === 'live') return placeholderAudio.track.clone();
  const context = new AudioContext();
  const destination = context.createMediaStreamDestination();
  const track = destination.stream.getAudioTracks()[0];
  if (!track) throw new Error('WebAudio gave no audio track');
  placeholderAudio = { context, track };
  return track.clone();
}

/** A blank (black) video track: a small canvas that is drawn once. */
function blankVideoTrack(): MediaStreamTrack {
  const canvas = document.createElement('canvas');
  canvas.width = 320;
  canvas.height = 240;
  const context = canvas.getContext('2d');
  if (context) {
    context.fillStyle = '#000';
    context.fillRect(0, 0, canvas.width, canvas.height);
  }
  const track = canvas.captureStream(1).getVideoTracks()[0];
  if (!track) throw new Error('the canvas gave no video track');
  return track;
}

async function getUserMedia(constraints: MediaStreamConstraints): Promise<MediaStream> {
  if (!navigator.mediaDevices?.getUserMedia) {
    throw new DOMException('no media devices here', 'NotFoundError');
  }
  return navigator.mediaDevices.getUserMedia(constraints);
}

/**
 * Opens the microphone (and the camera for a video call). Falls back to the microphone alone
 * when the camera fails, and to stand-in tracks (receive only) when nothing can be had; the
 * problem says why, for the person.
 */
export async function openLocalMedia(media: CallMedia): Promise<LocalMedia> {
  let problem: MediaProblem | null = null;
  let stream: MediaStream | null = null;
  try {
    stream = await getUserMedia({ audio: true, video: media === 'video' });
  } catch (error) {
    log.warn('getUserMedia failed', media, error);
    problem = problemOf(error);
    if (media === 'video' && problem !== 'denied') {
      try {
        stream = await getUserMedia({ audio: true });
      } catch (audioError) {
        log.warn('getUserMedia (audio only) failed', audioError);
      }
    }
  }
  const mic = stream?.getAudioTracks()[0];
  const camera = stream?.getVideoTracks()[0];
  return {
    stream: new MediaStream([mic ?? silentAudioTrack(), camera ?? blankVideoTrack()]),
    hasMic: mic !== undefined,
    hasCamera: camera !== undefined,
    problem,
  };
}

/** Opens one camera or microphone (by device ID, or the default one). */
export async function openDevice(
  kind: 'audio' | 'video',
  deviceId?: string,
): Promise<MediaStreamTrack> {
  const constraint = deviceId ? { deviceId: { exact: deviceId } } : true;
  const stream = await getUserMedia(
    kind === 'audio' ? { audio: constraint } : { video: constraint },
  );
  const track = kind === 'audio' ? stream.getAudioTracks()[0] : stream.getVideoTracks()[0];
  if (!track) throw new DOMException('no track', 'NotFoundError');
  return track;
}

/** A stand-in for a track that was turned off or lost. */
export function placeholderTrack(kind: 'audio' | 'video'): MediaStreamTrack {
  return kind === 'audio' ? silentAudioTrack() : blankVideoTrack();
}

/** Asks the person for a screen or window to share; its video track. */
export async function openScreen(): Promise<MediaStreamTrack> {
  if (!navigator.mediaDevices?.getDisplayMedia) {
    throw new DOMException('screen sharing is not supported here', 'NotSupportedError');
  }
  const stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
  const track = stream.getVideoTracks()[0];
  if (!track) throw new DOMException('no screen track', 'NotFoundError');
  return track;
}

/** The microphones, cameras and speakers there are. */
export async function listDevices(): Promise<DeviceLists> {
  const lists: DeviceLists = { audioinput: [], videoinput: [], audiooutput: [] };
  try {
    const devices = (await navigator.mediaDevices?.enumerateDevices()) ?? [];
    for (const d of devices) lists[d.kind].push({ id: d.deviceId, label: d.label });
  } catch (error) {
    log.warn('could not list media devices', error);
  }
  return lists;
}

/** The browser's devices, as the call layer takes them. */
export const browserDevices: Devices = {
  openLocalMedia,
  openDevice,
  openScreen,
  placeholderTrack,
  listDevices,
};
