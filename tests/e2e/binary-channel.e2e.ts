// The binary channel of a link in real Chromium (DESIGN §12): the product's own PeerJsTransport,
// bundled for a bare page, dials through the real signal server; both ends get a negotiated
// channel (stream id 512) beside PeerJS's in-band chat channel, with no second offer. Bytes and
// strings cross in order under backpressure; closing the channel leaves the link up; closing the
// link closes the far end's channel.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { build } from 'rolldown';
import { expect, test } from './fixtures.js';
import { REPO_ROOT } from './signal-supervisor.js';

const NET_DIR = path.join(REPO_ROOT, 'web', 'src', 'lib', 'net');
const HARNESS_HTML = `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8" /><title>Binary channel</title><script src="/binary-harness/net.js"></script></head>
  <body></body>
</html>`;
/** Data pieces the dialler sends (64 KiB each, as file chunks travel: 10 MiB in all). */
const PIECES = 160;
const PIECE_BYTES = 64 * 1024;

/** The transport and constants, bundled from the product's sources into one script. */
async function bundleNet(): Promise<string> {
  const entry = [
    `export { PeerJsTransport } from ${JSON.stringify(path.join(NET_DIR, 'peerjs-transport.ts'))};`,
    `export { BINARY_HIGH_WATER_BYTES } from ${JSON.stringify(path.join(NET_DIR, 'transport.ts'))};`,
  ].join('\n');
  const result = await build({
    input: 'harness-entry',
    plugins: [
      {
        name: 'harness-entry',
        resolveId: (id) => (id === 'harness-entry' ? id : null),
        load: (id) => (id === 'harness-entry' ? entry : null),
      },
    ],
    // What Vite would put there (log.ts reads the mode).
    transform: { define: { 'import.meta.env.MODE': JSON.stringify('production') } },
    write: false,
    output: { format: 'iife', name: 'parleyNet', codeSplitting: false },
  });
  const chunk = result.output[0];
  return chunk.code;
}

/**
 * Runs in each page before anything else: records every data channel of every RTCPeerConnection
 * and every offer it makes or takes, to show what the connection carries.
 */
function instrumentWebRtc(): void {
  interface ChannelNote {
    label: string;
    id: number | null;
    negotiated: boolean;
    how: string;
  }
  const record = { channels: [] as ChannelNote[], offers: 0, answers: 0 };
  (window as unknown as { __rtc: typeof record }).__rtc = record;
  const note = (channel: RTCDataChannel, how: string): void => {
    const { label, id, negotiated } = channel;
    record.channels.push({ label, id, negotiated, how });
  };
  window.RTCPeerConnection = class extends RTCPeerConnection {
    constructor(config?: RTCConfiguration) {
      super(config);
      this.addEventListener('datachannel', (event) => note(event.channel, 'announced'));
      this.addEventListener('signalingstatechange', () => {
        if (this.signalingState === 'have-local-offer') record.offers += 1;
        if (this.signalingState === 'have-remote-offer') record.answers += 1;
      });
    }

    override createDataChannel(label: string, init?: RTCDataChannelInit): RTCDataChannel {
      const channel = super.createDataChannel(label, init);
      // An in-band channel gets its id once the DTLS role is known: note it when it opens.
      channel.addEventListener('open', () => note(channel, 'created'), { once: true });
      return channel;
    }
  };
}

/** One side: starts the transport, joins the room, and (the dialler) dials twice. */
async function startSide({ room, isDialer }: { room: string; isDialer: boolean }): Promise<void> {
  interface BinaryLike {
    isOpen: boolean;
    bufferedAmount: number;
    setHandlers(h: {
      onOpen(): void;
      onMessage(d: ArrayBuffer | string): void;
      onDrain(): void;
      onClose(): void;
    }): void;
    send(d: ArrayBuffer | string): boolean;
    close(): void;
  }
  interface LinkLike {
    setHandlers(h: { onOpen(): void; onText(t: string): void; onClose(r: string): void }): void;
    send(t: string): boolean;
    binaryChannel(): BinaryLike;
    close(reason?: string): void;
  }
  interface SideState {
    links: {
      link: LinkLike;
      isOpen: boolean;
      closeReason: string | null;
      texts: string[];
      binaryOpen: boolean;
      binaryCloses: number;
      received: (ArrayBuffer | string)[];
      drains: number;
    }[];
  }
  const net = (window as unknown as { parleyNet: { PeerJsTransport: new (o: unknown) => unknown } })
    .parleyNet;
  const state: SideState = { links: [] };
  (window as unknown as { __side: SideState }).__side = state;
  const adopt = (link: LinkLike): void => {
    const entry: SideState['links'][number] = {
      link,
      isOpen: false,
      closeReason: null,
      texts: [],
      binaryOpen: false,
      binaryCloses: 0,
      received: [],
      drains: 0,
    };
    state.links.push(entry);
    link.setHandlers({
      onOpen: () => (entry.isOpen = true),
      onText: (text) => entry.texts.push(text),
      onClose: (reason) => (entry.closeReason = reason),
    });
    link.binaryChannel().setHandlers({
      onOpen: () => (entry.binaryOpen = true),
      onMessage: (data) => entry.received.push(data),
      onDrain: () => (entry.drains += 1),
      onClose: () => (entry.binaryCloses += 1),
    });
  };
  const transport = new net.PeerJsTransport({
    signalUrl: new URL(location.origin),
    iceServers: [],
  }) as {
    start(h: unknown): void;
    joinRoom(room: string): void;
    dial(peer: string, room: string): LinkLike;
  };
  await new Promise<void>((resolve) => {
    transport.start({
      onStatus: () => undefined,
      onIncoming: (link: LinkLike) => adopt(link),
      onRoomSignal: (signal: { type: string; room: string; peers?: string[] }) => {
        if (signal.type !== 'peers' || signal.room !== room) return;
        const other = signal.peers?.[0];
        if (isDialer && other) {
          adopt(transport.dial(other, room));
          adopt(transport.dial(other, room));
        }
        resolve();
      },
    });
    transport.joinRoom(room);
  });
}

