// A peer that knows a room's opaque key (what the signal server sees) but not its secret (what
// the link carries) must be turned away: it can reach the members, but fails the handshake and
// learns nothing about them — not their name, not their identity key, not a message.
import path from 'node:path';
import type { Peer } from 'peerjs';
import {
  createRoom,
  expect,
  expectMessage,
  memberList,
  onboard,
  roomKey,
  sendMessage,
  test,
} from './fixtures.js';
import { REPO_ROOT } from './signal-supervisor.js';

const PEERJS_UMD = path.join(REPO_ROOT, 'node_modules', 'peerjs', 'dist', 'peerjs.min.js');
const INTRUDER_HTML = `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8" /><title>Intruder</title><script src="/intruder/peerjs.min.js"></script></head>
  <body></body>
</html>`;
const SECRET_TEXT = 'The vault code is 4711';
/** How long the intruder waits, at most, for each step of the attempt. */
const STEP_TIMEOUT_MS = 20_000;

/** What the intruder saw; returned from the page. */
interface Attempt {
  /** Peers the signal server listed for the room. */
  peers: string[];
  /** Types of all frames received from Alice, in order. */
  frameTypes: string[];
  /** Every frame received from Alice, as text. */
  frames: string[];
  /** Whether `auth` was sent (only after Alice's `hello` arrived). */
  hasSentAuth: boolean;
  /** Types of the frames received after `auth` was sent. */
  frameTypesAfterAuth: string[];
  /** Whether the connection closed within the wait. */
  hasClosed: boolean;
}

test('a peer with the room key but not the secret is disconnected', async ({
  openUser,
  baseURL,
}) => {
  const alice = await openUser('alice');
  await onboard(alice.page, 'Alice');
  const link = await createRoom(alice.page);
  await sendMessage(alice.page, SECRET_TEXT);
  await expectMessage(alice.page, 'Alice', SECRET_TEXT);

  // Record if "Mallory" ever shows in Alice's member list, not only at the end.
  const members = memberList(alice.page);
  await expect(members).toBeVisible();
  await members.evaluate((list) => {
    const state = window as { __malloryShown?: boolean };
    state.__malloryShown = false;
    const check = (): void => {
      if (list.textContent?.includes('Mallory')) state.__malloryShown = true;
    };
    new MutationObserver(check).observe(document.body, {
      subtree: true,
      childList: true,
      characterData: true,
    });
  });

  const intruder = await openUser('intruder');
  // Chromium's Local Network Access checks treat a document Playwright fulfilled as public, and
  // a public page may not open a WebSocket to 127.0.0.1 without this permission (the app's own
  // pages come from the loopback server and need none). Granting for an origin replaces what the
  // context granted it, so the media permissions that unlock ICE candidates are repeated here.
  await intruder.context.grantPermissions(['local-network-access', 'camera', 'microphone'], {
    origin: baseURL,
  });
  await intruder.page.route(`${baseURL}/intruder.html`, (route) =>
    route.fulfill({ contentType: 'text/html', body: INTRUDER_HTML }),
  );
  await intruder.page.route(`${baseURL}/intruder/peerjs.min.js`, (route) =>
    route.fulfill({ contentType: 'text/javascript', path: PEERJS_UMD }),
  );
  await intruder.page.goto('/intruder.html');

  const attempt = await intruder.page.evaluate(intrude, {
    room: roomKey(link),
    stepTimeoutMs: STEP_TIMEOUT_MS,
  });

  await test.info().attach('intruder-attempt.json', {
    body: JSON.stringify(attempt, null, 2),
    contentType: 'application/json',
  });
  if (process.env.PARLEY_E2E_DEBUG_INTRUDER === '1') console.info(attempt);
  expect(attempt.peers, 'the signal server lists Alice as the only member').toHaveLength(1);
  expect(attempt.frameTypes[0], 'Alice starts the handshake with hello').toBe('hello');
  expect(attempt.hasSentAuth).toBe(true);
  // Alice's own room proof may cross ours; her identity and anything after must not follow.
  expect(
    attempt.frameTypes.filter((type) => type !== 'hello' && type !== 'auth'),
    'frames beyond hello and auth that reached the intruder',
  ).toEqual([]);
  expect(attempt.frames.join('\n')).not.toContain(SECRET_TEXT);
  expect(attempt.frames.join('\n')).not.toContain('"Alice"');
  if (!attempt.hasClosed) {
    test.info().annotations.push({
      type: 'warning',
      description: `Alice did not close the connection within ${STEP_TIMEOUT_MS} ms`,
    });
    // Alice's own auth may cross ours; nothing else may follow a forged one.
    const after = attempt.frameTypesAfterAuth.filter((type) => type !== 'auth');
    expect(after, 'frames Alice sent after the forged auth').toEqual([]);
  }

  await expect(members).not.toContainText('Mallory');
  const wasShown = await alice.page.evaluate(
    () => (window as { __malloryShown?: boolean }).__malloryShown,
  );
  expect(wasShown, 'Mallory appeared in the member list at some point').toBe(false);
});

