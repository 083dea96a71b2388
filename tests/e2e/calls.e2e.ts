// Voice and video calls (DESIGN §8), with Chromium's fake camera and microphone: ringing,
// answering, declining, cancelling, a missed call, busy, mute, hang-up and a three-person room
// call, each checked the way a person sees it, plus the call-log line in every history.
import type { Locator, Page } from '@playwright/test';
import {
  expect,
  expectMember,
  joinRoom,
  meetInRoom,
  memberList,
  messageLog,
  test,
  type User,
} from './fixtures.js';

/** The ring-timeout test hook (web/src/lib/config.ts TEST_HOOK_RING_TIMEOUT_KEY). */
const RING_TIMEOUT_HOOK = 'parley:test-hook:ring-timeout-ms';
/** A hang-up or a closed tab must end the call on the other side within this long. */
const END_WITHIN_MS = 2_000;

const callView = (page: Page): Locator => page.getByRole('region', { name: 'Call' });
const incomingCall = (page: Page, from: string): Locator =>
  page.getByRole('dialog', { name: `Incoming call from ${from}` });
const remoteVideo = (page: Page, name: string): Locator =>
  callView(page).locator(`video[aria-label="${name}"]`);

/** Waits until the labelled video shows new frames (what a person sees as moving video). */
async function expectVideoAdvancing(page: Page, name: string): Promise<void> {
  const video = remoteVideo(page, name);
  await expect(video).toHaveCount(1);
  await expect
    .poll(
      () =>
        video.evaluate(
          (element: HTMLVideoElement) =>
            new Promise<number>((resolve) => {
              const timer = setTimeout(() => resolve(0), 3_000);
              element.requestVideoFrameCallback((_now, first) => {
                element.requestVideoFrameCallback((_later, second) => {
                  clearTimeout(timer);
                  resolve(second.presentedFrames - first.presentedFrames);
                });
              });
            }),
        ),
      { timeout: 15_000 },
    )
    .toBeGreaterThan(0);
}

/** The colours the fake screen alternates between (see the screen-share test). */
const SCREEN_COLOURS = [
  [0x26, 0x46, 0x53],
  [0xe9, 0xc4, 0x6a],
];

/** True when the labelled video's picture is one of the fake screen's colours right now. */
async function showsFakeScreen(page: Page, name: string): Promise<boolean> {
  const pixel = await remoteVideo(page, name).evaluate((element: HTMLVideoElement) => {
    const canvas = document.createElement('canvas');
    canvas.width = 8;
    canvas.height = 8;
    const context = canvas.getContext('2d');
    context?.drawImage(element, 0, 0, 8, 8);
    return [...(context?.getImageData(4, 4, 1, 1).data ?? [])].slice(0, 3);
  });
  return SCREEN_COLOURS.some((colour) =>
    colour.every((value, i) => Math.abs(value - (pixel[i] ?? -999)) < 40),
  );
}

/** Alice, Bob (and more) in one room; returns the link. */
async function roomOf(alice: User, bob: User, ...others: [User, string][]): Promise<string> {
  const link = await meetInRoom(alice.page, bob.page);
  for (const [user, name] of others) {
    await joinRoom(user.page, link, name);
    await expectMember(alice.page, name, 'online');
    await expectMember(bob.page, name, 'online');
  }
  return link;
}

/** `caller` calls `callee` (a room member) 1:1 from the Members list. */
async function callMember(caller: Page, callee: string, media: 'Voice' | 'Video'): Promise<void> {
  await memberList(caller)
    .getByRole('button', { name: `${media} call: ${callee}` })
    .click();
}

/** Waits until the history shows a call-log line matching `text`. */
async function expectCallLog(page: Page, text: RegExp): Promise<void> {
  await expect(messageLog(page).getByText(text)).toHaveCount(1);
}

