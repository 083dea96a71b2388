/**
 * The person's settings as reactive state (DESIGN §11), stored as one record in the store's
 * `settings`. App.svelte shows the theme on the document (pwa/theme.ts).
 */
import { createLogger } from '../../log';
import {
  DEFAULT_SETTINGS,
  parseStoredSettings,
  type AppSettingsValues,
  type IceServerSetting,
  type ThemeChoice,
} from './settings-rules';
import type { NetworkSettings } from './network-rules';
import { storeErr, type StoreResult } from '../../storage/chat-store';

const log = createLogger('settings');

/** The settings key of the record. */
export const APP_SETTINGS_KEY = 'appSettings';

/** The part of the store settings need. */
export interface SettingsStore {
  /** Reads a setting. */
  getSetting<T>(key: string): Promise<T | undefined>;
  /** Writes a setting. */
  putSetting(key: string, value: unknown): Promise<StoreResult<void>>;
}

export type { NetworkSettings } from './network-rules';

/** The session's settings. */
export class AppSettings {
  #values = $state.raw<AppSettingsValues>(DEFAULT_SETTINGS);
  #store: SettingsStore | null = null;

  /** All values (read-only snapshot). */
  get values(): AppSettingsValues {
    return this.#values;
  }

  /** Light, dark or system. */
  get theme(): ThemeChoice {
    return this.#values.theme;
  }

  /**
   * The network part, as the transport takes it (a snapshot; the transport is not reactive),
   * checked by network-rules.ts, which loads with the network.
   */
  async network(): Promise<NetworkSettings> {
    const { networkSettingsOf } = await import('./network-rules');
    return networkSettingsOf(this.#values);
  }

  /** Reads the stored record (malformed fields take their defaults) and keeps the store. */
  async load(store: SettingsStore): Promise<void> {
    this.#store = store;
    let stored: unknown;
    try {
      stored = await store.getSetting<unknown>(APP_SETTINGS_KEY);
    } catch (error) {
      log.error('reading settings failed; using the defaults', error);
    }
    this.#values = parseStoredSettings(stored);
  }

  /** Changes some values and stores them; on failure the values stay as they were. */
  async update(changes: Partial<AppSettingsValues>): Promise<StoreResult<void>> {
    const store = this.#store;
    if (!store) return storeErr('unknown', 'the store is closed');
    const next = { ...this.#values, ...changes };
    const saved = await store.putSetting(APP_SETTINGS_KEY, $state.snapshot(next));
    if (!saved.ok) return saved;
    this.#values = next;
    return saved;
  }

  /** The ICE servers as entered. */
  get iceServers(): IceServerSetting[] {
    return this.#values.iceServers;
  }
}