/** Runs in the intruder page: joins the room by key, dials Alice, and forges the handshake. */
async function intrude({
  room,
  stepTimeoutMs,
}: {
  room: string;
  stepTimeoutMs: number;
}): Promise<Attempt> {
  const { Peer: PeerClass } = (window as unknown as { peerjs: { Peer: typeof Peer } }).peerjs;
  const base64url = (bytes: ArrayBuffer | Uint8Array): string =>
    btoa(String.fromCharCode(...new Uint8Array(bytes)))
      .replaceAll('+', '-')
      .replaceAll('/', '_')
      .replace(/=+$/, '');
  const randomBytes = (length: number): Uint8Array =>
    crypto.getRandomValues(new Uint8Array(length));
  const within = <T>(what: string, promise: Promise<T>): Promise<T> =>
    Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        setTimeout(
          () => reject(new Error(`intruder: no ${what} in ${stepTimeoutMs} ms`)),
          stepTimeoutMs,
        );
      }),
    ]);

  const peer = new PeerClass({
    host: location.hostname,
    port: Number(location.port),
    path: '/peerjs',
    secure: false,
    config: { iceServers: [] },
    debug: 1,
  });
  const peerError = new Promise<never>((_, reject) => {
    peer.on('error', (error) =>
      reject(new Error(`intruder peer error: ${error.type} ${error.message}`)),
    );
  });
  peerError.catch(() => undefined); // Raced below; errors after the attempt are of no interest.
  await within(
    'open from the signal server',
    Promise.race([new Promise<void>((resolve) => peer.on('open', () => resolve())), peerError]),
  );

  const peers = await within(
    'X-ROOM-PEERS',
    new Promise<string[]>((resolve) => {
      peer.socket.on(
        'message',
        (message: { type?: string; payload?: { room?: string; peers?: string[] } }) => {
          if (message.type === 'X-ROOM-PEERS' && message.payload?.room === room) {
            resolve(message.payload.peers ?? []);
          }
        },
      );
      peer.socket.send({ type: 'X-ROOM-JOIN', payload: { room } });
    }),
  );
  const alicePeerId = peers[0];
  if (alicePeerId === undefined) throw new Error('intruder: the room has no members');

  // Made before dialling, so nothing delays our hello once the connection opens.
  const keys = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ]);
  const spki = base64url(await crypto.subtle.exportKey('spki', keys.publicKey));

  const connection = peer.connect(alicePeerId, {
    reliable: true,
    serialization: 'raw',
    label: 'chat',
    metadata: { room, v: 1 },
  });
  const attempt: Attempt = {
    peers,
    frameTypes: [],
    frames: [],
    hasSentAuth: false,
    frameTypesAfterAuth: [],
    hasClosed: false,
  };
  let hasSentHello = false;
  let hasAliceHello = false;
  // A 'raw' connection sends synchronously; send() may return a promise only for msgpack.
  const send = (frame: object): void => void connection.send(JSON.stringify(frame));
  // The forged proof goes out once both hellos are known, as a real member's would.
  const sendAuthWhenDue = (): void => {
    if (!hasSentHello || !hasAliceHello || attempt.hasSentAuth) return;
    send({ type: 'auth', mac: base64url(randomBytes(32)) });
    attempt.hasSentAuth = true;
    // And claim an identity at once, as if the forged proof had been accepted.
    send({
      type: 'identity',
      key: spki,
      profile: { name: 'Mallory', color: '#aa0000' },
      sig: base64url(randomBytes(64)),
    });
  };

  const closed = new Promise<void>((resolve) => {
    connection.on('close', () => {
      attempt.hasClosed = true;
      resolve();
    });
  });
  connection.on('data', (data) => {
    const text =
      typeof data === 'string' ? data : new TextDecoder().decode(data as ArrayBuffer | Uint8Array);
    attempt.frames.push(text);
    let type = '(not JSON)';
    try {
      type = String((JSON.parse(text) as { type?: unknown }).type);
    } catch {
      // Recorded as not JSON; the assertions look at the types.
    }
    attempt.frameTypes.push(type);
    if (attempt.hasSentAuth) attempt.frameTypesAfterAuth.push(type);
    if (type === 'hello') {
      hasAliceHello = true;
      sendAuthWhenDue();
    }
  });
  const opened = new Promise<void>((resolve) => {
    connection.on('open', () => {
      send({ type: 'hello', protocol: 1, nonce: base64url(randomBytes(32)) });
      hasSentHello = true;
      sendAuthWhenDue();
      resolve();
    });
  });
  await within('open data connection to Alice', Promise.race([opened, peerError]));

  // Alice should hang up once she has seen the forged auth; wait a bounded time for that.
  await within('close', closed).catch(() => undefined);
  peer.destroy();
  return attempt;
}
