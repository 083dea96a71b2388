import {
  createRoom,
  expect,
  expectMember,
  expectMessage,
  joinRoom,
  messageFrom,
  messageLog,
  onboard,
  sendMessage,
  test,
  type User,
} from './fixtures.js';

const PAYLOADS = [
  '<img src=x onerror=alert(1)>',
  '<script>window.__pwned=1</script>',
  'javascript:alert(document.domain)',
] as const;

test('markup sent by a peer is shown as literal text and never runs', async ({ openUser }) => {
  const alice = await openUser('alice');
  const bob = await openUser('bob');
  const dialogs: string[] = [];
  for (const { name, page } of [alice, bob]) {
    page.on('dialog', (dialog) => {
      dialogs.push(`${name}: ${dialog.type()} "${dialog.message()}"`);
      dialog.dismiss().catch(() => undefined);
    });
  }

  await onboard(alice.page, 'Alice');
  const link = await createRoom(alice.page);
  await joinRoom(bob.page, link, 'Bob');
  await expectMember(alice.page, 'Bob', 'online');

  for (const payload of PAYLOADS) await sendMessage(bob.page, payload);
  for (const payload of PAYLOADS) {
    await expect(messageFrom(alice.page, 'Bob', payload)).toContainText(payload);
    await expect(messageFrom(bob.page, 'Bob', payload)).toContainText(payload);
  }

  // A round trip after the payloads gives any injected handler time to have run.
  await sendMessage(alice.page, 'Seen them, all plain text');
  await expectMessage(bob.page, 'Alice', 'Seen them, all plain text');

  expect(dialogs, 'no dialog may open').toEqual([]);
  for (const user of [alice, bob]) await expectNothingInjected(user);
});

async function expectNothingInjected({ name, page }: User): Promise<void> {
  const pwned = await page.evaluate(() => typeof (window as { __pwned?: unknown }).__pwned);
  expect(pwned, `window.__pwned at ${name}`).toBe('undefined');
  const log = messageLog(page);
  await expect(log.locator('img'), `img elements in ${name}'s log`).toHaveCount(0);
  await expect(log.locator('script'), `script elements in ${name}'s log`).toHaveCount(0);
  await expect(log.locator('a[href^="javascript:" i]'), `javascript: links at ${name}`).toHaveCount(
    0,
  );
}
