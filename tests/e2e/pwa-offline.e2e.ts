import {
  composer,
  connectionStatus,
  conversations,
  expect,
  expectMessage,
  meetInRoom,
  messageFrom,
  sendMessage,
  test,
  waitForServiceWorker,
} from './fixtures.js';

test('offline, the app loads from the service worker with its history and sends what was written once back online', async ({
  openUser,
}) => {
  const alice = await openUser('alice');
  const bob = await openUser('bob');

  await test.step('Alice and Bob talk in a room', async () => {
    await meetInRoom(alice.page, bob.page);
    await sendMessage(bob.page, 'Safe flight!');
    await expectMessage(alice.page, 'Bob', 'Safe flight!');
    await sendMessage(alice.page, 'Boarding now');
    await expectMessage(bob.page, 'Alice', 'Boarding now');
  });

  await test.step('Alice’s service worker has the app cached', async () => {
    await waitForServiceWorker(alice.page);
  });

  await test.step('offline, Alice reloads: the app, the conversation and its history are there, and it says it is offline', async () => {
    await alice.context.setOffline(true);
    await alice.page.reload();
    await expect(conversations(alice.page).getByRole('link')).toHaveCount(1);
    await expectMessage(alice.page, 'Bob', 'Safe flight!');
    await expectMessage(alice.page, 'Alice', 'Boarding now');
    await expect(connectionStatus(alice.page)).toHaveText(/Offline/);
    await expect(
      alice.page.getByRole('status').filter({ hasText: 'You are offline' }),
    ).toBeVisible();
  });

  await test.step('Alice writes while offline: the message waits', async () => {
    await sendMessage(alice.page, 'Written at 10,000 metres');
    const message = messageFrom(alice.page, 'Alice', 'Written at 10,000 metres');
    await expect(message).toContainText(/Pending|Sent/);
    await expect(message).not.toContainText('Delivered');
  });

  await test.step('back online, it reaches Bob and turns Delivered', async () => {
    await alice.context.setOffline(false);
    // Inside the test's loopback-only namespace the browser never fires `online`, so the app
    // finds the network on its next signal reconnect attempt, within its 30 s backoff cap.
    await expect(connectionStatus(alice.page)).toHaveText('Online', { timeout: 35_000 });
    await expect(
      alice.page.getByRole('status').filter({ hasText: 'You are offline' }),
    ).toBeHidden();
    await expectMessage(bob.page, 'Alice', 'Written at 10,000 metres');
    await expect(messageFrom(alice.page, 'Alice', 'Written at 10,000 metres')).toContainText(
      /Delivered|Read/,
    );
    await expect(composer(alice.page)).toBeEditable();
  });
});
