#!/usr/bin/env node
// Takes the README screenshot: two people chatting in a room, rendered by headless Chromium
// against the real signal server. Usage (root, loopback-only namespace like the e2e suite):
//   npm run build && unshare --net sh -c 'ip link set lo up && exec node scripts/screenshot.mjs'
// Writes docs/screenshot.png (1280×720) and docs/screenshot-phone.png (375×740), copied to
// public/screenshots/ for the web manifest. With `--zh`, only docs/screenshot-zh.png: the same
// kind of scene between two browsers set to Simplified Chinese (README "Languages"). With
// `--catch-up`, only docs/screenshot-catch-up.png: a late joiner of a long room while its history
// arrives (README "What works today").
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  '--allow-loopback-in-peer-connection',
];

const server = spawn(process.execPath, ['dist/server/signal/src/main.js'], {
  cwd: root,
  env: { ...process.env, PORT: '0', HOST: '127.0.0.1', PARLEY_LOG_LEVEL: 'warn' },
  stdio: ['ignore', 'pipe', 'inherit'],
});
let base = '';
for await (const chunk of server.stdout) {
  const match = /listening on (http:\/\/\S+)/.exec(String(chunk));
  if (match) {
    base = match[1];
    break;
  }
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args,
});
const isChineseOnly = process.argv.includes('--zh');
const isCatchUpOnly = process.argv.includes('--catch-up');
try {
  if (isChineseOnly) {
    await chineseScene();
  } else if (isCatchUpOnly) {
    await catchUpScene();
  } else {
    await englishScene();
  }
} finally {
  await browser.close();
  server.kill('SIGTERM');
  await once(server, 'exit');
}

/** A first run in a browser with `locale`, as `name`, until the app is online. */
async function person(name, viewport = { width: 1280, height: 720 }, locale = 'en-US') {
  const isChinese = locale === 'zh-CN';
  const context = await browser.newContext({
    viewport,
    locale,
    permissions: ['camera', 'microphone'],
    colorScheme: 'light',
  });
  const page = await context.newPage();
  await page.goto(base);
  await page.getByRole('textbox', { name: isChinese ? '显示名称' : 'Display name' }).fill(name);
  await page.getByRole('button', { name: isChinese ? '继续' : 'Continue' }).click();
  await page
    .getByRole('status')
    .getByText(isChinese ? '在线' : 'Online')
    .waitFor();
  return page;
}

/** In an English page: a new room with `name` and `topic`; its link. */
async function newRoom(page, name, topic) {
  await page.getByRole('button', { name: 'New room' }).click();
  await page.waitForURL(/#\/r\//);
  const link = page.url();
  await page.getByRole('button', { name: 'Room details' }).click();
  const details = page.getByRole('dialog', { name: 'Room details' });
  await details.getByRole('textbox', { name: 'Room name' }).fill(name);
  await details.getByRole('textbox', { name: 'Topic' }).fill(topic);
  await details.getByRole('button', { name: 'Save' }).click();
  await details.waitFor({ state: 'hidden' });
  return link;
}

/** docs/screenshot-catch-up.png: Carol opens the link of a room with a long history. */
async function catchUpScene() {
  const lines = [
    'Finished chapter {n} last night. The ending surprised me.',
    'Chapter {n}: I did not expect the letter to be from her sister.',
    'Anyone else think the narrator is hiding something in chapter {n}?',
    'Notes for chapter {n} are in the shared doc.',
    'Reading chapter {n} on the train today.',
    'Quote of the week, chapter {n}: "Nothing is ever quite lost."',
  ];
  const texts = Array.from({ length: 12_000 }, (_, i) =>
    (lines[i % lines.length] ?? '').replace('{n}', String(1 + Math.floor(i / lines.length))),
  );
  const alice = await person('Alice Chen');
  const link = await newRoom(alice, 'Book club', 'One chapter a day, spoilers welcome');
  // Typed as fast as the composer takes them (each after the previous one cleared).
  await alice.getByRole('textbox', { name: 'Message' }).evaluate(async (box, all) => {
    const field = /** @type {HTMLTextAreaElement} */ (box);
    for (const text of all) {
      field.value = text;
      field.dispatchEvent(new Event('input', { bubbles: true }));
      field.dispatchEvent(
        new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }),
      );
      while (field.value !== '') await new Promise((resolve) => setTimeout(resolve));
    }
  }, texts);
  await alice
    .getByRole('log', { name: 'Messages' })
    .getByText(texts.at(-1) ?? '')
    .waitFor();
  const carol = await person('Carol Diaz');
  await carol.goto(link);
  // Once the bar is on and what is here shows (the log shows a flood at most once a second).
  await carol.waitForFunction(
    () =>
      document.querySelector('progress[aria-label="Catching up on history"]') &&
      document.querySelector('[role="log"] article'),
    undefined,
    { polling: 'raf', timeout: 60_000 },
  );
  await carol.screenshot({ path: `${root}docs/screenshot-catch-up.png` });
  console.info('wrote docs/screenshot-catch-up.png');
}

