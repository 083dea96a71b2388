import { describe, expect, it, vi } from 'vitest';
import {
  BINARY_PENDING_MAX_BYTES,
  BINARY_PENDING_MAX_MESSAGES,
  BinaryEvents,
  binaryMessageBytes,
} from './binary-events';
import { MemoryHub } from './memory-transport';
import { BINARY_LOW_WATER_BYTES, type BinaryChannelHandlers, type Link } from './transport';
import type { PeerId, RoomKey } from '../protocol/ids';

const ROOM = 'room' as RoomKey;

/** Records what a binary channel reports. */
function recorder(): {
  calls: string[];
  received: (ArrayBuffer | string)[];
  handlers: BinaryChannelHandlers;
} {
  const calls: string[] = [];
  const received: (ArrayBuffer | string)[] = [];
  return {
    calls,
    received,
    handlers: {
      onOpen: () => calls.push('open'),
      onMessage: (data) => {
        received.push(data);
        calls.push(typeof data === 'string' ? `text:${data}` : `bytes:${data.byteLength}`);
      },
      onDrain: () => calls.push('drain'),
      onClose: () => calls.push('close'),
    },
  };
}

/** Two memory transports with an open link between them (a dialled b). */
async function linkedPair(): Promise<{ hub: MemoryHub; a: Link; b: Link }> {
  const hub = new MemoryHub();
  const ta = hub.createTransport('a');
  const tb = hub.createTransport('b');
  let incoming: Link | null = null;
  const noop = (): void => undefined;
  ta.start({ onStatus: noop, onRoomSignal: noop, onIncoming: noop });
  tb.start({
    onStatus: noop,
    onRoomSignal: noop,
    onIncoming: (link) => {
      incoming = link;
    },
  });
  ta.joinRoom(ROOM);
  tb.joinRoom(ROOM);
  await vi.waitFor(() => expect(hub.membersOf(ROOM)).toHaveLength(2));
  const a = ta.dial('b' as PeerId, ROOM);
  const opened = { a: false, b: false };
  a.setHandlers({ onOpen: () => (opened.a = true), onText: noop, onClose: noop });
  await vi.waitFor(() => expect(incoming).not.toBeNull());
  const b = incoming as unknown as Link;
  b.setHandlers({ onOpen: () => (opened.b = true), onText: noop, onClose: noop });
  await vi.waitFor(() => expect(opened).toEqual({ a: true, b: true }));
  return { hub, a, b };
}

describe('BinaryEvents', () => {
  it('holds messages until open and handled, then replays them in order', () => {
    const events = new BinaryEvents();
    const { calls, handlers } = recorder();
    expect(events.message('early')).toBe(true);
    events.open();
    expect(events.message(new ArrayBuffer(3))).toBe(true);
    expect(calls).toEqual([]);
    events.setHandlers(handlers);
    events.message('late');
    expect(calls).toEqual(['open', 'text:early', 'bytes:3', 'text:late']);
  });

  it('refuses a message past the bound on held messages or bytes', () => {
    const byCount = new BinaryEvents();
    for (let i = 0; i < BINARY_PENDING_MAX_MESSAGES; i++) expect(byCount.message('x')).toBe(true);
    expect(byCount.message('x')).toBe(false);

    const byBytes = new BinaryEvents();
    expect(byBytes.message(new ArrayBuffer(BINARY_PENDING_MAX_BYTES))).toBe(true);
    expect(byBytes.message('x')).toBe(false);
  });

  it('reports drain only while open, and close once', () => {
    const events = new BinaryEvents();
    const { calls, handlers } = recorder();
    events.setHandlers(handlers);
    events.drain();
    events.open();
    events.drain();
    events.close();
    events.close();
    events.drain();
    expect(calls).toEqual(['open', 'drain', 'close']);
  });

  it('counts a string by its UTF-8 bytes', () => {
    expect(binaryMessageBytes('é€')).toBe(5);
    expect(binaryMessageBytes(new ArrayBuffer(7))).toBe(7);
  });
});

