--[[
  lb-apply: raises users' standings on the global, city and ISO-week boards to totals read
  from MySQL (the ledger's sums), and never lowers them. Points only grow, so "raise to" is
  idempotent and order-free: a replayed or reordered leaderboard.update changes nothing
  and can never add points twice. Many users per call (a chunk of a batch): one command
  instead of one per user.

  KEYS     four per user i (their number is given with each call: the `-n` in the file name):
           KEYS[4i-3] user hash (user:{msisdn}): total, city, updatedAt
           KEYS[4i-2] global board (lb:global)
           KEYS[4i-1] city board   (lb:city:{city})
           KEYS[4i]   week board   (lb:week:{isoWeek})
  ARGV[1]  updatedAt (epoch ms)
  ARGV[2]  TTL of week boards in seconds (0: none), set once per week board touched
  ARGV     then eight per user i, from b = 2 + 8(i-1):
           ARGV[b+1] member (msisdn)
           ARGV[b+2] total points          ARGV[b+3] its score (core/leaderboard.ts encodeScore)
           ARGV[b+4] points in the city    ARGV[b+5] its score
           ARGV[b+6] points in the week    ARGV[b+7] its score
           ARGV[b+8] city name for the user hash
  Returns  the number of board entries raised
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
local weeks = {}
for i = 1, #KEYS / 4 do
  local k = 4 * (i - 1)
  local b = 2 + 8 * (i - 1)
  local member = ARGV[b + 1]
  local total = tonumber(ARGV[b + 2])
  if total > 0 then
    local stored = tonumber(redis.call('HGET', KEYS[k + 1], 'total') or '-1')
    if stored < total then
      redis.call('HSET', KEYS[k + 1], 'total', ARGV[b + 2], 'city', ARGV[b + 8], 'updatedAt', ARGV[1])
    end
    changed = changed + raise(KEYS[k + 2], member, total, ARGV[b + 3])
  end
  local cityPoints = tonumber(ARGV[b + 4])
  if cityPoints > 0 then changed = changed + raise(KEYS[k + 3], member, cityPoints, ARGV[b + 5]) end
  local weekPoints = tonumber(ARGV[b + 6])
  if weekPoints > 0 then
    changed = changed + raise(KEYS[k + 4], member, weekPoints, ARGV[b + 7])
    weeks[KEYS[k + 4]] = true
  end
end
local ttl = tonumber(ARGV[2])
if ttl > 0 then
  for key in pairs(weeks) do redis.call('EXPIRE', key, ttl) end
end
return changed
