// Scale-out (issue 13): two signal nodes on one real redis-server act as one service. Alice is
// served by node one, Bob by node two; they meet through a room link, chat and call; node two
// crashes and comes back while messages are written; an ID held on one node is refused on the
// other; and once everyone has left, Redis holds no room or membership any more.
import type { Locator, Page } from '@playwright/test';
import { Redis } from 'ioredis';
import WebSocket from 'ws';
import {
  connectionStatus,
  createRoom,
  expect,
  expectMember,
  expectMessage,
  joinRoom,
  memberList,
  onboard,
  sendMessage,
  test,
} from './fixtures.js';

/** The PWA keeps its signalling ID and token here (web/src/lib/config.ts). */
const PEER_SESSION_STORAGE_KEY = 'parley:peer-session';

const callView = (page: Page): Locator => page.getByRole('region', { name: 'Call' });

/** The HTTP status a WebSocket handshake for `id` with `token` gets from the node at `port`. */
function handshakeStatus(port: number, id: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(
      `ws://127.0.0.1:${port}/peerjs/peerjs?key=peerjs&id=${id}&token=${token}`,
    );
    socket.on('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      response.destroy();
    });
    socket.on('error', () => undefined);
    socket.on('open', () => {
      socket.terminate();
      reject(new Error('the handshake was accepted'));
    });
  });
}

/** The keys of the registry that must be gone once nobody is in a room. */
async function leftovers(redis: Redis): Promise<string[]> {
  const keys = await redis.keys('parley:*');
  return keys
    .filter((key) => /:(room:|rooms$|in-room$|q:|qbytes$|seq$)|:peers$|:rooms$/.test(key))
    .sort();
}

test('two browsers on different nodes meet, chat, call, and ride out a node crash', async ({
  openUser,
  services,
}) => {
  test.setTimeout(180_000);
  const redisServer = await services.redis();
  const env = { REDIS_URL: redisServer.url };
  const one = await services.signalNode(env);
  const two = await services.signalNode(env);
  const redis = new Redis(redisServer.url);
  const alice = await openUser('alice');
  const bob = await openUser('bob');
  const carol = await openUser('carol');
  let link = '';

  try {
    await test.step('Alice on node one makes a room; Bob opens its link on node two', async () => {
      await onboard(alice.page, 'Alice', `${one.baseUrl}/`);
      link = await createRoom(alice.page);
      await joinRoom(bob.page, link.replace(one.baseUrl, two.baseUrl), 'Bob');
      await expectMember(alice.page, 'Bob', 'online');
      await expectMember(bob.page, 'Alice', 'online');
    });

    await test.step('they chat both ways', async () => {
      await sendMessage(alice.page, 'Hello from node one');
      await expectMessage(bob.page, 'Alice', 'Hello from node one');
      await sendMessage(bob.page, 'Hello from node two');
      await expectMessage(alice.page, 'Bob', 'Hello from node two');
    });

    await test.step('Alice calls Bob; Bob accepts; both are in the call; Bob hangs up', async () => {
      await memberList(alice.page).getByRole('button', { name: 'Voice call: Bob' }).click();
      const ringing = bob.page.getByRole('dialog', { name: 'Incoming call from Alice' });
      await ringing.getByRole('button', { name: 'Accept' }).click();
      await expect(callView(alice.page).getByText(/(Good|Fair|Poor) connection/)).toBeVisible({
        timeout: 20_000,
      });
      await expect(callView(bob.page).getByText(/(Good|Fair|Poor) connection/)).toBeVisible({
        timeout: 20_000,
      });
      await callView(bob.page).getByRole('button', { name: 'Hang up' }).click();
      await expect(callView(alice.page)).toBeHidden();
    });

    await test.step('Bob’s ID, held on node two, is refused to another token on node one', async () => {
      const session = await bob.page.evaluate(
        (key) => sessionStorage.getItem(key),
        PEER_SESSION_STORAGE_KEY,
      );
      const { id } = JSON.parse(session ?? '{}') as { id?: string };
      expect(id).toMatch(/^p[0-9a-f]{32}$/);
      expect(await handshakeStatus(one.port, id ?? '', 'not-bobs-token')).toBe(409);
      await expect(connectionStatus(bob.page)).toHaveText('Online');
    });

    await test.step('node two crashes; messages written meanwhile still reach everyone', async () => {
      await two.stop('SIGKILL');
      await expect(connectionStatus(bob.page)).toHaveText(/Reconnecting…|Offline/);
      await sendMessage(alice.page, 'Written while node two is down');
      await expectMessage(bob.page, 'Alice', 'Written while node two is down');
      await sendMessage(bob.page, 'Bob writes while his node is down');
      await expectMessage(alice.page, 'Bob', 'Bob writes while his node is down');
      // A newcomer meanwhile, on node one.
      await joinRoom(carol.page, link, 'Carol');
      await expectMember(carol.page, 'Alice', 'online');
      await expectMessage(carol.page, 'Bob', 'Bob writes while his node is down');
    });

    await test.step('node two comes back; Bob reconnects to it and meets Carol across nodes', async () => {
      await two.start();
      await expect(connectionStatus(bob.page)).toHaveText('Online', { timeout: 35_000 });
      await expectMember(carol.page, 'Bob', 'online');
      await expectMember(bob.page, 'Carol', 'online');
      await sendMessage(bob.page, 'Back on node two');
      await expectMessage(carol.page, 'Bob', 'Back on node two');
      await expectMessage(alice.page, 'Bob', 'Back on node two');
    });

    await test.step('everyone leaves; Redis holds no room, membership or queue', async () => {
      await bob.context.close();
      await carol.context.close();
      await alice.context.close();
      await expect.poll(() => leftovers(redis), { timeout: 20_000 }).toEqual([]);
      // What stays are the IDs, each reserved for its token for a while (they lapse).
      for (const key of await redis.keys('parley:peer:*')) {
        expect(await redis.hget(key, 'node')).toBe('');
        expect(await redis.pttl(key)).toBeGreaterThan(0);
      }
    });
  } finally {
    redis.disconnect();
  }
});
