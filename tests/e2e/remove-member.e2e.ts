// Issue 4: the room's owner removes a member. The room moves to a new secret that the others get
// over their authenticated links; the removed person keeps the history but cannot take part,
// and the old link lets no one in.
import {
  composer,
  expect,
  expectMember,
  expectMessage,
  joinRoom,
  meetInRoom,
  memberList,
  onboard,
  roomSecret,
  sendMessage,
  test,
} from './fixtures.js';

test('the owner removes a member: the others move on, the old link admits no one', async ({
  openUser,
}) => {
  const alice = await openUser('alice');
  const bob = await openUser('bob');
  const carol = await openUser('carol');
  const link = await meetInRoom(alice.page, bob.page);
  await joinRoom(carol.page, link, 'Carol');
  await expectMember(alice.page, 'Carol', 'online');
  await expectMember(bob.page, 'Carol', 'online');
  await sendMessage(bob.page, 'Bob was here');
  await expectMessage(carol.page, 'Bob', 'Bob was here');

  await test.step('only the owner is offered "Remove"', async () => {
    await expect(
      memberList(carol.page).getByRole('button', { name: /^Remove .* from the room$/ }),
    ).toHaveCount(0);
  });

  const newLink = await test.step('Alice removes Bob, after confirming', async () => {
    await memberList(alice.page).getByRole('button', { name: 'Remove Bob from the room' }).click();
    const dialog = alice.page.getByRole('dialog', { name: 'Remove Bob?' });
    await dialog.getByRole('button', { name: 'Remove' }).click();
    await expect(dialog).toBeHidden();
    await expect(alice.page).not.toHaveURL(link);
    const url = alice.page.url();
    expect(roomSecret(url)).not.toBe(roomSecret(link));
    return url;
  });

  await test.step('Bob is told and can no longer write there', async () => {
    await expect(bob.page.getByText('You were removed from this room.')).toBeVisible();
    await expect(composer(bob.page)).toBeHidden();
    // The history stays readable for him.
    await expectMessage(bob.page, 'Bob', 'Bob was here');
  });

  await test.step('Carol follows the room to its new link, keeps the history, and talks on', async () => {
    await expect(carol.page.getByText(/This room moved to a new link/)).toBeVisible();
    await carol.page.getByRole('link', { name: 'Go to the room' }).click();
    await expect(carol.page).toHaveURL(newLink);
    await expectMember(carol.page, 'Alice', 'online');
    await expect(memberList(carol.page).getByText('Bob')).toHaveCount(0);
    await sendMessage(carol.page, 'Just the two of us now');
    await expectMessage(alice.page, 'Carol', 'Just the two of us now');
    await carol.page.getByRole('link', { name: /Earlier messages/ }).click();
    await expectMessage(carol.page, 'Bob', 'Bob was here');
  });

  await test.step('the old link lets nobody in: not Bob after a reload, not someone new', async () => {
    await bob.page.goto(link);
    await bob.page.reload();
    await expect(bob.page.getByText('You were removed from this room.')).toBeVisible();
    await expect(composer(bob.page)).toBeHidden();

    const eve = await openUser('eve');
    await onboard(eve.page, 'Eve');
    // Alice's app refuses her link once Eve has proven the old secret.
    const refused = alice.page.waitForEvent('console', (message) =>
      message.text().includes('refused a member this room does not admit'),
    );
    await eve.page.goto(link);
    await expect(composer(eve.page)).toBeVisible();
    await refused;
    // She waits alone: nobody of the room links to her, and Alice's room never lists her.
    await expectMember(eve.page, 'Eve', 'online');
    await expect(memberList(alice.page).getByText('Eve')).toHaveCount(0);
    // (Her app may have seen their names during the handshake; nobody stays linked.)
    await expect(
      memberList(eve.page)
        .getByRole('listitem')
        .filter({ hasText: /\bonline\b/i }),
    ).toHaveCount(1);
  });
});
