import { describe, expect, it } from 'vitest';
import type { CallLogBody, ChatEvent } from '../protocol/events';
import { foldCallLogs, formatDuration } from './call-log';
import { makeEvent } from '../testing/factories';

function callLog(seq: number, body: Partial<CallLogBody> = {}): ChatEvent {
  return {
    ...makeEvent({ seq }),
    kind: 'call-log',
    body: {
      callId: 'AAAAAAAAAAAAAAAAAAAAAA',
      media: 'video',
      outcome: 'answered',
      durationS: 0,
      group: false,
      ...body,
    },
  };
}

describe('foldCallLogs', () => {
  it('keeps only call logs, the first of each call ID', () => {
    const first = callLog(2, { callId: 'BBBBBBBBBBBBBBBBBBBBBB' });
    const again = callLog(3, { callId: 'BBBBBBBBBBBBBBBBBBBBBB', outcome: 'missed' });
    const other = callLog(4);
    expect(foldCallLogs([makeEvent({ seq: 1 }), first, again, other])).toEqual([first, other]);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0:00'],
    [5, '0:05'],
    [133, '2:13'],
    [3_723, '1:02:03'],
    [-4, '0:00'],
  ])('%d s is %s', (s, text) => {
    expect(formatDuration(s)).toBe(text);
  });
});
