import {
  meetInRoom,
  composer,
  expect,
  expectMessage,
  messageFrom,
  sendMessage,
  test,
} from './fixtures.js';

const URL_IN_TEXT = 'https://example.org/a?b=1';
const MIXED = `see ${URL_IN_TEXT}, and javascript:alert(1) and <b>x</b>`;
/** A phone's width: the picker must fit on it. */
const PHONE_VIEWPORT = { width: 375, height: 740 };

test('links in messages open safely, and the emoji picker inserts at the caret', async ({
  openUser,
}) => {
  const alice = await openUser('alice');
  const bob = await openUser('bob');
  await alice.page.setViewportSize(PHONE_VIEWPORT);

  await meetInRoom(alice.page, bob.page);

  await test.step('a URL becomes a link; a javascript: text and markup stay text', async () => {
    await sendMessage(alice.page, MIXED);
    const message = messageFrom(bob.page, 'Alice', 'see https://example.org');
    const anchor = message.getByRole('link', { name: URL_IN_TEXT, exact: true });
    await expect(anchor).toHaveAttribute('href', URL_IN_TEXT);
    await expect(anchor).toHaveAttribute('target', '_blank');
    const rel = (await anchor.getAttribute('rel'))?.split(/\s+/) ?? [];
    expect(rel).toEqual(expect.arrayContaining(['noopener', 'noreferrer']));
    // The only link in the message is the URL; the rest is shown as typed, character for character.
    await expect(message.getByRole('link')).toHaveCount(1);
    await expect(message.locator('a[href^="javascript:" i], b')).toHaveCount(0);
    await expect(message.getByRole('paragraph').first()).toHaveText(MIXED, {
      useInnerText: true,
    });
  });

  const box = composer(alice.page);
  const emojiButton = alice.page.getByRole('button', { name: 'Emoji', exact: true });
  const picker = alice.page.getByRole('dialog', { name: 'Emoji' });

  await test.step('the picker opens on the Emoji button, fits a phone, and Escape closes it', async () => {
    await box.fill('Party!');
    await box.press('ArrowLeft'); // the caret between "Party" and "!"
    await emojiButton.click();
    await expect(picker).toBeVisible();
    const first = picker.getByRole('button', { name: 'grinning face', exact: true });
    await expect(first).toBeFocused();
    await alice.page.keyboard.press('ArrowRight');
    await expect(
      picker.getByRole('button', { name: 'grinning face with smiling eyes', exact: true }),
    ).toBeFocused();

    const bounds = (await picker.boundingBox()) ?? { x: -1, y: -1, width: 0 };
    expect(bounds.x).toBeGreaterThanOrEqual(0);
    expect(bounds.y).toBeGreaterThanOrEqual(0);
    expect(bounds.x + bounds.width).toBeLessThanOrEqual(PHONE_VIEWPORT.width);

    await alice.page.keyboard.press('Escape');
    await expect(picker).toBeHidden();
    await expect(box).toBeFocused();
    await expect(box).toHaveValue('Party!');
  });

  await test.step('choosing an emoji inserts it at the caret and keeps the focus in the composer', async () => {
    await emojiButton.click();
    await picker.getByRole('button', { name: 'party popper', exact: true }).click();
    await expect(picker).toBeHidden();
    await expect(box).toBeFocused();
    await expect(box).toHaveValue('Party🎉!');
    // The caret is after the emoji, so typing goes on from there.
    await alice.page.keyboard.type(' time');
    await expect(box).toHaveValue('Party🎉 time!');
  });

  await test.step('the message with the emoji reaches Bob', async () => {
    await box.press('Enter');
    await expect(box).toHaveValue('');
    await expectMessage(bob.page, 'Alice', 'Party🎉 time!');
  });
});
