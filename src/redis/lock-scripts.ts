/**
 * The Lua steps of `RedisLock`. Keys (one hash tag): `owner` holds the holder's fencing
 * token with the lease as its expiry (PX); `last` holds `"<token> <abandoned>"` of the
 * holder from its grant to its release — when `owner` is gone but `last` is not, the
 * holder's lease ran out without a release (it died), and the next grant is abandoned;
 * `fence` holds the last token given (`nextToken`: each waiter's place in line and its fencing token are one
 * number, so grants in line order have increasing tokens); `queue` and `alive` are the line
 * (line-prelude.ts). ARGV[1] is the channel grants are published on, ARGV[2] the lease (ms).
 * @module
 */
import { LINE_PRELUDE } from './line-prelude.js';
import { LuaScript } from './scripts.js';

const LOCK_PRELUDE = `
local owner, last, fence, queue, alive = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local channel, lease = ARGV[1], tonumber(ARGV[2])
${LINE_PRELUDE}
local function lastToken()
  local held = redis.call('GET', last)
  return held and string.match(held, '^%S+')
end

local function grant(token)
  local abandoned = redis.call('EXISTS', last)
  redis.call('SET', owner, token, 'PX', lease)
  redis.call('SET', last, token .. ' ' .. abandoned)
  return tostring(abandoned)
end

-- A free lock goes to the first live waiter, who hears of it on the channel.
local function advance()
  reap()
  if redis.call('EXISTS', owner) == 1 then return '' end
  local head = redis.call('ZPOPMIN', queue)
  if #head == 0 then return '' end
  redis.call('ZREM', alive, head[1])
  local message = head[1] .. ' ' .. grant(head[1])
  redis.call('PUBLISH', channel, message)
  return message
end
`;

/**
 * ARGV[3] `try` or `wait`. Replies `[1, token, abandoned]` when taken, `[0, pttl]` when held
 * (try), `[2, token, pttl]` when queued (wait).
 */
export const ACQUIRE = new LuaScript(
  'lock-acquire',
  `${LOCK_PRELUDE}
advance()
if redis.call('EXISTS', owner) == 0 then
  local token = nextToken(fence)
  return {1, token, grant(token)}
end
if ARGV[3] == 'try' then return {0, redis.call('PTTL', owner)} end
local token = nextToken(fence)
enqueue(token)
return {2, token, redis.call('PTTL', owner)}
`,
);

/**
 * ARGV[3..] the tokens of this client's waiters: renews their deadlines, hands a free lock
 * on, and replies `[pttl of owner, state of each token]` (`w` waiting, `x` gone, else the
 * abandoned flag of its grant).
 */
export const POLL = new LuaScript(
  'lock-poll',
  `${LOCK_PRELUDE}
keepWaiting(3)
advance()
local holder = redis.call('GET', owner)
return pollReply(redis.call('PTTL', owner), 3, function(token)
  return holder == token and string.sub(redis.call('GET', last) or ' 0', -1)
end)
`,
);

/**
 * ARGV[3] a token whose waiter gave up: out of the line, or — when the lock was handed to it
 * meanwhile — handed on (an abandoned grant stays abandoned for the next). Replies 1 when it
 * had been granted.
 */
export const LEAVE = new LuaScript(
  'lock-leave',
  `${LOCK_PRELUDE}
return leaveOrHandOn(ARGV[3], function(token)
  if redis.call('GET', owner) ~= token then return false end
  redis.call('DEL', owner)
  if string.sub(redis.call('GET', last) or ' 0', -1) == '0' then redis.call('DEL', last) end
  return true
end, advance)
`,
);

/**
 * ARGV[3] the holder's token. Frees the lock and hands it to the first live waiter; replies
 * `[1, "<token> <abandoned>" of that grant or ""]`, or `[0]` when the token no longer holds
 * it (the lease ran out and someone else took it). A lease that ran out with nobody taking
 * the lock since still releases: nobody else held it meanwhile.
 */
export const RELEASE = new LuaScript(
  'lock-release',
  `${LOCK_PRELUDE}
local token = ARGV[3]
local holder = redis.call('GET', owner)
if holder == token or (not holder and lastToken() == token) then
  redis.call('DEL', owner, last)
  return {1, advance()}
end
return {0}
`,
);

/**
 * ARGV[3..] the tokens this client holds: extends each lease still its own (or takes back
 * one that ran out while nobody took the lock); replies the tokens that lost it.
 */
export const RENEW = new LuaScript(
  'lock-renew',
  `${LOCK_PRELUDE}
local holder = redis.call('GET', owner)
local lost = {}
for i = 3, #ARGV do
  local token = ARGV[i]
  if holder == token then
    redis.call('PEXPIRE', owner, lease)
  elseif not holder and lastToken() == token then
    redis.call('SET', owner, token, 'PX', lease)
    holder = token
  else
    lost[#lost + 1] = token
  end
end
return lost
`,
);

/** The key parts of a lock, in the order the scripts take them. */
export const LOCK_KEYS = ['owner', 'last', 'fence', 'queue', 'alive'] as const;
