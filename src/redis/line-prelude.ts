/**
 * The Lua every waiting line's script starts with (`RedisLock`, `RedisSemaphore`): the
 * server's clock, and the line itself — a ZSET `queue` of waiter tokens scored by their
 * order (tokens are increasing numbers, so the score is the token), and a ZSET `alive` of the
 * same tokens scored by the time their waiter must have shown itself again by. A waiter's
 * client renews that deadline every third of its lease while it waits; a waiter whose
 * deadline passed died waiting, and `reap()` drops it so it is never handed anything.
 *
 * Expects `queue` and `alive` (key names) and `lease` (ms) to be set before it.
 * @module
 */

/** Defines `now` (ms, the server's clock) and `reap()`. */
export const LINE_PRELUDE = `
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)

-- A new token: one more than the last, and never less than the server's clock in µs, so
-- tokens keep increasing even across a restart that lost the counter (as long as the
-- server's clock does not go back). Below 2^53 until the 23rd century: exact as a double.
-- For the same reason the counter need not outlive a day unused: it expires then.
local function nextToken(counter)
  local last = tonumber(redis.call('GET', counter) or '0')
  local token = string.format('%.0f', math.max(last + 1, tonumber(clock[1]) * 1000000 + tonumber(clock[2])))
  redis.call('SET', counter, token, 'PX', 86400000)
  return token
end

local function reap()
  local dead = redis.call('ZRANGEBYSCORE', alive, '-inf', '(' .. now)
  for _, token in ipairs(dead) do
    redis.call('ZREM', queue, token)
    redis.call('ZREM', alive, token)
  end
end

local function enqueue(token)
  redis.call('ZADD', queue, token, token)
  redis.call('ZADD', alive, now + lease, token)
end

-- A waiter that gave up: what was granted to it meanwhile (dropGrant says whether there was
-- something, and drops it) goes on to the next; else it just leaves the line.
local function leaveOrHandOn(token, dropGrant, advance)
  if dropGrant(token) then
    advance()
    return 1
  end
  redis.call('ZREM', queue, token)
  redis.call('ZREM', alive, token)
  return 0
end

local function keepWaiting(first)
  for i = first, #ARGV do
    redis.call('ZADD', alive, 'XX', now + lease, ARGV[i])
  end
end

-- A poll's reply: soonest, then for each token from ARGV[first] what grantOf says of it,
-- else 'w' while it waits in line, else 'x'.
local function pollReply(soonest, first, grantOf)
  local reply = {soonest}
  for i = first, #ARGV do
    local token = ARGV[i]
    local state = grantOf(token)
    if not state then state = redis.call('ZSCORE', queue, token) and 'w' or 'x' end
    reply[#reply + 1] = state
  end
  return reply
end
`;

/** The state a poll reports for a token still in line, and for one no longer known. */
export const WAITING = 'w';
export const GONE = 'x';
