--[[
  set-px: SET with a TTL for many keys in one command, so a batch of USSD session (and
  language) writes costs one command instead of one per key.

  KEYS     the keys; their number is given with each call (the `-n` in the file name)
  ARGV     for KEYS[i]: ARGV[2i-1] the value, ARGV[2i] the TTL in milliseconds
  Returns  the number of keys set
]]
for i = 1, #KEYS do
  redis.call('SET', KEYS[i], ARGV[2 * i - 1], 'PX', ARGV[2 * i])
end
return #KEYS
