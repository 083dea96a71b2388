import { createHash } from 'node:crypto';

/**
 * The Lua scripts of the scale-out (DESIGN §3). Each runs atomically in Redis, so a decision and
 * its effect can never be split by another node: a claim checks the holder and takes the ID, a
 * join checks both caps and adds, a relay finds the destination's node and publishes (or queues,
 * within the bounds) in one step.
 *
 * Keys are built inside the scripts from the prefix `P` (ARGV[1]): a single Redis primary, not
 * Redis Cluster (a join touches a room and several peers). The layout, `P` = `parley:` by default:
 *
 * - `P node:<node>:alive`  liveness, PX NODE_TTL_MS, renewed by the node's heartbeat
 * - `P nodes`              set of nodes that may hold peers (a dead one is cleaned up, then removed)
 * - `P node:<node>:peers`  set of the peer IDs a node holds
 * - `P peer:<id>`          hash {node, tok}: held by `node` (PX PEER_CLAIM_TTL_MS, refreshed), or
 *                          node '' — reserved for the token digest `tok` (PX the reservation time)
 * - `P peer:<id>:rooms`    set of the rooms a peer is in
 * - `P room:<room>`        zset of members, scored by `P seq` at join: join order
 * - `P rooms`              set of rooms with members; `P in-room` set of peers in any room;
 *                          `P seq` the join counter
 * - `P q:<dst>`            list of frames held for an absent peer: JSON {s: src, b: bytes, t: ms, d}
 * - `P qbytes`             hash: `total`, `frames`, `s:<src>` and `d:<dst>` byte counts
 * - `P q:due`              zset of destinations by the time of their oldest frame (expiry)
 * - `P q:from:<src>`       set of destinations a sender has frames queued for
 * - channel `P node:<node>` what is routed to a node: {k:'f', to:[ids], d: frame text} to deliver,
 *                          {k:'kick', p: id} when another node took over one of its peer IDs
 */

/** A Lua script run by its SHA-1, loaded on first use (see redis-link.ts). */
export interface LuaScript {
  /** For logs and metrics. */
  readonly name: string;
  /** The source. */
  readonly source: string;
  /** SHA-1 of the source (EVALSHA). */
  readonly sha: string;
}

function script(name: string, ...parts: string[]): LuaScript {
  const source = parts.join('\n');
  return { name, source, sha: createHash('sha1').update(source).digest('hex') };
}

const HELPERS = `
local P = ARGV[1]

local function isAlive(node)
  return node and node ~= '' and redis.call('EXISTS', P .. 'node:' .. node .. ':alive') == 1
end

local function adjust(field, delta)
  local value = redis.call('HINCRBY', P .. 'qbytes', field, delta)
  if value <= 0 then redis.call('HDEL', P .. 'qbytes', field) end
end

local function account(frame, dst, sign)
  adjust('total', sign * frame.b)
  adjust('frames', sign)
  adjust('s:' .. frame.s, sign * frame.b)
  adjust('d:' .. dst, sign * frame.b)
end

-- Removes and returns every frame held for dst, oldest first.
local function takeQueue(dst)
  local key = P .. 'q:' .. dst
  local items = redis.call('LRANGE', key, 0, -1)
  local frames = {}
  if #items == 0 then return frames end
  redis.call('DEL', key)
  redis.call('ZREM', P .. 'q:due', dst)
  for i, raw in ipairs(items) do
    local frame = cjson.decode(raw)
    frames[i] = frame
    account(frame, dst, -1)
    redis.call('SREM', P .. 'q:from:' .. frame.s, dst)
  end
  return frames
end

-- Drops every frame src has queued (it has gone: nobody would hear its EXPIRE).
local function dropFrom(src)
  local fromKey = P .. 'q:from:' .. src
  for _, dst in ipairs(redis.call('SMEMBERS', fromKey)) do
    local key = P .. 'q:' .. dst
    local kept = {}
    for _, raw in ipairs(redis.call('LRANGE', key, 0, -1)) do
      local frame = cjson.decode(raw)
      if frame.s == src then account(frame, dst, -1) else kept[#kept + 1] = raw end
    end
    redis.call('DEL', key)
    if #kept == 0 then
      redis.call('ZREM', P .. 'q:due', dst)
    else
      redis.call('RPUSH', key, unpack(kept))
      redis.call('ZADD', P .. 'q:due', 'XX', cjson.decode(kept[1]).t, dst)
    end
  end
  redis.call('DEL', fromKey)
end

-- Takes peer out of room; the remaining members, or nil when it was not a member.
local function leaveRoom(peer, room)
  local roomKey = P .. 'room:' .. room
  if redis.call('ZREM', roomKey, peer) == 0 then return nil end
  redis.call('SREM', P .. 'peer:' .. peer .. ':rooms', room)
  if redis.call('SCARD', P .. 'peer:' .. peer .. ':rooms') == 0 then
    redis.call('SREM', P .. 'in-room', peer)
  end
  local remaining = redis.call('ZRANGE', roomKey, 0, -1)
  if #remaining == 0 then
    redis.call('DEL', roomKey)
    redis.call('SREM', P .. 'rooms', room)
    -- The join counter only orders members of rooms that exist.
    if redis.call('SCARD', P .. 'rooms') == 0 then redis.call('DEL', P .. 'seq') end
  end
  return remaining
end

-- Takes peer out of every room: a list of {room, remaining}.
local function leaveAllRooms(peer)
  local roomsKey = P .. 'peer:' .. peer .. ':rooms'
  local departures = {}
  for _, room in ipairs(redis.call('SMEMBERS', roomsKey)) do
    local remaining = leaveRoom(peer, room)
    if remaining then departures[#departures + 1] = {room, remaining} end
  end
  redis.call('DEL', roomsKey)
  return departures
end

-- True when this node holds peer's ID (fences every change made on the peer's behalf).
local function holds(peer, node)
  return redis.call('HGET', P .. 'peer:' .. peer, 'node') == node
end
`;

