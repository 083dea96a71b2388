/**
 * A small leveled logger. The level comes from `localStorage['parley:log']` (debug, info, warn,
 * error, silent) when the platform has localStorage, and is read on every call so it can be
 * changed from the devtools console without a reload. Default: 'info', or 'warn' under Vitest.
 */

/** Log levels from most to least verbose; 'silent' turns everything off. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

/** A prefixed logger; each method forwards to the console method of the same name. */
export interface Logger {
  /** Detail for debugging; hidden by default. */
  debug(...args: unknown[]): void;
  /** Notable but normal events. */
  info(...args: unknown[]): void;
  /** Something unexpected that the program survives (e.g. a dropped malformed frame). */
  warn(...args: unknown[]): void;
  /** A failure the user may notice. */
  error(...args: unknown[]): void;
}

/** The localStorage key that selects the level. */
export const LOG_LEVEL_STORAGE_KEY = 'parley:log';

const RANK: Readonly<Record<LogLevel, number>> = {
  debug: 10,
  info: 20,
  warn: 30,
  error: 40,
  silent: 100,
};

function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && Object.hasOwn(RANK, value);
}

function defaultLevel(): LogLevel {
  return import.meta.env.MODE === 'test' ? 'warn' : 'info';
}

function storedLevel(): unknown {
  if (typeof localStorage === 'undefined') return null;
  try {
    return localStorage.getItem(LOG_LEVEL_STORAGE_KEY);
  } catch {
    // Storage can be blocked (sandboxed iframe, privacy settings): use the default level.
    return null;
  }
}

/** The level in force right now. */
export function currentLogLevel(): LogLevel {
  const stored = storedLevel();
  return isLogLevel(stored) ? stored : defaultLevel();
}

/** Creates a logger whose lines start with `[parley:<prefix>]`. */
export function createLogger(prefix: string): Logger {
  const tag = `[parley:${prefix}]`;
  const enabled = (level: Exclude<LogLevel, 'silent'>): boolean =>
    RANK[level] >= RANK[currentLogLevel()];
  return {
    debug: (...args) => {
      if (enabled('debug')) console.debug(tag, ...args);
    },
    info: (...args) => {
      if (enabled('info')) console.info(tag, ...args);
    },
    warn: (...args) => {
      if (enabled('warn')) console.warn(tag, ...args);
    },
    error: (...args) => {
      if (enabled('error')) console.error(tag, ...args);
    },
  };
}
