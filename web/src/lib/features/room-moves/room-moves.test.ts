import { textOf } from '../../domain/events';
import { describe, expect, it, vi } from 'vitest';
import { roomKeyFromSecret } from '../../crypto/room-keys';
import { MemoryHub } from '../../net/memory-transport';
import type { Parley } from '../../parley';
import { appHarness } from '../../testing/app-harness';

const NOW = 1_700_000_000_000;
const h = appHarness({ now: NOW });

describe('removing a room member', () => {
  /** Alice's room (she owns it) with `names` joined from her link, all linked to each other. */
  async function ownedRoom(hub: MemoryHub, names: string[]) {
    const alice = await h.memberOn(hub, 'Alice');
    const secret = (await alice.conversations.createRoom())!;
    const room = await roomKeyFromSecret(secret);
    const owner = alice.kernel.identity!.fingerprint;
    const others: Parley[] = [];
    for (const name of names) {
      const member = await h.memberOn(hub, name);
      expect(await member.timeline.openRoom(secret, owner)).toEqual({ status: 'open', room });
      others.push(member);
    }
    await alice.timeline.openRoom(secret);
    for (const member of [alice, ...others]) {
      await vi.waitFor(
        () =>
          expect(member.members.membersOf(room).filter((m) => m.isOnline)).toHaveLength(
            1 + names.length,
          ),
        { timeout: 10_000 },
      );
    }
    return { alice, others, room, secret, owner };
  }

  it('moves the others to a new secret; the removed member is told, and the old link admits no one', async () => {
    const hub = new MemoryHub();
    const { alice, others, room, secret, owner } = await ownedRoom(hub, ['Bob', 'Carol']);
    const [bob, carol] = others as [Parley, Parley];
    const bobFp = bob.kernel.identity!.fingerprint;
    expect(alice.moves.canRemoveMembers(room)).toBe(true);
    expect(carol.moves.canRemoveMembers(room)).toBe(false);
    expect(await carol.moves.removeMember(room, bobFp)).toBeNull();

    const newSecret = (await alice.moves.removeMember(room, bobFp))!;
    expect(newSecret).not.toBe(secret);
    const next = await roomKeyFromSecret(newSecret);
    await vi.waitFor(
      () => {
        expect(carol.conversations.conversation(room)?.movedTo?.secret).toBe(newSecret);
        expect(carol.conversations.conversation(next)).toMatchObject({
          previous: room,
          owner,
          secret: newSecret,
        });
        expect(bob.conversations.conversation(room)?.removedFromRoom).toBe(true);
      },
      { timeout: 5_000 },
    );
    expect(bob.conversations.conversation(next)).toBeUndefined();
    // The list shows the new room in place of the old one.
    expect(carol.conversations.list.map((c) => c.id)).toEqual([next]);
    expect(await carol.messages.send(room, 'into the old room')).toBe(false);

    expect(await carol.timeline.openRoom(newSecret, owner)).toEqual({ status: 'open', room: next });
    expect(await alice.messages.send(next, 'without Bob')).toBe(true);
    await vi.waitFor(
      () => expect(carol.timeline.messagesOf(next).map((e) => textOf(e))).toEqual(['without Bob']),
      { timeout: 5_000 },
    );
    expect(carol.members.membersOf(next).map((m) => m.name)).not.toContain('Bob');

    // Bob forgets the room and opens the old link again: nobody lets him in.
    const warn = vi.mocked(console.warn);
    warn.mockClear();
    expect(await bob.conversations.deleteConversation(room)).toBe(true);
    expect(await bob.timeline.openRoom(secret, owner)).toEqual({ status: 'open', room });
    await vi.waitFor(
      () =>
        expect(warn).toHaveBeenCalledWith(
          expect.anything(),
          'refused a member this room does not admit',
          expect.anything(),
        ),
      { timeout: 10_000 },
    );
    // Bob's side may see a link for the moment before it is refused; it never stays.
    // (Bounds as generous as the other waits: the default second is short on a busy machine.)
    await vi.waitFor(
      () => expect(bob.members.membersOf(room).filter((m) => m.isOnline)).toHaveLength(1),
      { timeout: 5_000 },
    );
    expect(alice.members.membersOf(room).find((m) => m.fingerprint === bobFp)?.isOnline).toBe(
      false,
    );
    // Someone new with the old link is refused too.
    const eve = await h.memberOn(hub, 'Eve');
    await eve.timeline.openRoom(secret, owner);
    await vi.waitFor(
      () =>
        expect(
          warn.mock.calls.filter((c) => c[1] === 'refused a member this room does not admit')
            .length,
        ).toBeGreaterThan(2),
      { timeout: 10_000 },
    );
    // Only those left outside (Bob) may still meet there; none of the room's members.
    await vi.waitFor(
      () =>
        expect(
          eve.members
            .membersOf(room)
            .filter((m) => m.isOnline)
            .map((m) => m.name),
        ).not.toEqual(expect.arrayContaining(['Alice'])),
      { timeout: 5_000 },
    );
    expect(eve.members.membersOf(room).find((m) => m.name === 'Carol')?.isOnline).not.toBe(true);
    expect(alice.members.membersOf(room).map((m) => m.name)).not.toContain('Eve');
  }, 40_000);

  it('believes a link’s owner only if the room secret names them', async () => {
    const hub = new MemoryHub();
    const { alice, others, room, secret, owner } = await ownedRoom(hub, ['Bob']);
    const [bob] = others as [Parley];
    expect(bob.conversations.conversation(room)?.owner).toBe(owner);
    // Mallory passes the link on with herself as the owner: Carol does not believe it.
    const mallory = await h.memberOn(hub, 'Mallory');
    const carol = await h.memberOn(hub, 'Carol');
    expect(await carol.timeline.openRoom(secret, mallory.kernel.identity!.fingerprint)).toEqual({
      status: 'open',
      room,
    });
    expect(carol.conversations.conversation(room)?.owner).toBeUndefined();
    expect(alice.moves.canRemoveMembers(room)).toBe(true);
    expect(bob.moves.canRemoveMembers(room)).toBe(false);
  });

  it('passes the move on to a member who was away, through a member who is not the owner', async () => {
    const hub = new MemoryHub();
    const { alice, others, room } = await ownedRoom(hub, ['Bob', 'Carol', 'Dave']);
    const [bob, carol, dave] = others as [Parley, Parley, Parley];
    // Dave is away: cut off from everyone.
    for (const peer of ['peer-Alice', 'peer-Bob', 'peer-Carol']) hub.cut('peer-Dave', peer);
    const newSecret = (await alice.moves.removeMember(room, bob.kernel.identity!.fingerprint))!;
    const next = await roomKeyFromSecret(newSecret);
    await vi.waitFor(() => expect(carol.conversations.conversation(next)).toBeDefined(), {
      timeout: 5_000,
    });
    // Alice goes; Carol is the only one left to tell Dave.
    hub.cut('peer-Alice', 'peer-Dave');
    hub.heal('peer-Dave', 'peer-Carol');
    hub.heal('peer-Dave', 'peer-Bob');
    dave.kernel.nudge();
    await vi.waitFor(
      () => expect(dave.conversations.conversation(room)?.movedTo?.secret).toBe(newSecret),
      {
        timeout: 10_000,
      },
    );
    expect(dave.conversations.conversation(next)?.previous).toBe(room);
  }, 40_000);

  it('lets a member who never met the owner check the move with the key it carries', async () => {
    const hub = new MemoryHub();
    const { alice, others, room, secret, owner } = await ownedRoom(hub, ['Bob', 'Carol']);
    const [bob, carol] = others as [Parley, Parley];
    // Erin joins while she cannot reach Alice: she knows Carol's and Bob's keys, not Alice's.
    const erin = await h.memberOn(hub, 'Erin');
    hub.cut('peer-Alice', 'peer-Erin');
    await erin.timeline.openRoom(secret, owner);
    await vi.waitFor(
      () => expect(erin.members.membersOf(room).filter((m) => m.isOnline)).toHaveLength(3),
      {
        timeout: 10_000,
      },
    );
    expect(erin.conversations.conversation(room)?.members[owner]).toBeUndefined();
    const newSecret = (await alice.moves.removeMember(room, bob.kernel.identity!.fingerprint))!;
    await vi.waitFor(
      () => expect(erin.conversations.conversation(room)?.movedTo?.secret).toBe(newSecret),
      {
        timeout: 10_000,
      },
    );
    expect(carol.conversations.conversation(room)?.movedTo?.secret).toBe(newSecret);
  }, 40_000);
});
