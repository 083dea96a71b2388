import {
  meetInRoom,
  expect,
  expectMember,
  expectMessagesInOrder,
  joinRoom,
  messageFrom,
  messageLog,
  sendMessage,
  test,
} from './fixtures.js';

test('messages written while a member is away reach them in order when they are back, then turn Delivered and Read', async ({
  openUser,
}) => {
  const alice = await openUser('alice');
  const bob = await openUser('bob');

  const link = await test.step('Alice and Bob are in a room together', async () => {
    const link = await meetInRoom(alice.page, bob.page);
    return link;
  });

  await test.step('Bob closes the app; Alice sees him go offline', async () => {
    await bob.page.close();
    await expectMember(alice.page, 'Bob', 'offline');
  });

  const outbox = [1, 2, 3, 4, 5].map((n) => ({
    author: 'Alice',
    text: `While you were away, note ${n}`,
  }));

  await test.step('Alice writes five messages: none is delivered yet', async () => {
    for (const { text } of outbox) {
      await sendMessage(alice.page, text);
      const message = messageFrom(alice.page, 'Alice', text);
      await expect(message).toContainText(/Sent|Pending/);
      await expect(message).not.toContainText('Delivered');
    }
  });

  // Same browser context, so Bob comes back with the same IndexedDB (identity and history).
  const bobPage = await bob.context.newPage();

  await test.step('Bob opens the app again: Alice’s five turn Delivered', async () => {
    await bobPage.goto('/');
    for (const { text } of outbox) {
      await expect(messageFrom(alice.page, 'Alice', text)).toContainText('Delivered');
    }
  });

  await test.step('Bob opens the room link and sees exactly those five, in order', async () => {
    await joinRoom(bobPage, link);
    await expectMessagesInOrder(bobPage, outbox);
    await expect(messageLog(bobPage).getByRole('article')).toHaveCount(outbox.length);
  });

  await test.step('with Bob looking at the room, Alice’s five turn Read', async () => {
    await bobPage.bringToFront();
    for (const { text } of outbox) {
      await expect(messageFrom(alice.page, 'Alice', text)).toContainText('Read');
    }
  });
});
