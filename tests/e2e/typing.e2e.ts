import {
  composer,
  createRoom,
  expect,
  expectMember,
  expectMessage,
  joinRoom,
  onboard,
  test,
} from './fixtures.js';

test('a member sees who is typing, until the message arrives', async ({ openUser }) => {
  const alice = await openUser('alice');
  const bob = await openUser('bob');

  await test.step('Alice and Bob are online in one room', async () => {
    await onboard(alice.page, 'Alice');
    const link = await createRoom(alice.page);
    await joinRoom(bob.page, link, 'Bob');
    await expectMember(alice.page, 'Bob', 'online');
    await expectMember(bob.page, 'Alice', 'online');
  });

  const bobSeesTyping = bob.page.getByRole('status').filter({ hasText: /typing/ });

  await test.step('Alice types; Bob sees it', async () => {
    await composer(alice.page).pressSequentially('Hel');
    await expect(bobSeesTyping).toHaveText('Alice is typing…');
  });

  await test.step('Alice sends; Bob gets the message and the indicator empties', async () => {
    await composer(alice.page).pressSequentially('lo Bob');
    await composer(alice.page).press('Enter');
    await expect(composer(alice.page)).toHaveValue('');
    await expectMessage(bob.page, 'Alice', 'Hello Bob');
    // The message clears it, not the 6 s expiry: it goes as the message shows.
    await expect(bobSeesTyping).toHaveCount(0, { timeout: 1_000 });
  });
});
