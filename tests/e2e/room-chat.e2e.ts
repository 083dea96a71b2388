import {
  connectionStatus,
  conversations,
  createRoom,
  expect,
  expectMember,
  expectMessage,
  expectMessagesInOrder,
  joinRoom,
  messageFrom,
  messageLog,
  onboard,
  roomKey,
  roomSecret,
  sendMessage,
  test,
} from './fixtures.js';

test('people in a room chat, keep their history across reloads, and a third joins the mesh', async ({
  openUser,
}) => {
  const alice = await openUser('alice');
  const bob = await openUser('bob');
  const carol = await openUser('carol');

  const link = await test.step('Alice names herself and creates a room', async () => {
    await onboard(alice.page, 'Alice');
    await expect(connectionStatus(alice.page)).toHaveText('Online');
    const link = await createRoom(alice.page);
    // The secret (32 bytes: 16 random, 16 naming the owner), then the owner's fingerprint.
    expect(roomSecret(link)).toHaveLength(43);
    expect(link).toMatch(/#\/r\/[A-Za-z0-9_-]{43}\/[A-Z2-7]{52}$/);
    return link;
  });

  await test.step('Bob opens the link, names himself, and they see each other online', async () => {
    await joinRoom(bob.page, link, 'Bob');
    await expectMember(alice.page, 'Bob', 'online');
    await expectMember(bob.page, 'Alice', 'online');
  });

  const conversation = [
    { author: 'Alice', text: 'Hi Bob, it is Alice here' },
    { author: 'Bob', text: 'Hello Alice, Bob speaking' },
    { author: 'Alice', text: 'Shall we meet at noon?' },
    { author: 'Bob', text: 'Noon works for me' },
  ] as const;
  const pageOf = { Alice: alice.page, Bob: bob.page };
  const otherOf = { Alice: bob.page, Bob: alice.page };

  await test.step('they exchange messages both ways; each turns Read while the other looks', async () => {
    for (const { author, text } of conversation) {
      await sendMessage(pageOf[author], text);
      await expectMessage(pageOf[author], author, text);
      await expectMessage(otherOf[author], author, text);
      await expect(messageFrom(pageOf[author], author, text)).toContainText('Read');
    }
    await expectMessagesInOrder(alice.page, conversation);
    await expectMessagesInOrder(bob.page, conversation);
  });

  await test.step('after both reload, the history is intact and in order', async () => {
    await Promise.all([alice.page.reload(), bob.page.reload()]);
    await expectMessagesInOrder(alice.page, conversation);
    await expectMessagesInOrder(bob.page, conversation);
    await expectMember(alice.page, 'Bob', 'online');
    await expectMember(bob.page, 'Alice', 'online');
  });

  await test.step('Carol joins and they all see each other online', async () => {
    await joinRoom(carol.page, link, 'Carol');
    await expectMember(carol.page, 'Alice', 'online');
    await expectMember(carol.page, 'Bob', 'online');
    await expectMember(alice.page, 'Carol', 'online');
    await expectMember(bob.page, 'Carol', 'online');
  });

  const groupChat = [
    { author: 'Carol', text: 'Carol here, hello both', page: carol.page },
    { author: 'Alice', text: 'Welcome Carol, from Alice', page: alice.page },
    { author: 'Bob', text: 'Welcome Carol, from Bob', page: bob.page },
  ];

  await test.step('all three chat: every message reaches both others', async () => {
    for (const { author, text, page } of groupChat) {
      await sendMessage(page, text);
      for (const reader of [alice.page, bob.page, carol.page]) {
        await expectMessage(reader, author, text);
      }
    }
  });

  await test.step('Alice sees on demand that both others read her message', async () => {
    const message = messageFrom(alice.page, 'Alice', 'Welcome Carol, from Alice');
    await message.getByRole('button', { name: /Delivered|Read/ }).click();
    await expect(message).toContainText('Delivered to 2 of 2');
    await expect(message).toContainText('Read by 2 of 2');
  });

  await test.step('everyone, Carol too, has the whole history in the same order', async () => {
    const all = [...conversation, ...groupChat.map(({ author, text }) => ({ author, text }))];
    for (const reader of [alice.page, bob.page, carol.page]) {
      await expectMessagesInOrder(reader, all);
    }
  });

  await test.step('Bob, away from the room, sees its unread count in the link name', async () => {
    const title = `Room ${roomKey(link).slice(0, 4)}`;
    await bob.page.goto('/#/');
    await sendMessage(alice.page, 'Bob, one more thing');
    const room = conversations(bob.page).getByRole('link', {
      name: `${title}, 1 unread`,
      exact: true,
    });
    await expect(room).toBeVisible();
    await room.click();
    await expectMessage(bob.page, 'Alice', 'Bob, one more thing');
    await expect(
      conversations(bob.page).getByRole('link', { name: title, exact: true }),
    ).toBeVisible();
  });

  await test.step('Conversations lists the room as a link that opens it', async () => {
    const rooms = conversations(carol.page).getByRole('link');
    await expect(rooms).toHaveCount(1);
    await rooms.click();
    await expect(carol.page).toHaveURL(link);
    await expect(messageLog(carol.page)).toContainText(conversation[0].text);
    await expect(conversations(alice.page).getByRole('link')).toHaveCount(1);
  });
});

test('"Copy link" puts the room link on the clipboard', async ({ openUser }) => {
  const alice = await openUser('alice');
  await onboard(alice.page, 'Alice');
  const link = await createRoom(alice.page);

  await alice.page.getByRole('button', { name: 'Copy link' }).click();

  await expect.poll(() => alice.page.evaluate(() => navigator.clipboard.readText())).toBe(link);
});
