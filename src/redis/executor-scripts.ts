/**
 * The Lua steps of the task queue (keys in executor-keys.ts), each built on the lease
 * engine's own Lua (`LEASE_LUA`: its first four keys, `append`, `ackHeld`, each with the
 * step that ends a script's share of them), so that every
 * state change of a task is one step: a worker's outcome acknowledges the lease — fenced:
 * only while the worker still holds it with the same delivery count — and, in the same step,
 * writes the result, schedules the retry or keeps the dead letter.
 * @module
 */
import { LEASE_LUA } from './lease-stream-scripts.js';
import { epochLua } from './queue-epoch.js';
import { LuaScript } from './scripts.js';

/** `clockMs()`: Redis time in ms, for scripts (the workers' clocks may differ). */
const CLOCK = `local function clockMs()
  local clock = redis.call('TIME')
  return tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
end`;

/**
 * Appends tasks to the task stream (a burst of submits in one step) and reads the queue's
 * epoch (queue-epoch.ts), setting it when absent. KEYS 5: epoch. ARGV: the epoch to set
 * when absent, then the task records. Returns their entry ids, then the epoch.
 */
export const SUBMIT = new LuaScript(
  'executor submit',
  `${LEASE_LUA}
local epoch = ${epochLua('KEYS[5]', 'ARGV[1]')}
local ids = {}
for i = 2, #ARGV do ids[i - 1] = append(ARGV[i]) end
appended()
ids[#ARGV] = epoch
return ids`,
);

/**
 * A worker's outcomes of a burst of attempts (run by `LeaseStream.ackWith`), each fenced by
 * its lease: only an attempt whose lease the worker still holds writes anything.
 * KEYS 5..8: delayed, retrying, dead, dead-index; KEYS 9..: results lists.
 * ARGV after the deliveries: the results' time-to-live (ms), then per delivery its kind and
 * only what that kind needs (few arguments: each costs the client a string to build):
 * `r` (a result) list, outcome; `d` (a dead letter) list, outcome, task id, the letter;
 * `t` (a retry) task id, delay (ms), the next attempt's record; `x` (drop: only acknowledge).
 * `list` is the KEYS index of the results list. Returns 1 per delivery written, 0 per lease
 * lost.
 */
export const SETTLE = new LuaScript(
  'executor settle',
  `${LEASE_LUA}
${CLOCK}
local n = tonumber(ARGV[3])
local a = 4 + 2 * n
local ttl = ARGV[a]
local written, pushes, now = {}, {}, nil
a = a + 1
for i = 1, n do
  local kind = ARGV[a]
  local list, outcome, task, delay, next = 0, '', nil, 0, nil
  if kind == 'r' then
    list, outcome = tonumber(ARGV[a + 1]), ARGV[a + 2]
    a = a + 3
  elseif kind == 'd' then
    list, outcome, task, next = tonumber(ARGV[a + 1]), ARGV[a + 2], ARGV[a + 3], ARGV[a + 4]
    a = a + 5
  elseif kind == 't' then
    task, delay, next = ARGV[a + 1], tonumber(ARGV[a + 2]), ARGV[a + 3]
    a = a + 4
  else
    a = a + 1
  end
  if ackHeld(ARGV[1], ARGV[2 + 2 * i], ARGV[3 + 2 * i]) then
    written[i] = 1
    if kind == 't' then
      now = now or clockMs()
      redis.call('HSET', KEYS[6], task, next)
      redis.call('ZADD', KEYS[5], now + delay, task)
    elseif kind == 'd' then
      now = now or clockMs()
      redis.call('HSET', KEYS[7], task, next)
      redis.call('ZADD', KEYS[8], now, task)
    end
    if list > 0 then
      local outcomes = pushes[list]
      if not outcomes then
        outcomes = {}
        pushes[list] = outcomes
      end
      outcomes[#outcomes + 1] = outcome
    end
  else
    written[i] = 0
  end
end
acked(ARGV[2])
for list, outcomes in pairs(pushes) do
  redis.call('RPUSH', KEYS[list], unpack(outcomes))
  redis.call('PEXPIRE', KEYS[list], ttl)
end
return written`,
);

/**
 * Cancels tasks (a burst of cancels in one step): each is removed if it waits for a retry,
 * or if its first attempt was never delivered; else marked cancelled (a worker that takes it
 * later skips it) and announced to the workers (the one running it aborts it).
 * KEYS 5..7: delayed, retrying, cancelled. ARGV: abort channel, the stream's channel, then
 * per task its entry id ('' unknown) and its id. Returns how many were removed.
 */
export const CANCEL = new LuaScript(
  'executor cancel',
  `${LEASE_LUA}
${CLOCK}
local removed, now = 0, nil
for i = 3, #ARGV, 2 do
  local entry, task = ARGV[i], ARGV[i + 1]
  if redis.call('ZREM', KEYS[5], task) == 1 then
    redis.call('HDEL', KEYS[6], task)
  elseif entry ~= '' and hasStream() and not leaseOf(entry) and redis.call('XDEL', stream, entry) == 1 then
    redis.call('HINCRBY', meta, 'ready', -1)
    removed = removed + 1
  else
    now = now or clockMs()
    redis.call('ZADD', KEYS[7], now, task)
    redis.call('PUBLISH', ARGV[1], task)
  end
end
if removed > 0 then publishIfDone(ARGV[2]) end
if now then redis.call('ZREMRANGEBYSCORE', KEYS[7], '-inf', now - 86400000) end
return removed`,
);

/**
 * Moves the retries that are due into the task stream.
 * KEYS 5..6: delayed, retrying. ARGV: most to move.
 * Returns { moved, ms until the next is due (-1: none) }.
 */
export const PROMOTE = new LuaScript(
  'executor promote',
  `${LEASE_LUA}
${CLOCK}
local now = clockMs()
local due = redis.call('ZRANGEBYSCORE', KEYS[5], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
if #due > 0 then
  for _, record in ipairs(redis.call('HMGET', KEYS[6], unpack(due))) do
    if record then append(record) end
  end
  appended()
  redis.call('HDEL', KEYS[6], unpack(due))
  redis.call('ZREM', KEYS[5], unpack(due))
end
local following = redis.call('ZRANGE', KEYS[5], 0, 0, 'WITHSCORES')[2]
if following then return { #due, math.max(0, tonumber(following) - now) } end
return { #due, -1 }`,
);

/**
 * Puts a dead letter back into the task stream, unless it changed or went meanwhile.
 * KEYS 5..7: dead, dead-index, cancelled. ARGV: task id, the dead letter as read, the task
 * record to run. Returns the entry id, or false.
 */
export const REDRIVE = new LuaScript(
  'executor redrive',
  `${LEASE_LUA}
if redis.call('HGET', KEYS[5], ARGV[1]) ~= ARGV[2] then return false end
redis.call('HDEL', KEYS[5], ARGV[1])
redis.call('ZREM', KEYS[6], ARGV[1])
redis.call('ZREM', KEYS[7], ARGV[1])
local id = append(ARGV[3])
appended()
return id`,
);
