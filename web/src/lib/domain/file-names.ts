/**
 * A peer-supplied file name made safe to save (DESIGN §9): text only, never a path. The event
 * schema already refuses separators and control characters; this is the last line for whatever
 * reaches the browser's download: reserved characters replaced, Windows device names and
 * trailing dots avoided, length bounded.
 */

/** Longest name handed to a download. */
const MAX_SAVED_NAME_CHARS = 180;

// eslint-disable-next-line no-control-regex -- control characters are what it removes
const RESERVED = /[\u0000-\u001f\u007f<>:"/\\|?*]/g;
const DEVICE_NAMES = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;

/** `name` as a safe file name for saving; 'file' when nothing usable is left. */
export function safeFileName(name: string): string {
  let safe = name
    .replace(RESERVED, '_')
    .replace(/[. ]+$/, '')
    .trim();
  if (safe.startsWith('.')) safe = `_${safe.slice(1)}`;
  if (DEVICE_NAMES.test(safe)) safe = `_${safe}`;
  if (safe.length > MAX_SAVED_NAME_CHARS) {
    const dot = safe.lastIndexOf('.');
    const extension = dot > 0 && safe.length - dot <= 16 ? safe.slice(dot) : '';
    safe = safe.slice(0, MAX_SAVED_NAME_CHARS - extension.length) + extension;
  }
  return safe || 'file';
}
