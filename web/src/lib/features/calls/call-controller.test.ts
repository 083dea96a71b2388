import { afterEach, beforeEach, describe, expect, it, vi, type Mock } from 'vitest';
import { CALL_RING_TIMEOUT_MS, MEDIA_RECONNECT_GRACE_MS } from '../../config-network';
import type { MediaCall, MediaCallHandlers, Transport } from '../../net/transport';
import type { CallLogBody } from '../../protocol/events';
import type { CallFrame } from '../../protocol/peer-frames';
import { CallController, type CallHost } from './call-controller.svelte';
import type { Devices } from './devices';
import type { Fingerprint, PeerId, RoomKey } from '../../protocol/ids';

/** Devices for Node, which has none: stand-in streams (the call logic is what is tested). */
function standInDevices(): Omit<Devices, 'openLocalMedia'> & {
  openLocalMedia: Mock<Devices['openLocalMedia']>;
} {
  const fakeStream = () =>
    ({
      getTracks: () => [],
      getAudioTracks: () => [],
      getVideoTracks: () => [],
    }) as unknown as MediaStream;
  return {
    openLocalMedia: vi.fn(() =>
      Promise.resolve({ stream: fakeStream(), hasMic: true, hasCamera: true, problem: null }),
    ),
    openDevice: vi.fn(() => Promise.reject(new Error('no devices'))),
    openScreen: vi.fn(() => Promise.reject(new Error('no screen'))),
    placeholderTrack: vi.fn(() => {
      throw new Error('no tracks');
    }),
    listDevices: vi.fn(() => Promise.resolve({ audioinput: [], videoinput: [], audiooutput: [] })),
  };
}

// No devices in Node: the media layer hands out stand-in streams (the call logic is what is tested).
const ROOM = 'room-A' as RoomKey;
const ME = 'M'.repeat(52) as Fingerprint;
const BOB = 'B'.repeat(52) as Fingerprint;
const CAROL = 'C'.repeat(52) as Fingerprint;
const CALL_ID = 'AAAAAAAAAAAAAAAAAAAAAA';

/** A media connection that records what happened to it. */
class FakeMediaCall implements MediaCall {
  isDialer = false;
  answered = false;
  closedWith: string | null = null;
  handlers: MediaCallHandlers | null = null;
  readonly remoteId: PeerId;
  readonly room: RoomKey;
  constructor(
    remoteId: string,
    room: string,
    readonly callId: string,
  ) {
    this.remoteId = remoteId as PeerId;
    this.room = room as RoomKey;
  }
  setHandlers(handlers: MediaCallHandlers): void {
    this.handlers = handlers;
  }
  answer(): void {
    this.answered = true;
  }
  replaceTrack(): Promise<boolean> {
    return Promise.resolve(true);
  }
  getStats(): Promise<RTCStatsReport | null> {
    return Promise.resolve(null);
  }
  close(reason = 'closed locally'): void {
    this.closedWith ??= reason;
  }
}

interface Harness {
  calls: CallController;
  devices: ReturnType<typeof standInDevices>;
  sent: { room: RoomKey; to: string | null; frame: CallFrame }[];
  logs: { room: RoomKey; body: CallLogBody }[];
  dialled: FakeMediaCall[];
  incoming: (call: MediaCall) => void;
  linked: Map<Fingerprint, PeerId>;
}

