/**
 * The Lua steps of `RedisSemaphore`. Keys (one hash tag): `holders`, a ZSET of the tokens
 * holding a permit scored by their lease deadline (server time, ms) — a holder whose
 * deadline passed died, and its permit is free again; `config`, the value and kind every
 * object of this name must agree on (`"3"` or `"3 bounded"`); `extra`, the permits released
 * above the initial value (unbounded only); `counter`, the token counter; `queue` and
 * `alive`, the line (line-prelude.ts). ARGV: the channel grants are published on, the lease
 * (ms), the initial value, `bounded` or `plain`, then what each step takes.
 * @module
 */
import { LINE_PRELUDE } from './line-prelude.js';
import { LuaScript } from './scripts.js';

const SEMAPHORE_PRELUDE = `
local holders, config, extra, counter, queue, alive = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local channel, lease = ARGV[1], tonumber(ARGV[2])
local settings = ARGV[3] .. (ARGV[4] == 'bounded' and ' bounded' or '')
local found = redis.call('GET', config)
if not found then
  redis.call('SET', config, settings)
elseif found ~= settings then
  return redis.error_reply('WEFTCONFIG ' .. found)
end
local capacity = tonumber(ARGV[3]) + tonumber(redis.call('GET', extra) or '0')
${LINE_PRELUDE}
local function free()
  return capacity - redis.call('ZCARD', holders)
end

local function hold(token)
  redis.call('ZADD', holders, now + lease, token)
end

-- Permits of dead holders come back; free permits go to the first live waiters.
local function advance()
  reap()
  redis.call('ZREMRANGEBYSCORE', holders, '-inf', '(' .. now)
  local granted = {}
  local left = free()
  while left > 0 do
    local head = redis.call('ZPOPMIN', queue)
    if #head == 0 then break end
    redis.call('ZREM', alive, head[1])
    hold(head[1])
    redis.call('PUBLISH', channel, head[1] .. ' g')
    granted[#granted + 1] = head[1]
    left = left - 1
  end
  return granted
end
`;

/** ARGV[5] `try` or `wait`. Replies `[1, token]` when taken, `[0]` when none is free (try), `[2, token]` when queued. */
export const ACQUIRE = new LuaScript(
  'semaphore-acquire',
  `${SEMAPHORE_PRELUDE}
advance()
local token = nextToken(counter)
if free() > 0 then
  hold(token)
  return {1, token}
end
if ARGV[5] == 'try' then return {0} end
enqueue(token)
return {2, token}
`,
);

/**
 * ARGV[5..] this client's waiting tokens: renews their deadlines, hands out free permits,
 * replies `[ms until the first holder's lease runs out or -1, state of each token]`
 * (`g` granted, `w` waiting, `x` gone).
 */
export const POLL = new LuaScript(
  'semaphore-poll',
  `${SEMAPHORE_PRELUDE}
keepWaiting(5)
advance()
local first = redis.call('ZRANGE', holders, 0, 0, 'WITHSCORES')
return pollReply(#first > 0 and (tonumber(first[2]) - now) or -1, 5, function(token)
  return redis.call('ZSCORE', holders, token) and 'g'
end)
`,
);

/** ARGV[5] a token whose waiter gave up: out of line, or its permit (granted meanwhile) handed on. */
export const LEAVE = new LuaScript(
  'semaphore-leave',
  `${SEMAPHORE_PRELUDE}
return leaveOrHandOn(ARGV[5], function(token)
  return redis.call('ZREM', holders, token) == 1
end, advance)
`,
);

/**
 * ARGV[5] n, ARGV[6..] the tokens released (at most n; the rest of n adds permits, unbounded
 * only). Hands the permits to the first live waiters; replies `[tokens whose lease was lost,
 * tokens granted]`.
 */
export const RELEASE = new LuaScript(
  'semaphore-release',
  `${SEMAPHORE_PRELUDE}
local added = tonumber(ARGV[5]) - (#ARGV - 5)
if added > 0 then
  if ARGV[4] == 'bounded' then return redis.error_reply('WEFTBOUND') end
  redis.call('INCRBY', extra, added)
  capacity = capacity + added
end
local lost = {}
for i = 6, #ARGV do
  if redis.call('ZREM', holders, ARGV[i]) == 0 then lost[#lost + 1] = ARGV[i] end
end
return {lost, advance()}
`,
);

/** ARGV[5..] the tokens this client holds: extends each still held; replies the ones lost. */
export const RENEW = new LuaScript(
  'semaphore-renew',
  `${SEMAPHORE_PRELUDE}
local lost = {}
for i = 5, #ARGV do
  if redis.call('ZSCORE', holders, ARGV[i]) then
    hold(ARGV[i])
  else
    lost[#lost + 1] = ARGV[i]
  end
end
return lost
`,
);

/** Replies the permits free now (after dead holders' came back and waiters were served). */
export const VALUE = new LuaScript(
  'semaphore-value',
  `${SEMAPHORE_PRELUDE}
advance()
return free()
`,
);

/** The key parts of a semaphore, in the order the scripts take them. */
export const SEMAPHORE_KEYS = ['holders', 'config', 'extra', 'counter', 'queue', 'alive'] as const;
