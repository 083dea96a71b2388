import type { Page } from '@playwright/test';
import {
  createRoom,
  expect,
  joinRoom,
  memberList,
  messageLog,
  onboard,
  sendMessage,
  test,
} from './fixtures.js';

/** The start of one's own key fingerprint, as one's own row in the Members list shows it. */
async function ownTag(page: Page): Promise<string> {
  const self = memberList(page).getByRole('listitem').filter({ hasText: '(you)' });
  await expect(self).toContainText(/key [A-Z2-7]{6}/);
  const tag = /key ([A-Z2-7]{6})/.exec(await self.innerText())?.[1];
  if (!tag) throw new Error('no key tag in the own member row');
  return tag;
}

test('two members both named "Alice" are told apart in a third member’s view, and a verified one is marked', async ({
  openUser,
}) => {
  const carol = await openUser('carol');
  const first = await openUser('alice-1');
  const second = await openUser('alice-2');

  const link =
    await test.step('Carol makes a room; two people who both call themselves Alice join', async () => {
      await onboard(carol.page, 'Carol');
      const link = await createRoom(carol.page);
      await joinRoom(first.page, link, 'Alice');
      await joinRoom(second.page, link, 'Alice');
      const alices = memberList(carol.page).getByRole('listitem').filter({ hasText: 'Alice' });
      await expect(alices).toHaveCount(2);
      await expect(alices.filter({ hasText: /\bonline\b/ })).toHaveCount(2);
      return link;
    });

  const tags = await test.step('each Alice sees the start of her own key', async () => {
    const tags = [await ownTag(first.page), await ownTag(second.page)] as const;
    expect(tags[0]).not.toBe(tags[1]);
    return tags;
  });
  const [firstName, secondName] = tags.map((tag) => `Alice (${tag})`) as [string, string];

  await test.step('Carol’s Members list names them apart by their keys', async () => {
    const rows = memberList(carol.page).getByRole('listitem');
    await expect(rows.filter({ hasText: firstName })).toHaveCount(1);
    await expect(rows.filter({ hasText: secondName })).toHaveCount(1);
    await expect(
      memberList(carol.page).getByRole('button', { name: `Add contact: ${firstName}` }),
    ).toBeVisible();
  });

  await test.step('their messages carry the names Carol can tell apart', async () => {
    await sendMessage(first.page, 'I am the first Alice');
    await sendMessage(second.page, 'I am the second Alice');
    const articles = messageLog(carol.page).getByRole('article');
    const fromFirst = articles.filter({ hasText: 'I am the first Alice' });
    const fromSecond = articles.filter({ hasText: 'I am the second Alice' });
    await expect(fromFirst).toContainText(firstName);
    await expect(fromSecond).toContainText(secondName);
    await expect(fromFirst).not.toContainText(secondName);
    await expect(fromSecond).not.toContainText(firstName);
  });

  await test.step('Carol makes the first Alice a contact and verifies her: the room marks her verified', async () => {
    await memberList(carol.page)
      .getByRole('button', { name: `Add contact: ${firstName}` })
      .click();
    const request = first.page.getByRole('dialog', { name: 'Contact request from Carol' });
    await request.getByRole('button', { name: 'Accept' }).click();
    await expect(request).toBeHidden();
    const contacts = carol.page.getByRole('navigation', { name: 'Contacts' });
    await contacts.getByRole('link', { name: 'Alice' }).click();
    await carol.page.getByRole('button', { name: 'Safety number' }).click();
    const dialog = carol.page.getByRole('dialog', { name: 'Safety number with Alice' });
    await dialog.getByRole('button', { name: 'Mark as verified' }).click();
    await dialog.getByRole('button', { name: 'Close' }).click();
    await expect(contacts.getByRole('link', { name: /Alice.*Verified contact/ })).toBeVisible();

    await carol.page.goto(link);
    const rows = memberList(carol.page).getByRole('listitem');
    await expect(rows.filter({ hasText: firstName })).toContainText('Verified contact');
    await expect(rows.filter({ hasText: secondName })).not.toContainText('Verified');
    const articles = messageLog(carol.page).getByRole('article');
    await expect(articles.filter({ hasText: 'I am the first Alice' })).toContainText(
      'Verified contact',
    );
    await expect(articles.filter({ hasText: 'I am the second Alice' })).not.toContainText(
      'Verified',
    );
  });
});
