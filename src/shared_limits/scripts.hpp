// The Lua scripts that keep a token's limits in Redis. Each runs atomically in Redis, with time
// from Redis' own clock (TIME), so processes need not agree on theirs.
//
// Keys, all under one prefix "<namespace>:{<keyed hash of the token>}:" (the braces keep a token's
// keys in one cluster slot); every key expires on its own:
//   global          sorted set: the token's global window, one member per request, scored by
//                   when the server counted it (or, until its answer, a provisional date later
//                   than that can be)
//   gpause          set for retry_after by a global 429
//   routes          hash: bucket route -> learned bucket hash
//   meta:<bucket>   hash: limit and period (longest Reset-After seen) of a bucket
//   log:<bucket>    sorted set: the bucket's requests, dated as in `global`
//   pause:<bucket>  set for retry_after by a user or shared 429
//   lock:<bucket>   while a bucket's limits are unknown: the one request allowed out on it
//   procs           sorted set: processes seen lately (heartbeats), for the fallback share
// A bucket is "h:<hash>:<major>" once its hash is known anywhere, else "r:<route>:<major>".
//
// Times are microseconds. Lua 5.1 prints numbers with 14 significant digits, too few for
// microseconds since 1970, so every time handed back to Redis goes through fmt().
#pragma once

namespace cadence::shared_limits::detail {

/// ARGV: prefix, member, bucket route, major, hash or "", global "1"/"0", global limit, global
/// window (µs), bucket margin (µs), provisional hold (µs), lock time-to-live (ms).
/// Returns {admitted 1/0, wait µs, bucket, 1 when the wait is the global limit's}. A wait behind
/// requests whose answers have not dated them yet is a short one: their answers come soon.
inline constexpr const char* kAcquireScript = R"lua(
local function fmt(x) return string.format('%.0f', x) end
local p, member, route, major, hash = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local global = ARGV[6] == '1'
local glimit, gwindow = tonumber(ARGV[7]), tonumber(ARGV[8])
local margin, hold, lock_ms = tonumber(ARGV[9]), tonumber(ARGV[10]), tonumber(ARGV[11])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
if hash == '' then hash = redis.call('HGET', p .. 'routes', route) or '' end
local bucket
if hash ~= '' then bucket = 'h:' .. hash .. ':' .. major else bucket = 'r:' .. route .. ':' .. major end
local wait, gwait = 0, 0
local function later(us) if us > wait then wait = us end end
local poll = 5000

if global then
  local gp = redis.call('PTTL', p .. 'gpause')
  if gp > 0 then gwait = gp * 1000 end
end
local bp = redis.call('PTTL', p .. 'pause:' .. bucket)
if bp > 0 then later(bp * 1000) end

local meta = redis.call('HMGET', p .. 'meta:' .. bucket, 'limit', 'period')
local limit, period = tonumber(meta[1]), tonumber(meta[2])
local blog = p .. 'log:' .. bucket
local lock = p .. 'lock:' .. bucket
if limit and period then
  redis.call('ZREMRANGEBYSCORE', blog, '-inf', fmt(now - period - margin))
  if redis.call('ZCARD', blog) >= limit then
    local oldest = tonumber(redis.call('ZRANGE', blog, 0, 0, 'WITHSCORES')[2])
    if oldest > now then later(poll) else later(oldest + period + margin - now) end
  end
else
  -- Nobody knows this bucket's limits yet: one request at a time, as within one process. The
  -- holder's answer may come at any moment, so the others look again soon.
  local holder = redis.call('GET', lock)
  if holder and holder ~= member then
    local ttl = redis.call('PTTL', lock)
    later(math.max(1, math.min(ttl, 20)) * 1000)
  end
end

local glog = p .. 'global'
if global then
  redis.call('ZREMRANGEBYSCORE', glog, '-inf', fmt(now - gwindow))
  if redis.call('ZCARD', glog) >= glimit then
    local oldest = tonumber(redis.call('ZRANGE', glog, 0, 0, 'WITHSCORES')[2])
    local w = oldest + gwindow - now
    if oldest > now then w = poll end
    if w > gwait then gwait = w end
  end
end
if gwait > 0 and gwait >= wait then return {0, math.ceil(gwait), bucket, 1} end
if wait > 0 then return {0, math.ceil(wait), bucket, 0} end

local date = fmt(now + hold)
if limit and period then
  redis.call('ZADD', blog, date, member)
  redis.call('PEXPIRE', blog, math.ceil((period + margin + hold) / 1000) + 1000)
else
  redis.call('SET', lock, member, 'PX', lock_ms)
end
if global then
  redis.call('ZADD', glog, date, member)
  redis.call('PEXPIRE', glog, math.ceil((gwindow + hold) / 1000) + 1000)
end
return {1, 0, bucket, 0}
)lua";

