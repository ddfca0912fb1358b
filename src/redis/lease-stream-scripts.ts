/**
 * The Lua scripts of the lease engine (lease-stream.ts): each state change of a lease
 * stream is one of them, so no other client ever sees half of it.
 *
 * Keys, all under one hash tag: `stream` (the entries; the consumer group `weft` holds the
 * leases as its pending entries), `meta` (a hash: `ready` = entries never delivered,
 * `returned` = entries given back and held by the reserved consumer `~returned`, `shut` =
 * `graceful` | `immediate` once shut down, `last` = the id of the newest entry, `wake` = the
 * newest id of the `wake` stream, `sweepAt`/`cursor` = when and where the next look for
 * expired leases starts), `gives` (a hash: how many times each entry was given back, so a
 * delivery counts only real hand-overs), `wake` (a one-entry stream whose new entries wake
 * blocked readers: an entry given back, a shutdown). Each script gets the pub/sub channel of
 * the stream as an argument and publishes `room` (entries were taken), `done` (nothing is
 * left unacknowledged) and `shutdown` on it.
 * @module
 */
import { epochLua } from './queue-epoch.js';
import { LuaScript } from './scripts.js';

/** The consumer group every lease stream uses. */
export const GROUP = 'weft';
/** The consumer that holds entries given back until the next read takes them. */
export const RETURNED = '~returned';

/**
 * Lua shared by the scripts: key names (KEYS[1..4]), publishing `done`, the delivery count of
 * an entry, and two pairs that do per entry only what must be per entry, the rest once per
 * script: `append(payload)` (a new entry, ready for the next read; its id) and
 * `appended()` (the counts and marks of what was appended — every script that appends calls it
 * before it returns); `ackHeld(consumer, id, token)` (the fenced acknowledgement: false unless
 * `consumer` holds `id` with delivery count `token`) and `acked(channel)` (acknowledges and
 * deletes what `ackHeld` accepted, publishing `done` when nothing is left — every script that
 * acknowledges calls it before it returns). Exported so that steps built on the engine (the
 * task queue's: executor-scripts.ts) change a lease and their own keys in one script.
 */
export const LEASE_LUA = `
local stream, meta, gives, wake = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local function publishIfDone(channel)
  if redis.call('XLEN', stream) == 0 then redis.call('PUBLISH', channel, 'done') end
end
local function leaseOf(id)
  local p = redis.call('XPENDING', stream, '${GROUP}', id, id, 1)
  if #p == 0 then return nil, 0 end
  return p[1][2], p[1][4]
end
local function drop(id)
  redis.call('XACK', stream, '${GROUP}', id)
  redis.call('XDEL', stream, id)
  redis.call('HDEL', gives, id)
end
local function wakeReaders(why)
  local id = redis.call('XADD', wake, 'MAXLEN', '1', '*', 'why', why)
  redis.call('HSET', meta, 'wake', id)
end
local streamExists = nil
local function hasStream()
  if streamExists == nil then streamExists = redis.call('EXISTS', stream) == 1 end
  return streamExists
end
local appendedCount, lastAppended = 0, nil
local function append(payload)
  if not hasStream() then
    redis.call('XGROUP', 'CREATE', stream, '${GROUP}', '0', 'MKSTREAM')
    streamExists = true
  end
  lastAppended = redis.call('XADD', stream, '*', 'd', payload)
  appendedCount = appendedCount + 1
  return lastAppended
end
local function appended()
  if appendedCount == 0 then return end
  redis.call('HINCRBY', meta, 'ready', appendedCount)
  redis.call('HSET', meta, 'last', lastAppended)
  appendedCount = 0
end
local accepted = {}
local function ackHeld(consumer, id, token)
  if not hasStream() then return false end
  local owner, count = leaseOf(id)
  if owner ~= consumer or count ~= tonumber(token) then return false end
  accepted[#accepted + 1] = id
  return true
end
local function acked(channel)
  if #accepted == 0 then return end
  redis.call('XACK', stream, '${GROUP}', unpack(accepted))
  redis.call('XDEL', stream, unpack(accepted))
  redis.call('HDEL', gives, unpack(accepted))
  accepted = {}
  publishIfDone(channel)
end
`;
const PRELUDE = LEASE_LUA;

/**
 * ARGV: payload, maxsize (0: unbounded), channel, then (with KEYS 5, the stream's epoch key:
 * queue-epoch.ts) the epoch to set when absent. Returns `{ the new entry's id, or 0 when
 * full, or -1 when shut down; then (with KEYS 5) the epoch read or set }`.
 */
