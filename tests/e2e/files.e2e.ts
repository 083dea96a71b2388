import type { Page } from '@playwright/test';
import { expect, meetInRoom, messageLog, test } from './fixtures.js';
import {
  attachFiles,
  fileMessage,
  makePng,
  makeRandomFile,
  progressValue,
  saveThrough,
  sha256OfFile,
  shownPixelsSha256,
  transferOf,
} from './file-helpers.js';

/** Records, in the page, every `src` an image named `name` shows, in order. */
async function watchImageSources(page: Page, name: string): Promise<void> {
  await page.evaluate((alt) => {
    const seen: string[] = [];
    (window as unknown as { imageSources: string[] }).imageSources = seen;
    const note = (node: Node): void => {
      if (!(node instanceof Element)) return;
      const images = node.matches('img') ? [node] : [...node.querySelectorAll('img')];
      for (const image of images) {
        const src = image.getAttribute('src') ?? '';
        if (image.getAttribute('alt') === alt && seen.at(-1) !== src) seen.push(src);
      }
    };
    new MutationObserver((records) => {
      for (const record of records) {
        if (record.type === 'attributes') note(record.target);
        for (const node of record.addedNodes) note(node);
      }
    }).observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ['src'],
    });
  }, name);
}

const imageSources = (page: Page): Promise<string[]> =>
  page.evaluate(() => (window as unknown as { imageSources: string[] }).imageSources);

test('images show inline at the other member, preview first, and open in the viewer', async ({
  openUser,
}) => {
  const alice = await openUser('alice');
  const bob = await openUser('bob');
  await meetInRoom(alice.page, bob.page);
  const small = makePng('tiny-dot.png', 40, 30);
  const large = makePng('harbour-at-dusk.png', 820, 820);
  expect(small.buffer.length).toBeLessThan(8_000);
  expect(large.buffer.length).toBeGreaterThan(2_000_000);

  for (const [image, width, height] of [
    [small, 40, 30],
    [large, 820, 820],
  ] as const) {
    await test.step(`Alice attaches ${image.name} (${image.buffer.length} B); Bob sees it inline`, async () => {
      await watchImageSources(bob.page, image.name);
      await attachFiles(alice.page, image);
      const shown = messageLog(bob.page).getByRole('img', { name: image.name });
      await expect(shown).toBeVisible();
      // The full picture replaces the preview once its bytes are here.
      await expect(shown).toHaveAttribute('src', /^blob:/, { timeout: 30_000 });
      await expect
        .poll(() => shown.evaluate((img) => (img as HTMLImageElement).naturalWidth))
        .toBe(width);
      expect(await shown.evaluate((img) => (img as HTMLImageElement).naturalHeight)).toBe(height);
      const sources = await imageSources(bob.page);
      expect(sources[0], 'the preview from the message comes first').toMatch(
        /^data:image\/(webp|jpeg);base64,/,
      );
      expect(sources.at(-1)).toMatch(/^blob:/);
      await expect(messageLog(alice.page).getByRole('img', { name: image.name })).toBeVisible();
    });
  }

  await test.step('Bob opens the large image in the viewer and closes it', async () => {
    await messageLog(bob.page)
      .getByRole('button', { name: `Open image ${large.name}` })
      .click();
    const viewer = bob.page.getByRole('dialog', { name: large.name });
    await expect(viewer).toBeVisible();
    const full = viewer.getByRole('img', { name: large.name });
    await expect(full).toHaveAttribute('src', /^blob:/);
    await expect
      .poll(() => full.evaluate((img) => (img as HTMLImageElement).naturalWidth))
      .toBe(820);
    await bob.page.keyboard.press('Escape');
    await expect(viewer).toBeHidden();
  });

  await test.step('the picture Bob shows is the one Alice sent, pixel for pixel', async () => {
    for (const image of [small, large]) {
      const shown = messageLog(bob.page).getByRole('img', { name: image.name });
      expect(await shownPixelsSha256(shown)).toBe(image.pixelsSha256);
    }
  });
});

test('a 50 MiB file arrives byte-exact through Download', async ({ openUser }, testInfo) => {
  test.setTimeout(240_000);
  const alice = await openUser('alice');
  const bob = await openUser('bob');
  await meetInRoom(alice.page, bob.page);
  const name = 'archive-50mib.bin';
  const path = testInfo.outputPath(name);
  const hash = await makeRandomFile(path, 50 * 1024 * 1024);

  await test.step('Alice attaches it; Bob is offered Download (above the auto-download size)', async () => {
    await attachFiles(alice.page, path);
    await expect(fileMessage(alice.page, 'Alice', name)).toBeVisible({ timeout: 60_000 });
    const message = fileMessage(bob.page, 'Alice', name);
    await expect(message).toContainText('52 MB');
    await expect(message.getByRole('button', { name: 'Download' })).toBeEnabled();
    await expect(transferOf(bob.page, name)).toBeHidden();
  });

  await test.step('Bob downloads it: progress shows, and the saved file is byte-exact', async () => {
    const started = Date.now();
    const download = bob.page.waitForEvent('download', { timeout: 150_000 });
    await fileMessage(bob.page, 'Alice', name).getByRole('button', { name: 'Download' }).click();
    await expect(transferOf(bob.page, name)).toBeVisible();
    const saved = await download;
    testInfo.annotations.push({
      type: 'timing',
      description: `50 MiB from Alice to Bob in ${Date.now() - started} ms`,
    });
    expect(saved.suggestedFilename()).toBe(name);
    expect(await sha256OfFile(await saved.path())).toBe(hash);
    await expect(transferOf(bob.page, name)).toBeHidden();
  });
});

test('a download interrupted by a reload resumes from what was stored', async ({
  openUser,
}, testInfo) => {
  test.setTimeout(240_000);
  const alice = await openUser('alice');
  const bob = await openUser('bob');
  await meetInRoom(alice.page, bob.page);
  const name = 'footage-48mib.bin';
  const path = testInfo.outputPath(name);
  const hash = await makeRandomFile(path, 48 * 1024 * 1024);
  const bar = transferOf(bob.page, name);

  await test.step('Alice attaches it; Bob starts the download', async () => {
    await attachFiles(alice.page, path);
    await fileMessage(bob.page, 'Alice', name).getByRole('button', { name: 'Download' }).click();
  });

  const before = await test.step('Bob reloads mid-transfer', async () => {
    await expect.poll(() => progressValue(bar), { intervals: [50] }).toBeGreaterThan(0);
    const before = await progressValue(bar);
    expect(before, 'still under way when Bob reloads').toBeLessThan(100);
    await bob.page.reload();
    return before;
  });

  await test.step('after the reload it goes on from there, not from 0, and completes', async () => {
    await expect(bar).toBeVisible();
    const first = await progressValue(bar);
    expect(first, 'the first progress after the reload').toBeGreaterThanOrEqual(before);
    expect(first).toBeGreaterThan(0);
    await expect(bar).toBeHidden({ timeout: 120_000 });
    const saved = await saveThrough(
      bob.page,
      fileMessage(bob.page, 'Alice', name).getByRole('button', { name: 'Download' }),
    );
    expect(saved.hash).toBe(hash);
  });
});
