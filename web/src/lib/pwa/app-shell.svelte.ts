/**
 * The installed-app side of Parley (DESIGN §11): the service worker (registered through
 * workbox-window, loaded after the first screen), the "new version" prompt, the install button
 * and the browser's online state. The service worker never swaps versions by itself
 * (`registerType: 'prompt'`): the person chooses "Reload", so no call or half-typed message is
 * cut off.
 */
import type { Workbox } from 'workbox-window';
import { SW_UPDATE_CHECK_INTERVAL_MS } from '../config';
import { createLogger } from '../log';

const log = createLogger('pwa');

/** Chromium's `beforeinstallprompt` event (not in the DOM typings). */
interface InstallPromptEvent extends Event {
  /** Shows the browser's install dialog. */
  prompt(): Promise<void>;
  /** How the person answered. */
  userChoice: Promise<{ outcome: 'accepted' | 'dismissed' }>;
}

/** Where the service worker is (vite-plugin-pwa's generateSW output). */
const SW_URL = '/sw.js';

/** The app shell's reactive state. */
export class AppShell {
  #isUpdateWaiting = $state(false);
  #canInstall = $state(false);
  #isOnline = $state(typeof navigator === 'undefined' ? true : navigator.onLine);
  #workbox: Workbox | null = null;
  #installPrompt: InstallPromptEvent | null = null;
  #isReloadAsked = false;
  /** Another tab activated a new version, which now controls this page (nothing waits). */
  #isControlledByNewVersion = false;

  /** A new version is installed and waits for "Reload". */
  get isUpdateWaiting(): boolean {
    return this.#isUpdateWaiting;
  }

  /** The browser offered installation (`beforeinstallprompt`) and Parley is not installed. */
  get canInstall(): boolean {
    return this.#canInstall;
  }

  /** The browser says it has a network (`navigator.onLine`). */
  get isOnline(): boolean {
    return this.#isOnline;
  }

  /** Starts listening and registers the service worker (production builds only); the cleanup. */
  start(): () => void {
    const online = (): void => {
      this.#isOnline = navigator.onLine;
    };
    const offerInstall = (event: Event): void => {
      // Keep the browser's mini-bar away; our "Install app" button offers it instead.
      event.preventDefault();
      this.#installPrompt = event as InstallPromptEvent;
      this.#canInstall = true;
    };
    const installed = (): void => {
      this.#installPrompt = null;
      this.#canInstall = false;
    };
    const checkSoon = (): void => {
      if (document.visibilityState === 'visible') this.#checkForUpdate();
    };
    window.addEventListener('online', online);
    window.addEventListener('offline', online);
    window.addEventListener('beforeinstallprompt', offerInstall);
    window.addEventListener('appinstalled', installed);
    document.addEventListener('visibilitychange', checkSoon);
    const timer = setInterval(() => this.#checkForUpdate(), SW_UPDATE_CHECK_INTERVAL_MS);
    if (import.meta.env.PROD && 'serviceWorker' in navigator) this.#register();
    return () => {
      window.removeEventListener('online', online);
      window.removeEventListener('offline', online);
      window.removeEventListener('beforeinstallprompt', offerInstall);
      window.removeEventListener('appinstalled', installed);
      document.removeEventListener('visibilitychange', checkSoon);
      clearInterval(timer);
    };
  }

  /** Shows the browser's install dialog (from the "Install app" button). */
  async install(): Promise<void> {
    const prompt = this.#installPrompt;
    if (!prompt) return;
    this.#installPrompt = null;
    this.#canInstall = false;
    await prompt.prompt();
    const { outcome } = await prompt.userChoice;
    log.info(`install: ${outcome}`);
  }

  /** Activates the waiting version; the page reloads once it controls it. */
  applyUpdate(): void {
    const workbox = this.#workbox;
    // Nothing waits when another tab already activated the new version: a reload loads it.
    if (!workbox || this.#isControlledByNewVersion) {
      location.reload();
      return;
    }
    this.#isReloadAsked = true;
    workbox.messageSkipWaiting();
  }

  /** Hides the prompt until the next start or the next version. */
  dismissUpdate(): void {
    this.#isUpdateWaiting = false;
  }

  #register(): void {
    import('workbox-window')
      .then(async ({ Workbox }) => {
        const workbox = new Workbox(SW_URL, { scope: '/' });
        workbox.addEventListener('waiting', () => {
          this.#isUpdateWaiting = true;
        });
        workbox.addEventListener('controlling', (event) => {
          // Our own "Reload": load the new version. Another tab's: this page still runs the old
          // code (its lazy chunks are gone from the new cache), so ask this person too; the new
          // version already controls the page, so their "Reload" just reloads.
          if (this.#isReloadAsked) location.reload();
          else if (event.isUpdate) {
            this.#isControlledByNewVersion = true;
            this.#isUpdateWaiting = true;
          }
        });
        this.#workbox = workbox;
        await workbox.register({ immediate: true });
      })
      .catch((error: unknown) => log.warn('the service worker could not be registered', error));
  }

  #checkForUpdate(): void {
    this.#workbox?.update().catch((error: unknown) => log.debug('update check failed', error));
  }
}
