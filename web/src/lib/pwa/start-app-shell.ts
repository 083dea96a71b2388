/**
 * Wires the PWA parts to the app for App.svelte (DESIGN §11), so the composition root stays
 * a few lines: the app shell (service worker, update prompt, install, online state), message
 * notifications and their clicks, the theme, and one request for persistent storage.
 */
import type { Parley } from '../parley';
import { roomHash, type Router } from '../shell/router.svelte';
import type { ThemeChoice } from '../features/settings/settings-rules';
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
export function startAppShell(app: Parley, router: Router): AppShellWiring {
  const appShell = new AppShell();
  let isAsking = false;
  return {
    appShell,
    listen() {
      const stops = [
        appShell.start(),
        // The notification code loads only once someone has switched notifications on.
        app.messages.onIncoming((room, events) => {
          if (!app.settings.values.notifications) return;
          void import('./message-notifications').then(({ notifyMessages }) =>
            notifyMessages(app, room, events),
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
      if (isAsking || app.settings.values.hasAskedPersistence) return;
      isAsking = true;
      void requestPersistentStorage().then(() =>
        app.settings.update({ hasAskedPersistence: true }),
      );
    },
    runLaunchAction() {
      if (takeLaunchAction() !== 'new-room') return;
      void app.conversations.createRoom().then((secret) => {
        if (secret) router.go(roomHash(secret));
      });
    },
  };
}
