/**
 * The Redis implementations wired to a test redis-server, for the contract tests that run the same
 * cases against the in-memory and the Redis implementation.
 */
import { createLogger } from '../log.js';
import { RedisLink } from '../redis-link.js';
import { RedisPeerDirectory } from '../redis-peers.js';
import { makePrefix } from './redis.js';

export interface RedisFixture {
  link: RedisLink;
  prefix: string;
  nodeId: string;
  directory: RedisPeerDirectory;
  /** Claims `id` for this node (a registry only acts for peers its node holds). */
  hold(id: string): Promise<void>;
  close(): Promise<void>;
}

export async function connectRedisFixture(url: string, nodeId = 'node-a'): Promise<RedisFixture> {
  const link = new RedisLink({
    url,
    nodeId,
    log: createLogger('test', 'silent'),
    onReadyChange: () => undefined,
  });
  const prefix = makePrefix();
  await link.start(`${prefix}node:${nodeId}`, () => undefined, 5_000);
  if (!link.isReady) throw new Error('could not reach the test redis-server');
  const directory = new RedisPeerDirectory(link, {
    prefix,
    nodeId,
    claimTtlMs: 60_000,
    reservationMs: 60_000,
  });
  return {
    link,
    prefix,
    nodeId,
    directory,
    hold: async (id) => {
      const outcome = await directory.claim(id, `token-${id}`);
      if (outcome !== 'ok') throw new Error(`could not hold ${id}: ${outcome}`);
    },
    close: () => link.close(),
  };
}
