/**
 * System notifications (DESIGN §11): new messages, and incoming calls for the calls feature to
 * use. Shown through the service worker where there is one (required on Android, and its click
 * handler in public/sw-notifications.js focuses Parley and opens the conversation), else through
 * the page's `Notification`. Whether to notify at all (the person's setting, the page hidden, the
 * conversation not muted) is the caller's decision; this module only shows and clears. Clicks
 * come back through notification-clicks.ts.
 */
import { createLogger } from '../log';

const log = createLogger('notify');

/** The browser's answer so far, or 'unsupported' where there are no notifications. */
export type NotificationAccess = NotificationPermission | 'unsupported';

/** One notification. */
export interface AppNotification {
  /** First line. */
  title: string;
  /** Second line (plain text). */
  body: string;
  /**
   * Replaces an earlier notification with the same tag (one per conversation, one per call), so
   * a busy room does not pile them up.
   */
  tag: string;
  /** The route a click opens, e.g. `#/r/<secret>`. */
  hash: string;
  /** Stays until acted on (calls). */
  requireInteraction?: boolean;
}

/** Whether notifications can be shown, and the permission so far. */
export function notificationAccess(): NotificationAccess {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

/** Asks for permission; call only from a click (browsers ignore or punish other calls). */
export async function requestNotificationAccess(): Promise<NotificationAccess> {
  if (typeof Notification === 'undefined') return 'unsupported';
  try {
    return await Notification.requestPermission();
  } catch (error) {
    log.warn('asking for notification permission failed', error);
    return Notification.permission;
  }
}

/** Shows a notification if permitted; false when it was not shown. */
export async function showAppNotification(notification: AppNotification): Promise<boolean> {
  if (notificationAccess() !== 'granted') return false;
  const { title, body, tag, hash, requireInteraction = false } = notification;
  const options: NotificationOptions = {
    body,
    tag,
    icon: '/pwa-192x192.png',
    badge: '/pwa-64x64.png',
    requireInteraction,
    data: { hash },
  };
  try {
    const registration = await serviceWorkerRegistration();
    if (registration) {
      await registration.showNotification(title, options);
      return true;
    }
    const shown = new Notification(title, options);
    shown.onclick = () => {
      window.focus();
      location.hash = hash;
      shown.close();
    };
    return true;
  } catch (error) {
    log.warn('showing a notification failed', error);
    return false;
  }
}

/** Closes the notifications with `tag` (e.g. a call that was answered elsewhere or ended). */
export async function closeAppNotifications(tag: string): Promise<void> {
  const registration = await serviceWorkerRegistration();
  const shown = (await registration?.getNotifications({ tag })) ?? [];
  for (const notification of shown) notification.close();
}

/**
 * For the calls feature: an incoming call while Parley is hidden. Tagged by call so `call-cancel`
 * / `call-accept` elsewhere can close it with `closeAppNotifications(callTag(callId))`.
 */
export function notifyIncomingCall(call: {
  callId: string;
  title: string;
  body: string;
  hash: string;
}): Promise<boolean> {
  return showAppNotification({
    title: call.title,
    body: call.body,
    tag: callTag(call.callId),
    hash: call.hash,
    requireInteraction: true,
  });
}

/** The notification tag of a call. */
export function callTag(callId: string): string {
  return `call:${callId}`;
}

async function serviceWorkerRegistration(): Promise<ServiceWorkerRegistration | undefined> {
  if (typeof navigator === 'undefined' || !navigator.serviceWorker?.controller) return undefined;
  return navigator.serviceWorker.getRegistration();
}
