import { describe, expect, it, vi } from 'vitest';
import { colorForFingerprint } from '../../domain/avatar';
import { appHarness } from '../../testing/app-harness';
import { fakeFingerprint, makeConversation, makeMember } from '../../testing/factories';

const h = appHarness({ now: 1_700_000_000_000 });
const ALICE_1 = fakeFingerprint(2);
const ALICE_2 = fakeFingerprint(3);
const BOB = fakeFingerprint(4);

/** A ready app (named Ada) whose one room has these members stored. */
async function appWithMembers(members: ReturnType<typeof makeMember>[]) {
  const conversation = makeConversation({
    members: Object.fromEntries(members.map((m) => [m.fingerprint, m])),
  });
  const seed = await h.openStore();
  await seed.putConversation(conversation);
  const app = await h.readyApp();
  return { app, room: conversation.id };
}

describe('Members', () => {
  it('tells apart members whose names look alike by their fingerprint’s tag', async () => {
    const { app, room } = await appWithMembers([
      makeMember({ fingerprint: ALICE_1, name: 'Alice' }),
      makeMember({ fingerprint: ALICE_2, name: '\u0410lice' }),
      makeMember({ fingerprint: BOB, name: 'Bob' }),
    ]);
    const labels = app.members.labelsOf(room);
    expect(labels.get(ALICE_1)).toBe(`Alice (${ALICE_1.slice(0, 6)})`);
    expect(labels.get(ALICE_2)).toBe(`\u0410lice (${ALICE_2.slice(0, 6)})`);
    expect(labels.get(BOB)).toBe('Bob');
    expect(app.members.authorName(room, ALICE_2)).toBe(labels.get(ALICE_2));
    const rows = app.members.membersOf(room);
    expect(rows.find((m) => m.fingerprint === ALICE_1)?.label).toBe(labels.get(ALICE_1));
    expect(rows.find((m) => m.fingerprint === BOB)?.tag).toBe(BOB.slice(0, 6));
  });

  it('tags a member who takes our name, never us', async () => {
    const { app, room } = await appWithMembers([makeMember({ fingerprint: ALICE_1, name: 'ada' })]);
    const self = app.kernel.self;
    expect(self).toBeDefined();
    const labels = app.members.labelsOf(room);
    expect(labels.get(ALICE_1)).toBe(`ada (${ALICE_1.slice(0, 6)})`);
    expect(labels.get(self!)).toBe('Ada');
  });

  it('derives avatar colours from the key, whatever colour a member sent', async () => {
    const { app, room } = await appWithMembers([
      makeMember({ fingerprint: ALICE_1, name: 'Alice', color: '#000001' }),
    ]);
    const alice = app.members.membersOf(room).find((m) => m.fingerprint === ALICE_1);
    expect(alice?.color).toBe(colorForFingerprint(ALICE_1));
    expect(alice?.color).not.toBe('#000001');
  });

  it('returns the same members and labels while they stay the same', async () => {
    const { app, room } = await appWithMembers([makeMember({ fingerprint: BOB, name: 'Bob' })]);
    const members = app.members.membersOf(room);
    const labels = app.members.labelsOf(room);
    // The record changes (as with every message); the members do not.
    const record = app.conversations.conversation(room)!;
    expect((await app.kernel.store!.putConversation({ ...record, lastActivityAt: 5 })).ok).toBe(
      true,
    );
    await vi.waitFor(() => expect(app.conversations.conversation(room)?.lastActivityAt).toBe(5));
    expect(app.members.membersOf(room)).toBe(members);
    expect(app.members.labelsOf(room)).toBe(labels);
    // A rename is news.
    expect(
      (await app.kernel.store!.upsertMember(room, makeMember({ fingerprint: BOB, name: 'Robert' })))
        .ok,
    ).toBe(true);
    await vi.waitFor(() => expect(app.members.labelsOf(room).get(BOB)).toBe('Robert'));
    expect(app.members.membersOf(room)).not.toBe(members);
  });
});
