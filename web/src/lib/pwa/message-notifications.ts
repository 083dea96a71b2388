/**
 * Notifications for new messages while Parley is hidden (DESIGN §11): only when the person
 * switched them on in Settings, the browser allows them, the page is not visible and the
 * conversation is not muted. One notification per conversation (a newer one replaces it).
 */
import '../i18n/more';
import { eventPreview } from '../domain/events';
import type { ChatEvent } from '../protocol/events';
import { t } from '../i18n/i18n';
import { conversationTitle } from '../features/conversations/conversation-views';
import type { Parley } from '../parley';
import type { RoomKey } from '../protocol/ids';
import { conversationHash } from '../shell/router.svelte';
import { notificationAccess, showAppNotification, type NotificationAccess } from './notifications';

/** What decides whether a new message is notified. */
export interface NotifyContext {
  /** The person's setting. */
  isEnabled: boolean;
  /** The browser's permission. */
  access: NotificationAccess;
  /** The page is visible (then the message is seen anyway). */
  isPageVisible: boolean;
  /** The conversation exists here and is muted. */
  isMuted: boolean | undefined;
}

/** Whether to notify (pure). */
export function shouldNotify(context: NotifyContext): boolean {
  return (
    context.isEnabled &&
    context.access === 'granted' &&
    !context.isPageVisible &&
    context.isMuted === false
  );
}

/** Notifies about messages just stored here, if `shouldNotify` says so. */
export function notifyMessages(app: Parley, room: RoomKey, events: readonly ChatEvent[]): void {
  const conversation = app.conversations.conversation(room);
  const last = events.at(-1);
  const isNotified = shouldNotify({
    isEnabled: app.settings.values.notifications,
    access: notificationAccess(),
    isPageVisible: document.visibilityState === 'visible',
    isMuted: conversation ? conversation.muted === true : undefined,
  });
  if (!isNotified || !conversation || !last) return;
  const title = conversationTitle(conversation);
  const author = app.members.authorName(room, last.author);
  void showAppNotification({
    title: t('notify.newMessage', { title }),
    body: `${author}: ${eventPreview(last)}`,
    tag: `room:${room}`,
    hash: conversationHash(conversation),
  });
}
