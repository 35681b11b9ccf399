import { RedisScript } from './redis-link.js';

/**
 * Presence in Redis, one script for every change so each runs atomically and exactly one node
 * learns of each status change (and announces it). Keys, under the cluster's prefix:
 *
 * - `presence:user:<id>` (hash): `@` → the user's published state `{id, name, s: status,
 *   ls: last seen (ms), d: rooms of closed connections, at: when last announced (ms)}`; and one
 *   field per connection, `<node>|<connection>` → `{a: away (0/1), r: rooms}`.
 * - `presence:online` (hash): user id → `{u: user, s: status, r: rooms, ls: last seen or false}`
 *   for everyone whose published status is not offline: what status queries read.
 * - `presence:node:<node>` (set): users with a connection on that node, for its clean-up.
 * - `presence:nodes` (sorted set): node → its last heartbeat (ms).
 * - `presence:pending` (sorted set): user → when to go offline (ms), once their last connection
 *   closed; whichever node sweeps first after that time announces it.
 * - `presence:last-rooms` (hash): user → the rooms they were in when they went offline, for the
 *   last LAST_ROOMS_KEPT users (`presence:last-rooms-order`, by when, says which go first).
 *
 * Redis 7.0 has no per-field expiry, so a node's connections expire as a whole: a node that has
 * not beaten for the node timeout is swept by any live node (its connections removed, its users
 * given the grace period), as Centrifugo expires presence entries lazily rather than by key TTL.
 * The first argument is the prefix; keys are built inside, so this needs a single Redis (or a
 * primary with replicas), not Redis Cluster.
 *
 * Every operation answers a JSON array of changes `{u, s, ls, r}` to announce (status `s` of
 * user `u`, last seen `ls` or false while connected, to rooms `r`), or an object for the
 * operations that answer something else.
 */
