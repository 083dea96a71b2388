// Keyboard only (issue 15): a person who never touches the mouse creates a room, sends, replies,
// reacts, opens and closes a dialog and reaches Settings — and sees where focus is at every step.
// Also: dialogs keep focus inside and give it back; reduced motion turns animations off.
import type { Locator, Page } from '@playwright/test';
import { composer, expect, messageFrom, messageLog, test } from './fixtures.js';

/** Presses past this many stops without reaching the target: the target is not reachable. */
const MAX_TAB_STOPS = 40;

/**
 * What the focused element shows a person: its outline (or, for a link stretched over a row, the
 * outline of its ::after), as "style width color" — null when nothing has focus or nothing shows.
 */
async function focusIndicator(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    const element = document.activeElement;
    if (!(element instanceof HTMLElement) || element === document.body) return null;
    for (const pseudo of [null, '::after']) {
      const style = getComputedStyle(element, pseudo);
      const width = parseFloat(style.outlineWidth);
      if (
        style.outlineStyle !== 'none' &&
        width >= 1 &&
        style.outlineColor !== 'rgba(0, 0, 0, 0)'
      ) {
        return `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}`;
      }
    }
    return null;
  });
}

/** Who has focus, for failure messages: tag, role and name. */
async function focusedDescription(page: Page): Promise<string> {
  return page.evaluate(() => {
    const element = document.activeElement;
    if (!element || element === document.body) return '(nothing: body)';
    const name =
      element.getAttribute('aria-label') ?? element.textContent?.trim().slice(0, 40) ?? '';
    return `<${element.tagName.toLowerCase()} role=${element.getAttribute('role') ?? ''}> ${name}`;
  });
}

/** Fails unless something has focus and a person can see where (an outline of at least 1 px). */
async function expectVisibleFocus(page: Page): Promise<void> {
  const indicator = await focusIndicator(page);
  expect(indicator, `no visible focus on ${await focusedDescription(page)}`).not.toBeNull();
}

/** Presses `key` until `target` has focus, checking that every stop on the way shows focus. */
async function pressUntilFocused(page: Page, target: Locator, key = 'Tab'): Promise<void> {
  for (let stop = 0; stop < MAX_TAB_STOPS; stop += 1) {
    if (await target.evaluate((element) => element === document.activeElement)) {
      await expectVisibleFocus(page);
      return;
    }
    await page.keyboard.press(key);
    await expectVisibleFocus(page);
  }
  throw new Error(`${key} did not reach the target in ${MAX_TAB_STOPS} stops`);
}

