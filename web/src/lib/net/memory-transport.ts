/**
 * The in-memory twin of the PeerJS transport, for unit tests of everything above `Transport`:
 * a hub plays the signal server (rooms, joins, pushes) and pairs of links play data channels.
 * Delivery is asynchronous and in order, like a reliable data channel; faults are injected
 * through the hub. Never used by the product.
 */
import { BinaryEvents, binaryMessageBytes } from './binary-events';
import { LinkEvents } from './link-events';
import {
  BINARY_LOW_WATER_BYTES,
  type BinaryChannel,
  type BinaryChannelHandlers,
  type Link,
  type LinkHandlers,
  type MediaCall,
  type MediaCallHandlers,
  type RoomSignal,
  type SignalStatus,
  type Transport,
  type TransportHandlers,
} from './transport';
import type { PeerId, RoomKey } from '../protocol/ids';

/** Hands work to the next macrotask so nothing completes synchronously, as on a network. */
function later(fn: () => void): void {
  setTimeout(fn, 0);
}

/**
 * A link's binary channel in memory: messages arrive in order a macrotask later (ArrayBuffers
 * copied, as a real channel does); `bufferedAmount` counts the bytes sent and not yet delivered,
 * and `onDrain` fires after the delivery that brings it down to BINARY_LOW_WATER_BYTES.
 */
class MemoryBinaryChannel implements BinaryChannel {
  partner: MemoryBinaryChannel | null = null;
  /** Closes the link it belongs to. */
  closeLink: (reason: string) => void;

  constructor(closeLink: (reason: string) => void) {
    this.closeLink = closeLink;
  }

  #events = new BinaryEvents();
  #bufferedBytes = 0;

  get isOpen(): boolean {
    return this.#events.isOpen;
  }

  get bufferedAmount(): number {
    return this.#events.isClosed ? 0 : this.#bufferedBytes;
  }

  setHandlers(handlers: BinaryChannelHandlers): void {
    this.#events.setHandlers(handlers);
  }

  open(): void {
    this.#events.open();
  }