function makeHarness(): Harness {
  const sent: Harness['sent'] = [];
  const logs: Harness['logs'] = [];
  const dialled: FakeMediaCall[] = [];
  /** fingerprint → peer ID of its authenticated link in ROOM. */
  const linked = new Map<Fingerprint, PeerId>([
    [BOB, 'peer-bob' as PeerId],
    [CAROL, 'peer-carol' as PeerId],
  ]);
  let incoming: (call: MediaCall) => void = () => undefined;
  const transport = {
    callPeer: (remoteId: PeerId, room: RoomKey, callId: string) => {
      const call = new FakeMediaCall(remoteId, room, callId);
      call.isDialer = true;
      dialled.push(call);
      return Promise.resolve(call);
    },
    onMediaCall: (handler: ((call: MediaCall) => void) | null) => {
      incoming = handler ?? (() => undefined);
    },
  } as unknown as Transport;
  const host: CallHost = {
    transport,
    self: () => ME,
    sendTo: (room, to, frame) => {
      sent.push({ room, to, frame });
      return linked.has(to);
    },
    broadcast: (room, frame) => {
      sent.push({ room, to: null, frame });
      return linked.size;
    },
    peerIdOf: (_room, fingerprint) => linked.get(fingerprint),
    memberAt: (_room, peerId) => [...linked].find(([, id]) => id === peerId)?.[0],
    nameOf: (_room, fingerprint) => (fingerprint === BOB ? 'Bob' : 'Carol'),
    directContact: () => undefined,
    writeCallLog: (room, body) => {
      logs.push({ room, body });
      return Promise.resolve(true);
    },
    now: () => Date.now(),
  };
  const devices = standInDevices();
  const calls = new CallController(host, devices);
  return {
    calls,
    devices,
    sent,
    logs,
    dialled,
    incoming: (call) => incoming(call),
    linked,
  };
}

const peer = (
  fingerprint: Fingerprint,
  peerId = fingerprint === BOB ? 'peer-bob' : 'peer-carol',
) => ({
  peerId: peerId as PeerId,
  room: ROOM,
  fingerprint,
});

