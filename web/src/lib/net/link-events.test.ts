import { describe, expect, it } from 'vitest';
import { LinkEvents } from './link-events';
import type { LinkHandlers } from './transport';

function recorder(): { calls: string[]; handlers: LinkHandlers } {
  const calls: string[] = [];
  return {
    calls,
    handlers: {
      onOpen: () => calls.push('open'),
      onText: (text) => calls.push(`text:${text}`),
      onClose: (reason) => calls.push(`close:${reason}`),
    },
  };
}

describe('LinkEvents', () => {
  it('holds texts that arrive before open until open', () => {
    const events = new LinkEvents();
    const { calls, handlers } = recorder();
    events.setHandlers(handlers);
    events.text('hello');
    expect(calls).toEqual([]);
    events.open();
    events.text('auth');
    expect(calls).toEqual(['open', 'text:hello', 'text:auth']);
  });

  it('replays open, texts and close to handlers installed late', () => {
    const events = new LinkEvents();
    events.open();
    events.text('a');
    const { calls, handlers } = recorder();
    events.setHandlers(handlers);
    expect(calls).toEqual(['open', 'text:a']);
    expect(events.close('gone')).toBe(true);
    expect(events.close('again')).toBe(false);
    events.text('late');
    expect(calls).toEqual(['open', 'text:a', 'close:gone']);
  });

  it('drops held texts when the link closes before it opened', () => {
    const events = new LinkEvents();
    events.text('early');
    events.close('timed out');
    const { calls, handlers } = recorder();
    events.setHandlers(handlers);
    expect(events.open()).toBe(false);
    expect(calls).toEqual(['close:timed out']);
    expect(events.isOpen).toBe(false);
  });
});