/** docs/screenshot-zh.png: two people chatting in a room, both browsers in Simplified Chinese. */
async function chineseScene() {
  const send = async (page, text) => {
    await page.getByRole('textbox', { name: '消息' }).fill(text);
    await page.getByRole('textbox', { name: '消息' }).press('Enter');
  };
  const article = (page, text) =>
    page.getByRole('log', { name: '消息' }).getByRole('article').filter({ hasText: text }).first();
  const alice = await person('陈小红', { width: 1280, height: 720 }, 'zh-CN');
  await alice.getByRole('button', { name: '新建房间' }).click();
  await alice.waitForURL(/#\/r\//);
  const link = alice.url();
  await alice.getByRole('button', { name: '房间详情' }).click();
  const details = alice.getByRole('dialog', { name: '房间详情' });
  await details.getByRole('textbox', { name: '房间名称' }).fill('周末旅行');
  await details.getByRole('textbox', { name: '主题' }).fill('计划、时间和谁带什么');
  await details.getByRole('button', { name: '保存' }).click();
  await details.waitFor({ state: 'hidden' });
  const bob = await person('王小明', { width: 375, height: 740 }, 'zh-CN');
  await bob.goto(link);
  await alice.getByRole('list', { name: '成员', exact: true }).getByText('王小明').waitFor();
  await send(alice, '小明你好！这个房间只有我们两个人，消息不经过任何服务器。');
  await send(bob, '太好了。关掉标签页以后，聊天记录还在吗？');
  await article(alice, '聊天记录还在吗').hover();
  await article(alice, '聊天记录还在吗').getByRole('button', { name: '回复' }).click();
  await send(alice, '在的，所有内容都保存在你的浏览器里（IndexedDB），离线也能看。');
  await article(bob, '小明你好').hover();
  await article(bob, '小明你好').getByRole('button', { name: '回应' }).click();
  await article(bob, '小明你好').getByRole('button', { name: '点赞' }).click();
  await article(alice, '小明你好').getByRole('button', { name: '👍 1' }).waitFor();
  await send(bob, '好的，周六见。');
  await alice.getByRole('log', { name: '消息' }).getByText('好的，周六见。').waitFor();
  await alice.mouse.move(0, 0);
  await alice.getByRole('log', { name: '消息' }).getByText('已读').last().waitFor();
  await alice.screenshot({ path: `${root}docs/screenshot-zh.png` });
  console.info('wrote docs/screenshot-zh.png');
}

/** docs/screenshot.png and docs/screenshot-phone.png (and the manifest's copies). */
async function englishScene() {
  const send = async (page, text) => {
    await page.getByRole('textbox', { name: 'Message' }).fill(text);
    await page.getByRole('textbox', { name: 'Message' }).press('Enter');
  };
  const alice = await person('Alice Chen');
  const link = await newRoom(alice, 'Weekend trip', 'Plans, times and who brings what');
  const bob = await person('Bob Martin', { width: 375, height: 740 });
  await bob.goto(link);
  await alice.getByRole('list', { name: 'Members' }).getByText('Bob Martin').waitFor();
  const article = (page, text) =>
    page
      .getByRole('log', { name: 'Messages' })
      .getByRole('article')
      .filter({ hasText: text })
      .first();
  await send(alice, 'Hi Bob! This room is just us — nothing goes through a server.');
  await send(bob, 'Nice. Does it keep our history if I close the tab?');
  // Alice answers with a reply (a quote of the question).
  await article(alice, 'Does it keep our history').hover();
  await article(alice, 'Does it keep our history').getByRole('button', { name: 'Reply' }).click();
  await send(alice, 'Yes, everything stays in your browser (IndexedDB), even offline.');
  // Bob puts a thumbs up on her first message.
  await article(bob, 'Hi Bob!').hover();
  await article(bob, 'Hi Bob!').getByRole('button', { name: 'React' }).click();
  await article(bob, 'Hi Bob!').getByRole('button', { name: 'thumbs up' }).click();
  await article(alice, 'Hi Bob!').getByRole('button', { name: '👍 1' }).waitFor();
  // And they become contacts.
  await alice.getByRole('button', { name: 'Add contact: Bob Martin' }).click();
  const request = bob.getByRole('dialog', { name: 'Contact request from Alice Chen' });
  await request.getByRole('button', { name: 'Accept' }).click();
  await alice.getByRole('navigation', { name: 'Contacts' }).getByText('Bob Martin').waitFor();
  await send(bob, 'Perfect, talk soon.');
  await alice.getByRole('log', { name: 'Messages' }).getByText('Perfect, talk soon.').waitFor();
  await bob.getByRole('log', { name: 'Messages' }).getByText('Perfect, talk soon.').waitFor();
  await alice.mouse.move(0, 0);
  await alice.getByRole('log', { name: 'Messages' }).getByText('Read').last().waitFor();
  await alice.screenshot({ path: `${root}docs/screenshot.png` });
  await bob.screenshot({ path: `${root}docs/screenshot-phone.png` });
  // The same two are the web manifest's screenshots (richer install dialog; vite.config.ts).
  copyFileSync(`${root}docs/screenshot.png`, `${root}public/screenshots/wide.png`);
  copyFileSync(`${root}docs/screenshot-phone.png`, `${root}public/screenshots/narrow.png`);
  console.info('wrote docs/screenshot.png and docs/screenshot-phone.png (and public/screenshots/)');
}
