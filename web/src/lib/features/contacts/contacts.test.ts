import { textOf } from '../../domain/events';
import { foldMessages } from '../../domain/message-view';
import { describe, expect, it, vi } from 'vitest';
import { MemoryHub } from '../../net/memory-transport';
import { meetInRoom } from '../../testing/meet-in-room';
import { appHarness } from '../../testing/app-harness';

const NOW = 1_700_000_000_000;
const h = appHarness({ now: NOW });

describe('contacts', () => {
  /** Alice and Bob, linked in one room. */
  async function twoInARoom(hub: MemoryHub) {
    const alice = await h.memberOn(hub, 'Alice');
    const bob = await h.memberOn(hub, 'Bob');
    const { room, secret } = await meetInRoom(alice, bob);
    return { alice, bob, room, secret };
  }

  it('makes a contact on "Accept": both pin the key and talk in a direct chat with no link', async () => {
    const hub = new MemoryHub();
    const { alice, bob, room } = await twoInARoom(hub);
    const [aliceFp, bobFp] = [alice.kernel.identity!.fingerprint, bob.kernel.identity!.fingerprint];

    expect(await alice.requests.request(room, bobFp)).toBe(true);
    expect(alice.requests.sentTo(bobFp)).toBe('sent');
    await vi.waitFor(() => expect(bob.requests.waiting).toHaveLength(1), { timeout: 5_000 });
    expect(bob.requests.waiting[0]).toMatchObject({ fingerprint: aliceFp, name: 'Alice', room });

    expect(await bob.requests.answer(aliceFp, true)).toBe(true);
    expect(bob.requests.waiting).toEqual([]);
    await vi.waitFor(() => expect(alice.contacts.contact(bobFp)).toBeDefined(), { timeout: 5_000 });
    const contactOfAlice = alice.contacts.contact(bobFp)!;
    const contactOfBob = bob.contacts.contact(aliceFp)!;
    expect(contactOfAlice.conv).toBe(contactOfBob.conv);
    expect(contactOfAlice.spki).toBe(bob.kernel.identity!.spki);
    expect(alice.requests.sentTo(bobFp)).toBeUndefined();
    const direct = contactOfAlice.conv;
    expect(alice.conversations.conversation(direct)).toMatchObject({
      kind: 'direct',
      contact: bobFp,
      title: 'Bob',
    });

    // The direct chat is a room of its own, joined by both without any link.
    await vi.waitFor(() => expect(alice.contacts.isOnline(bobFp)).toBe(true), { timeout: 5_000 });
    expect(await alice.timeline.openRoom(alice.contacts.secretOf(bobFp)!)).toEqual({
      status: 'open',
      room: direct,
    });
    await bob.timeline.openRoom(bob.contacts.secretOf(aliceFp)!);
    expect(await alice.messages.send(direct, 'just us')).toBe(true);
    await vi.waitFor(
      () => expect(bob.timeline.messagesOf(direct).map((e) => textOf(e))).toEqual(['just us']),
      {
        timeout: 5_000,
      },
    );
  });

  it('tells the requester about "Decline", and makes no contact', async () => {
    const hub = new MemoryHub();
    const { alice, bob, room } = await twoInARoom(hub);
    const [aliceFp, bobFp] = [alice.kernel.identity!.fingerprint, bob.kernel.identity!.fingerprint];
    await alice.requests.request(room, bobFp);
    await vi.waitFor(() => expect(bob.requests.waiting).toHaveLength(1), { timeout: 5_000 });
    expect(await bob.requests.answer(aliceFp, false)).toBe(true);
    await vi.waitFor(() => expect(alice.requests.sentTo(bobFp)).toBe('declined'), {
      timeout: 5_000,
    });
    expect(alice.contacts.list).toEqual([]);
    expect(bob.contacts.list).toEqual([]);
  });

  it('refuses anyone but the pinned contact in a direct chat, even with its secret, and warns', async () => {
    const hub = new MemoryHub();
    const { alice, bob, room } = await twoInARoom(hub);
    const [aliceFp, bobFp] = [alice.kernel.identity!.fingerprint, bob.kernel.identity!.fingerprint];
    await alice.requests.request(room, bobFp);
    await vi.waitFor(() => expect(bob.requests.waiting).toHaveLength(1), { timeout: 5_000 });
    await bob.requests.answer(aliceFp, true);
    await vi.waitFor(() => expect(alice.contacts.contact(bobFp)).toBeDefined(), { timeout: 5_000 });
    const pairSecret = alice.contacts.secretOf(bobFp)!;
    const direct = alice.contacts.contact(bobFp)!.conv;

    // Mallory got hold of the pair secret; her key is not Bob's.
    const mallory = await h.memberOn(hub, 'Mallory');
    await mallory.timeline.openRoom(pairSecret);
    await vi.waitFor(() => expect(alice.kernel.notices.current?.key).toBe('contacts.keyMismatch'), {
      timeout: 5_000,
    });
    expect(alice.kernel.notices.current?.params).toEqual({ name: 'Bob' });
    expect(alice.members.membersOf(direct).map((m) => m.name)).not.toContain('Mallory');
    expect(mallory.members.membersOf(direct).some((m) => m.isOnline && !m.isSelf)).toBe(false);
  });

  /** Alice and Bob as contacts, both linked in their direct chat. */
  async function twoContacts(hub: MemoryHub) {
    const { alice, bob, room } = await twoInARoom(hub);
    const [aliceFp, bobFp] = [alice.kernel.identity!.fingerprint, bob.kernel.identity!.fingerprint];
    await alice.requests.request(room, bobFp);
    await vi.waitFor(() => expect(bob.requests.waiting).toHaveLength(1), { timeout: 5_000 });
    await bob.requests.answer(aliceFp, true);
    await vi.waitFor(() => expect(alice.contacts.isOnline(bobFp)).toBe(true), { timeout: 5_000 });
    return { alice, bob, room, aliceFp, bobFp };
  }

  it('tells a new name to every conversation: the contact, the direct chat and the room', async () => {
    const hub = new MemoryHub();
    const { alice, bob, room, aliceFp } = await twoContacts(hub);
    const direct = bob.contacts.contact(aliceFp)!.conv;
    expect(await alice.messages.send(room, 'before')).toBe(true);
    await vi.waitFor(
      () => expect(bob.conversations.conversation(room)?.lastPreview).toBe('before'),
      {
        timeout: 5_000,
      },
    );
    const orderBefore = bob.conversations.list.map((c) => c.id);

    expect(await alice.profile.updateProfile('  ')).toEqual({
      ok: false,
      error: { key: 'onboarding.nameRequired' },
    });
    expect(await alice.profile.updateProfile(' Alicia ')).toEqual({ ok: true });
    expect(alice.kernel.identity?.name).toBe('Alicia');
    await vi.waitFor(
      () => {
        expect(bob.contacts.contact(aliceFp)?.name).toBe('Alicia');
        expect(bob.conversations.conversation(direct)?.title).toBe('Alicia');
        expect(bob.members.authorName(room, aliceFp)).toBe('Alicia');
        expect(bob.members.membersOf(room).find((m) => m.fingerprint === aliceFp)?.name).toBe(
          'Alicia',
        );
      },
      { timeout: 5_000 },
    );
    // A rename is no news: the list keeps its order and previews.
    expect(bob.conversations.list.map((c) => c.id)).toEqual(orderBefore);
    expect(bob.conversations.conversation(room)?.lastPreview).toBe('before');
    expect(foldMessages(bob.timeline.messagesOf(room), undefined).map((m) => m.text)).toEqual([
      'before',
    ]);
  }, 20_000);

  it('shows both sides the same safety number, and keeps "verified"', async () => {
    const hub = new MemoryHub();
    const { alice, bob, aliceFp, bobFp } = await twoContacts(hub);
    const [a, b] = [
      await alice.contacts.safetyNumberWith(bobFp),
      await bob.contacts.safetyNumberWith(aliceFp),
    ];
    expect(a).toMatch(/^(\d{5} ){11}\d{5}$/);
    expect(a).toBe(b);
    expect(await alice.contacts.setVerified(bobFp, true)).toBe(true);
    expect(alice.contacts.contact(bobFp)?.verified).toBe(true);
    expect(bob.contacts.contact(aliceFp)?.verified).toBeUndefined();
  });

  it('cuts a blocked contact off everywhere until unblocked', async () => {
    const hub = new MemoryHub();
    const { alice, bob, room, aliceFp, bobFp } = await twoContacts(hub);
    expect(await alice.contacts.setBlocked(bobFp, true)).toBe(true);
    expect(alice.contacts.contact(bobFp)?.blocked).toBe(true);
    await vi.waitFor(
      () => {
        expect(alice.contacts.isOnline(bobFp)).toBe(false);
        expect(alice.members.membersOf(room).find((m) => m.fingerprint === bobFp)?.isOnline).toBe(
          false,
        );
      },
      { timeout: 5_000 },
    );
    // Bob tries again and is refused at the door, after proving the secret.
    const warn = vi.mocked(console.warn);
    warn.mockClear();
    bob.kernel.nudge();
    await vi.waitFor(
      () =>
        expect(warn).toHaveBeenCalledWith(
          expect.anything(),
          'refused a member this room does not admit',
          expect.anything(),
        ),
      { timeout: 10_000 },
    );
    expect(alice.contacts.isOnline(bobFp)).toBe(false);
    // Bob may see the link for the moment before Alice's refusal closes it; it never stays.
    await vi.waitFor(() => expect(bob.contacts.isOnline(aliceFp)).toBe(false), { timeout: 5_000 });

    expect(await alice.contacts.setBlocked(bobFp, false)).toBe(true);
    await vi.waitFor(() => expect(alice.contacts.isOnline(bobFp)).toBe(true), { timeout: 10_000 });
  });

  it('makes a contact from a one-time link, once', async () => {
    const hub = new MemoryHub();
    const alice = await h.memberOn(hub, 'Alice');
    const bob = await h.memberOn(hub, 'Bob');
    const secret = (await alice.invites.create())!;
    expect(alice.invites.invite(secret)?.role).toBe('inviter');
    expect(await alice.invites.redeem(secret)).toBe('own');

    expect(await bob.invites.redeem(secret)).toBe('waiting');
    const [aliceFp, bobFp] = [alice.kernel.identity!.fingerprint, bob.kernel.identity!.fingerprint];
    await vi.waitFor(() => expect(bob.invites.invite(secret)?.contact).toBe(aliceFp), {
      timeout: 5_000,
    });
    await vi.waitFor(() => expect(alice.invites.invite(secret)?.contact).toBe(bobFp), {
      timeout: 5_000,
    });
    expect(bob.contacts.contact(aliceFp)?.conv).toBe(alice.contacts.contact(bobFp)?.conv);
    await vi.waitFor(() => expect(alice.contacts.isOnline(bobFp)).toBe(true), { timeout: 5_000 });
    // Neither lists the invite's room as a conversation.
    expect(alice.conversations.list.map((c) => c.kind)).toEqual(['direct']);
    expect(bob.conversations.list.map((c) => c.kind)).toEqual(['direct']);

    // Used: a third person opening it waits for nobody.
    const carol = await h.memberOn(hub, 'Carol');
    expect(await carol.invites.redeem(secret)).toBe('waiting');
    expect(carol.contacts.list).toEqual([]);
    expect(await carol.invites.redeem('not a secret')).toBe('invalid');
  });

  it('leaves a request set aside unanswered: no contact, and the requester still waits', async () => {
    const hub = new MemoryHub();
    const { alice, bob, room } = await twoInARoom(hub);
    const [aliceFp, bobFp] = [alice.kernel.identity!.fingerprint, bob.kernel.identity!.fingerprint];
    await bob.requests.request(room, aliceFp);
    await vi.waitFor(() => expect(alice.requests.waiting).toHaveLength(1), { timeout: 5_000 });
    alice.requests.dismiss(bobFp);
    expect(alice.requests.waiting).toEqual([]);
    expect(await alice.requests.answer(bobFp, true)).toBe(false);
    expect(alice.contacts.list).toEqual([]);
    expect(bob.contacts.list).toEqual([]);
    expect(bob.requests.sentTo(aliceFp)).toBe('sent');
  });
});
