--[[
  Marks SKUs dirty for one (tenant, channel), keeping the earliest unsynced change time, and
  says which were not dirty before: only those need a job enqueued (an already-dirty SKU has
  one waiting, or is leased and its release enqueues it). Saves a BullMQ add per change in a burst.

  KEYS[1] dirty zset sku -> earliest unsynced change time (ms)
  ARGV pairs: time, sku
  Returns the SKUs newly marked.
]]
local fresh = {}
for i = 1, #ARGV, 2 do
  if redis.call('ZADD', KEYS[1], 'NX', ARGV[i], ARGV[i + 1]) == 1 then fresh[#fresh + 1] = ARGV[i + 1] end
end
return fresh
