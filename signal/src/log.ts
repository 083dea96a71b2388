import { createHash } from 'node:crypto';

/**
 * A tiny leveled logger with a prefix, writing one line per entry to stderr (stdout carries only
 * the "listening" line that scripts parse): readable text, or JSON lines for a log pipeline
 * (`PARLEY_LOG_FORMAT=json`). Callers pass values they have already made safe: never a token, a
 * query string or a room key — use {@link redact} for identifiers. Both formats carry exactly the
 * same fields, so the redaction is the same.
 */

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;

export const LOG_FORMATS = ['text', 'json'] as const;

/** How each entry is written. */
export type LogFormat = (typeof LOG_FORMATS)[number];

/** How chatty the server is; `silent` logs nothing. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Extra context for a log line: flat, already-redacted values. */
export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  /** Frame-level detail, off by default. */
  debug(message: string, fields?: LogFields): void;
  /** Lifecycle events. */
  info(message: string, fields?: LogFields): void;
  /** Something was refused or went wrong for one client. */
  warn(message: string, fields?: LogFields): void;
  /** Something went wrong for the server. */
  error(message: string, fields?: LogFields): void;
}

/** Where log lines go; replaceable in tests. */
export type LogSink = (line: string) => void;

const writeToStderr: LogSink = (line) => {
  process.stderr.write(`${line}\n`);
};

export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

export function isLogFormat(value: string): value is LogFormat {
  return (LOG_FORMATS as readonly string[]).includes(value);
}

export function createLogger(
  prefix: string,
  level: LogLevel,
  sink: LogSink = writeToStderr,
  format: LogFormat = 'text',
): Logger {
  const threshold = LOG_LEVELS.indexOf(level);
  const emit =
    (entryLevel: Exclude<LogLevel, 'silent'>) =>
    (message: string, fields?: LogFields): void => {
      if (LOG_LEVELS.indexOf(entryLevel) < threshold) return;
      const time = new Date().toISOString();
      if (format === 'json') {
        // Fields first, so none of them can replace the entry's own keys.
        sink(
          JSON.stringify({
            ...definedFields(fields),
            time,
            level: entryLevel,
            name: prefix,
            msg: message,
          }),
        );
        return;
      }
      const context = fields ? formatFields(fields) : '';
      sink(`${time} ${entryLevel.toUpperCase()} [${prefix}] ${message}${context}`);
    };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}

function definedFields(fields: LogFields | undefined): LogFields {
  return Object.fromEntries(Object.entries(fields ?? {}).filter(([, v]) => v !== undefined));
}

function formatFields(fields: LogFields): string {
  return Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => ` ${key}=${JSON.stringify(value)}`)
    .join('');
}

/**
 * A short, stable stand-in for an identifier (room key, peer ID) so log lines can be correlated
 * without revealing it: the first 8 hex digits of its SHA-256.
 */
export function redact(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 8);
}

/**
 * Describes an error without its message: PeerServer's errors for malformed frames are
 * `JSON.parse` / property-assignment failures whose messages quote the frame, which may hold a
 * room key or anything else the client sent.
 */
export function describeError(error: unknown): LogFields {
  if (!(error instanceof Error)) return { error: typeof error };
  const code = (error as { code?: unknown }).code;
  return { error: error.name, code: typeof code === 'string' ? code : undefined };
}
