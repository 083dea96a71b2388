/**
 * The person's app settings (DESIGN §11): their shape, defaults, and reading them back from
 * storage. Pure: no I/O. The checks of the network fields are network-rules.ts.
 */

/** How the app is coloured: fixed light or dark, or following the system (`prefers-color-scheme`). */
export type ThemeChoice = 'light' | 'dark' | 'system';

/** One STUN or TURN server as the person entered it. */
export interface IceServerSetting {
  /** One `stun:`, `turn:` or `turns:` URL. */
  urls: string;
  /** TURN user name (empty for STUN). */
  username: string;
  /** TURN credential (empty for STUN). */
  credential: string;
}

/** Everything Settings stores (one record in the store's `settings`). */
export interface AppSettingsValues {
  /** Light, dark or system. */
  theme: ThemeChoice;
  /** Extra ICE servers, used together with those the signal server hands out. */
  iceServers: IceServerSetting[];
  /** The signal server's origin; '' means the page's own origin. */
  signalUrl: string;
  /**
   * Hide my IP address: every data and media connection goes through a TURN relay only
   * (`iceTransportPolicy: 'relay'`), so peers see the relay's address, never ours.
   */
  isRelayOnly: boolean;
  /** Notify about new messages while Parley is hidden (needs the browser's permission too). */
  notifications: boolean;
  /** Persistent storage was asked for once (the browser remembers its answer). */
  hasAskedPersistence: boolean;
}

/** The settings of a fresh install. */
export const DEFAULT_SETTINGS: AppSettingsValues = {
  theme: 'system',
  iceServers: [],
  signalUrl: '',
  isRelayOnly: false,
  notifications: false,
  hasAskedPersistence: false,
};

/** The most ICE servers Settings keeps (browsers slow down gathering with many). */
export const MAX_ICE_SERVERS = 8;
/** Longest URL, user name or credential accepted in Settings. */
export const MAX_SETTING_CHARS = 512;

const THEMES: readonly ThemeChoice[] = ['light', 'dark', 'system'];

/** Whether a value is one of the theme choices. */
export function isThemeChoice(value: unknown): value is ThemeChoice {
  return typeof value === 'string' && (THEMES as readonly string[]).includes(value);
}

/**
 * Reads a stored settings record: every field that is missing or of the wrong type takes its
 * default (a record from an older or newer version never breaks start-up). The network fields
 * are checked in full when the network starts (network-rules.ts, off the first screen).
 */
export function parseStoredSettings(stored: unknown): AppSettingsValues {
  const record =
    typeof stored === 'object' && stored !== null ? (stored as Record<string, unknown>) : {};
  const ice = Array.isArray(record.iceServers) ? record.iceServers.filter(isIceServerSetting) : [];
  return {
    theme: isThemeChoice(record.theme) ? record.theme : DEFAULT_SETTINGS.theme,
    iceServers: ice,
    signalUrl: typeof record.signalUrl === 'string' ? record.signalUrl : '',
    isRelayOnly: record.isRelayOnly === true,
    notifications: record.notifications === true,
    hasAskedPersistence: record.hasAskedPersistence === true,
  };
}

function isIceServerSetting(value: unknown): value is IceServerSetting {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.urls === 'string' && typeof v.username === 'string' && typeof v.credential === 'string'
  );
}