/**
 * ARGV: P, node, ttlMs. Renews the node's liveness and lists it among the nodes. Returns 1 when
 * the key was still there, 0 when it had lapsed (the others may have cleaned up after us).
 */
export const HEARTBEAT = script(
  'heartbeat',
  HELPERS,
  `
local node, ttl = ARGV[2], ARGV[3]
local existed = redis.call('SET', P .. 'node:' .. node .. ':alive', '1', 'PX', ttl, 'GET')
redis.call('SADD', P .. 'nodes', node)
if existed then return 1 end
return 0
`,
);

/**
 * ARGV: P, id, token digest, node, claim TTL ms. Takes an ID for this node: free, held or
 * reserved for the same token (another node holding it is told to let go) → 'ok'; held by a live
 * node for another token → 'taken'; reserved for another token → 'reserved'.
 */
export const CLAIM = script(
  'claim',
  HELPERS,
  `
local id, tok, node, ttl = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local key = P .. 'peer:' .. id
local held = redis.call('HMGET', key, 'node', 'tok')
local holder = held[1]
if holder then
  if held[2] ~= tok then
    if isAlive(holder) then return 'taken' end
    return 'reserved'
  end
  if holder ~= '' and holder ~= node then
    redis.call('SREM', P .. 'node:' .. holder .. ':peers', id)
    if isAlive(holder) then
      redis.call('PUBLISH', P .. 'node:' .. holder, cjson.encode({k = 'kick', p = id}))
    end
  end
end
redis.call('HSET', key, 'node', node, 'tok', tok)
redis.call('PEXPIRE', key, ttl)
redis.call('SADD', P .. 'node:' .. node .. ':peers', id)
return 'ok'
`,
);

/**
 * ARGV: P, id, node, reservation ms. The peer's socket went: if this node still holds the ID it
 * becomes a reservation for the same token. Returns 1 if so.
 */
export const RELEASE = script(
  'release',
  HELPERS,
  `
local id, node, ttl = ARGV[2], ARGV[3], ARGV[4]
if not holds(id, node) then return 0 end
local key = P .. 'peer:' .. id
redis.call('HSET', key, 'node', '')
redis.call('PEXPIRE', key, ttl)
redis.call('SREM', P .. 'node:' .. node .. ':peers', id)
return 1
`,
);

/** ARGV: P, node, claim TTL ms, ids…. Refreshes claims; returns the IDs this node no longer holds. */
export const REFRESH = script(
  'refresh',
  HELPERS,
  `
local node, ttl = ARGV[2], ARGV[3]
local lost = {}
for i = 4, #ARGV do
  local id = ARGV[i]
  if holds(id, node) then
    redis.call('PEXPIRE', P .. 'peer:' .. id, ttl)
  else
    lost[#lost + 1] = id
  end
end
return lost
`,
);