export const ADD = new LuaScript(
  'lease-stream add',
  `${PRELUDE}
local epoch = KEYS[5] and ${epochLua('KEYS[5]', 'ARGV[4]')}
local state = redis.call('HMGET', meta, 'shut', 'ready', 'returned')
if state[1] then return { -1, epoch } end
local maxsize = tonumber(ARGV[2])
if maxsize > 0 and tonumber(state[2] or '0') + tonumber(state[3] or '0') >= maxsize then return { 0, epoch } end
local id = append(ARGV[1])
appended()
return { id, epoch }
`,
);

/**
 * ARGV: consumer, count, minIdle (ms: a lease idle that long has run out), sweepEvery (ms
 * between looks for expired leases), channel. Takes up to `count` entries for `consumer`:
 * entries given back first, then entries whose lease ran out (when a look is due), then
 * new ones. Returns `{ shut, last, wake, id, count, gives, payload, ... }`.
 */
export const TAKE = new LuaScript(
  'lease-stream take',
  `${PRELUDE}
local consumer, want, channel = ARGV[1], tonumber(ARGV[2]), ARGV[5]
local state = redis.call('HMGET', meta, 'shut', 'last', 'wake', 'returned', 'sweepAt', 'cursor')
local out = { state[1] and 1 or 0, state[2] or '0-0', state[3] or '0-0' }
if redis.call('EXISTS', stream) == 0 then return out end
local got, took = 0, 0
local function hand(id, count, fields, given)
  -- An entry read for the first time was never given back.
  given = given or tonumber(redis.call('HGET', gives, id) or '0')
  out[#out + 1] = id
  out[#out + 1] = count
  out[#out + 1] = count - given
  out[#out + 1] = fields[2]
  got = got + 1
end
local returned = tonumber(state[4] or '0')
if returned > 0 then
  local pending = redis.call('XPENDING', stream, '${GROUP}', '-', '+', want, '${RETURNED}')
  if #pending == 0 then
    redis.call('HSET', meta, 'returned', 0)
    returned = 0
  else
    local ids, counts = {}, {}
    for i, p in ipairs(pending) do
      ids[i] = p[1]
      counts[p[1]] = p[4]
    end
    local entries = redis.call('XCLAIM', stream, '${GROUP}', consumer, 0, unpack(ids))
    returned = returned - #ids
    took = took + #ids
    redis.call('HINCRBY', meta, 'returned', -#ids)
    for _, e in ipairs(entries) do
      if e[2] then hand(e[1], counts[e[1]] + 1, e[2]) end
    end
  end
end
if got < want and returned <= 0 then
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  if now >= tonumber(state[5] or '0') then
    local r = redis.call('XAUTOCLAIM', stream, '${GROUP}', consumer, ARGV[3], state[6] or '0-0', 'COUNT', want - got)
    if r[1] == '0-0' then
      redis.call('HSET', meta, 'sweepAt', now + tonumber(ARGV[4]), 'cursor', '0-0')
    else
      redis.call('HSET', meta, 'cursor', r[1])
    end
    for _, e in ipairs(r[2]) do
      if e[2] then
        if state[1] == 'immediate' then
          drop(e[1])
        else
          local _, count = leaseOf(e[1])
          hand(e[1], count, e[2])
        end
      end
    end
    if state[1] == 'immediate' then publishIfDone(channel) end
  end
end
if got < want then
  local r = redis.call('XREADGROUP', 'GROUP', '${GROUP}', consumer, 'COUNT', want - got, 'STREAMS', stream, '>')
  if r then
    local entries = r[1][2]
    took = took + #entries
    redis.call('HINCRBY', meta, 'ready', -#entries)
    for _, e in ipairs(entries) do hand(e[1], 1, e[2], 0) end
  end
end
if took > 0 then redis.call('PUBLISH', channel, 'room') end
return out
`,
);

/**
 * ARGV: consumer, id, token, channel, then optionally resultKey, resultValue, resultTtlMs,
 * resultChannel. Acknowledges `id` if `consumer` still holds it with delivery count
 * `token` (the fencing token), storing the result in the same step. Returns 1, or 0 when the
 * lease was lost.
 */
export const ACK = new LuaScript(
  'lease-stream ack',
  `${PRELUDE}
if redis.call('EXISTS', stream) == 0 then return 0 end
local owner, count = leaseOf(ARGV[2])
if owner ~= ARGV[1] or count ~= tonumber(ARGV[3]) then return 0 end
drop(ARGV[2])
if ARGV[5] then
  redis.call('SET', ARGV[5], ARGV[6], 'PX', ARGV[7])
  if ARGV[8] ~= '' then redis.call('PUBLISH', ARGV[8], ARGV[5]) end
end
publishIfDone(ARGV[4])
return 1
`,
);

