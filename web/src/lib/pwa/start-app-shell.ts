/**
 * Wires the PWA parts to the session for App.svelte (DESIGN §11), so the composition root stays
 * a few lines: the app shell (service worker, update prompt, install, online state), message
 * notifications and their clicks, the theme, and one request for persistent storage.
 */
import type { ChatSession } from '../state/chat-session.svelte';
import { roomHash, type Router } from '../state/router.svelte';
import type { ThemeChoice } from '../settings/settings-rules';
import { AppShell } from './app-shell.svelte';
import { takeLaunchAction } from './launch-action';
import { listenForNotificationClicks } from './notification-clicks';
import { requestPersistentStorage } from './persistence';
import { showTheme } from './theme';

/** What App.svelte drives. */
export interface AppShellWiring {
  /** The reactive app shell (put in context). */
  appShell: AppShell;
  /** Starts everything that listens; returns the cleanup (an `$effect`). */
  listen(): () => void;
  /** Shows the theme (an `$effect` on the setting). */
  showTheme(theme: ThemeChoice): void;
  /**
   * Asks for persistent storage once per profile, when there is something worth keeping (the
   * first conversation); the browser remembers its answer.
   */
  askPersistenceOnce(): void;
  /** Does what the launch URL asked for (the "New room" shortcut); call once the app is ready. */
  runLaunchAction(): void;
}

/** Builds the wiring; nothing starts until `listen`. */
export function startAppShell(session: ChatSession, router: Router): AppShellWiring {
  const appShell = new AppShell();
  let isAsking = false;
  return {
    appShell,
    listen() {
      const stops = [
        appShell.start(),
        // The notification code loads only once someone has switched notifications on.
        session.onMessagesStored((room, events) => {
          if (!session.settings.values.notifications) return;
          void import('./message-notifications').then(({ notifyMessages }) =>
            notifyMessages(session, room, events),
          );
        }),
        listenForNotificationClicks((hash) => router.go(hash)),
      ];
      return () => {
        for (const stop of stops) stop();
      };
    },
    showTheme(theme) {
      showTheme(theme);
    },
    askPersistenceOnce() {
      if (isAsking || session.settings.values.hasAskedPersistence) return;
      isAsking = true;
      void requestPersistentStorage().then(() =>
        session.settings.update({ hasAskedPersistence: true }),
      );
    },
    runLaunchAction() {
      if (takeLaunchAction() !== 'new-room') return;
      void session.createRoom().then((secret) => {
        if (secret) router.go(roomHash(secret));
      });
    },
  };
}