/**
 * ARGV: P, peer, room, max peers per room, max rooms per peer, node. Returns
 * {'ok'|'rejoin', members…} (members before the call, in join order), {'full'},
 * {'too-many-rooms'} or {'gone'} (this node does not hold the peer).
 */
export const JOIN = script(
  'join',
  HELPERS,
  `
local peer, room, maxPeers, maxRooms, node = ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6]
if not holds(peer, node) then return {'gone'} end
local roomKey = P .. 'room:' .. room
local roomsKey = P .. 'peer:' .. peer .. ':rooms'
local members = redis.call('ZRANGE', roomKey, 0, -1)
if redis.call('ZSCORE', roomKey, peer) then return {'rejoin', unpack(members)} end
if redis.call('SCARD', roomsKey) >= maxRooms then return {'too-many-rooms'} end
if #members >= maxPeers then return {'full'} end
redis.call('ZADD', roomKey, redis.call('INCR', P .. 'seq'), peer)
redis.call('SADD', roomsKey, room)
redis.call('SADD', P .. 'rooms', room)
redis.call('SADD', P .. 'in-room', peer)
return {'ok', unpack(members)}
`,
);

/** ARGV: P, peer, room, node. Returns {1, remaining…} or {0}. */
export const LEAVE = script(
  'leave',
  HELPERS,
  `
local peer, room, node = ARGV[2], ARGV[3], ARGV[4]
if not holds(peer, node) then return {0} end
local remaining = leaveRoom(peer, room)
if not remaining then return {0} end
return {1, unpack(remaining)}
`,
);

/** ARGV: P, peer, node. JSON [[room, [remaining…]]…] of the rooms left. */
export const LEAVE_ALL = script(
  'leave-all',
  HELPERS,
  `
local peer, node = ARGV[2], ARGV[3]
if not holds(peer, node) then return '[]' end
local departures = leaveAllRooms(peer)
if #departures == 0 then return '[]' end
return cjson.encode(departures)
`,
);

/** ARGV: P, room. The members in join order. */
export const MEMBERS = script(
  'members',
  HELPERS,
  `return redis.call('ZRANGE', P .. 'room:' .. ARGV[2], 0, -1)`,
);

/** ARGV: P, peer. How many rooms the peer is in. */
export const ROOM_COUNT = script(
  'room-count',
  HELPERS,
  `return redis.call('SCARD', P .. 'peer:' .. ARGV[2] .. ':rooms')`,
);

/** ARGV: P. {rooms, peers in a room, queued bytes, queued frames}. */
export const COUNTS = script(
  'counts',
  HELPERS,
  `
local queued = redis.call('HMGET', P .. 'qbytes', 'total', 'frames')
return {redis.call('SCARD', P .. 'rooms'), redis.call('SCARD', P .. 'in-room'),
  tonumber(queued[1] or '0'), tonumber(queued[2] or '0')}
`,
);

/**
 * ARGV: P, src, dst, frame text, bytes, now ms, mode ('queue' | 'drop'), max bytes per sender,
 * per destination, in all. A frame for a peer not on this node: published to the node holding
 * dst → 'routed'; else (mode 'queue') held within the bounds → 'queued' | 'queue-full'; else
 * 'absent'.
 */
export const ROUTE = script(
  'route',
  HELPERS,
  `
local src, dst, data, bytes, now, mode = ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]), tonumber(ARGV[6]), ARGV[7]
local maxSender, maxDst, maxTotal = tonumber(ARGV[8]), tonumber(ARGV[9]), tonumber(ARGV[10])
local node = redis.call('HGET', P .. 'peer:' .. dst, 'node')
if isAlive(node) then
  redis.call('PUBLISH', P .. 'node:' .. node, cjson.encode({k = 'f', to = {dst}, d = data}))
  return 'routed'
end
if mode ~= 'queue' then return 'absent' end
local counts = redis.call('HMGET', P .. 'qbytes', 'total', 's:' .. src, 'd:' .. dst)
if tonumber(counts[1] or '0') + bytes > maxTotal
  or tonumber(counts[2] or '0') + bytes > maxSender
  or tonumber(counts[3] or '0') + bytes > maxDst then
  return 'queue-full'
end
local frame = {s = src, b = bytes, t = now, d = data}
redis.call('RPUSH', P .. 'q:' .. dst, cjson.encode(frame))
account(frame, dst, 1)
redis.call('ZADD', P .. 'q:due', 'NX', now, dst)
redis.call('SADD', P .. 'q:from:' .. src, dst)
return 'queued'
`,
);