/// ARGV: prefix, member, bucket it was admitted in, global "1"/"0", counted µs ago (may be
/// negative), bucket route, major, hash or "", limit or "", reset-after µs or "", 429 scope
/// ("", "global", "user", "shared"), retry-after ms, hash lifetime ms, bucket margin µs, HTTP
/// status. Returns the bucket the request was counted in.
inline constexpr const char* kSettleScript = R"lua(
local function fmt(x) return string.format('%.0f', x) end
local p, member, admitted = ARGV[1], ARGV[2], ARGV[3]
local global = ARGV[4] == '1'
local ago = tonumber(ARGV[5])
local route, major, hash = ARGV[6], ARGV[7], ARGV[8]
local limit, reset_after = tonumber(ARGV[9]), tonumber(ARGV[10])
local scope, retry_ms, hash_ms = ARGV[11], tonumber(ARGV[12]), tonumber(ARGV[13])
local margin, status = tonumber(ARGV[14]), tonumber(ARGV[15])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local date = fmt(now - ago)

if global then redis.call('ZADD', p .. 'global', 'XX', date, member) end

local bucket = admitted
if hash ~= '' then
  redis.call('HSET', p .. 'routes', route, hash)
  redis.call('PEXPIRE', p .. 'routes', hash_ms)
  bucket = 'h:' .. hash .. ':' .. major
end
local mk = p .. 'meta:' .. bucket
if limit and reset_after then
  local period = math.max(tonumber(redis.call('HGET', mk, 'period') or '0'), reset_after)
  redis.call('HSET', mk, 'limit', limit, 'period', fmt(period))
  redis.call('PEXPIRE', mk, hash_ms)
elseif status >= 200 and status < 300 and not redis.call('HGET', mk, 'limit') then
  -- A success without limits: the route has none that headers tell. Requests on it stop taking
  -- turns for a while; an answer with headers replaces this at once.
  redis.call('HSET', mk, 'limit', 1000000, 'period', 1000000)
  redis.call('PEXPIRE', mk, 60000)
end

-- The request's slot belongs to the bucket that counted it, dated when it was counted.
redis.call('ZREM', p .. 'log:' .. admitted, member)
local period = tonumber(redis.call('HGET', mk, 'period') or '')
if period then
  local log = p .. 'log:' .. bucket
  redis.call('ZADD', log, date, member)
  redis.call('PEXPIRE', log, math.ceil((period + margin) / 1000) + 1000)
end

local lock = p .. 'lock:' .. admitted
if redis.call('GET', lock) == member then redis.call('DEL', lock) end

if scope == 'global' and retry_ms > 0 then
  redis.call('SET', p .. 'gpause', '1', 'PX', retry_ms)
elseif (scope == 'user' or scope == 'shared') and retry_ms > 0 then
  redis.call('SET', p .. 'pause:' .. bucket, '1', 'PX', retry_ms)
end
return bucket
)lua";

/// A request admitted but never sent gives its slots back. ARGV: prefix, member, bucket.
inline constexpr const char* kReleaseScript = R"lua(
local p, member, bucket = ARGV[1], ARGV[2], ARGV[3]
redis.call('ZREM', p .. 'global', member)
redis.call('ZREM', p .. 'log:' .. bucket, member)
local lock = p .. 'lock:' .. bucket
if redis.call('GET', lock) == member then redis.call('DEL', lock) end
return 1
)lua";

/// Sends made while Redis was away, put in the global window on return so that the first
/// second back does not count them twice. ARGV: prefix, window µs, then (member, µs ago) pairs.
inline constexpr const char* kImportScript = R"lua(
local function fmt(x) return string.format('%.0f', x) end
local p, gwindow = ARGV[1], tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local glog = p .. 'global'
for i = 3, #ARGV - 1, 2 do
  redis.call('ZADD', glog, fmt(now - tonumber(ARGV[i + 1])), ARGV[i])
end
redis.call('PEXPIRE', glog, math.ceil(gwindow / 1000) + 1000)
return redis.call('ZCARD', glog)
)lua";

/// A process says it is alive and learns how many are. ARGV: prefix, process id, lifetime µs.
inline constexpr const char* kHeartbeatScript = R"lua(
local function fmt(x) return string.format('%.0f', x) end
local p, id, life = ARGV[1], ARGV[2], tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local k = p .. 'procs'
redis.call('ZADD', k, fmt(now), id)
redis.call('ZREMRANGEBYSCORE', k, '-inf', fmt(now - life))
redis.call('PEXPIRE', k, math.ceil(life / 1000))
return redis.call('ZCARD', k)
)lua";

}  // namespace cadence::shared_limits::detail
