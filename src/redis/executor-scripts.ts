/**
 * The Lua steps of the task queue (keys in executor-keys.ts), each built on the lease
 * engine's own Lua (`LEASE_LUA`: its first four keys, `append`, `ackHeld`), so that every
 * state change of a task is one step: a worker's outcome acknowledges the lease — fenced:
 * only while the worker still holds it with the same delivery count — and, in the same step,
 * writes the result, schedules the retry or keeps the dead letter.
 * @module
 */
import { LEASE_LUA } from './lease-stream-scripts.js';
import { LuaScript } from './scripts.js';

/** Redis time in ms, for scripts (the workers' clocks may differ). */
const NOW = `local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)`;

/**
 * A worker's outcome of one attempt, fenced by its lease (run by `LeaseStream.ackWith`).
 * KEYS 5..9: results list, delayed, retrying, dead, dead-index. ARGV 5..10: kind ('result' |
 * 'retry' | 'dead' | 'drop'), task id, outcome for the results list ('' for none), results
 * time-to-live (ms), retry delay (ms), the next attempt's record or the dead letter.
 * Returns 1, or 0 when the lease was lost (nothing written).
 */
export const SETTLE = new LuaScript(
  'executor settle',
  `${LEASE_LUA}
if not ackHeld(ARGV[1], ARGV[2], ARGV[3], ARGV[4]) then return 0 end
local kind = ARGV[5]
if kind == 'retry' or kind == 'dead' then
  ${NOW}
  if kind == 'retry' then
    redis.call('HSET', KEYS[7], ARGV[6], ARGV[10])
    redis.call('ZADD', KEYS[6], now + tonumber(ARGV[9]), ARGV[6])
  else
    redis.call('HSET', KEYS[8], ARGV[6], ARGV[10])
    redis.call('ZADD', KEYS[9], now, ARGV[6])
  end
end
if ARGV[7] ~= '' then
  redis.call('RPUSH', KEYS[5], ARGV[7])
  redis.call('PEXPIRE', KEYS[5], ARGV[8])
end
return 1`,
);

/**
 * Cancels a task: removed if it waits for a retry, or if its first attempt was never
 * delivered; else marked cancelled (a worker that takes it later skips it) and announced
 * to the workers (the one running it aborts it).
 * KEYS 5..7: delayed, retrying, cancelled. ARGV: entry id ('' unknown), task id, abort
 * channel, the stream's channel. Returns 1 when removed, 0 when announced.
 */
export const CANCEL = new LuaScript(
  'executor cancel',
  `${LEASE_LUA}
if redis.call('ZREM', KEYS[5], ARGV[2]) == 1 then
  redis.call('HDEL', KEYS[6], ARGV[2])
  return 1
end
if ARGV[1] ~= '' and redis.call('EXISTS', stream) == 1 and not leaseOf(ARGV[1]) then
  if redis.call('XDEL', stream, ARGV[1]) == 1 then
    redis.call('HINCRBY', meta, 'ready', -1)
    publishIfDone(ARGV[4])
    return 1
  end
end
${NOW}
redis.call('ZADD', KEYS[7], now, ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[7], '-inf', now - 86400000)
redis.call('PUBLISH', ARGV[3], ARGV[2])
return 0`,
);

/**
 * Moves the retries that are due into the task stream.
 * KEYS 5..6: delayed, retrying. ARGV: most to move.
 * Returns { moved, ms until the next is due (-1: none) }.
 */
export const PROMOTE = new LuaScript(
  'executor promote',
  `${LEASE_LUA}
${NOW}
local due = redis.call('ZRANGEBYSCORE', KEYS[5], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
for _, id in ipairs(due) do
  local record = redis.call('HGET', KEYS[6], id)
  if record then append(record) end
  redis.call('HDEL', KEYS[6], id)
  redis.call('ZREM', KEYS[5], id)
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
return append(ARGV[3])`,
);
