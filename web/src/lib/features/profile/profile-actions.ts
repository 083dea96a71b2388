/**
 * What making and renaming the identity does (DESIGN §4), loaded on first use (onboarding, or
 * "Edit profile"): the key pair, the checks of a display name, and telling every conversation.
 */
import '../../i18n/more';
import { colorForFingerprint } from '../../domain/avatar';

import { createIdentityKeys, type IdentityKeys } from '../../crypto/identity';
import type { Kernel } from '../../kernel/kernel.svelte';
import { errorMessage, type Notice } from '../../kernel/notices.svelte';
import { createLogger } from '../../log';
import { isDisplayName } from '../../protocol/display-name';
import { MAX_NAME_CHARS } from '../../protocol/limits';
import type { StoredIdentity } from '../../storage/chat-store';
import type { ProfilePorts, ProfileResult } from './profile';

const log = createLogger('profile');

/**
 * Checks a display name as typed: trimmed, then 1–{@link MAX_NAME_CHARS} characters with
 * no control or text-direction characters (the same rule peers apply to our hello).
 */
export function checkDisplayName(
  raw: string,
): { ok: true; name: string } | { ok: false; error: Notice } {
  const name = raw.trim();
  if (!name) return { ok: false, error: { key: 'onboarding.nameRequired' } };
  if (name.length > MAX_NAME_CHARS) {
    return {
      ok: false,
      error: { key: 'onboarding.nameTooLong', params: { max: MAX_NAME_CHARS } },
    };
  }
  if (!isDisplayName(name)) return { ok: false, error: { key: 'onboarding.nameInvalid' } };
  return { ok: true, name };
}

/** First run: makes the identity key pair and saves the chosen name; or says what went wrong. */
export async function createIdentity(kernel: Kernel, rawName: string): Promise<ProfileResult> {
  const checked = checkDisplayName(rawName);
  if (!checked.ok) return checked;
  const store = kernel.store;
  if (!store) {
    return { ok: false, error: { key: 'onboarding.saveFailed', params: { reason: 'closed' } } };
  }
  let keys: IdentityKeys;
  try {
    keys = await createIdentityKeys();
  } catch (error) {
    log.error('creating identity keys failed', error);
    const reason = errorMessage(error);
    return { ok: false, error: { key: 'onboarding.keysFailed', params: { reason } } };
  }
  const identity: StoredIdentity = {
    id: 'self',
    privateKey: keys.privateKey,
    publicKey: keys.publicKey,
    spki: keys.spki,
    fingerprint: keys.fingerprint,
    name: checked.name,
    color: colorForFingerprint(keys.fingerprint),
    createdAt: kernel.now(),
  };
  const saved = await store.putIdentity(identity);
  if (!saved.ok) {
    log.error('saving the identity failed', saved.error);
    const error: Notice =
      saved.error.kind === 'quota'
        ? { key: 'onboarding.storageFull' }
        : { key: 'onboarding.saveFailed', params: { reason: saved.error.message } };
    return { ok: false, error };
  }
  kernel.identityCreated(identity);
  return { ok: true };
}

/**
 * Changes our display name: saved, presented in every handshake from now on, and told to every
 * conversation as a `profile` event, so members we are not linked to learn it through others.
 */
export async function updateProfile(
  kernel: Kernel,
  ports: ProfilePorts,
  rawName: string,
): Promise<ProfileResult> {
  const checked = checkDisplayName(rawName);
  if (!checked.ok) return checked;
  const identity = kernel.identity;
  const store = kernel.store;
  if (!identity || !store) return { ok: false, error: { key: 'profile.notReady' } };
  if (checked.name === identity.name) return { ok: true };
  const updated: StoredIdentity = { ...identity, name: checked.name };
  const saved = await store.putIdentity(updated);
  if (!saved.ok) {
    kernel.notices.reportStore(saved.error);
    return {
      ok: false,
      error:
        saved.error.kind === 'quota'
          ? { key: 'error.storageFull' }
          : { key: 'error.saveFailed', params: { reason: saved.error.message } },
    };
  }
  kernel.identityChanged(updated);
  const profile = { name: updated.name, color: updated.color };
  const told = ports
    .conversations()
    .filter((c) => !c.removedFromRoom)
    .map((c) => ports.say(c.id, { kind: 'profile', body: profile }));
  // Saved and shown here already; a conversation that could not store its event said so.
  await Promise.all(told);
  return { ok: true };
}
