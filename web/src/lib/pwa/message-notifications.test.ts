import { describe, expect, it } from 'vitest';
import { shouldNotify, type NotifyContext } from './message-notifications';

const base: NotifyContext = {
  isEnabled: true,
  access: 'granted',
  isPageVisible: false,
  isMuted: false,
};

describe('shouldNotify', () => {
  it('notifies a hidden page about an unmuted conversation when enabled and permitted', () => {
    expect(shouldNotify(base)).toBe(true);
  });

  it('stays quiet when switched off, not permitted, visible, muted or unknown', () => {
    expect(shouldNotify({ ...base, isEnabled: false })).toBe(false);
    expect(shouldNotify({ ...base, access: 'default' })).toBe(false);
    expect(shouldNotify({ ...base, access: 'unsupported' })).toBe(false);
    expect(shouldNotify({ ...base, isPageVisible: true })).toBe(false);
    expect(shouldNotify({ ...base, isMuted: true })).toBe(false);
    expect(shouldNotify({ ...base, isMuted: undefined })).toBe(false);
  });
});