test('a video call: ring, accept, both see video, mute shows, hang-up ends both and is logged', async ({
  openUser,
}) => {
  const alice = await openUser('alice');
  const bob = await openUser('bob');
  await roomOf(alice, bob);

  await test.step('Alice video-calls Bob; Bob hears it ring and accepts', async () => {
    await callMember(alice.page, 'Bob', 'Video');
    const dialog = incomingCall(bob.page, 'Alice');
    await expect(dialog).toBeVisible();
    await expect(callView(alice.page).getByRole('status')).toHaveText('Ringing at Bob…');
    // The tab's title flashes while it rings, and is itself again once answered.
    await expect(bob.page).toHaveTitle('📞 Alice is calling');
    await dialog.getByRole('button', { name: 'Accept' }).click();
    await expect(dialog).toBeHidden();
    await expect(bob.page).toHaveTitle('Parley');
  });

  await test.step('each sees the other’s video moving, labelled with their name', async () => {
    await expectVideoAdvancing(alice.page, 'Bob');
    await expectVideoAdvancing(bob.page, 'Alice');
  });

  await test.step('Alice mutes; Bob sees her muted, then not', async () => {
    const mute = callView(alice.page).getByRole('button', { name: 'Mute' });
    await mute.click();
    await expect(mute).toHaveAttribute('aria-pressed', 'true');
    const aliceTile = callView(bob.page).getByRole('group', { name: 'Alice' });
    await expect(aliceTile.getByText('Muted')).toBeVisible();
    await mute.click();
    await expect(aliceTile.getByText('Muted')).toBeHidden();
  });

  await test.step('Alice turns her camera off; Bob sees it', async () => {
    await callView(alice.page).getByRole('button', { name: 'Camera off' }).click();
    await expect(
      callView(bob.page).getByRole('group', { name: 'Alice' }).getByText('Camera off'),
    ).toBeVisible();
  });

  await test.step('the connection shows its quality and that it is direct', async () => {
    await expect(
      callView(alice.page).getByText(/(Good|Fair|Poor) connection · Direct/),
    ).toBeVisible();
  });

  await test.step(`Bob hangs up; both calls end within ${END_WITHIN_MS} ms`, async () => {
    await callView(bob.page).getByRole('button', { name: 'Hang up' }).click();
    await expect(callView(bob.page)).toBeHidden({ timeout: END_WITHIN_MS });
    await expect(callView(alice.page)).toBeHidden({ timeout: END_WITHIN_MS });
  });

  await test.step('both histories show one call-log line with the duration', async () => {
    await expectCallLog(alice.page, /^Video call, \d+:\d\d$/);
    await expectCallLog(bob.page, /^Video call, \d+:\d\d$/);
  });
});

test('declining, cancelling and a ring that times out each end the call and are logged', async ({
  openUser,
}) => {
  const alice = await openUser('alice');
  const bob = await openUser('bob');
  await roomOf(alice, bob);

  await test.step('Bob declines a voice call', async () => {
    await callMember(alice.page, 'Bob', 'Voice');
    await incomingCall(bob.page, 'Alice').getByRole('button', { name: 'Decline' }).click();
    await expect(callView(alice.page)).toBeHidden();
    await expect(alice.page.getByText('The call was declined.')).toBeVisible();
    await expectCallLog(alice.page, /^Declined$/);
    await expectCallLog(bob.page, /^Declined$/);
  });

  await test.step('Alice cancels while it rings', async () => {
    await callMember(alice.page, 'Bob', 'Video');
    await expect(incomingCall(bob.page, 'Alice')).toBeVisible();
    await callView(alice.page).getByRole('button', { name: 'Hang up' }).click();
    await expect(incomingCall(bob.page, 'Alice')).toBeHidden({ timeout: END_WITHIN_MS });
    await expectCallLog(alice.page, /^Cancelled$/);
    await expectCallLog(bob.page, /^Cancelled$/);
  });

  await test.step('nobody answers: after the (shortened) ring timeout it is a missed call', async () => {
    for (const page of [alice.page, bob.page]) {
      await page.evaluate((key) => localStorage.setItem(key, '3000'), RING_TIMEOUT_HOOK);
    }
    await callMember(alice.page, 'Bob', 'Video');
    await expect(incomingCall(bob.page, 'Alice')).toBeVisible();
    await expect(incomingCall(bob.page, 'Alice')).toBeHidden({ timeout: 10_000 });
    await expect(callView(alice.page)).toBeHidden();
    await expectCallLog(alice.page, /^Missed video call$/);
    await expectCallLog(bob.page, /^Missed video call$/);
  });
});

test('a call to someone already in a call gets "busy"; closing the tab ends the call', async ({
  openUser,
}) => {
  const alice = await openUser('alice');
  const bob = await openUser('bob');
  const carol = await openUser('carol');
  await roomOf(alice, bob, [carol, 'Carol']);

  await test.step('Alice and Bob are in a call', async () => {
    await callMember(alice.page, 'Bob', 'Voice');
    await incomingCall(bob.page, 'Alice').getByRole('button', { name: 'Accept' }).click();
    await expect(callView(bob.page)).toBeVisible();
    await expect(remoteVideo(alice.page, 'Bob')).toHaveCount(1);
  });

  await test.step('Carol calls Bob and hears he is busy', async () => {
    await callMember(carol.page, 'Bob', 'Video');
    // The call view may come and go before anyone could look: busy answers at once.
    await expect(carol.page.getByText('They are in another call.')).toBeVisible();
    await expect(callView(carol.page)).toBeHidden();
    await expect(incomingCall(bob.page, 'Carol')).toHaveCount(0);
    await expectCallLog(carol.page, /^Busy$/);
  });

  await test.step(`Bob closes his tab; Alice's call ends within ${END_WITHIN_MS} ms`, async () => {
    await bob.page.close({ runBeforeUnload: true });
    await expect(callView(alice.page)).toBeHidden({ timeout: END_WITHIN_MS });
    await expectCallLog(alice.page, /^Voice call, \d+:\d\d$/);
  });
});