  send(data: ArrayBuffer | string): boolean {
    if (!this.#events.isOpen) return false;
    const copy = typeof data === 'string' ? data : data.slice(0);
    const bytes = binaryMessageBytes(copy);
    this.#bufferedBytes += bytes;
    const partner = this.partner;
    later(() => {
      const wasAbove = this.#bufferedBytes > BINARY_LOW_WATER_BYTES;
      this.#bufferedBytes -= bytes;
      partner?.receive(copy);
      if (wasAbove && this.#bufferedBytes <= BINARY_LOW_WATER_BYTES) this.#events.drain();
    });
    return true;
  }

  receive(data: ArrayBuffer | string): void {
    // Past the bound for absent handlers the channel closes, as the real one does.
    if (!this.#events.message(data)) this.close();
  }

  close(): void {
    if (!this.#events.close()) return;
    const partner = this.partner;
    // After what is already in flight, like a stream reset behind queued data.
    later(() => partner?.close());
  }
}

class MemoryLink implements Link {
  partner: MemoryLink | null = null;
  readonly binary = new MemoryBinaryChannel((reason) => this.close(reason));
  #events = new LinkEvents();

  constructor(
    readonly localId: PeerId,
    readonly remoteId: PeerId,
    readonly room: RoomKey,
    readonly isDialer: boolean,
    private readonly onGone: (link: MemoryLink) => void,
    /** What `channelBinding` reports once open; the hub can forge it to play a relay. */
    private readonly binding: string,
  ) {}

  channelBinding(): string | null {
    return this.#events.isOpen ? this.binding : null;
  }

  whenDrained(): Promise<void> {
    return Promise.resolve();
  }

  whenOffered(): Promise<void> {
    return Promise.resolve();
  }

  binaryChannel(): BinaryChannel {
    return this.binary;
  }

  get isClosed(): boolean {
    return this.#events.isClosed;
  }

  setHandlers(handlers: LinkHandlers): void {
    this.#events.setHandlers(handlers);
  }

  open(): void {
    this.binary.open();
    this.#events.open();
  }

  send(text: string): boolean {
    if (!this.#events.isOpen) return false;
    const partner = this.partner;
    later(() => partner?.receive(text));
    return true;
  }

  receive(text: string): void {
    this.#events.text(text);
  }

  close(reason = 'closed locally'): void {
    if (this.#events.isClosed) return;
    this.onGone(this);
    this.binary.close();
    this.#events.close(reason);
    const partner = this.partner;
    later(() => partner?.close('closed by peer'));
  }
}

/**
 * A media connection that carries no media: there is no WebRTC in unit tests, so a call placed
 * here closes at once with a reason saying so (call logic is unit-tested in chat/call-machine).
 */
class UnsupportedMediaCall implements MediaCall {
  readonly isDialer = true;
  #handlers: MediaCallHandlers | null = null;
  #isClosed = false;

  constructor(
    readonly remoteId: PeerId,
    readonly room: RoomKey,
    readonly callId: string,
  ) {
    later(() => this.close('media is not simulated in memory'));
  }

  setHandlers(handlers: MediaCallHandlers): void {
    this.#handlers = handlers;
    if (this.#isClosed) handlers.onClose('media is not simulated in memory');
  }

  answer(): void {}

  replaceTrack(): Promise<boolean> {
    return Promise.resolve(false);
  }

  getStats(): Promise<RTCStatsReport | null> {
    return Promise.resolve(null);
  }

  close(reason = 'closed locally'): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    this.#handlers?.onClose(reason);
  }
}

/** One tab's transport on the hub. */
export class MemoryTransport implements Transport {
  handlers: TransportHandlers | null = null;
  readonly links = new Set<MemoryLink>();
  #rooms = new Set<RoomKey>();
  #isOnline = false;

  constructor(
    private readonly hub: MemoryHub,
    readonly peerId: PeerId,
  ) {}

  /** Rooms this transport asked to be in. */
  get rooms(): ReadonlySet<string> {
    return this.#rooms;
  }

  start(handlers: TransportHandlers): void {
    this.handlers = handlers;
    this.handlers.onStatus('connecting');
    later(() => this.connectSignal());
  }

  /** (Re)attaches to the hub, as after a signal reconnect: re-joins every room. */
  connectSignal(): void {
    this.#isOnline = true;
    this.handlers?.onStatus('online');
    for (const room of this.#rooms) this.hub.join(this, room);
  }

  /** Detaches from the hub, as when the signal socket drops. Links stay up. */
  disconnectSignal(status: SignalStatus = 'reconnecting'): void {
    this.#isOnline = false;
    this.hub.leaveAll(this);
    this.handlers?.onStatus(status);
  }

  joinRoom(room: RoomKey): void {
    this.#rooms.add(room);
    if (this.#isOnline) later(() => this.hub.join(this, room));
  }

  leaveRoom(room: RoomKey): void {
    this.#rooms.delete(room);
    if (this.#isOnline) this.hub.leave(this, room);
  }

  dial(remoteId: PeerId, room: RoomKey): Link {
    const binding = `memory ${this.peerId}|memory ${remoteId}`;
    const local = new MemoryLink(
      this.peerId,
      remoteId,
      room,
      true,
      (l) => this.links.delete(l),
      binding,
    );
    this.links.add(local);
    later(() => {
      const remote = this.hub.transport(remoteId);
      if (
        !this.#isOnline ||
        !remote ||
        !remote.accepts(room) ||
        this.hub.isCut(this.peerId, remoteId)
      ) {
        local.close('peer unavailable');
        return;
      }
      const other = new MemoryLink(
        remoteId,
        this.peerId,
        room,
        false,
        (l) => remote.links.delete(l),
        this.hub.isRelayed(this.peerId, remoteId) ? `memory relay|memory ${remoteId}` : binding,
      );
      remote.links.add(other);
      local.partner = other;
      other.partner = local;
      local.binary.partner = other.binary;
      other.binary.partner = local.binary;
      remote.handlers?.onIncoming(other);
      // The accepting end opens first, as in Chromium: its hello may reach the dialler before
      // the dialler's own 'open' (the link must hold it back until then).
      later(() => {
        other.open();
        later(() => local.open());
      });
    });
    return local;
  }

  /** Whether an incoming link for this room would be accepted. */
  accepts(room: RoomKey): boolean {
    return this.#rooms.has(room);
  }

  /** Delivers a room signal from the hub. */
  signal(signal: RoomSignal): void {
    if (this.#isOnline) this.handlers?.onRoomSignal(signal);
  }

  callPeer(remoteId: PeerId, room: RoomKey, callId: string): Promise<MediaCall> {
    return Promise.resolve(new UnsupportedMediaCall(remoteId, room, callId));
  }

  onMediaCall(): void {
    // Nothing ever calls in memory (see UnsupportedMediaCall).
  }

  nudge(): void {
    if (!this.#isOnline) this.connectSignal();
  }

  destroy(): void {
    for (const link of [...this.links]) link.close('shutting down');
    this.hub.leaveAll(this);
    this.#isOnline = false;
  }
}

/** The in-memory signal server and network. */
export class MemoryHub {
  #transports = new Map<string, MemoryTransport>();
  #rooms = new Map<RoomKey, Set<PeerId>>();
  #cuts = new Set<string>();
  #relays = new Set<string>();

  constructor(private readonly maxPeersPerRoom = 16) {}

  /** A new tab on this network. */
  createTransport(peerId: string): MemoryTransport {
    // Tests name peers freely; on this network any name is a peer id.
    const transport = new MemoryTransport(this, peerId as PeerId);
    this.#transports.set(peerId, transport);
    return transport;
  }

  /** The transport with this peer ID, if connected. */
  transport(peerId: string): MemoryTransport | undefined {
    return this.#transports.get(peerId);
  }

  /** Members of a room. */
  membersOf(room: string): string[] {
    return [...(this.#rooms.get(room as RoomKey) ?? [])];
  }

  /** Joins wait here while the signal server is slow to answer (`holdJoins`). */
  #heldJoins: (() => void)[] | null = null;

  /** From now on joins go unanswered until `releaseJoins` (a slow signal server). */
  holdJoins(): void {
    this.#heldJoins ??= [];
  }

  /** Answers the joins held since `holdJoins`, in order, and answers at once again. */
  releaseJoins(): void {
    const held = this.#heldJoins ?? [];
    this.#heldJoins = null;
    for (const answer of held) answer();
  }

  join(t: MemoryTransport, room: RoomKey): void {
    if (this.#heldJoins) {
      this.#heldJoins.push(() => this.join(t, room));
      return;
    }
    const members = this.#rooms.get(room) ?? new Set<PeerId>();
    if (members.has(t.peerId)) {
      t.signal({ type: 'peers', room, peers: [...members].filter((p) => p !== t.peerId) });
      return;
    }
    if (members.size >= this.maxPeersPerRoom) {
      t.signal({ type: 'full', room });
      return;
    }
    const before = [...members];
    members.add(t.peerId);
    this.#rooms.set(room, members);
    t.signal({ type: 'peers', room, peers: before });
    for (const peer of before) {
      this.#transports.get(peer)?.signal({ type: 'joined', room, peer: t.peerId });
    }
  }

  leave(t: MemoryTransport, room: RoomKey): void {
    const members = this.#rooms.get(room);
    if (!members?.delete(t.peerId)) return;
    for (const peer of members) {
      this.#transports.get(peer)?.signal({ type: 'left', room, peer: t.peerId });
    }
  }

  leaveAll(t: MemoryTransport): void {
    for (const room of this.#rooms.keys()) this.leave(t, room);
  }

  /** Cuts the network between two peers: their links close and dials fail until `heal`. */
  cut(a: string, b: string): void {
    this.#cuts.add([a, b].sort().join('|'));
    for (const [self, other] of [
      [a, b],
      [b, a],
    ] as const) {
      for (const link of [...(this.#transports.get(self)?.links ?? [])]) {
        if (link.remoteId === other) link.close('network cut');
      }
    }
  }

  /** Restores the network between two peers. */
  heal(a: string, b: string): void {
    this.#cuts.delete([a, b].sort().join('|'));
  }

  /**
   * Puts a relay between two peers that terminates each side's connection itself (what a hostile
   * signal server could do): each side then sees a different channel binding.
   */
  relay(a: string, b: string): void {
    this.#relays.add([a, b].sort().join('|'));
  }

  /** True when links between the two peers go through a relay. */
  isRelayed(a: string, b: string): boolean {
    return this.#relays.has([a, b].sort().join('|'));
  }

  /** True while the two peers are cut off from each other. */
  isCut(a: string, b: string): boolean {
    return this.#cuts.has([a, b].sort().join('|'));
  }
}