/**
 * ARGV: P, frame text, peers…. Publishes the frame to the node of each peer held by a live node
 * (one message per node); peers that are nowhere are skipped. Returns how many nodes.
 */
export const FANOUT = script(
  'fanout',
  HELPERS,
  `
local data = ARGV[2]
local byNode = {}
local nodes = {}
for i = 3, #ARGV do
  local node = redis.call('HGET', P .. 'peer:' .. ARGV[i], 'node')
  if isAlive(node) then
    if not byNode[node] then byNode[node] = {}; nodes[#nodes + 1] = node end
    local list = byNode[node]
    list[#list + 1] = ARGV[i]
  end
end
for _, node in ipairs(nodes) do
  redis.call('PUBLISH', P .. 'node:' .. node, cjson.encode({k = 'f', to = byNode[node], d = data}))
end
return #nodes
`,
);

/** ARGV: P, dst. JSON [text…]: the frames held for dst, oldest first (now removed). */
export const TAKE = script(
  'take',
  HELPERS,
  `
local frames = takeQueue(ARGV[2])
if #frames == 0 then return '[]' end
local texts = {}
for i, frame in ipairs(frames) do texts[i] = frame.d end
return cjson.encode(texts)
`,
);

/**
 * ARGV: P, cutoff ms, limit. Takes the whole queue of each destination whose oldest frame is at
 * or before the cutoff; JSON [[src, dst]…], each pair once.
 */
export const EXPIRE = script(
  'expire',
  HELPERS,
  `
local cutoff, limit = ARGV[2], tonumber(ARGV[3])
local expired = {}
for _, dst in ipairs(redis.call('ZRANGEBYSCORE', P .. 'q:due', '-inf', cutoff, 'LIMIT', 0, limit)) do
  local seen = {}
  for _, frame in ipairs(takeQueue(dst)) do
    if not seen[frame.s] then
      seen[frame.s] = true
      expired[#expired + 1] = {frame.s, dst}
    end
  end
end
if #expired == 0 then return '[]' end
return cjson.encode(expired)
`,
);

/** ARGV: P, src. Drops what src queued. */
export const DROP_FROM = script('drop-from', HELPERS, `dropFrom(ARGV[2])\nreturn 1`);

/**
 * ARGV: P, this node, batch, reservation ms. Finds one dead node (its liveness lapsed) and cleans
 * up after up to `batch` of its peers: out of their rooms, their queued frames dropped, their IDs
 * reserved for their tokens. JSON {node, departed: [[peer, [[room, [remaining…]]…]]…], done}, or
 * '' when no node is dead. Each peer is taken by one node only (SPOP).
 */
export const SWEEP = script(
  'sweep',
  HELPERS,
  `
local me, batch, ttl = ARGV[2], tonumber(ARGV[3]), ARGV[4]
for _, node in ipairs(redis.call('SMEMBERS', P .. 'nodes')) do
  if node ~= me and not isAlive(node) then
    local peersKey = P .. 'node:' .. node .. ':peers'
    local departed = {}
    for _, peer in ipairs(redis.call('SPOP', peersKey, batch)) do
      if holds(peer, node) then
        local departures = leaveAllRooms(peer)
        dropFrom(peer)
        redis.call('HSET', P .. 'peer:' .. peer, 'node', '')
        redis.call('PEXPIRE', P .. 'peer:' .. peer, ttl)
        departed[#departed + 1] = {peer, departures}
      end
    end
    local done = redis.call('SCARD', peersKey) == 0
    if done then redis.call('SREM', P .. 'nodes', node) end
    return cjson.encode({node = node, departed = departed, done = done})
  end
end
return ''
`,
);

/** ARGV: P, node. A node leaving cleanly (after its peers left): forget it. */
export const RETIRE = script(
  'retire',
  HELPERS,
  `
local node = ARGV[2]
if redis.call('SCARD', P .. 'node:' .. node .. ':peers') == 0 then
  redis.call('SREM', P .. 'nodes', node)
end
redis.call('DEL', P .. 'node:' .. node .. ':alive')
return 1
`,
);
