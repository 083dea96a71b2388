/**
 * Calls on the first screen (DESIGN §8): only what is needed to load the call layer on first use
 * — a call button, or an incoming `call-invite` — and to feed it the call frames and link changes.
 * The layer itself (`call-controller.svelte.ts`, the devices) is a chunk of its own.
 */
import type { FrameHandlers } from '../../kernel/frames';
import type { Kernel } from '../../kernel/kernel.svelte';
import { createLogger } from '../../log';
import type { EventContent } from '../../protocol/events';
import type { CallFrame } from '../../protocol/peer-frames';
import type { Transport } from '../../net/transport';
import type { Conversation } from '../../storage/chat-store';
import type { CallController, CallHost } from './call-controller.svelte';
import type { Devices } from './devices';
import type { Fingerprint, RoomKey } from '../../protocol/ids';

const log = createLogger('calls');

/** What calls ask of other features. */
export interface CallsPorts {
  /** One conversation by room key. */
  conversation(room: RoomKey): Conversation | undefined;
  /** A member's display name. */
  nameOf(room: RoomKey, fingerprint: Fingerprint): string;
  /** Stores and sends content in a conversation (the outbox): the call log. */
  say(room: RoomKey, content: EventContent): Promise<boolean>;
  /** The devices (the browser's, loaded with the call layer; tests bring their own). */
  loadDevices(): Promise<Devices>;
}

/** The call layer's door. */
export class Calls {
  #kernel: Kernel;
  #ports: CallsPorts;
  #controller = $state.raw<CallController | null>(null);
  #loading: Promise<CallController | null> | null = null;

  /** The frames calls own. */
  readonly frames: Pick<
    FrameHandlers,
    | 'call-invite'
    | 'call-ringing'
    | 'call-accept'
    | 'call-decline'
    | 'call-cancel'
    | 'call-busy'
    | 'call-hangup'
    | 'call-media'
  > = {
    'call-invite': async (peer, frame) => {
      // Only from a member listed in a conversation (not an invite's room). An invite loads the
      // call layer (so the call can ring); other call frames only matter to a loaded one.
      if (!this.#kernel.presence.isCurrent(peer)) return;
      (await this.load())?.handleFrame(peer, frame);
    },
    'call-ringing': (peer, frame) => this.#forward(peer, frame),
    'call-accept': (peer, frame) => this.#forward(peer, frame),
    'call-decline': (peer, frame) => this.#forward(peer, frame),
    'call-cancel': (peer, frame) => this.#forward(peer, frame),
    'call-busy': (peer, frame) => this.#forward(peer, frame),
    'call-hangup': (peer, frame) => this.#forward(peer, frame),
    'call-media': (peer, frame) => this.#forward(peer, frame),
  };

  constructor(kernel: Kernel, ports: CallsPorts) {
    this.#kernel = kernel;
    this.#ports = ports;
    kernel.bus.on({
      'peer-ready': (peer) => this.#controller?.handlePeerReady(peer),
      'peer-gone': (peer) => this.#controller?.handlePeerGone(peer),
      // Before `bye`: the others end the call at once rather than when the link goes.
      'page-leave': () => this.#controller?.leave(),
      // A call ends (the others hear it) and the call layer goes with the transport it used.
      'network-down': () => {
        this.#controller?.dispose();
        this.#controller = null;
        this.#loading = null;
      },
    });
  }

  /** The call layer, once loaded (by a call button, or by an incoming call). */
  get controller(): CallController | null {
    return this.#controller;
  }

  /**
   * Loads the call layer (its code is not part of the first screen) and attaches it to the
   * network; null while the network does not run here. Loaded once; later calls return the same.
   */
  load(): Promise<CallController | null> {
    this.#loading ??= Promise.all([import('./call-controller.svelte'), this.#ports.loadDevices()])
      .then(([{ CallController }, devices]) => {
        const transport = this.#kernel.network.transport;
        if (!transport) {
          this.#loading = null;
          return null;
        }
        this.#controller = new CallController(this.#host(transport), devices);
        return this.#controller;
      })
      .catch((error: unknown) => {
        log.error('loading the call layer failed', error);
        this.#loading = null;
        this.#kernel.notices.show({ key: 'calls.loadFailed' });
        return null;
      });
    return this.#loading;
  }

  #forward(peer: Parameters<CallController['handleFrame']>[0], frame: CallFrame): void {
    this.#controller?.handleFrame(peer, frame);
  }

  /** What the call layer may use: links, names and the history. */
  #host(transport: Transport): CallHost {
    const kernel = this.#kernel;
    const { presence } = kernel;
    const links = kernel.network.links;
    const ports = this.#ports;
    return {
      transport,
      self: () => kernel.self ?? null,
      sendTo: (room, fingerprint, frame) => {
        const peer = presence.linkedPeer(room, fingerprint);
        return !!peer && links.sendTo(peer, frame);
      },
      broadcast: (room, frame) => links.broadcast(room, frame),
      peerIdOf: (room, fingerprint) => presence.linkedPeer(room, fingerprint)?.peerId,
      memberAt: (room, peerId) => presence.peerAt(room, peerId)?.fingerprint,
      nameOf: (room, fingerprint) => ports.nameOf(room, fingerprint),
      directContact: (room) => {
        const conversation = ports.conversation(room);
        return conversation?.kind === 'direct' ? conversation.contact : undefined;
      },
      writeCallLog: (room, body) => ports.say(room, { kind: 'call-log', body }),
      now: kernel.now,
    };
  }
}
