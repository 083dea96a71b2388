/**
 * UI strings of the call screens, loaded with the call layer (not part of the first screen). Importing this module
 * adds them to the catalog `t()` reads; keys are typed with the rest (i18n.ts).
 */
import { addMessages } from './i18n';

export const enCalls = {
  'calls.label': 'Call',
  'calls.accept': 'Accept',
  'calls.decline': 'Decline',
  'calls.hangUp': 'Hang up',
  'calls.mute': 'Mute',
  'calls.cameraOff': 'Camera off',
  'calls.shareScreen': 'Share screen',
  'calls.incomingTitle': 'Incoming call from {name}',
  'calls.titleFlash': '📞 {name} is calling',
  'calls.calling': 'Calling {name}…',
  'calls.ringing': 'Ringing at {name}…',
  'calls.roomCall': 'Room call',
  'calls.waiting': 'Waiting for others to join…',
  'calls.connecting': 'Connecting…',
  'calls.you': 'You',
  'calls.remoteMuted': 'Muted',
  'calls.remoteCameraOff': 'Camera off',
  'calls.remoteSharing': 'Sharing screen',
  'calls.reconnecting': 'Reconnecting…',
  'calls.quality.good': 'Good connection',
  'calls.quality.fair': 'Fair connection',
  'calls.quality.poor': 'Poor connection',
  'calls.path.direct': 'Direct',
  'calls.path.relayed': 'Relayed',
  'calls.problem.denied':
    'Microphone and camera access was refused, so the others cannot hear or see you. You can still hear and see them; allow access in the browser to take part.',
  'calls.problem.failed':
    'The microphone or camera could not be started; the call goes on without it.',
  'calls.notice.busy': 'They are in another call.',
  'calls.notice.declined': 'The call was declined.',
  'calls.notice.missed': 'No answer.',
  'calls.devices': 'Devices',
  'calls.microphone': 'Microphone',
  'calls.camera': 'Camera',
  'calls.speaker': 'Speaker',
  'calls.defaultDevice': 'Default',
} as const;

addMessages(enCalls);
