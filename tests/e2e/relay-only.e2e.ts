// Relay-only privacy (issue 13): with Settings → "Hide my IP address", every data and media
// connection goes through TURN. A real coturn with the REST secret the signal server hands out
// credentials for; two browsers with the setting on chat and call, and the call says "Relayed".
// Without any TURN server the setting warns that nothing can connect.
import type { Locator, Page } from '@playwright/test';
import {
  createRoom,
  expect,
  expectMember,
  expectMessage,
  joinRoom,
  memberList,
  onboard,
  sendMessage,
  test,
} from './fixtures.js';

const settingsOf = (page: Page): Locator => page.getByRole('region', { name: 'Settings' });
const privacyOf = (page: Page): Locator =>
  settingsOf(page).getByRole('region', { name: 'Privacy' });
const callView = (page: Page): Locator => page.getByRole('region', { name: 'Call' });

/** Opens Settings, turns "Hide my IP address" on, and reloads so the next connection uses it. */
async function hideIpAddress(page: Page): Promise<void> {
  await page.getByRole('link', { name: 'Settings' }).click();
  const privacy = privacyOf(page);
  const toggle = privacy.getByRole('checkbox', { name: 'Hide my IP address' });
  await toggle.check();
  await expect(privacy.getByRole('status')).toContainText('Used the next time Parley connects');
  await expect(toggle).toBeChecked();
  await privacy.getByRole('button', { name: 'Reload now' }).click();
  await expect(page.getByRole('region', { name: 'Settings' })).toBeVisible();
  await expect(privacyOf(page).getByRole('checkbox', { name: 'Hide my IP address' })).toBeChecked();
}

test('with "Hide my IP address", two browsers chat and call through TURN only', async ({
  openUser,
  services,
}) => {
  test.setTimeout(120_000);
  const turn = await services.coturn();
  const node = await services.signalNode({
    PARLEY_TURN_URLS: turn.url,
    PARLEY_TURN_SECRET: turn.secret,
  });
  const alice = await openUser('alice');
  const bob = await openUser('bob');

  await test.step('both turn on "Hide my IP address"; the server offers TURN, so no warning', async () => {
    for (const [user, name] of [
      [alice, 'Alice'],
      [bob, 'Bob'],
    ] as const) {
      await onboard(user.page, name, `${node.baseUrl}/`);
      await hideIpAddress(user.page);
      await expect(privacyOf(user.page).getByRole('alert')).toHaveCount(0);
    }
  });

  await test.step('they meet in a room and chat both ways, over relayed data channels', async () => {
    const link = await createRoom(alice.page);
    await joinRoom(bob.page, link);
    await expectMember(alice.page, 'Bob', 'online');
    await expectMember(bob.page, 'Alice', 'online');
    await sendMessage(alice.page, 'Only the relay knows where I am');
    await expectMessage(bob.page, 'Alice', 'Only the relay knows where I am');
    await sendMessage(bob.page, 'Same here');
    await expectMessage(alice.page, 'Bob', 'Same here');
    // coturn allocated relays for them (relay candidates are all the browsers may use).
    expect(turn.log().some((line) => /ALLOCATE processed, success/.test(line))).toBe(true);
  });

  await test.step('Alice video-calls Bob; the call shows "Relayed" on both sides', async () => {
    await memberList(alice.page).getByRole('button', { name: 'Video call: Bob' }).click();
    const ringing = bob.page.getByRole('dialog', { name: 'Incoming call from Alice' });
    await ringing.getByRole('button', { name: 'Accept' }).click();
    for (const page of [alice.page, bob.page]) {
      await expect(callView(page).getByText(/(Good|Fair|Poor) connection · Relayed/)).toBeVisible({
        timeout: 20_000,
      });
    }
    await callView(alice.page).getByRole('button', { name: 'Hang up' }).click();
    await expect(callView(bob.page)).toBeHidden();
  });
});

test('"Hide my IP address" warns when no TURN server is known', async ({ openUser }) => {
  const { page } = await openUser('carol');
  // The suite's own signal server has no TURN configured.
  await onboard(page, 'Carol');
  await page.getByRole('link', { name: 'Settings' }).click();
  const privacy = privacyOf(page);
  await expect(privacy.getByText(/never see your IP address/)).toBeVisible();
  await expect(privacy.getByRole('alert')).toHaveCount(0);
  await privacy.getByRole('checkbox', { name: 'Hide my IP address' }).check();
  await expect(privacy.getByRole('alert')).toContainText('No TURN server is available');
  await privacy.getByRole('checkbox', { name: 'Hide my IP address' }).uncheck();
  await expect(privacy.getByRole('alert')).toHaveCount(0);
});