describe('memory binary channel', () => {
  it('is the same object on every call, and opens with its link', async () => {
    const { a, b } = await linkedPair();
    expect(a.binaryChannel()).toBe(a.binaryChannel());
    expect(a.binaryChannel().isOpen).toBe(true);
    expect(b.binaryChannel().isOpen).toBe(true);
  });

  it('moves bytes and strings both ways, in order, and copies what it sends', async () => {
    const { a, b } = await linkedPair();
    const atB = recorder();
    const atA = recorder();
    b.binaryChannel().setHandlers(atB.handlers);
    a.binaryChannel().setHandlers(atA.handlers);
    const sent: (ArrayBuffer | string)[] = [];
    for (let i = 0; i < 50; i++) {
      const data = i % 3 === 0 ? `control ${i}` : new Uint8Array([i, i + 1, i + 2]).buffer;
      sent.push(typeof data === 'string' ? data : data.slice(0));
      expect(a.binaryChannel().send(data)).toBe(true);
      // The sender may reuse its buffer at once.
      if (typeof data !== 'string') new Uint8Array(data).fill(0);
    }
    expect(b.binaryChannel().send(new Uint8Array([9]).buffer)).toBe(true);

    await vi.waitFor(() => expect(atB.received).toHaveLength(50));
    const asBytes = (d: ArrayBuffer | string): number[] | string =>
      typeof d === 'string' ? d : [...new Uint8Array(d)];
    expect(atB.received.map(asBytes)).toEqual(sent.map(asBytes));
    await vi.waitFor(() => expect(atA.received.map(asBytes)).toEqual([[9]]));
  });

  it('counts unsent bytes and reports drain once they fall to the low-water mark', async () => {
    const { a, b } = await linkedPair();
    const atA = recorder();
    const channel = a.binaryChannel();
    channel.setHandlers(atA.handlers);
    b.binaryChannel().setHandlers(recorder().handlers);
    const piece = 512 * 1024;
    for (let i = 0; i < 4; i++) channel.send(new ArrayBuffer(piece));
    expect(channel.bufferedAmount).toBe(4 * piece);
    expect(channel.bufferedAmount).toBeGreaterThan(BINARY_LOW_WATER_BYTES);
    await vi.waitFor(() => expect(channel.bufferedAmount).toBe(0));
    expect(atA.calls.filter((c) => c === 'drain')).toHaveLength(1);

    // Below the mark all along: nothing to report.
    channel.send(new ArrayBuffer(piece));
    await vi.waitFor(() => expect(channel.bufferedAmount).toBe(0));
    expect(atA.calls.filter((c) => c === 'drain')).toHaveLength(1);
  });

  it('holds what arrives before its handlers are set, up to the bound, then closes', async () => {
    const { a, b } = await linkedPair();
    const atA = recorder();
    a.binaryChannel().setHandlers(atA.handlers);
    for (let i = 0; i < BINARY_PENDING_MAX_MESSAGES; i++) a.binaryChannel().send(`m${i}`);
    await vi.waitFor(() => expect(a.binaryChannel().bufferedAmount).toBe(0));
    expect(b.binaryChannel().isOpen).toBe(true);

    const atB = recorder();
    b.binaryChannel().setHandlers(atB.handlers);
    expect(atB.calls[0]).toBe('open');
    expect(atB.received).toEqual(
      Array.from({ length: BINARY_PENDING_MAX_MESSAGES }, (_, i) => `m${i}`),
    );
  });

  it('closes both ends when too much arrives for absent handlers; the link stays', async () => {
    const { a, b } = await linkedPair();
    const atA = recorder();
    a.binaryChannel().setHandlers(atA.handlers);
    a.binaryChannel().send(new ArrayBuffer(BINARY_PENDING_MAX_BYTES));
    a.binaryChannel().send(new ArrayBuffer(1));
    await vi.waitFor(() => expect(atA.calls).toContain('close'));
    expect(b.binaryChannel().isOpen).toBe(false);
    expect(a.binaryChannel().send('more')).toBe(false);
    const atB = recorder();
    b.binaryChannel().setHandlers(atB.handlers);
    expect(atB.calls).toEqual(['close']);
    expect(a.send('still here')).toBe(true);
  });

  it('closing the channel closes the far end once and leaves the link up', async () => {
    const { a, b } = await linkedPair();
    const atA = recorder();
    const atB = recorder();
    a.binaryChannel().setHandlers(atA.handlers);
    b.binaryChannel().setHandlers(atB.handlers);
    a.binaryChannel().send('last');
    a.binaryChannel().close();
    a.binaryChannel().close();
    await vi.waitFor(() => expect(atB.calls).toEqual(['open', 'text:last', 'close']));
    expect(atA.calls).toEqual(['open', 'close']);
    expect(a.binaryChannel().bufferedAmount).toBe(0);
    const texts: string[] = [];
    b.setHandlers({
      onOpen: () => undefined,
      onText: (t) => texts.push(t),
      onClose: () => undefined,
    });
    expect(a.send('chat goes on')).toBe(true);
    await vi.waitFor(() => expect(texts).toEqual(['chat goes on']));
  });

  it('closes with its link, on both ends', async () => {
    const { a, b } = await linkedPair();
    const atA = recorder();
    const atB = recorder();
    a.binaryChannel().setHandlers(atA.handlers);
    b.binaryChannel().setHandlers(atB.handlers);
    b.close();
    await vi.waitFor(() => expect(atA.calls).toEqual(['open', 'close']));
    expect(atB.calls).toEqual(['open', 'close']);
    expect(a.binaryChannel().send('x')).toBe(false);
  });

  it('is closed on a dial that fails', async () => {
    const hub = new MemoryHub();
    const t = hub.createTransport('a');
    const noop = (): void => undefined;
    t.start({ onStatus: noop, onRoomSignal: noop, onIncoming: noop });
    const link = t.dial('nobody' as PeerId, ROOM);
    const rec = recorder();
    link.binaryChannel().setHandlers(rec.handlers);
    expect(link.binaryChannel().send('x')).toBe(false);
    await vi.waitFor(() => expect(rec.calls).toEqual(['close']));
  });
});
