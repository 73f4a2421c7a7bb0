--[[
  lb-apply: raises a user's standing on the global, city and ISO-week boards to totals read
  from MySQL (the ledger's sums), and never lowers it. Points only grow, so "raise to" is
  idempotent and order-free: a replayed or reordered leaderboard.update changes nothing
  and can never add points twice.

  KEYS[1]  user hash (user:{msisdn}): total, city, updatedAt
  KEYS[2]  global board   (lb:global)
  KEYS[3]  city board     (lb:city:{city})
  KEYS[4]  week board     (lb:week:{isoWeek})
  ARGV[1]  member (msisdn)
  ARGV[2]  total points           ARGV[3]  its score (core/leaderboard.ts encodeScore)
  ARGV[4]  points in the city     ARGV[5]  its score
  ARGV[6]  points in the week     ARGV[7]  its score
  ARGV[8]  city name for the user hash
  ARGV[9]  updatedAt (epoch ms)
  ARGV[10] TTL of the week board in seconds (0: none)
  Returns  a bit mask of what changed: 1 total (hash and global board), 2 city board, 4 week board.
]]
local function raise(key, member, points, score)
  local current = redis.call('ZSCORE', key, member)
  if current and math.floor(tonumber(current)) >= points then
    return 0
  end
  redis.call('ZADD', key, score, member)
  return 1
end

local changed = 0
local total = tonumber(ARGV[2])
if total > 0 then
  local stored = tonumber(redis.call('HGET', KEYS[1], 'total') or '-1')
  if stored < total then
    redis.call('HSET', KEYS[1], 'total', ARGV[2], 'city', ARGV[8], 'updatedAt', ARGV[9])
  end
  if raise(KEYS[2], ARGV[1], total, ARGV[3]) == 1 then changed = changed + 1 end
end
local cityPoints = tonumber(ARGV[4])
if cityPoints > 0 and raise(KEYS[3], ARGV[1], cityPoints, ARGV[5]) == 1 then changed = changed + 2 end
local weekPoints = tonumber(ARGV[6])
if weekPoints > 0 then
  if raise(KEYS[4], ARGV[1], weekPoints, ARGV[7]) == 1 then changed = changed + 4 end
  local ttl = tonumber(ARGV[10])
  if ttl > 0 then redis.call('EXPIRE', KEYS[4], ttl) end
end
return changed
