import { afterEach, describe, expect, it, vi } from 'vitest';
import type { StoreChange } from '../storage/chat-store';
import { fakeFingerprint, fakeRoomKey } from '../testing/factories';
import { TabBus } from './tab-bus';

const FINGERPRINT = fakeFingerprint(1);
const buses: TabBus[] = [];
const channels: BroadcastChannel[] = [];
afterEach(() => {
  for (const bus of buses.splice(0)) bus.close();
  for (const channel of channels.splice(0)) channel.close();
});

function bus(onChange: (change: StoreChange) => void = () => undefined): TabBus {
  const made = new TabBus(FINGERPRINT, onChange);
  buses.push(made);
  return made;
}

describe('the tab bus', () => {
  it('brings another tab’s changes in the order they were told, and ignores other shapes', async () => {
    const heard: StoreChange[] = [];
    bus((change) => heard.push(change));
    const sender = bus();
    const stranger = new BroadcastChannel(`parley-tabs:${FINGERPRINT}`);
    channels.push(stranger);
    const conv = fakeRoomKey(1);
    sender.post({ type: 'setting', key: 'a' });
    stranger.postMessage({ type: 'change', change: { type: 'events', conv } }); // no events
    stranger.postMessage('nonsense');
    sender.post({ type: 'conversation-deleted', conv });
    sender.post({ type: 'identity' });
    await vi.waitFor(() => expect(heard).toHaveLength(3));
    expect(heard).toEqual([
      { type: 'setting', key: 'a' },
      { type: 'conversation-deleted', conv },
      { type: 'identity' },
    ]);
  });

  it('applies nothing once closed', async () => {
    const heard: StoreChange[] = [];
    const listener = bus((change) => heard.push(change));
    const sender = bus();
    sender.post({ type: 'setting', key: 'before' });
    await vi.waitFor(() => expect(heard).toHaveLength(1));
    sender.post({ type: 'setting', key: 'after' });
    listener.close();
    sender.post({ type: 'setting', key: 'later' });
    // The sender still works: a bus opened now hears it; the closed one applies nothing.
    const third: StoreChange[] = [];
    bus((change) => third.push(change));
    sender.post({ type: 'setting', key: 'last' });
    await vi.waitFor(() => expect(third).toHaveLength(1));
    expect(heard).toEqual([{ type: 'setting', key: 'before' }]);
  });
});
