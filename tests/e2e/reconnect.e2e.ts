import {
  connectionStatus,
  createRoom,
  expect,
  expectMember,
  expectMessage,
  joinRoom,
  onboard,
  sendMessage,
  test,
} from './fixtures.js';

test('chats keep working while the signal server is down, and rooms are re-joined when it is back', async ({
  openUser,
  signalServer,
}) => {
  const alice = await openUser('alice');
  const bob = await openUser('bob');
  const carol = await openUser('carol');

  await onboard(alice.page, 'Alice');
  const link = await createRoom(alice.page);
  await joinRoom(bob.page, link, 'Bob');
  await expectMember(alice.page, 'Bob', 'online');
  await expectMember(bob.page, 'Alice', 'online');

  await test.step('the server crashes: both see it, and their chat still flows directly', async () => {
    await signalServer.stop('SIGKILL');
    // "Offline — …" where the browser believes it has no network at all, as it does in the
    // loopback-only namespace the suite runs in; "Reconnecting…" on a real network.
    await expect(connectionStatus(alice.page)).toHaveText(/Reconnecting…|Offline/);
    await expect(connectionStatus(bob.page)).toHaveText(/Reconnecting…|Offline/);
    await sendMessage(alice.page, 'Still here without the server?');
    await expectMessage(bob.page, 'Alice', 'Still here without the server?');
    await sendMessage(bob.page, 'Yes, straight from my browser');
    await expectMessage(alice.page, 'Bob', 'Yes, straight from my browser');
  });

  await test.step('the server comes back: both reconnect on their own', async () => {
    await signalServer.start();
    // Backoff is at most 30 s; the first retries come within a few seconds.
    await expect(connectionStatus(alice.page)).toHaveText('Online', { timeout: 35_000 });
    await expect(connectionStatus(bob.page)).toHaveText('Online', { timeout: 35_000 });
  });

  await test.step('a newcomer finds both, so both re-joined the room', async () => {
    await joinRoom(carol.page, link, 'Carol');
    await expectMember(carol.page, 'Alice', 'online');
    await expectMember(carol.page, 'Bob', 'online');
    await expectMessage(carol.page, 'Bob', 'Yes, straight from my browser');
  });
});

test('a broken room link says so and offers the way back', async ({ openUser }) => {
  const dan = await openUser('dan');
  await onboard(dan.page, 'Dan');
  await dan.page.goto('/#/r/not-a-real-secret');
  await expect(dan.page.getByRole('alert')).toContainText('This room link is not valid');
  await dan.page.getByRole('link', { name: 'Back to conversations' }).click();
  await expect(dan.page.getByRole('button', { name: 'New room' })).toBeVisible();
  await expect(dan.page.getByRole('navigation', { name: 'Conversations' })).toContainText(
    'No conversations yet',
  );
});
