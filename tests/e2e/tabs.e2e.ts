// DESIGN §4: one tab per browser profile talks to peers. A second tab says so and offers
// "Use here"; what it writes still goes out, and what arrives shows in both.
import {
  composer,
  createRoom,
  expect,
  expectMember,
  expectMessage,
  joinRoom,
  meetInRoom,
  sendMessage,
  test,
} from './fixtures.js';

test('a second tab hands its messages to the tab with the network, and can take the network over', async ({
  openUser,
}) => {
  const alice = await openUser('alice');
  const bob = await openUser('bob');
  const link = await meetInRoom(alice.page, bob.page);
  const elsewhere = (page: typeof alice.page) =>
    page.getByRole('status').filter({ hasText: 'Parley is open in another tab' });

  const second =
    await test.step('Alice opens the room in a second tab: it says the first has the network', async () => {
      const page = await alice.context.newPage();
      await joinRoom(page, link);
      await expect(elsewhere(page)).toBeVisible();
      await expect(elsewhere(alice.page)).toHaveCount(0);
      // Calls, too, go through the tab with the network.
      const videoCalls = page.getByRole('button', { name: 'Video call' });
      await expect(videoCalls.first()).toBeDisabled();
      for (const button of await videoCalls.all()) await expect(button).toBeDisabled();
      return page;
    });

  await test.step('what she writes there reaches Bob, and shows in her first tab', async () => {
    await sendMessage(second, 'Written in the second tab');
    await expectMessage(bob.page, 'Alice', 'Written in the second tab');
    await expectMessage(alice.page, 'Alice', 'Written in the second tab');
  });

  await test.step('a room made in the second tab is joined by the first, and works', async () => {
    const newLink = await createRoom(second);
    await joinRoom(bob.page, newLink);
    await expectMember(bob.page, 'Alice', 'online');
    await sendMessage(second, 'A room made in the second tab');
    await expectMessage(bob.page, 'Alice', 'A room made in the second tab');
    await second.goto(link);
    await expect(composer(second)).toBeVisible();
    await joinRoom(bob.page, link);
  });

  await test.step('"Use here" moves the network to the second tab', async () => {
    await elsewhere(second).getByRole('button', { name: 'Use here' }).click();
    await expect(elsewhere(second)).toHaveCount(0);
    await expect(elsewhere(alice.page)).toBeVisible();
    await expect(second.getByRole('button', { name: 'Video call' }).first()).toBeEnabled();
    await expectMember(second, 'Bob', 'online');
    await sendMessage(bob.page, 'Hello to both tabs');
    await expectMessage(second, 'Bob', 'Hello to both tabs');
    await expectMessage(alice.page, 'Bob', 'Hello to both tabs');
  });

  await test.step('closing that tab gives the network back to the first', async () => {
    await second.close();
    await expect(elsewhere(alice.page)).toHaveCount(0);
    await expectMember(alice.page, 'Bob', 'online');
    await sendMessage(alice.page, 'Back to one tab');
    await expectMessage(bob.page, 'Alice', 'Back to one tab');
  });
});
