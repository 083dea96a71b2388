import {
  PEER_CLAIM_TTL_MS,
  PEER_ID_RESERVATION_MS,
  PEER_ID_RESERVATIONS_PER_CONNECTION,
  RELAY_QUEUE_MAX_BYTES_PER_DESTINATION,
  RELAY_QUEUE_MAX_BYTES_PER_SENDER,
  type SignalConfig,
} from './config.js';
import { ClusterNode, type ClusterHooks } from './cluster-node.js';
import type { Logger } from './log.js';
import { InMemoryPeerDirectory, type PeerDirectory } from './peer-directory.js';
import {
  InMemoryHeldSignalling,
  type HeldSignalling,
  type RelayQueueLimits,
} from './relay-queue.js';
import { RedisPeerDirectory } from './redis-peers.js';
import { RedisHeldSignalling } from './redis-relay.js';
import { RedisRoomRegistry } from './redis-rooms.js';
import { InMemoryRoomRegistry, type RoomRegistry } from './rooms.js';

/**
 * The state a node shares with the rest of the service: in memory for one process (the default),
 * or in Redis when `REDIS_URL` is set (DESIGN §3). The server is written against the interfaces
 * only; this is the one place that picks.
 */
export interface Backends {
  registry: RoomRegistry;
  directory: PeerDirectory;
  held: HeldSignalling;
  /** This node's membership of the service on Redis; null in memory. */
  cluster: ClusterNode | null;
}

export function createBackends(config: SignalConfig, log: Logger, hooks: ClusterHooks): Backends {
  const queueLimits: RelayQueueLimits = {
    maxBytesPerSender: RELAY_QUEUE_MAX_BYTES_PER_SENDER,
    maxBytesPerDestination: RELAY_QUEUE_MAX_BYTES_PER_DESTINATION,
    maxBytesTotal: config.relayQueueMaxBytes,
  };
  if (!config.redisUrl) {
    return {
      registry: new InMemoryRoomRegistry(config),
      directory: new InMemoryPeerDirectory(
        PEER_ID_RESERVATION_MS,
        config.maxConnections * PEER_ID_RESERVATIONS_PER_CONNECTION,
      ),
      held: new InMemoryHeldSignalling(queueLimits),
      cluster: null,
    };
  }
  const prefix = config.redisPrefix;
  const cluster = new ClusterNode({ url: config.redisUrl, prefix, log, hooks });
  const { link, nodeId } = cluster;
  return {
    registry: new RedisRoomRegistry(link, prefix, config, nodeId),
    directory: new RedisPeerDirectory(link, {
      prefix,
      nodeId,
      claimTtlMs: PEER_CLAIM_TTL_MS,
      reservationMs: PEER_ID_RESERVATION_MS,
    }),
    held: new RedisHeldSignalling(link, prefix, queueLimits),
    cluster,
  };
}
