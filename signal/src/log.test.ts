import { describe, expect, it } from 'vitest';
import { createLogger, describeError, redact } from './log.js';

describe('createLogger', () => {
  it('writes entries at or above its level, with level, prefix and fields', () => {
    const lines: string[] = [];
    const log = createLogger('signal', 'warn', (line) => lines.push(line));
    log.debug('hidden');
    log.info('hidden');
    log.warn('refused', { reason: 'origin', count: 2, skipped: undefined });
    log.error('broken');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\S+Z WARN \[signal\] refused reason="origin" count=2$/);
    expect(lines[1]).toMatch(/ERROR \[signal\] broken$/);
  });

  it('writes JSON lines with the same fields when asked to', () => {
    const lines: string[] = [];
    const log = createLogger('signal', 'info', (line) => lines.push(line), 'json');
    log.debug('hidden');
    log.warn('refused', {
      reason: 'origin',
      msg: 'cannot replace the message',
      skipped: undefined,
    });
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
    expect(entry.time).toMatch(/^\d{4}-\d\d-\d\dT.*Z$/);
    expect(entry).toEqual({
      time: entry.time,
      level: 'warn',
      name: 'signal',
      msg: 'refused',
      reason: 'origin',
    });
  });

  it('writes nothing when silent', () => {
    const lines: string[] = [];
    const log = createLogger('signal', 'silent', (line) => lines.push(line));
    log.error('nope');
    expect(lines).toEqual([]);
  });
});

describe('redact', () => {
  it('gives a short, stable stand-in that does not contain the value', () => {
    const secret = 'Yb8nq1Jd2Vw0XxZk3p6Qe4Rt7Uy9Io5Ap0Sd2Fg4Hk';
    expect(redact(secret)).toMatch(/^[0-9a-f]{8}$/);
    expect(redact(secret)).toBe(redact(secret));
    expect(redact(secret)).not.toBe(redact(`${secret}x`));
    expect(secret).not.toContain(redact(secret));
  });
});

describe('describeError', () => {
  it('keeps name and code but never the message, which may quote a frame', () => {
    const error = Object.assign(new SyntaxError('Unexpected token "secret-room-key"'), {
      code: 'E_X',
    });
    const described = describeError(error);
    expect(described).toEqual({ error: 'SyntaxError', code: 'E_X' });
    expect(JSON.stringify(described)).not.toContain('secret');
  });
});
