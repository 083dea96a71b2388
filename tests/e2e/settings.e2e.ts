import { connectionStatus, conversations, createRoom, expect, onboard, test } from './fixtures.js';

test('settings are checked, saved, and still there after a reload; "Delete all data" starts over', async ({
  openUser,
  baseURL,
}) => {
  const { page, context } = await openUser('alice');
  const settings = page.getByRole('region', { name: 'Settings' });
  const server1 = settings.getByRole('group', { name: 'Server 1' });
  const signalBox = settings.getByRole('textbox', { name: 'Signal server' });
  const save = settings.getByRole('button', { name: 'Save' });

  await test.step('Alice opens Settings from the navigation', async () => {
    await onboard(page, 'Alice');
    await createRoom(page);
    await page.getByRole('link', { name: 'Settings' }).click();
    await expect(page).toHaveURL(/#\/settings$/);
    await expect(settings.getByRole('heading', { name: 'Settings' })).toBeVisible();
  });

  await test.step('she picks the dark theme', async () => {
    await settings.getByRole('radio', { name: 'Dark' }).check();
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  });

  await test.step('a TURN server without credentials and a signal server with a path are refused, saying why', async () => {
    await settings.getByRole('button', { name: 'Add server' }).click();
    await server1.getByRole('textbox', { name: 'Server URL' }).fill('turn:turn.example.org:3478');
    await signalBox.fill('https://example.org/peerjs');
    await save.click();
    await expect(
      settings.getByRole('alert').filter({ hasText: 'needs a user name' }),
    ).toBeVisible();
    await expect(settings.getByRole('alert').filter({ hasText: 'without a path' })).toBeVisible();
    await expect(settings.getByRole('status').filter({ hasText: 'Saved.' })).toBeHidden();
  });

  await test.step('with credentials and a plain origin, they are saved', async () => {
    await server1.getByRole('textbox', { name: 'User name' }).fill('alice');
    await server1.getByLabel('Credential').fill('s3cret');
    await signalBox.fill(`${baseURL}/`);
    await save.click();
    await expect(settings.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
    await expect(settings.getByRole('region', { name: 'Network' }).getByRole('alert')).toHaveCount(
      0,
    );
  });

  await test.step('she switches notifications on (the browser asks from her click)', async () => {
    await context.grantPermissions(['notifications']);
    const toggle = settings.getByRole('checkbox', { name: /Notify me about new messages/ });
    await toggle.check();
    await expect(toggle).toBeChecked();
  });

  await test.step('after a reload everything is as she left it, and Parley connects with it', async () => {
    await page.reload();
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    await expect(settings.getByRole('radio', { name: 'Dark' })).toBeChecked();
    await expect(server1.getByRole('textbox', { name: 'Server URL' })).toHaveValue(
      'turn:turn.example.org:3478',
    );
    await expect(server1.getByRole('textbox', { name: 'User name' })).toHaveValue('alice');
    await expect(signalBox).toHaveValue(new URL(baseURL ?? '').origin);
    await expect(
      settings.getByRole('checkbox', { name: /Notify me about new messages/ }),
    ).toBeChecked();
    await expect(connectionStatus(page)).toHaveText('Online');
  });

  await test.step('storage shows usage and quota', async () => {
    await expect(settings.getByText(/used of .* available to this site/)).toBeVisible();
  });

  await test.step('"Delete all data" asks first, then wipes everything and starts at onboarding', async () => {
    await settings.getByRole('button', { name: 'Delete all data' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete all data?' });
    await dialog.getByRole('button', { name: 'Delete everything' }).click();
    await expect(page.getByRole('textbox', { name: 'Display name' })).toBeVisible();
    await expect(page.locator('html')).not.toHaveAttribute('data-theme', 'dark');
    await onboard(page, 'Alice again');
    await expect(conversations(page).getByRole('link')).toHaveCount(0);
  });
});

test('text shared from another app goes to the chosen conversation’s composer', async ({
  openUser,
}) => {
  const { page } = await openUser('alice');
  await onboard(page, 'Alice');
  const link = await createRoom(page);

  await page.goto(
    '/?share-title=Article&share-text=Worth+reading&share-url=https%3A%2F%2Fexample.org%2Fa',
  );
  const picker = page.getByRole('region', { name: 'Share to…' });
  await expect(picker).toContainText('Worth reading');
  await expect(page).toHaveURL(/\/#\/share$/);
  await picker.getByRole('listitem').getByRole('button').click();
  await expect(page).toHaveURL(link);
  await expect(page.getByRole('textbox', { name: 'Message' })).toHaveValue(
    'Worth reading\nhttps://example.org/a',
  );
});
