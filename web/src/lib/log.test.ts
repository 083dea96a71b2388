import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger, currentLogLevel, LOG_LEVEL_STORAGE_KEY } from './log';

function stubLocalStorage(level: string | null): void {
  vi.stubGlobal('localStorage', {
    getItem: (key: string) => (key === LOG_LEVEL_STORAGE_KEY ? level : null),
  });
}

describe('createLogger', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
  });

  it('prefixes lines with [parley:<prefix>]', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    createLogger('net').warn('dropped', 3);
    expect(warn).toHaveBeenCalledWith('[parley:net]', 'dropped', 3);
  });

  it('defaults to warn under Vitest, hiding info and debug', () => {
    const info = vi.spyOn(console, 'info').mockImplementation(() => undefined);
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const log = createLogger('x');
    log.info('hidden');
    log.error('shown');
    expect(currentLogLevel()).toBe('warn');
    expect(info).not.toHaveBeenCalled();
    expect(error).toHaveBeenCalledTimes(1);
  });

  it('follows localStorage["parley:log"] at call time', () => {
    const debug = vi.spyOn(console, 'debug').mockImplementation(() => undefined);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const log = createLogger('x');
    stubLocalStorage('debug');
    log.debug('now visible');
    stubLocalStorage('silent');
    log.warn('now hidden');
    expect(debug).toHaveBeenCalledTimes(1);
    expect(warn).not.toHaveBeenCalled();
  });

  it('ignores an unknown level and a throwing localStorage', () => {
    stubLocalStorage('loud');
    expect(currentLogLevel()).toBe('warn');
    vi.stubGlobal('localStorage', {
      getItem: () => {
        throw new DOMException('denied', 'SecurityError');
      },
    });
    expect(currentLogLevel()).toBe('warn');
  });
});
