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

/// Admission of one or more requests, in order (a batch costs one round trip).
/// ARGV: prefix, global limit, global window (µs), bucket margin (µs), provisional hold (µs),
/// lock time-to-live (ms), then per request: member, bucket route, major, hash or "", global
/// "1"/"0". Returns per request: admitted 1/0, wait µs, bucket, 1 when the wait is the global
/// limit's.
inline constexpr const char* kAcquireScript = R"lua(
local function fmt(x) return string.format('%.0f', x) end
local p = ARGV[1]
local glimit, gwindow = tonumber(ARGV[2]), tonumber(ARGV[3])
local margin, hold, lock_ms = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
-- A full window waits for its oldest slot. A slot whose answer has not dated it yet was taken
-- `hold` before its provisional date and frees no earlier than a window after that; its answer
-- may date it a little later, so the wait is asked again then (never sooner than `poll`).
local poll = 1000
local glog = p .. 'global'
redis.call('ZREMRANGEBYSCORE', glog, '-inf', fmt(now - gwindow))
local gpause = redis.call('PTTL', p .. 'gpause')
local date = fmt(now + hold)
local out = {}

local function one(member, route, major, hash, global)
  if hash == '' then hash = redis.call('HGET', p .. 'routes', route) or '' end
  local bucket
  if hash ~= '' then bucket = 'h:' .. hash .. ':' .. major else bucket = 'r:' .. route .. ':' .. major end
  local wait, gwait = 0, 0
  local function later(us) if us > wait then wait = us end end
  if global and gpause > 0 then gwait = gpause * 1000 end
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
      if oldest > now then oldest = oldest - hold end
      later(math.max(oldest + period + margin - now, poll))
    end
  else
    -- Nobody knows this bucket's limits yet: one request at a time, as within one process.
    -- The holder's answer may come at any moment, so the others look again soon.
    local holder = redis.call('GET', lock)
    if holder and holder ~= member then
      local ttl = redis.call('PTTL', lock)
      later(math.max(1, math.min(ttl, 20)) * 1000)
    end
  end

  if global and redis.call('ZCARD', glog) >= glimit then
    local oldest = tonumber(redis.call('ZRANGE', glog, 0, 0, 'WITHSCORES')[2])
    if oldest > now then oldest = oldest - hold end
    local w = math.max(oldest + gwindow - now, poll)
    if w > gwait then gwait = w end
  end
  if gwait > 0 and gwait >= wait then return {0, math.ceil(gwait), bucket, 1} end
  if wait > 0 then return {0, math.ceil(wait), bucket, 0} end

  if limit and period then
    redis.call('ZADD', blog, date, member)
    redis.call('PEXPIRE', blog, math.ceil((period + margin + hold) / 1000) + 1000)
  else
    redis.call('SET', lock, member, 'PX', lock_ms)
  end
  if global then redis.call('ZADD', glog, date, member) end
  return {1, 0, bucket, 0}
end

for i = 7, #ARGV - 4, 5 do
  local r = one(ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4] == '1')
  for _, v in ipairs(r) do out[#out + 1] = v end
end
redis.call('PEXPIRE', glog, math.ceil((gwindow + hold) / 1000) + 1000)
return out
)lua";

/// How requests ended, one or more at once. ARGV: prefix, hash lifetime ms, bucket margin µs,
/// then per request: member, bucket it was admitted in, global "1"/"0", counted µs ago (may be
/// negative), bucket route, major, hash or "", limit or "", reset-after µs or "", 429 scope
/// ("", "global", "user", "shared"), retry-after ms, HTTP status ("" when it was never sent:
/// its slots are given back). Returns the bucket each was counted in.
inline constexpr const char* kSettleScript = R"lua(
local function fmt(x) return string.format('%.0f', x) end
local p, hash_ms, margin = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local out = {}

local function release(member, bucket)
  redis.call('ZREM', p .. 'global', member)
  redis.call('ZREM', p .. 'log:' .. bucket, member)
  local lock = p .. 'lock:' .. bucket
  if redis.call('GET', lock) == member then redis.call('DEL', lock) end
  return bucket
end

local function one(member, admitted, global, ago, route, major, hash, limit, reset_after, scope,
                   retry_ms, status)
  if not status then return release(member, admitted) end
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
    -- A success without limits: the route has none that headers tell. Requests on it stop
    -- taking turns for a while; an answer with headers replaces this at once.
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
end

for i = 4, #ARGV - 11, 12 do
  out[#out + 1] = one(ARGV[i], ARGV[i + 1], ARGV[i + 2] == '1', tonumber(ARGV[i + 3]),
                      ARGV[i + 4], ARGV[i + 5], ARGV[i + 6], tonumber(ARGV[i + 7]),
                      tonumber(ARGV[i + 8]), ARGV[i + 9], tonumber(ARGV[i + 10]),
                      tonumber(ARGV[i + 11]))
end
return out
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
