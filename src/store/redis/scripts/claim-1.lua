--[[
  claim: the value held at a key, or, when none is, ARGV[1] stored there for ARGV[2] ms.
  `SET key value NX GET PX ttl` does the same in one command but only from Redis 7.0; a
  script works on every Redis a replica chain may run.

  KEYS[1]  the claim
  ARGV     the value to claim with, the TTL in milliseconds
  Returns  the value that holds the claim (the earlier one, or ARGV[1])
]]
local held = redis.call('GET', KEYS[1])
if held then
  return held
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return ARGV[1]