/** Sends PIECES data pieces (index in the first 4 bytes) and a string every 16th, with backpressure. */
async function sendPieces({ pieces, pieceBytes }: { pieces: number; pieceBytes: number }): Promise<{
  maxBuffered: number;
  drains: number;
}> {
  const { parleyNet, __side } = window as unknown as {
    parleyNet: { BINARY_HIGH_WATER_BYTES: number };
    __side: {
      links: {
        drains: number;
        link: {
          binaryChannel(): { bufferedAmount: number; send(d: ArrayBuffer | string): boolean };
        };
      }[];
    };
  };
  const entry = __side.links[0];
  if (!entry) throw new Error('no link');
  const channel = entry.link.binaryChannel();
  let maxBuffered = 0;
  for (let i = 0; i < pieces; i++) {
    while (channel.bufferedAmount > parleyNet.BINARY_HIGH_WATER_BYTES) {
      const drainsBefore = entry.drains;
      await new Promise<void>((resolve) => {
        const check = (): void => {
          if (entry.drains > drainsBefore) resolve();
          else setTimeout(check, 5);
        };
        check();
      });
    }
    if (i % 16 === 0 && !channel.send(`{"type":"note","i":${i}}`)) throw new Error('send failed');
    const bytes = new Uint8Array(pieceBytes).fill(i % 251);
    new DataView(bytes.buffer).setUint32(0, i);
    if (!channel.send(bytes.buffer)) throw new Error(`send ${i} failed`);
    maxBuffered = Math.max(maxBuffered, channel.bufferedAmount);
  }
  return { maxBuffered, drains: entry.drains };
}

/** What the receiver got on its first link, checked in the page (10 MiB stays there). */
function receivedSummary(): { pieces: number[]; notes: number[]; isIntact: boolean } {
  const { __side } = window as unknown as {
    __side: { links: { received: (ArrayBuffer | string)[] }[] };
  };
  const pieces: number[] = [];
  const notes: number[] = [];
  let isIntact = true;
  for (const data of __side.links[0]?.received ?? []) {
    if (typeof data === 'string') {
      notes.push((JSON.parse(data) as { i: number }).i);
      continue;
    }
    const view = new DataView(data);
    const index = view.getUint32(0);
    pieces.push(index);
    const bytes = new Uint8Array(data, 4);
    if (!bytes.every((b) => b === index % 251)) isIntact = false;
  }
  return { pieces, notes, isIntact };
}

/** One link's state, for assertions. */
function linkState(index: number): {
  isOpen: boolean;
  closeReason: string | null;
  texts: string[];
  binaryOpen: boolean;
  binaryCloses: number;
  binaryIsOpen: boolean;
} | null {
  const { __side } = window as unknown as {
    __side: {
      links: {
        isOpen: boolean;
        closeReason: string | null;
        texts: string[];
        binaryOpen: boolean;
        binaryCloses: number;
        link: { binaryChannel(): { isOpen: boolean } };
      }[];
    };
  };
  const entry = __side.links[index];
  // The acceptor's link exists once the dialler's offer arrived, which may be after the
  // dialler's side started: null until then, so a poll waits for it instead of failing.
  if (!entry) return null;
  return {
    isOpen: entry.isOpen,
    closeReason: entry.closeReason,
    texts: entry.texts,
    binaryOpen: entry.binaryOpen,
    binaryCloses: entry.binaryCloses,
    binaryIsOpen: entry.link.binaryChannel().isOpen,
  };
}

async function rtcRecord(page: Page): Promise<{
  channels: { label: string; id: number | null; negotiated: boolean; how: string }[];
  offers: number;
  answers: number;
}> {
  return page.evaluate(
    () =>
      (
        window as unknown as {
          __rtc: {
            channels: { label: string; id: number | null; negotiated: boolean; how: string }[];
            offers: number;
            answers: number;
          };
        }
      ).__rtc,
  );
}

