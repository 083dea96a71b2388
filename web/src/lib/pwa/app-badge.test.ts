import { describe, expect, it, vi } from 'vitest';
import { showAppBadge } from './app-badge';

describe('showAppBadge', () => {
  it('sets the count, and clears the badge at zero', async () => {
    const nav = {
      setAppBadge: vi.fn(() => Promise.resolve()),
      clearAppBadge: vi.fn(() => Promise.resolve()),
    };
    showAppBadge(3, nav);
    showAppBadge(0, nav);
    await vi.waitFor(() => expect(nav.clearAppBadge).toHaveBeenCalledOnce());
    expect(nav.setAppBadge).toHaveBeenCalledExactlyOnceWith(3);
  });

  it('does nothing where the Badging API is missing', () => {
    expect(() => showAppBadge(2, {})).not.toThrow();
  });

  it('swallows a refusal, thrown or rejected, without an unhandled rejection', async () => {
    // The logger reads its level from localStorage on every call; debug shows the refusals.
    vi.stubGlobal('localStorage', { getItem: () => 'debug' });
    const debug = vi.spyOn(console, 'debug').mockImplementation(() => undefined);
    try {
      showAppBadge(1, {
        setAppBadge: () => Promise.reject(new DOMException('not allowed', 'NotAllowedError')),
        clearAppBadge: () => Promise.resolve(),
      });
      showAppBadge(1, {
        setAppBadge: () => {
          throw new TypeError('illegal invocation');
        },
        clearAppBadge: () => Promise.resolve(),
      });
      await vi.waitFor(() => expect(debug).toHaveBeenCalledTimes(2));
    } finally {
      debug.mockRestore();
      vi.unstubAllGlobals();
    }
  });
});
