/** The words of a call-log line in the history (DESIGN §8), as catalog keys and values. */
import { formatDuration } from '../../domain/call-log';
import type { MessageKey } from '../../i18n/i18n';
import type { CallLogBody } from '../../protocol/events';

/** The catalog key and values of a call-log line ("Video call, 2:13", "Missed voice call", …). */
export function callLogLine(body: CallLogBody): {
  key: MessageKey;
  params?: Record<string, string>;
} {
  const isVideo = body.media === 'video';
  switch (body.outcome) {
    case 'answered':
      return {
        key: isVideo ? 'calls.log.video' : 'calls.log.voice',
        params: { duration: formatDuration(body.durationS) },
      };
    case 'missed':
      return { key: isVideo ? 'calls.log.missedVideo' : 'calls.log.missedVoice' };
    case 'declined':
      return { key: 'calls.log.declined' };
    case 'cancelled':
      return { key: 'calls.log.cancelled' };
    case 'busy':
      return { key: 'calls.log.busy' };
  }
}
