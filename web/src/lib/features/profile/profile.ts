/**
 * Who we are (DESIGN §4): onboarding makes the identity key pair and saves the chosen name; a
 * new name later is saved, presented in every later handshake, and told to every conversation as
 * a signed `profile` event, so members we are not linked to learn it through others. The work is
 * in profile-actions.ts, loaded when it is first needed (not part of the first screen).
 */
import type { Kernel } from '../../kernel/kernel.svelte';
import type { Notice } from '../../kernel/notices.svelte';
import type { EventContent } from '../../protocol/events';
import type { RoomKey } from '../../protocol/ids';
import type { Conversation } from '../../storage/chat-store';

/** A result the person sees: done, or what went wrong. */
export type ProfileResult = { ok: true } | { ok: false; error: Notice };

/** What the profile asks of other features. */
export interface ProfilePorts {
  /** The conversations we tell a new name (those we take part in). */
  conversations(): readonly Conversation[];
  /** Stores and sends content in a conversation (the outbox). */
  say(room: RoomKey, content: EventContent): Promise<boolean>;
}

/** The person's identity and profile. */
export class Profile {
  #kernel: Kernel;
  #ports: ProfilePorts;

  constructor(kernel: Kernel, ports: ProfilePorts) {
    this.#kernel = kernel;
    this.#ports = ports;
  }

  /** First run: makes the identity key pair and saves the chosen name; or says what went wrong. */
  async createIdentity(rawName: string): Promise<ProfileResult> {
    return (await import('./profile-actions')).createIdentity(this.#kernel, rawName);
  }

  /**
   * Changes our display name: saved, presented in every handshake from now on, and told to every
   * conversation as a `profile` event, so members we are not linked to learn it through others.
   */
  async updateProfile(rawName: string): Promise<ProfileResult> {
    return (await import('./profile-actions')).updateProfile(this.#kernel, this.#ports, rawName);
  }
}
