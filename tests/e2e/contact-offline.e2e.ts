// Issue 4: a message to a contact who is offline waits, is delivered when they are back, and
// their unread count (list, title) is right and clears once they read it. Also: a new name
// reaches a contact who was offline when it changed.
import type { Page } from '@playwright/test';
import {
  conversations,
  expect,
  expectMessagesInOrder,
  meetInRoom,
  memberList,
  messageFrom,
  sendMessage,
  test,
} from './fixtures.js';

const contactsNav = (page: Page) => page.getByRole('navigation', { name: 'Contacts' });

test('Alice writes to her offline contact Bob; he gets it when back, and reading clears the count', async ({
  openUser,
}) => {
  const alice = await openUser('alice');
  const bob = await openUser('bob');

  await test.step('Alice and Bob meet in a room and become contacts', async () => {
    await meetInRoom(alice.page, bob.page);
    await memberList(alice.page).getByRole('button', { name: 'Add contact: Bob' }).click();
    const request = bob.page.getByRole('dialog', { name: 'Contact request from Alice' });
    await request.getByRole('button', { name: 'Accept' }).click();
    await expect(contactsNav(alice.page).getByRole('link', { name: 'Bob' })).toBeVisible();
  });

  await test.step('Bob closes the app: Alice sees when she last saw him', async () => {
    await bob.page.close();
    await expect(contactsNav(alice.page).getByText(/^last seen \d/)).toBeVisible();
  });

  const outbox = [1, 2, 3].map((n) => ({ author: 'Alice', text: `For when you are back, ${n}` }));

  await test.step('Alice writes three messages in their direct chat: none is delivered', async () => {
    await contactsNav(alice.page).getByRole('link', { name: 'Bob' }).click();
    await expect(alice.page.getByRole('heading', { name: 'Bob' })).toBeVisible();
    for (const { text } of outbox) {
      await sendMessage(alice.page, text);
      await expect(messageFrom(alice.page, 'Alice', text)).toContainText(/Sent|Pending/);
    }
    await expect(messageFrom(alice.page, 'Alice', outbox[0]!.text)).not.toContainText('Delivered');
  });

  await test.step('Alice renames herself while Bob is away', async () => {
    await alice.page.getByRole('button', { name: 'Edit profile' }).click();
    const dialog = alice.page.getByRole('dialog', { name: 'Your profile' });
    await dialog.getByRole('textbox', { name: 'Display name' }).fill('Alicia');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect(dialog).toBeHidden();
    await expect(alice.page.getByText('You: Alicia')).toBeVisible();
  });

  const bobPage = await bob.context.newPage();

  await test.step('Bob opens the app: delivered, 3 unread in the list and the title', async () => {
    await bobPage.goto('/');
    for (const { text } of outbox) {
      await expect(messageFrom(alice.page, 'Alicia', text)).toContainText('Delivered');
    }
    // The direct chat and the contact carry Alice's new name.
    await expect(
      conversations(bobPage).getByRole('link', { name: 'Alicia, 3 unread', exact: true }),
    ).toBeVisible();
    await expect(bobPage).toHaveTitle('(3) Parley');
    await expect(contactsNav(bobPage).getByRole('link', { name: 'Alicia' })).toBeVisible();
  });

  await test.step('Bob reads them: in order, the count clears, and Alice sees Read', async () => {
    await conversations(bobPage).getByRole('link', { name: 'Alicia, 3 unread' }).click();
    await expectMessagesInOrder(
      bobPage,
      outbox.map(({ text }) => ({ author: 'Alicia', text })),
    );
    await expect(bobPage).toHaveTitle('Parley');
    await expect(
      conversations(bobPage).getByRole('link', { name: 'Alicia', exact: true }),
    ).toBeVisible();
    for (const { text } of outbox) {
      await expect(messageFrom(alice.page, 'Alicia', text)).toContainText('Read');
    }
  });
});