test('a keyboard-only journey: create a room, send, reply, react, a dialog, Settings', async ({
  openUser,
}) => {
  const { page } = await openUser('kim');

  await test.step('onboarding: the name field has focus; Enter continues', async () => {
    await page.goto('/');
    const nameBox = page.getByRole('textbox', { name: 'Display name' });
    await expect(nameBox).toBeFocused();
    await expectVisibleFocus(page);
    await page.keyboard.type('Kim');
    await page.keyboard.press('Enter');
    await expect(nameBox).toBeHidden();
  });

  await test.step('Tab reaches New room; Enter creates a room and focus goes to the composer', async () => {
    await pressUntilFocused(page, page.getByRole('button', { name: 'New room' }));
    await page.keyboard.press('Enter');
    await expect(page).toHaveURL(/#\/r\//);
    await expect(composer(page)).toBeFocused();
    await expectVisibleFocus(page);
  });

  await test.step('type and Enter sends', async () => {
    await page.keyboard.type('First by keyboard');
    await page.keyboard.press('Enter');
    await expect(messageFrom(page, 'Kim', 'First by keyboard')).toBeVisible();
    await expect(composer(page)).toHaveValue('');
    await page.keyboard.type('Second by keyboard');
    await page.keyboard.press('Enter');
    await expect(messageFrom(page, 'Kim', 'Second by keyboard')).toBeVisible();
  });

  await test.step('Shift+Tab reaches the newest message; arrows move between messages; Reply', async () => {
    const newest = messageFrom(page, 'Kim', 'Second by keyboard');
    const first = messageFrom(page, 'Kim', 'First by keyboard');
    await pressUntilFocused(page, newest, 'Shift+Tab');
    await page.keyboard.press('ArrowUp');
    await expect(first).toBeFocused();
    await expectVisibleFocus(page);
    await page.keyboard.press('ArrowDown');
    await expect(newest).toBeFocused();
    await page.keyboard.press('ArrowUp');
    await pressUntilFocused(page, first.getByRole('button', { name: 'Reply' }));
    await page.keyboard.press('Enter');
    await expect(composer(page)).toBeFocused();
    await expect(page.getByRole('status').filter({ hasText: 'Replying to' })).toBeVisible();
    await page.keyboard.type('A reply by keyboard');
    await page.keyboard.press('Enter');
    const reply = messageFrom(page, 'Kim', 'A reply by keyboard');
    await expect(reply.getByRole('blockquote')).toContainText('First by keyboard');
  });

  await test.step('React: the quick reactions take focus, Enter picks, focus comes back', async () => {
    const reply = messageFrom(page, 'Kim', 'A reply by keyboard');
    await pressUntilFocused(page, reply, 'Shift+Tab');
    const react = reply.getByRole('button', { name: 'React' });
    await pressUntilFocused(page, react);
    await page.keyboard.press('Enter');
    const picker = reply.getByRole('group', { name: 'React' });
    await expect(picker.getByRole('button').first()).toBeFocused();
    await expectVisibleFocus(page);
    await page.keyboard.press('Enter');
    await expect(reply.getByRole('button', { name: /👍 1/ })).toHaveAttribute(
      'aria-pressed',
      'true',
    );
    await expect(react).toBeFocused();
    await expectVisibleFocus(page);
    await expect(messageLog(page).getByRole('article')).toHaveCount(3);
  });

  await test.step('a dialog: opens with focus inside, keeps it there, Escape gives it back', async () => {
    const details = page.getByRole('button', { name: 'Room details' });
    await pressUntilFocused(page, details, 'Shift+Tab');
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Room details' });
    await expect(dialog.getByRole('textbox', { name: 'Room name' })).toBeFocused();
    const stops = await dialog
      .locator('input, textarea, select, button, a[href], [tabindex]:not([tabindex="-1"])')
      .count();
    // Round the dialog twice each way: focus never leaves it and always shows.
    for (const key of ['Tab', 'Shift+Tab']) {
      for (let press = 0; press < stops * 2; press += 1) {
        await page.keyboard.press(key);
        expect(
          await dialog.evaluate((element) => element.contains(document.activeElement)),
          `${key} #${press + 1} left the dialog for ${await focusedDescription(page)}`,
        ).toBe(true);
        await expectVisibleFocus(page);
      }
    }
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
    await expect(details).toBeFocused();
    await expectVisibleFocus(page);
  });

  await test.step('Settings: reached from the room by Shift+Tab; the theme by arrow keys', async () => {
    await pressUntilFocused(page, page.getByRole('link', { name: 'Settings' }), 'Shift+Tab');
    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { name: 'Settings' })).toBeVisible();
    const dark = page.getByRole('radio', { name: 'Dark' });
    // Tab enters a radio group at its checked radio (System, the default), arrows choose.
    await pressUntilFocused(page, page.getByRole('radio', { name: 'System' }));
    await page.keyboard.press('ArrowLeft');
    await expect(dark).toBeChecked();
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    await expectVisibleFocus(page);
  });
});

test('with reduced motion, nothing animates', async ({ openUser }) => {
  const { page } = await openUser('rue');
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await page.goto('/');
  await page.getByRole('textbox', { name: 'Display name' }).fill('Rue');
  await page.keyboard.press('Enter');
  await page.getByRole('button', { name: 'Edit profile' }).click();
  await expect(page.getByRole('dialog')).toBeVisible();
  const durations = await page.evaluate(() =>
    [...document.querySelectorAll('*')].flatMap((element) => {
      const style = getComputedStyle(element);
      const longest = (list: string): number =>
        Math.max(
          ...list.split(',').map((part) => parseFloat(part) * (part.includes('ms') ? 1 : 1000)),
        );
      const animated = style.animationName !== 'none' ? longest(style.animationDuration) : 0;
      const moved = style.transitionProperty !== 'none' ? longest(style.transitionDuration) : 0;
      return Math.max(animated, moved) > 1 ? [`${element.tagName}.${element.className}`] : [];
    }),
  );
  expect(durations).toEqual([]);
  expect(await page.evaluate(() => document.getAnimations().length)).toBe(0);
});