test('a three-person room call: everyone receives everyone’s video', async ({ openUser }) => {
  const alice = await openUser('alice');
  const bob = await openUser('bob');
  const carol = await openUser('carol');
  await roomOf(alice, bob, [carol, 'Carol']);

  await test.step('Alice starts a room call; the others see it in progress and join', async () => {
    await alice.page.getByRole('button', { name: 'Video call', exact: true }).click();
    await expect(callView(alice.page).getByRole('status')).toHaveText(
      'Waiting for others to join…',
    );
    for (const page of [bob.page, carol.page]) {
      await expect(page.getByText('Call in progress —')).toBeVisible();
      await page.getByRole('button', { name: 'Join', exact: true }).click();
      await expect(callView(page)).toBeVisible();
    }
  });

  await test.step('each sees the two others’ video moving', async () => {
    const people = { Alice: alice.page, Bob: bob.page, Carol: carol.page };
    for (const [name, page] of Object.entries(people)) {
      for (const other of Object.keys(people).filter((n) => n !== name)) {
        await expectVideoAdvancing(page, other);
      }
    }
  });

  await test.step('Carol leaves; the others go on; Alice leaves and logs the call', async () => {
    await callView(carol.page).getByRole('button', { name: 'Hang up' }).click();
    await expect(remoteVideo(alice.page, 'Carol')).toHaveCount(0, { timeout: END_WITHIN_MS });
    await expect(remoteVideo(bob.page, 'Carol')).toHaveCount(0, { timeout: END_WITHIN_MS });
    await expectVideoAdvancing(bob.page, 'Alice');
    await callView(alice.page).getByRole('button', { name: 'Hang up' }).click();
    await expectCallLog(carol.page, /^Video call, \d+:\d\d$/);
  });
});

test('with camera and microphone refused, the call goes on receive-only and says why', async ({
  openUser,
}) => {
  const alice = await openUser('alice');
  const bob = await openUser('bob');
  // Bob's browser refuses every device, as after "Block" in the permission prompt.
  await bob.context.addInitScript(() => {
    navigator.mediaDevices.getUserMedia = () =>
      Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
  });
  await roomOf(alice, bob);

  await callMember(alice.page, 'Bob', 'Video');
  await incomingCall(bob.page, 'Alice').getByRole('button', { name: 'Accept' }).click();

  await test.step('Bob is told why, and still sees and hears Alice', async () => {
    await expect(callView(bob.page).getByRole('alert')).toContainText(
      'Microphone and camera access was refused',
    );
    await expectVideoAdvancing(bob.page, 'Alice');
  });

  await test.step('Alice sees that Bob sends no sound and no picture', async () => {
    const bobTile = callView(alice.page).getByRole('group', { name: 'Bob' });
    await expect(bobTile.getByText('Muted')).toBeVisible();
    await expect(bobTile.getByText('Camera off')).toBeVisible();
  });

  await callView(alice.page).getByRole('button', { name: 'Hang up' }).click();
  await expect(callView(bob.page)).toBeHidden({ timeout: END_WITHIN_MS });
});

test('sharing the screen replaces the camera for the other side, and stops again', async ({
  openUser,
}) => {
  const alice = await openUser('alice');
  const bob = await openUser('bob');
  // Headless Chromium has no screen picker: the "screen" is a canvas whose picture changes.
  await alice.context.addInitScript(() => {
    navigator.mediaDevices.getDisplayMedia = () => {
      const canvas = document.createElement('canvas');
      canvas.width = 640;
      canvas.height = 360;
      const context = canvas.getContext('2d');
      let frame = 0;
      setInterval(() => {
        frame += 1;
        if (!context) return;
        context.fillStyle = frame % 2 ? '#264653' : '#e9c46a';
        context.fillRect(0, 0, canvas.width, canvas.height);
      }, 50);
      return Promise.resolve(canvas.captureStream(20));
    };
  });
  await roomOf(alice, bob);
  await callMember(alice.page, 'Bob', 'Video');
  await incomingCall(bob.page, 'Alice').getByRole('button', { name: 'Accept' }).click();
  await expectVideoAdvancing(bob.page, 'Alice');

  const share = callView(alice.page).getByRole('button', { name: 'Share screen' });
  const aliceTile = callView(bob.page).getByRole('group', { name: 'Alice' });
  // The camera's picture is not mistaken for the screen's.
  expect(await showsFakeScreen(bob.page, 'Alice')).toBe(false);
  await share.click();
  await expect(share).toHaveAttribute('aria-pressed', 'true');
  await expect(aliceTile.getByText('Sharing screen')).toBeVisible();
  await expect.poll(() => showsFakeScreen(bob.page, 'Alice')).toBe(true);
  await expectVideoAdvancing(bob.page, 'Alice');

  await share.click();
  await expect(share).toHaveAttribute('aria-pressed', 'false');
  await expect(aliceTile.getByText('Sharing screen')).toBeHidden();
  await expect.poll(() => showsFakeScreen(bob.page, 'Alice')).toBe(false);
  await expectVideoAdvancing(bob.page, 'Alice');
});
