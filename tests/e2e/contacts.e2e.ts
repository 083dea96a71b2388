import {
  meetInRoom,
  expect,
  expectMessage,
  memberList,
  onboard,
  scanQrCode,
  sendMessage,
  test,
} from './fixtures.js';
import type { Page } from '@playwright/test';

const contactsNav = (page: Page) => page.getByRole('navigation', { name: 'Contacts' });

test('two people who met in a room become contacts and chat directly, with no room link', async ({
  openUser,
}) => {
  const alice = await openUser('alice');
  const bob = await openUser('bob');

  await test.step('Alice and Bob meet in a room', async () => {
    await meetInRoom(alice.page, bob.page);
  });

  await test.step('Alice adds Bob; Bob sees the request and accepts', async () => {
    await memberList(alice.page).getByRole('button', { name: 'Add contact: Bob' }).click();
    await expect(memberList(alice.page).getByRole('status')).toHaveText('Request sent');
    const request = bob.page.getByRole('dialog', { name: 'Contact request from Alice' });
    await expect(request).toBeVisible();
    await request.getByRole('button', { name: 'Accept' }).click();
    await expect(request).toBeHidden();
  });

  await test.step('each has the other in Contacts, online, and marked as a contact', async () => {
    await expect(contactsNav(alice.page).getByRole('link', { name: 'Bob' })).toBeVisible();
    await expect(contactsNav(bob.page).getByRole('link', { name: 'Alice' })).toBeVisible();
    await expect(contactsNav(alice.page).getByText('online', { exact: true })).toBeVisible();
    await expect(memberList(alice.page).getByText('Contact', { exact: true })).toBeVisible();
  });

  await test.step('after both reload, the direct chat works from Contacts alone', async () => {
    await Promise.all([alice.page.reload(), bob.page.reload()]);
    await alice.page.evaluate(() => (location.hash = '#/'));
    await contactsNav(alice.page).getByRole('link', { name: 'Bob' }).click();
    await expect(alice.page).toHaveURL(/#\/d\/[A-Z2-7]{52}$/);
    await expect(alice.page.getByRole('heading', { name: 'Bob' })).toBeVisible();
    // A direct chat has no link to share.
    await expect(alice.page.getByRole('button', { name: 'Copy link' })).toHaveCount(0);
    await contactsNav(bob.page).getByRole('link', { name: 'Alice' }).click();
    await expect(contactsNav(alice.page).getByText('online', { exact: true })).toBeVisible();

    await sendMessage(alice.page, 'Just the two of us now');
    await expectMessage(bob.page, 'Alice', 'Just the two of us now');
    await sendMessage(bob.page, 'No link needed');
    await expectMessage(alice.page, 'Bob', 'No link needed');
  });

  await test.step('both see the same safety number; Alice marks Bob verified', async () => {
    const numberOn = async (page: Page, name: string): Promise<string> => {
      await page.getByRole('button', { name: 'Safety number' }).click();
      const dialog = page.getByRole('dialog', { name: `Safety number with ${name}` });
      await expect(dialog).toBeVisible();
      const number = dialog.getByText(/^(\d{5} ){11}\d{5}$/);
      await expect(number).toBeVisible();
      return number.innerText();
    };
    const seenByAlice = await numberOn(alice.page, 'Bob');
    expect(await numberOn(bob.page, 'Alice')).toBe(seenByAlice);
    // Or Bob scans the code on Alice's screen: it holds the same number.
    const aliceQr = alice.page.getByRole('img', { name: 'QR code of your safety number with Bob' });
    expect(await scanQrCode(aliceQr)).toBe(seenByAlice);
    await bob.page.getByRole('button', { name: 'Close' }).click();
    const dialog = alice.page.getByRole('dialog', { name: 'Safety number with Bob' });
    await dialog.getByRole('button', { name: 'Mark as verified' }).click();
    await expect(dialog.getByRole('status')).toHaveText(/Verified/);
    await dialog.getByRole('button', { name: 'Close' }).click();
    await expect(dialog).toBeHidden();
    await expect(alice.page.getByRole('heading', { name: /Bob.*Verified/ })).toBeVisible();
  });

  await test.step('a blocked contact is cut off until unblocked', async () => {
    await alice.page.getByRole('button', { name: 'Block' }).click();
    await expect(contactsNav(alice.page).getByText('Blocked')).toBeVisible();
    // Bob's list says when he last saw her ("last seen 14:05").
    await expect(contactsNav(bob.page).getByText(/^last seen \d/)).toBeVisible();
    await alice.page.getByRole('button', { name: 'Unblock' }).click();
    await expect(contactsNav(bob.page).getByText('online', { exact: true })).toBeVisible();
  });

  await test.step('contacts are searchable', async () => {
    const search = contactsNav(alice.page).getByRole('searchbox', { name: 'Search contacts' });
    await search.fill('bo');
    await expect(contactsNav(alice.page).getByRole('link', { name: 'Bob' })).toBeVisible();
    await search.fill('zed');
    await expect(contactsNav(alice.page).getByRole('link')).toHaveCount(0);
    await expect(contactsNav(alice.page).getByRole('status')).toContainText('zed');
  });
});

test('a one-time contact link makes contacts, waiting for the inviter to come online', async ({
  openUser,
}) => {
  const alice = await openUser('alice');
  const bob = await openUser('bob');
  await onboard(alice.page, 'Alice');
  await onboard(bob.page, 'Bob');

  const link = await test.step('Alice makes an invite link and closes the app', async () => {
    await contactsNav(alice.page).getByRole('button', { name: 'Invite a contact' }).click();
    const dialog = alice.page.getByRole('dialog', { name: 'Invite a contact' });
    const field = dialog.getByRole('textbox', { name: 'Invite link' });
    await expect(field).toHaveValue(/\/#\/i\/[A-Za-z0-9_-]{22}$/);
    // Bob scans the QR code: it holds exactly the link in the field.
    const link = await scanQrCode(dialog.getByRole('img', { name: 'QR code of the invite link' }));
    expect(link).toBe(await field.inputValue());
    await alice.page.close();
    return link ?? '';
  });

  await test.step('Bob opens it and is told he waits for Alice', async () => {
    await bob.page.goto(link);
    await expect(bob.page.getByText('Waiting for the person who invited you')).toBeVisible();
  });

  const alicePage = await test.step('Alice comes back; they become contacts', async () => {
    const page = await alice.context.newPage();
    await page.goto('/');
    await expect(contactsNav(page).getByRole('link', { name: 'Bob' })).toBeVisible();
    await expect(bob.page.getByText('You and Alice are now contacts.')).toBeVisible();
    return page;
  });

  await test.step('their direct chat works', async () => {
    await bob.page.getByRole('link', { name: 'Open the chat with Alice' }).click();
    await sendMessage(bob.page, 'Thanks for the invite');
    await contactsNav(alicePage).getByRole('link', { name: 'Bob' }).click();
    await expectMessage(alicePage, 'Bob', 'Thanks for the invite');
  });
});
