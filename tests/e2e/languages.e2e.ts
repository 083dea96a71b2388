// Languages (README "Languages", DESIGN §11): a browser set to Simplified Chinese gets Chinese
// from the very first screen on, peer content stays as its author wrote it, and the Language
// select in Settings switches at once and is remembered across a reload.
import { expect, messageFrom, onboard, test } from './fixtures.js';
import type { Browser, Page } from '@playwright/test';

async function openWithLocale(browser: Browser, locale: string): Promise<Page> {
  // browser.newContext() inside a test gets the config's `use` options; the locale sets
  // navigator.languages and Accept-Language.
  const context = await browser.newContext({ locale });
  return context.newPage();
}

test('a zh-CN browser sees Chinese from onboarding through a room; Settings switches the language at once and keeps it', async ({
  browser,
}) => {
  const zhPage = await openWithLocale(browser, 'zh-CN');
  const enPage = await openWithLocale(browser, 'en-US');
  let link = '';

  await test.step('first run in Chinese: the onboarding screen and <html lang>', async () => {
    await zhPage.goto('/');
    await expect(zhPage.getByRole('heading', { name: '欢迎使用 Parley' })).toBeVisible();
    await expect(zhPage.locator('html')).toHaveAttribute('lang', 'zh-CN');
    // The web manifest it links (for installing) is the Chinese one.
    const manifest = zhPage.locator('link[rel=manifest]');
    await expect(manifest).toHaveAttribute('href', '/manifest.zh-CN.webmanifest');
    const response = await zhPage.request.get('/manifest.zh-CN.webmanifest');
    expect(await response.json()).toMatchObject({
      lang: 'zh-CN',
      name: 'Parley',
      description: '私密的点对点聊天。打开房间链接即可交谈，浏览器直连浏览器。',
      shortcuts: [{ name: '新建房间' }],
    });
    await zhPage.getByRole('textbox', { name: '显示名称' }).fill('小红');
    await zhPage.getByRole('button', { name: '继续' }).click();
  });

  await test.step('the empty list and a new room are in Chinese', async () => {
    await expect(zhPage.getByRole('navigation', { name: '会话' })).toBeVisible();
    await expect(zhPage.getByText('还没有会话。新建房间并分享链接。')).toBeVisible();
    await zhPage.getByRole('button', { name: '新建房间' }).click();
    await expect(zhPage).toHaveURL(/#\/r\//);
    link = zhPage.url();
    await expect(zhPage.getByRole('button', { name: '复制链接' })).toBeVisible();
    await expect(zhPage.getByText('分享房间链接来邀请别人。现在只有你在这里。')).toBeVisible();
  });

  await test.step('an English browser joining the room sees English; what each writes is not translated', async () => {
    await enPage.goto(link);
    await enPage.getByRole('textbox', { name: 'Display name' }).fill('Bob');
    await enPage.getByRole('button', { name: 'Continue' }).click();
    await expect(enPage.locator('html')).toHaveAttribute('lang', 'en');
    const enComposer = enPage.getByRole('textbox', { name: 'Message' });
    await enComposer.fill('Hello from Bob');
    await enComposer.press('Enter');

    const zhComposer = zhPage.getByRole('textbox', { name: '消息' });
    await zhComposer.fill('你好，我是小红');
    await zhComposer.press('Enter');
    const zhLog = zhPage.getByRole('log', { name: '消息' });
    await expect(zhLog.getByRole('article').filter({ hasText: 'Hello from Bob' })).toBeVisible();
    await expect(messageFrom(enPage, '小红', '你好，我是小红')).toBeVisible();
    await expect(
      zhPage.getByRole('list', { name: '成员', exact: true }).getByText('Bob'),
    ).toBeVisible();
  });

  const settings = zhPage.getByRole('region', { name: '设置' });
  await test.step('Settings offers each language named in itself', async () => {
    await zhPage.getByRole('link', { name: '设置' }).click();
    const select = settings.getByRole('combobox', { name: '语言' });
    await expect(select).toHaveValue('zh-CN');
    await expect(select.getByRole('option')).toHaveText(['English', '简体中文']);
  });

  await test.step('choosing English applies at once, without a reload', async () => {
    // A marker on window survives only as long as the page is not reloaded.
    await zhPage.evaluate(() => Object.assign(window, { notReloaded: true }));
    await settings.getByRole('combobox', { name: '语言' }).selectOption('English');
    const english = zhPage.getByRole('region', { name: 'Settings' });
    await expect(english.getByRole('heading', { name: 'Settings' })).toBeVisible();
    await expect(english.getByRole('radio', { name: 'Dark' })).toBeVisible();
    await expect(zhPage.getByRole('navigation', { name: 'Conversations' })).toBeVisible();
    await expect(zhPage.locator('html')).toHaveAttribute('lang', 'en');
    await expect(zhPage.locator('link[rel=manifest]')).toHaveAttribute(
      'href',
      '/manifest.webmanifest',
    );
    expect(await zhPage.evaluate(() => 'notReloaded' in window)).toBe(true);
  });

  await test.step('after a reload the choice holds, though the browser still asks for Chinese', async () => {
    await zhPage.reload();
    await expect(zhPage.locator('html')).toHaveAttribute('lang', 'en');
    const english = zhPage.getByRole('region', { name: 'Settings' });
    await expect(english.getByRole('combobox', { name: 'Language' })).toHaveValue('en');
    await zhPage.goto(link);
    await expect(zhPage.getByRole('textbox', { name: 'Message' })).toBeVisible();
    await expect(
      zhPage
        .getByRole('log', { name: 'Messages' })
        .getByRole('article')
        .filter({ hasText: '你好，我是小红' }),
    ).toBeVisible();
  });
});

test('a language whose strings cannot be loaded says so, and the select stays on the language in use', async ({
  browser,
}) => {
  // No service worker: the strings come from the server, whose answer is cut off below.
  const context = await browser.newContext({ locale: 'en-US', serviceWorkers: 'block' });
  const page = await context.newPage();
  await onboard(page, 'Ann');
  await page.getByRole('link', { name: 'Settings' }).click();
  const select = page.getByRole('combobox', { name: 'Language' });
  await expect(select).toHaveValue('en');

  await context.route(/catalog-zh-CN-/, (route) => route.abort());
  await select.selectOption('简体中文');
  await expect(page.getByText(/Could not save the settings/)).toBeVisible();
  await expect(select).toHaveValue('en');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByRole('heading', { name: 'Settings' })).toBeVisible();
  await context.close();
});