test('a link carries a negotiated binary channel beside its chat channel', async ({
  openUser,
  baseURL,
}) => {
  test.setTimeout(30_000);
  const script = await bundleNet();
  const room = randomBytes(32).toString('base64url');
  const sides: Page[] = [];
  for (const name of ['acceptor', 'dialler']) {
    const user = await openUser(name);
    // As in room-auth.e2e.ts: a fulfilled document counts as public for Local Network Access.
    await user.context.grantPermissions(['local-network-access', 'camera', 'microphone'], {
      origin: baseURL,
    });
    await user.page.route(`${baseURL}/binary-harness.html`, (route) =>
      route.fulfill({ contentType: 'text/html', body: HARNESS_HTML }),
    );
    await user.page.route(`${baseURL}/binary-harness/net.js`, (route) =>
      route.fulfill({ contentType: 'text/javascript', body: script }),
    );
    await user.page.addInitScript(instrumentWebRtc);
    await user.page.goto('/binary-harness.html');
    sides.push(user.page);
  }
  const [acceptor, dialler] = sides as [Page, Page];
  await acceptor.evaluate(startSide, { room, isDialer: false });
  await dialler.evaluate(startSide, { room, isDialer: true });

  for (const page of [acceptor, dialler]) {
    for (const index of [0, 1]) {
      await expect
        .poll(() => page.evaluate(linkState, index))
        .toMatchObject({ isOpen: true, binaryOpen: true, binaryIsOpen: true });
    }
  }
  // One offer and one answer per link: the binary channel needed no renegotiation. The chat
  // channel was announced in-band (PeerJS), the binary one was not (negotiated, id 512, both ends).
  for (const [page, role] of [
    [dialler, 'offers'],
    [acceptor, 'answers'],
  ] as const) {
    const rtc = await rtcRecord(page);
    expect(rtc[role]).toBe(2);
    expect(rtc[role === 'offers' ? 'answers' : 'offers']).toBe(0);
    const binary = rtc.channels.filter((c) => c.label === 'parley-files');
    const chat = rtc.channels.filter((c) => c.label === 'chat');
    expect(binary).toEqual(
      Array(2).fill({ label: 'parley-files', id: 512, negotiated: true, how: 'created' }),
    );
    expect(chat).toHaveLength(2);
    for (const c of chat) {
      expect(c).toMatchObject({
        negotiated: false,
        how: page === dialler ? 'created' : 'announced',
      });
      expect(c.id).not.toBe(512);
    }
  }

  const sent = await dialler.evaluate(sendPieces, { pieces: PIECES, pieceBytes: PIECE_BYTES });
  expect(sent.maxBuffered).toBeLessThanOrEqual(4 * 1024 * 1024 + PIECE_BYTES + 64);
  await expect
    .poll(() => acceptor.evaluate(receivedSummary).then((s) => s.pieces.length), {
      timeout: 15_000,
    })
    .toBe(PIECES);
  const summary = await acceptor.evaluate(receivedSummary);
  expect(summary.pieces).toEqual(Array.from({ length: PIECES }, (_, i) => i));
  expect(summary.notes).toEqual(Array.from({ length: PIECES / 16 }, (_, i) => i * 16));
  expect(summary.isIntact).toBe(true);
  test.info().annotations.push({
    type: 'binary channel',
    description: `${(PIECES * PIECE_BYTES) / 2 ** 20} MiB, peak bufferedAmount ${sent.maxBuffered}, drains ${sent.drains}`,
  });

  // Closing the binary channel closes the far end's, and the link goes on.
  await dialler.evaluate(() => {
    const side = (
      window as unknown as { __side: { links: { link: { binaryChannel(): { close(): void } } }[] } }
    ).__side;
    side.links[0]?.link.binaryChannel().close();
  });
  await expect
    .poll(() => acceptor.evaluate(linkState, 0))
    .toMatchObject({ binaryCloses: 1, binaryIsOpen: false });
  await dialler.evaluate(() => {
    const side = (
      window as unknown as { __side: { links: { link: { send(t: string): boolean } }[] } }
    ).__side;
    side.links[0]?.link.send('still here');
  });
  await expect
    .poll(() => acceptor.evaluate(linkState, 0))
    .toMatchObject({ isOpen: true, closeReason: null, texts: ['still here'] });
  expect(await dialler.evaluate(linkState, 0)).toMatchObject({
    closeReason: null,
    binaryCloses: 1,
  });

  // Closing the other link closes its binary channel on the far end too.
  await acceptor.evaluate(() => {
    const side = (window as unknown as { __side: { links: { link: { close(): void } }[] } }).__side;
    side.links[1]?.link.close();
  });
  await expect
    .poll(() => dialler.evaluate(linkState, 1))
    .toMatchObject({ binaryCloses: 1, binaryIsOpen: false });
  expect(await acceptor.evaluate(linkState, 1)).toMatchObject({ binaryCloses: 1 });
});
