/**
 * The checks of the network settings (DESIGN §11): the ICE servers and signal server address as
 * typed in Settings, and as read back when the network starts. Pure: no I/O. Apart from
 * settings-rules.ts so the first screen does not carry them.
 */
import {
  MAX_ICE_SERVERS,
  MAX_SETTING_CHARS,
  type AppSettingsValues,
  type IceServerSetting,
} from './settings-rules';

/** What the transport is built with (read when the network starts). */
export interface NetworkSettings {
  /** Servers the person added, in RTCPeerConnection's shape. */
  iceServers: RTCIceServer[];
  /** The signal server's origin; null for the page's own. */
  signalUrl: URL | null;
  /** Connect through TURN relays only (Hide my IP address). */
  isRelayOnly: boolean;
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
 * The network part of the settings as the transport takes it: a stored value that no longer
 * passes its check is left out (the defaults: no extra servers, the page's own signal server).
 */
export function networkSettingsOf(values: AppSettingsValues): NetworkSettings {
  const ice = checkIceServers(values.iceServers);
  const signal = checkSignalUrl(values.signalUrl);
  return {
    iceServers: ice.ok ? toRtcIceServers(ice.value) : [],
    isRelayOnly: values.isRelayOnly,
    signalUrl: signal.ok && signal.value ? new URL(signal.value) : null,
  };
}