/**
 * ARGV: consumer, then id, token pairs. Resets the idle time of every lease `consumer`
 * still holds with that token; returns the ids it no longer holds.
 */
export const RENEW = new LuaScript(
  'lease-stream renew',
  `${PRELUDE}
local lost, keep = {}, {}
local exists = redis.call('EXISTS', stream) == 1
for i = 2, #ARGV, 2 do
  local owner, count
  if exists then owner, count = leaseOf(ARGV[i]) end
  if owner == ARGV[1] and count == tonumber(ARGV[i + 1]) then
    keep[#keep + 1] = ARGV[i]
  else
    lost[#lost + 1] = ARGV[i]
  end
end
if #keep > 0 then
  keep[#keep + 1] = 'JUSTID'
  redis.call('XCLAIM', stream, '${GROUP}', ARGV[1], 0, unpack(keep))
end
return lost
`,
);

/**
 * ARGV: consumer, channel, then id, token pairs. Gives back the entries `consumer` still
 * holds with that token: they go to `~returned`, first in line for the next read of any
 * consumer (after an immediate shutdown they are dropped and count as done instead).
 * Returns how many were given back or dropped.
 */
export const GIVE_BACK = new LuaScript(
  'lease-stream give back',
  `${PRELUDE}
if redis.call('EXISTS', stream) == 0 then return 0 end
local immediate = redis.call('HGET', meta, 'shut') == 'immediate'
local n = 0
for i = 3, #ARGV, 2 do
  local owner, count = leaseOf(ARGV[i])
  if owner == ARGV[1] and count == tonumber(ARGV[i + 1]) then
    if immediate then
      drop(ARGV[i])
    else
      redis.call('XCLAIM', stream, '${GROUP}', '${RETURNED}', 0, ARGV[i], 'JUSTID')
      redis.call('HINCRBY', gives, ARGV[i], 1)
      redis.call('HINCRBY', meta, 'returned', 1)
    end
    n = n + 1
  end
end
if n > 0 then
  if immediate then
    publishIfDone(ARGV[2])
  else
    wakeReaders('returned')
    redis.call('PUBLISH', ARGV[2], 'returned')
  end
end
return n
`,
);

/**
 * ARGV: immediate (1 or 0), channel. Sets the shutdown flag (never back from immediate to
 * graceful); immediate drops every entry nobody holds. Returns how many were dropped.
 */
export const SHUT_DOWN = new LuaScript(
  'lease-stream shutdown',
  `${PRELUDE}
local immediate = ARGV[1] == '1'
local was = redis.call('HGET', meta, 'shut')
if immediate then
  redis.call('HSET', meta, 'shut', 'immediate')
elseif not was then
  redis.call('HSET', meta, 'shut', 'graceful')
end
local dropped = 0
if immediate and redis.call('EXISTS', stream) == 1 then
  while true do
    local r = redis.call('XREADGROUP', 'GROUP', '${GROUP}', '${RETURNED}', 'COUNT', 1000, 'STREAMS', stream, '>')
    if not r then break end
    for _, e in ipairs(r[1][2]) do drop(e[1]) end
    dropped = dropped + #r[1][2]
  end
  while true do
    local pending = redis.call('XPENDING', stream, '${GROUP}', '-', '+', 1000, '${RETURNED}')
    if #pending == 0 then break end
    for _, p in ipairs(pending) do drop(p[1]) end
  end
  redis.call('HSET', meta, 'ready', 0, 'returned', 0)
end
wakeReaders('shutdown')
redis.call('PUBLISH', ARGV[2], 'shutdown')
publishIfDone(ARGV[2])
return dropped
`,
);

/**
 * ARGV: consumer. Gives up the consumer's name in the group when it holds nothing (a closed
 * reader leaves no trace), and forgets consumers that held nothing and were idle for
 * `ARGV[2]` ms (readers that died). Returns how many were removed.
 */
export const FORGET_CONSUMERS = new LuaScript(
  'lease-stream forget consumers',
  `${PRELUDE}
if redis.call('EXISTS', stream) == 0 then return 0 end
local removed = 0
for _, c in ipairs(redis.call('XINFO', 'CONSUMERS', stream, '${GROUP}')) do
  local info = {}
  for i = 1, #c, 2 do info[c[i]] = c[i + 1] end
  if info.pending == 0 and info.name ~= '${RETURNED}' and
     (info.name == ARGV[1] or info.idle >= tonumber(ARGV[2])) then
    redis.call('XGROUP', 'DELCONSUMER', stream, '${GROUP}', info.name)
    removed = removed + 1
  end
end
return removed
`,
);
