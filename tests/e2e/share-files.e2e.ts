import type { Locator, Page } from '@playwright/test';
import {
  composer,
  createRoom,
  expect,
  messageFrom,
  onboard,
  test,
  waitForServiceWorker,
} from './fixtures.js';

/** A file as another app hands it over. */
interface SharedFile {
  name: string;
  mimeType: string;
  buffer: Buffer;
}

/** The cache public/sw-share.js keeps shared files in until a conversation is picked. */
const SHARED_FILES_CACHE = 'parley-shared-files';

const makeFile = (name: string, mimeType: string, text: string): SharedFile => ({
  name,
  mimeType,
  buffer: Buffer.from(text),
});

/**
 * Shares as the operating system does for an installed PWA (manifest `share_target`): a
 * multipart POST navigation to /share-target, which the page's service worker answers.
 */
async function shareFromAnotherApp(
  page: Page,
  share: { text?: string; files: SharedFile[] },
): Promise<void> {
  await page.evaluate((text) => {
    const form = document.createElement('form');
    form.method = 'post';
    form.enctype = 'multipart/form-data';
    form.action = '/share-target';
    form.setAttribute('aria-label', 'Another app’s share');
    const files = document.createElement('input');
    files.type = 'file';
    files.name = 'files';
    files.multiple = true;
    files.setAttribute('aria-label', 'Shared files');
    form.append(files);
    if (text) {
      const field = document.createElement('input');
      field.type = 'hidden';
      field.name = 'share-text';
      field.value = text;
      form.append(field);
    }
    document.body.append(form);
  }, share.text);
  await page.getByLabel('Shared files').setInputFiles(share.files);
  await page
    .getByRole('form', { name: 'Another app’s share' })
    .evaluate((form: HTMLFormElement) => form.requestSubmit());
  await expect(page).toHaveURL(/\/#\/share$/);
}

const sharePicker = (page: Page): Locator => page.getByRole('region', { name: 'Share to…' });

/** How many entries the shared-files cache holds. */
const heldSharedFiles = (page: Page): Promise<number> =>
  page.evaluate(
    async (name) => (await (await caches.open(name)).keys()).length,
    SHARED_FILES_CACHE,
  );

test('files shared from another app are attached to the chosen conversation', async ({
  openUser,
}) => {
  const { page } = await openUser('alice');
  await onboard(page, 'Alice');
  const link = await createRoom(page);
  await waitForServiceWorker(page);

  await test.step('the manifest posts shared files to /share-target', async () => {
    const manifest = (await (await page.request.get('/manifest.webmanifest')).json()) as {
      share_target: unknown;
    };
    expect(manifest.share_target).toEqual({
      action: '/share-target',
      method: 'POST',
      enctype: 'multipart/form-data',
      params: {
        title: 'share-title',
        text: 'share-text',
        url: 'share-url',
        files: [{ name: 'files', accept: ['*/*'] }],
      },
    });
  });

  await test.step('another app shares two files and a line of text: "Share to…" lists them', async () => {
    await shareFromAnotherApp(page, {
      text: 'For the trip',
      files: [
        makeFile('boarding pass.pdf', 'application/pdf', '%PDF-1.4 boarding pass'),
        makeFile('route.txt', 'text/plain', 'Gate 12, then left'),
      ],
    });
    const picker = sharePicker(page);
    await expect(picker).toContainText('2 files: boarding pass.pdf, route.txt');
    await expect(picker).toContainText('For the trip');
  });

  await test.step('choosing the room sends the files there and puts the text in its composer', async () => {
    await sharePicker(page).getByRole('listitem').getByRole('button').click();
    await expect(page).toHaveURL(link);
    await expect(composer(page)).toHaveValue('For the trip');
    await expect(messageFrom(page, 'Alice', 'boarding pass.pdf')).toBeVisible();
    await expect(messageFrom(page, 'Alice', 'route.txt')).toBeVisible();
  });

  await test.step('the service worker’s copies are gone once attached', async () => {
    await expect.poll(() => heldSharedFiles(page)).toBe(0);
  });
});

test('"Share to…" says when shared files did not come along', async ({ openUser }) => {
  const { page } = await openUser('alice');
  await onboard(page, 'Alice');
  await createRoom(page);
  await waitForServiceWorker(page);

  await test.step('a share of more than 32 files is refused, and its text still goes', async () => {
    await shareFromAnotherApp(page, {
      text: 'The whole album',
      files: Array.from({ length: 33 }, (_, i) =>
        makeFile(`photo-${i}.txt`, 'text/plain', `photo ${i}`),
      ),
    });
    const picker = sharePicker(page);
    await expect(picker.getByRole('alert')).toHaveText(
      'Only 32 files can be shared at once, so none of these were kept. Share fewer at a time.',
    );
    await expect(picker).toContainText('The whole album');
    await expect(picker.getByRole('listitem').getByRole('button')).toBeEnabled();
    expect(await heldSharedFiles(page)).toBe(0);
    await picker.getByRole('button', { name: 'Cancel' }).click();
    await expect(sharePicker(page)).toBeHidden();
  });

  await test.step('after a reload "Share to…" still holds the share, or says its files are gone', async () => {
    await shareFromAnotherApp(page, {
      files: [makeFile('notes.txt', 'text/plain', 'remember the milk')],
    });
    await expect(sharePicker(page)).toContainText('1 file: notes.txt');
    await page.reload();
    await expect(sharePicker(page)).toContainText('1 file: notes.txt');

    await page.evaluate((name) => caches.delete(name), SHARED_FILES_CACHE);
    await page.reload();
    await expect(sharePicker(page).getByRole('alert')).toContainText(
      'The shared files are no longer here',
    );
    await expect(sharePicker(page).getByRole('listitem')).toHaveCount(0);
  });
});
