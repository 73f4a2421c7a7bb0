--[[
  standings: total points and global rank of many users in one round trip.

  KEYS[1]  the global leaderboard sorted set (lb:global)
  ARGV     msisdns
  Returns  a flat array: for each msisdn, its score as a string (or false when absent),
           then its 0-based reverse rank (or false).
]]
local out = {}
for i = 1, #ARGV do
  local score = redis.call('ZSCORE', KEYS[1], ARGV[i])
  out[#out + 1] = score
  if score then
    out[#out + 1] = redis.call('ZREVRANK', KEYS[1], ARGV[i])
  else
    out[#out + 1] = false
  end
end
return out
