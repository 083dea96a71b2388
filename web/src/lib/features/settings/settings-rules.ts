/**
 * The person's app settings (DESIGN §11): their shape, defaults, and the checks applied to what
 * they type in Settings and to what is read back from storage. Pure: no I/O.
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

/** Why an ICE server entry was refused (a catalog key suffix the Settings screen shows). */
export type IceServerProblem = 'url' | 'credentials' | 'tooLong' | 'tooMany';

/**
 * Checks one ICE server as typed: a `stun:`/`turn:`/`turns:` URL with a host (RFC 7064/7065),
 * and for TURN both a user name and a credential. Returns the trimmed entry or the problem.
 */
export function checkIceServer(
  raw: IceServerSetting,
): { ok: true; value: IceServerSetting } | { ok: false; problem: IceServerProblem } {
  const urls = raw.urls.trim();
  const username = raw.username.trim();
  const credential = raw.credential;
  if ([urls, username, credential].some((part) => part.length > MAX_SETTING_CHARS)) {
    return { ok: false, problem: 'tooLong' };
  }
  const match = /^(stuns?|turns?):([^\s?#/@]+)(\?transport=(udp|tcp))?$/i.exec(urls);
  const scheme = match?.[1]?.toLowerCase();
  const host = match?.[2] ?? '';
  if (!scheme || !isHostAndPort(host)) return { ok: false, problem: 'url' };
  const isTurn = scheme.startsWith('turn');
  if (isTurn && (!username || !credential)) return { ok: false, problem: 'credentials' };
  return {
    ok: true,
    value: isTurn ? { urls, username, credential } : { urls, username: '', credential: '' },
  };
}

/** `host`, `host:port`, `[v6]` or `[v6]:port`, with a port in 1–65535. */
function isHostAndPort(text: string): boolean {
  const match = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:(\d{1,5}))?$/i.exec(text);
  if (!match) return false;
  const port = match[3];
  return port === undefined || (Number(port) >= 1 && Number(port) <= 65_535);
}

/** Checks a whole list (each entry, and the count). */
export function checkIceServers(
  list: readonly IceServerSetting[],
):
  | { ok: true; value: IceServerSetting[] }
  | { ok: false; problem: IceServerProblem; index: number } {
  if (list.length > MAX_ICE_SERVERS) {
    return { ok: false, problem: 'tooMany', index: MAX_ICE_SERVERS };
  }
  const value: IceServerSetting[] = [];
  for (const [index, entry] of list.entries()) {
    const checked = checkIceServer(entry);
    if (!checked.ok) return { ok: false, problem: checked.problem, index };
    value.push(checked.value);
  }
  return { ok: true, value };
}

/** What RTCPeerConnection gets for the person's servers. */
export function toRtcIceServers(list: readonly IceServerSetting[]): RTCIceServer[] {
  return list.map(({ urls, username, credential }) =>
    username ? { urls, username, credential } : { urls },
  );
}

/**
 * Checks a signal server address as typed: '' (the page's own origin) or an http(s) origin with
 * no path, query or credentials. Returns the normalized origin.
 */
export function checkSignalUrl(raw: string): { ok: true; value: string } | { ok: false } {
  const text = raw.trim();
  if (!text) return { ok: true, value: '' };
  if (text.length > MAX_SETTING_CHARS) return { ok: false };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false };
  }
  const isBare = (url.pathname === '/' || url.pathname === '') && !url.search && !url.hash;
  if (!/^https?:$/.test(url.protocol) || !isBare || url.username || url.password) {
    return { ok: false };
  }
  return { ok: true, value: url.origin };
}

/**
 * Reads a stored settings record: every field that is missing or malformed takes its default
 * (a record from an older or newer version never breaks start-up).
 */
export function parseStoredSettings(stored: unknown): AppSettingsValues {
  const record =
    typeof stored === 'object' && stored !== null ? (stored as Record<string, unknown>) : {};
  const ice = Array.isArray(record.iceServers) ? record.iceServers.filter(isIceServerSetting) : [];
  const checkedIce = checkIceServers(ice);
  const signal = typeof record.signalUrl === 'string' ? checkSignalUrl(record.signalUrl) : null;
  return {
    theme: isThemeChoice(record.theme) ? record.theme : DEFAULT_SETTINGS.theme,
    iceServers: checkedIce.ok ? checkedIce.value : [],
    signalUrl: signal?.ok ? signal.value : '',
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