const SOURCE = `
local p = ARGV[1]
local op = ARGV[2]
local now = tonumber(ARGV[3])
local ONLINE = p .. 'presence:online'
local NODES = p .. 'presence:nodes'
local PENDING = p .. 'presence:pending'
local LAST_ROOMS = p .. 'presence:last-rooms'
local LAST_ROOMS_ORDER = p .. 'presence:last-rooms-order'
local function user_key(uid) return p .. 'presence:user:' .. uid end
local function node_key(node) return p .. 'presence:node:' .. node end

-- cjson turns an empty list into {}; both mean no rooms.
local function list(v) if type(v) == 'table' then return v end return {} end
local function add_all(set, rooms) for _, r in ipairs(list(rooms)) do set[r] = true end end
local function sorted(set) local out = {} for k in pairs(set) do out[#out + 1] = k end table.sort(out) return out end
local function has(rooms, room) for _, r in ipairs(list(rooms)) do if r == room then return true end end return false end

local function load(uid)
  local raw = redis.call('HGETALL', user_key(uid))
  local meta, conns = nil, {}
  for i = 1, #raw, 2 do
    if raw[i] == '@' then meta = cjson.decode(raw[i + 1]) else conns[raw[i]] = cjson.decode(raw[i + 1]) end
  end
  return meta, conns
end

local function connected(conns) return next(conns) ~= nil end

local function audience(meta, conns)
  local set = {}
  add_all(set, meta.d)
  for _, c in pairs(conns) do add_all(set, c.r) end
  return sorted(set)
end

local function status_of(meta, conns)
  if not connected(conns) then return meta.s end
  for _, c in pairs(conns) do if c.a == 0 then return 'online' end end
  return 'away'
end

local function last_seen(meta, conns) if connected(conns) then return false end return meta.ls end

local function change(meta, conns, status, rooms)
  return { u = { id = meta.id, name = meta.name }, s = status, ls = last_seen(meta, conns), r = rooms }
end

local function save(uid, meta, conns)
  redis.call('HSET', user_key(uid), '@', cjson.encode(meta))
  if meta.s ~= 'offline' then
    redis.call('HSET', ONLINE, uid, cjson.encode(change(meta, conns, meta.s, audience(meta, conns))))
  end
end

-- The user's status now, announced when it changed; within interval ms of the last announcement
-- it waits (answering how long), so toggles cost one announcement per interval.
local function settle(uid, meta, conns, changes, interval)
  local status = status_of(meta, conns)
  if status ~= meta.s then
    local wait = (meta.at or 0) + interval - now
    if interval > 0 and wait > 0 then
      save(uid, meta, conns)
      return wait
    end
    meta.s = status
    meta.at = now
    if status ~= 'offline' then meta.d = {} end
    changes[#changes + 1] = change(meta, conns, status, audience(meta, conns))
  end
  save(uid, meta, conns)
  return 0
end

-- Removes a closed connection; its rooms still hear of the user going offline.
local function forget(uid, meta, conns, field, seen)
  local set = {}
  add_all(set, meta.d)
  add_all(set, conns[field].r)
  redis.call('HDEL', user_key(uid), field)
  conns[field] = nil
  meta.d = sorted(set)
  meta.ls = seen
end

-- After connections closed: the status the rest leave, or, with none left, the status the user
-- had for the grace period.
local function after_closing(uid, meta, conns, grace, changes)
  if connected(conns) then
    settle(uid, meta, conns, changes, 0)
  else
    save(uid, meta, conns)
    redis.call('ZADD', PENDING, 'NX', now + grace, uid)
  end
end

-- Drops every connection of node from the user, as if each had closed when the node last beat.
local function drop_node(uid, node, seen, grace, changes)
  local meta, conns = load(uid)
  if not meta then return end
  local prefix = node .. '|'
  for field in pairs(conns) do
    if string.sub(field, 1, #prefix) == prefix then forget(uid, meta, conns, field, seen) end
  end
  after_closing(uid, meta, conns, grace, changes)
end

local changes = {}

if op == 'connect' then
  local uid, node, conn, name, away = ARGV[4], ARGV[5], ARGV[6], ARGV[7], tonumber(ARGV[8])
  local meta, conns = load(uid)
  meta = meta or { id = uid, s = 'offline', d = {}, at = 0 }
  meta.name = name
  meta.ls = now
  local c = { a = away, r = {} }
  conns[node .. '|' .. conn] = c
  redis.call('HSET', user_key(uid), node .. '|' .. conn, cjson.encode(c))
  redis.call('SADD', node_key(node), uid)
  redis.call('ZREM', PENDING, uid)
  settle(uid, meta, conns, changes, 0)
  return cjson.encode(changes)
end

if op == 'disconnect' then
  local uid, node, conn, grace = ARGV[4], ARGV[5], ARGV[6], tonumber(ARGV[7])
  local meta, conns = load(uid)
  local field = node .. '|' .. conn
  if not meta or not conns[field] then return cjson.encode(changes) end
  forget(uid, meta, conns, field, now)
  local prefix = node .. '|'
  local left_here = false
  for f in pairs(conns) do if string.sub(f, 1, #prefix) == prefix then left_here = true end end
  if not left_here then redis.call('SREM', node_key(node), uid) end
  after_closing(uid, meta, conns, grace, changes)
  return cjson.encode(changes)
end

if op == 'away' or op == 'settle' then
  local uid, node, conn, away, interval = ARGV[4], ARGV[5], ARGV[6], tonumber(ARGV[7]), tonumber(ARGV[8])
  local meta, conns = load(uid)
  if not meta then return cjson.encode({ status = 'offline', wait = 0, changes = changes }) end
  local field = node .. '|' .. conn
  if op == 'away' and conns[field] then
    conns[field].a = away
    redis.call('HSET', user_key(uid), field, cjson.encode(conns[field]))
  end
  local wait = settle(uid, meta, conns, changes, interval)
  return cjson.encode({ status = status_of(meta, conns), wait = wait, changes = changes })
end

if op == 'enter' or op == 'exit' then
  local uid, node, conn, room = ARGV[4], ARGV[5], ARGV[6], ARGV[7]
  local meta, conns = load(uid)
  local field = node .. '|' .. conn
  local c = conns[field]
  if not meta or not c then return cjson.encode(changes) end
  if op == 'enter' then
    if has(c.r, room) then return cjson.encode(changes) end
    local already = false
    for _, other in pairs(conns) do if has(other.r, room) then already = true end end
    local rooms = list(c.r)
    rooms[#rooms + 1] = room
    c.r = rooms
    redis.call('HSET', user_key(uid), field, cjson.encode(c))
    save(uid, meta, conns)
    -- The room hears of the user, not of each tab.
    if not already then changes[1] = change(meta, conns, meta.s, { room }) end
  else
    local rooms = {}
    for _, r in ipairs(list(c.r)) do if r ~= room then rooms[#rooms + 1] = r end end
    c.r = rooms
    redis.call('HSET', user_key(uid), field, cjson.encode(c))
    save(uid, meta, conns)
  end
  return cjson.encode(changes)
end

if op == 'heartbeat' then
  -- 0: this node was not registered (swept as dead, or Redis lost its data): it must resync.
  local known = redis.call('ZSCORE', NODES, ARGV[4])
  redis.call('ZADD', NODES, now, ARGV[4])
  if known then return 1 end
  return 0
end

if op == 'expire' then
  -- Users whose grace period is over, and who did not come back, go offline: once, here.
  local due = redis.call('ZRANGEBYSCORE', PENDING, '-inf', now, 'LIMIT', 0, 500)
  for _, uid in ipairs(due) do
    redis.call('ZREM', PENDING, uid)
    local meta, conns = load(uid)
    if meta and not connected(conns) then
      local rooms = audience(meta, conns)
      meta.s = 'offline'
      changes[#changes + 1] = change(meta, conns, 'offline', rooms)
      redis.call('DEL', user_key(uid))
      redis.call('HDEL', ONLINE, uid)
      if #rooms > 0 then
        redis.call('HSET', LAST_ROOMS, uid, cjson.encode(rooms))
        redis.call('ZADD', LAST_ROOMS_ORDER, now, uid)
      end
    end
  end
  -- The last rooms of the users who went offline most recently are kept, the oldest dropped.
  local excess = redis.call('ZCARD', LAST_ROOMS_ORDER) - tonumber(ARGV[4])
  if excess > 0 then
    -- Members and scores, alternately.
    local popped = redis.call('ZPOPMIN', LAST_ROOMS_ORDER, excess)
    for i = 1, #popped, 2 do redis.call('HDEL', LAST_ROOMS, popped[i]) end
  end
  return cjson.encode(changes)
end

if op == 'sweep' then
  -- Nodes silent since ARGV[4], and ARGV[6] when given (a node leaving): their connections go.
  local grace = tonumber(ARGV[5])
  local nodes = {}
  if ARGV[6] then
    nodes[1] = ARGV[6]
  else
    nodes = redis.call('ZRANGEBYSCORE', NODES, '-inf', ARGV[4], 'LIMIT', 0, 10)
  end
  for _, node in ipairs(nodes) do
    local seen = tonumber(redis.call('ZSCORE', NODES, node)) or now
    -- Whoever removes the node sweeps it; a sweeper racing us finds nothing to do.
    if redis.call('ZREM', NODES, node) == 1 or ARGV[6] then
      redis.call('DEL', p .. 'limits:connections:' .. node)
      for _, uid in ipairs(redis.call('SMEMBERS', node_key(node))) do
        drop_node(uid, node, seen, grace, changes)
      end
      redis.call('DEL', node_key(node))
    end
  end
  return cjson.encode(changes)
end

if op == 'resync' then
  -- This node's connections as it knows them replace what Redis holds of them (after Redis was
  -- unreachable, or restarted and lost everything).
  local node, grace = ARGV[4], tonumber(ARGV[5])
  local entries = cjson.decode(ARGV[6])
  local touched = {}
  for _, uid in ipairs(redis.call('SMEMBERS', node_key(node))) do
    local meta, conns = load(uid)
    if meta then
      local prefix = node .. '|'
      for field in pairs(conns) do
        if string.sub(field, 1, #prefix) == prefix then redis.call('HDEL', user_key(uid), field) end
      end
    end
    touched[uid] = true
  end
  redis.call('DEL', node_key(node))
  for _, e in ipairs(entries) do
    local meta = load(e.u)
    if not meta then
      meta = { id = e.u, name = e.n, s = 'offline', d = {}, at = 0, ls = now }
      redis.call('HSET', user_key(e.u), '@', cjson.encode(meta))
    end
    redis.call('HSET', user_key(e.u), node .. '|' .. e.c, cjson.encode({ a = e.a, r = list(e.r) }))
    redis.call('SADD', node_key(node), e.u)
    redis.call('ZREM', PENDING, e.u)
    touched[e.u] = true
  end
  for uid in pairs(touched) do
    local meta, conns = load(uid)
    if meta then
      if connected(conns) then
        settle(uid, meta, conns, changes, 0)
      elseif meta.s ~= 'offline' then
        redis.call('ZADD', PENDING, 'NX', now + grace, uid)
      end
    end
  end
  redis.call('ZADD', NODES, now, node)
  return cjson.encode(changes)
end

return redis.error_reply('unknown presence operation ' .. tostring(op))
`;

export const presenceScript = new RedisScript(SOURCE);
