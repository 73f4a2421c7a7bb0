--[[
  skipper-set: writes venues' skipper hashes (absolute values from MySQL, so writing twice
  is harmless) in one command instead of one per venue.

  KEYS     the hashes (skipper:{venueId}); their number is given with each call (`-n`)
  ARGV     for KEYS[i]: ARGV[3i-2] the skipper's msisdn ('' = no skipper: the hash is
           deleted), ARGV[3i-1] days, ARGV[3i] since (epoch ms)
  Returns  the number of hashes written or deleted
]]
for i = 1, #KEYS do
  local msisdn = ARGV[3 * i - 2]
  if msisdn == '' then
    redis.call('DEL', KEYS[i])
  else
    redis.call('HSET', KEYS[i], 'msisdn', msisdn, 'days', ARGV[3 * i - 1], 'since', ARGV[3 * i])
  end
end
return #KEYS
