import { describe, expect, it } from 'vitest';
import type { CallLogBody } from '../../protocol/events';
import { callLogLine } from './call-log-line';

describe('callLogLine', () => {
  it.each<[Partial<CallLogBody>, string, Record<string, string> | undefined]>([
    [{ outcome: 'answered', durationS: 133 }, 'calls.log.video', { duration: '2:13' }],
    [
      { outcome: 'answered', media: 'audio', durationS: 9 },
      'calls.log.voice',
      { duration: '0:09' },
    ],
    [{ outcome: 'missed', media: 'audio' }, 'calls.log.missedVoice', undefined],
    [{ outcome: 'missed' }, 'calls.log.missedVideo', undefined],
    [{ outcome: 'declined' }, 'calls.log.declined', undefined],
    [{ outcome: 'cancelled' }, 'calls.log.cancelled', undefined],
    [{ outcome: 'busy' }, 'calls.log.busy', undefined],
  ])('%o says %s', (body, key, params) => {
    const full: CallLogBody = {
      callId: 'AAAAAAAAAAAAAAAAAAAAAA',
      media: 'video',
      outcome: 'answered',
      durationS: 0,
      group: false,
      ...body,
    };
    expect(callLogLine(full)).toEqual(params ? { key, params } : { key });
  });
});