beforeEach(() => {
  vi.useFakeTimers();
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  vi.spyOn(console, 'info').mockImplementation(() => undefined);
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

/** Bob calls us and we answer. */
async function inCallWithBob(h: Harness): Promise<void> {
  h.calls.handleFrame(peer(BOB), {
    type: 'call-invite',
    callId: CALL_ID,
    media: 'video',
    group: false,
  });
  await h.calls.accept();
}

describe('CallController', () => {
  it('refuses a media connection while no call is on', () => {
    const h = makeHarness();
    const call = new FakeMediaCall('peer-bob', ROOM, CALL_ID);
    h.incoming(call);
    expect(call.closedWith).toBe('not expected');
    expect(call.answered).toBe(false);
  });

  it('answers media only from the other person of the call, for that call', async () => {
    const h = makeHarness();
    await inCallWithBob(h);
    expect(h.calls.state.phase).toBe('active');
    const fromCarol = new FakeMediaCall('peer-carol', ROOM, CALL_ID);
    const otherCall = new FakeMediaCall('peer-bob', ROOM, 'BBBBBBBBBBBBBBBBBBBBBB');
    const stranger = new FakeMediaCall('peer-unknown', ROOM, CALL_ID);
    const otherRoom = new FakeMediaCall('peer-bob', 'room-B', CALL_ID);
    for (const call of [fromCarol, otherCall, stranger, otherRoom]) h.incoming(call);
    for (const call of [fromCarol, otherCall, stranger, otherRoom]) {
      expect(call.closedWith).toBe('not expected');
      expect(call.answered).toBe(false);
    }
    const fromBob = new FakeMediaCall('peer-bob', ROOM, CALL_ID);
    h.incoming(fromBob);
    expect(fromBob.answered).toBe(true);
    expect(fromBob.closedWith).toBeNull();
    expect(h.calls.remotes.map((r) => r.name)).toEqual(['Bob']);
  });

  it('rings, answers ringing, and after the ring timeout the call is missed', () => {
    const h = makeHarness();
    h.calls.handleFrame(peer(BOB), {
      type: 'call-invite',
      callId: CALL_ID,
      media: 'audio',
      group: false,
    });
    expect(h.calls.state.phase).toBe('incoming');
    expect(h.calls.peerName).toBe('Bob');
    expect(h.sent).toEqual([
      { room: ROOM, to: BOB, frame: { type: 'call-ringing', callId: CALL_ID } },
    ]);
    vi.advanceTimersByTime(CALL_RING_TIMEOUT_MS);
    expect(h.calls.lastEnded).toMatchObject({ callId: CALL_ID, outcome: 'missed' });
    // The caller writes the log, not us.
    expect(h.logs).toEqual([]);
  });

  it('a second click on Accept keeps the call and its media', async () => {
    const h = makeHarness();
    const opened = h.devices.openLocalMedia;
    h.calls.handleFrame(peer(BOB), {
      type: 'call-invite',
      callId: CALL_ID,
      media: 'video',
      group: false,
    });
    opened.mockClear();
    await Promise.all([h.calls.accept(), h.calls.accept()]);
    expect(opened).toHaveBeenCalledTimes(1);
    expect(h.calls.state.phase).toBe('active');
    expect(h.calls.localStream).not.toBeNull();
    expect(h.sent.filter((s) => s.frame.type === 'call-accept')).toHaveLength(1);
  });

  it('declines a ringing call when the page goes away', () => {
    const h = makeHarness();
    h.calls.handleFrame(peer(BOB), {
      type: 'call-invite',
      callId: CALL_ID,
      media: 'audio',
      group: false,
    });
    h.calls.leave();
    expect(h.sent.at(-1)).toEqual({
      room: ROOM,
      to: BOB,
      frame: { type: 'call-decline', callId: CALL_ID },
    });
  });

  it('stops devices that finish opening after the call layer was dropped', async () => {
    const h = makeHarness();
    const stop = vi.fn();
    const track = { stop, enabled: true };
    let open: (value: Awaited<ReturnType<Devices['openLocalMedia']>>) => void = () => undefined;
    h.devices.openLocalMedia.mockImplementationOnce(
      () =>
        new Promise((resolve) => {
          open = resolve;
        }),
    );
    const calling = h.calls.callMember(ROOM, BOB, 'video');
    h.calls.dispose();
    const stream = {
      getTracks: () => [track],
      getAudioTracks: () => [],
      getVideoTracks: () => [track],
    } as unknown as MediaStream;
    open({ stream, hasMic: true, hasCamera: true, problem: null });
    expect(await calling).toBe(false);
    expect(stop).toHaveBeenCalled();
    expect(h.calls.state.phase).toBe('idle');
    expect(h.calls.localStream).toBeNull();
  });

  it('joins a room call that someone started while our devices were opening', async () => {
    const h = makeHarness();
    let open: () => void = () => undefined;
    h.devices.openLocalMedia.mockImplementationOnce(
      () =>
        new Promise((resolve) => {
          open = () =>
            resolve({
              stream: {
                getTracks: () => [],
                getAudioTracks: () => [],
                getVideoTracks: () => [],
              } as unknown as MediaStream,
              hasMic: true,
              hasCamera: true,
              problem: null,
            });
        }),
    );
    const starting = h.calls.startCall(ROOM, 'video');
    h.calls.handleFrame(peer(BOB), {
      type: 'call-invite',
      callId: CALL_ID,
      media: 'video',
      group: true,
    });
    open();
    expect(await starting).toBe(true);
    expect(h.calls.state).toMatchObject({ phase: 'active', call: { callId: CALL_ID } });
  });

  it('says the member is not reachable when they have no link', async () => {
    const h = makeHarness();
    h.linked.delete(BOB);
    expect(await h.calls.callMember(ROOM, BOB, 'video')).toBe(false);
    expect(h.calls.notice).toBe('not-reachable');
    expect(h.sent).toEqual([]);
  });

  it('as the caller, dials the media on accept and logs the call on hang-up', async () => {
    const h = makeHarness();
    expect(await h.calls.callMember(ROOM, BOB, 'video')).toBe(true);
    const invite = h.sent[0]?.frame;
    if (invite?.type !== 'call-invite') throw new Error('no invite sent');
    h.calls.handleFrame(peer(BOB), { type: 'call-accept', callId: invite.callId });
    await vi.advanceTimersByTimeAsync(0);
    expect(h.dialled.map((c) => c.remoteId)).toEqual(['peer-bob']);
    await vi.advanceTimersByTimeAsync(61_000);
    h.calls.hangUp();
    expect(h.dialled[0]?.closedWith).toBe('call ended');
    expect(h.logs).toEqual([
      {
        room: ROOM,
        body: {
          callId: invite.callId,
          media: 'video',
          outcome: 'answered',
          durationS: 61,
          group: false,
        },
      },
    ]);
  });

  it('as the caller, dials the media once the callee rings, and not again on accept', async () => {
    const h = makeHarness();
    expect(await h.calls.callMember(ROOM, BOB, 'video')).toBe(true);
    const invite = h.sent[0]?.frame;
    if (invite?.type !== 'call-invite') throw new Error('no invite sent');
    h.calls.handleFrame(peer(BOB), { type: 'call-ringing', callId: invite.callId });
    await vi.advanceTimersByTimeAsync(0);
    expect(h.dialled.map((c) => c.remoteId)).toEqual(['peer-bob']);
    h.calls.handleFrame(peer(BOB), { type: 'call-accept', callId: invite.callId });
    await vi.advanceTimersByTimeAsync(0);
    expect(h.dialled).toHaveLength(1);
    expect(h.dialled[0]?.closedWith).toBeNull();
    expect(h.calls.remotes.map((r) => r.name)).toEqual(['Bob']);
  });

  it('as the caller, closes the media dialled while it rang when the callee declines', async () => {
    const h = makeHarness();
    expect(await h.calls.callMember(ROOM, BOB, 'audio')).toBe(true);
    const invite = h.sent[0]?.frame;
    if (invite?.type !== 'call-invite') throw new Error('no invite sent');
    h.calls.handleFrame(peer(BOB), { type: 'call-ringing', callId: invite.callId });
    await vi.advanceTimersByTimeAsync(0);
    h.calls.handleFrame(peer(BOB), { type: 'call-decline', callId: invite.callId });
    expect(h.dialled[0]?.closedWith).toBe('call ended');
  });

  it('holds the caller’s media while ringing, unanswered, and answers it only on Accept', async () => {
    const h = makeHarness();
    h.calls.handleFrame(peer(BOB), {
      type: 'call-invite',
      callId: CALL_ID,
      media: 'video',
      group: false,
    });
    const early = new FakeMediaCall('peer-bob', ROOM, CALL_ID);
    const fromCarol = new FakeMediaCall('peer-carol', ROOM, CALL_ID);
    h.incoming(early);
    h.incoming(fromCarol);
    expect(early.answered).toBe(false);
    expect(early.closedWith).toBeNull();
    expect(fromCarol.closedWith).toBe('not expected');
    await h.calls.accept();
    expect(early.answered).toBe(true);
    expect(h.calls.remotes.map((r) => r.name)).toEqual(['Bob']);
  });

  it('never answers media held while ringing when the call is declined or missed', () => {
    for (const end of ['decline', 'timeout'] as const) {
      const h = makeHarness();
      h.calls.handleFrame(peer(BOB), {
        type: 'call-invite',
        callId: CALL_ID,
        media: 'video',
        group: false,
      });
      const early = new FakeMediaCall('peer-bob', ROOM, CALL_ID);
      h.incoming(early);
      if (end === 'decline') h.calls.decline();
      else vi.advanceTimersByTime(CALL_RING_TIMEOUT_MS);
      expect(early.answered).toBe(false);
      expect(early.closedWith).toBe('call ended');
    }
  });

  it('shows a room call in progress until its last participant leaves', () => {
    const h = makeHarness();
    h.calls.handleFrame(peer(BOB), {
      type: 'call-invite',
      callId: CALL_ID,
      media: 'video',
      group: true,
    });
    expect(h.calls.state.phase).toBe('idle');
    expect(h.calls.roomCallIn(ROOM)).toMatchObject({ callId: CALL_ID, participants: [BOB] });
    h.calls.handleFrame(peer(CAROL), { type: 'call-accept', callId: CALL_ID });
    expect(h.calls.roomCallIn(ROOM)?.participants).toEqual([BOB, CAROL]);
    h.calls.handleFrame(peer(BOB), { type: 'call-hangup', callId: CALL_ID, closing: false });
    // Still linked (another link to her took over): nothing changes.
    h.calls.handlePeerGone(peer(CAROL));
    expect(h.calls.roomCallIn(ROOM)?.participants).toEqual([CAROL]);
    h.linked.delete(CAROL);
    h.calls.handlePeerGone(peer(CAROL));
    expect(h.calls.roomCallIn(ROOM)).toBeNull();
  });

  it('joining a room call is announced, and the participants who were there dial us', async () => {
    const h = makeHarness();
    h.calls.handleFrame(peer(BOB), {
      type: 'call-invite',
      callId: CALL_ID,
      media: 'video',
      group: true,
    });
    expect(await h.calls.join(ROOM)).toBe(true);
    expect(h.sent).toContainEqual({
      room: ROOM,
      to: null,
      frame: { type: 'call-accept', callId: CALL_ID },
    });
    expect(h.dialled).toEqual([]);
    const fromBob = new FakeMediaCall('peer-bob', ROOM, CALL_ID);
    h.incoming(fromBob);
    expect(fromBob.answered).toBe(true);
    // A member who joins after us is dialled by us.
    h.calls.handleFrame(peer(CAROL), { type: 'call-accept', callId: CALL_ID });
    await vi.advanceTimersByTimeAsync(0);
    expect(h.dialled.map((c) => c.remoteId)).toEqual(['peer-carol']);
  });

  it('shows the other side’s mute and camera state', async () => {
    const h = makeHarness();
    await inCallWithBob(h);
    h.calls.handleFrame(peer(BOB), {
      type: 'call-media',
      callId: CALL_ID,
      audio: false,
      video: true,
      screen: false,
    });
    expect(h.calls.remotes[0]?.media).toEqual({ audio: false, video: true, screen: false });
    // Another call's state is ignored.
    h.calls.handleFrame(peer(BOB), {
      type: 'call-media',
      callId: 'CCCCCCCCCCCCCCCCCCCCCC',
      audio: true,
      video: false,
      screen: true,
    });
    expect(h.calls.remotes[0]?.media.audio).toBe(false);
  });

  describe('a dropped media connection while the chat link stays (a network blip)', () => {
    /** We call Bob, he accepts, his media arrives; the media connection we dialled. */
    async function connected(h: Harness): Promise<FakeMediaCall> {
      await h.calls.callMember(ROOM, BOB, 'video');
      const invite = h.sent[0]?.frame;
      if (invite?.type !== 'call-invite') throw new Error('no invite sent');
      h.calls.handleFrame(peer(BOB), { type: 'call-accept', callId: invite.callId });
      await vi.advanceTimersByTimeAsync(0);
      const media = h.dialled[0];
      if (!media) throw new Error('no media dialled');
      media.handlers?.onStream({} as MediaStream);
      return media;
    }

    it('is dialled again by its dialler and the call goes on', async () => {
      const h = makeHarness();
      const first = await connected(h);
      first.handlers?.onClose('ICE failed');
      expect(h.calls.remotes[0]?.isReconnecting).toBe(true);
      await vi.advanceTimersByTimeAsync(500);
      expect(h.dialled).toHaveLength(2);
      h.dialled[1]?.handlers?.onStream({} as MediaStream);
      expect(h.calls.remotes[0]?.isReconnecting).toBe(false);
      await vi.advanceTimersByTimeAsync(MEDIA_RECONNECT_GRACE_MS);
      expect(h.calls.state.phase).toBe('active');
    });

    it('ends the call when no media is back within the grace time', async () => {
      const h = makeHarness();
      const first = await connected(h);
      first.handlers?.onClose('ICE failed');
      await vi.advanceTimersByTimeAsync(500);
      h.dialled[1]?.handlers?.onClose('timed out opening');
      await vi.advanceTimersByTimeAsync(MEDIA_RECONNECT_GRACE_MS);
      expect(h.calls.state.phase).toBe('idle');
      expect(h.logs.map((l) => l.body.outcome)).toEqual(['answered']);
    });

    it('is not redialled when the chat link is gone too (the link closing ends the call)', async () => {
      const h = makeHarness();
      const first = await connected(h);
      h.linked.delete(BOB);
      first.handlers?.onClose('closed');
      await vi.advanceTimersByTimeAsync(500);
      expect(h.dialled).toHaveLength(1);
      h.calls.handlePeerGone(peer(BOB));
      expect(h.calls.state.phase).toBe('idle');
    });
  });
});
