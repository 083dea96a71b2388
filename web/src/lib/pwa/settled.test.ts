import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AppEvents, NetworkUp } from '../kernel/app-events';
import { EventBus } from '../kernel/event-bus';
import type { StoreChange } from '../storage/chat-store';
import { whenSettled } from './settled';

const QUIET = 3_000;
const MAX = 30_000;

/** Whether the promise has settled by now (after pending microtasks). */
async function isDone(promise: Promise<void>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await vi.advanceTimersByTimeAsync(0);
  return done;
}

function storeChange(bus: EventBus<AppEvents>): void {
  bus.emit('change', {
    change: { type: 'settings' } as unknown as StoreChange,
    isFromOtherTab: false,
  });
}

describe('whenSettled', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('waits for the store to be quiet after the network came up, each change restarting it', async () => {
    const bus = new EventBus<AppEvents>();
    const settled = whenSettled(bus, false, QUIET, MAX);
    await vi.advanceTimersByTimeAsync(QUIET * 2);
    expect(await isDone(settled)).toBe(false);
    bus.emit('network-up', {} as NetworkUp);
    for (let i = 0; i < 5; i++) {
      await vi.advanceTimersByTimeAsync(QUIET - 1);
      storeChange(bus);
    }
    expect(await isDone(settled)).toBe(false);
    await vi.advanceTimersByTimeAsync(QUIET);
    expect(await isDone(settled)).toBe(true);
  });

  it('counts the wait from the start when the network is up already', async () => {
    const settled = whenSettled(new EventBus<AppEvents>(), true, QUIET, MAX);
    await vi.advanceTimersByTimeAsync(QUIET - 1);
    expect(await isDone(settled)).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await isDone(settled)).toBe(true);
  });

  it('gives up waiting after the longest wait: no network, or a store that is never quiet', async () => {
    const offline = whenSettled(new EventBus<AppEvents>(), false, QUIET, MAX);
    const busyBus = new EventBus<AppEvents>();
    const busy = whenSettled(busyBus, true, QUIET, MAX);
    for (let t = 0; t < MAX - 1_000; t += 1_000) {
      await vi.advanceTimersByTimeAsync(1_000);
      storeChange(busyBus);
    }
    expect(await isDone(offline)).toBe(false);
    expect(await isDone(busy)).toBe(false);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await isDone(offline)).toBe(true);
    expect(await isDone(busy)).toBe(true);
  });

  it('stops listening once settled', async () => {
    const bus = new EventBus<AppEvents>();
    const settled = whenSettled(bus, true, QUIET, MAX);
    await vi.advanceTimersByTimeAsync(QUIET);
    expect(await isDone(settled)).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
    // A change after settling reaches no listener: nothing waits again.
    storeChange(bus);
    expect(vi.getTimerCount()).toBe(0);
  });
});
