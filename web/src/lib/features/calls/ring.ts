/**
 * How an incoming call gets attention (DESIGN §8): a ring tone made with WebAudio (no audio
 * file), the document title flashing, and a system notification when the page is hidden and
 * permission was already granted (this never asks for it).
 */
import { createLogger } from '../../log';

const log = createLogger('ring');

/** One ring: this long on, then silence until the next. */
const RING_ON_MS = 1_200;
const RING_PERIOD_MS = 3_000;
/** The title alternates this often. */
const TITLE_FLASH_MS = 1_000;

/** Starts ringing; the returned function stops everything it started. */
export function startRinging(args: {
  /** What the tab's title alternates with. */
  titleFlash: string;
  /** The notification's title. */
  notificationTitle: string;
  /** Replaces an earlier notification of the same call. */
  notificationTag: string;
}): () => void {
  const stops: (() => void)[] = [ringTone(), flashTitle(args.titleFlash)];
  const notification = notifyIfHidden(args.notificationTitle, args.notificationTag);
  if (notification) stops.push(() => notification.close());
  return () => {
    for (const stop of stops) stop();
  };
}

/** A two-tone ring (440 + 480 Hz) repeating every RING_PERIOD_MS. */
function ringTone(): () => void {
  let context: AudioContext;
  try {
    context = new AudioContext();
  } catch (error) {
    log.warn('no WebAudio for the ring tone', error);
    return () => undefined;
  }
  const gain = context.createGain();
  gain.gain.value = 0;
  gain.connect(context.destination);
  for (const frequency of [440, 480]) {
    const oscillator = context.createOscillator();
    oscillator.frequency.value = frequency;
    oscillator.connect(gain);
    oscillator.start();
  }
  const ring = (): void => {
    const now = context.currentTime;
    gain.gain.setValueAtTime(0.08, now);
    gain.gain.setValueAtTime(0, now + RING_ON_MS / 1000);
  };
  ring();
  const timer = setInterval(ring, RING_PERIOD_MS);
  return () => {
    clearInterval(timer);
    context.close().catch((error: unknown) => log.debug('closing the ring tone failed', error));
  };
}

/** Alternates the document title with `text` until stopped, then puts it back. */
function flashTitle(text: string): () => void {
  const original = document.title;
  let isShowing = false;
  const timer = setInterval(() => {
    isShowing = !isShowing;
    document.title = isShowing ? text : original;
  }, TITLE_FLASH_MS);
  return () => {
    clearInterval(timer);
    document.title = original;
  };
}

function notifyIfHidden(title: string, tag: string): Notification | null {
  if (document.visibilityState !== 'hidden') return null;
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return null;
  try {
    return new Notification(title, { tag, requireInteraction: true });
  } catch (error) {
    log.warn('could not show the call notification', error);
    return null;
  }
}
