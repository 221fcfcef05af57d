--[[
  Marks SKUs dirty for one (tenant, channel), keeping the earliest unsynced change time, and
  says which were not dirty before: only those need a job enqueued (an already-dirty SKU has
  one waiting, or is leased and its release enqueues it). Saves a BullMQ add per change in a burst.
  A change that is only the channel's own sale, made after its last acknowledged push landed,
  is marked with a deferred score (includes/deferred.lua): it leaves after the SKUs the channel
  shows wrong.

  KEYS[1] dirty zset sku -> earliest unsynced change time (ms)
  KEYS[2] acked hash sku -> JSON { q, v, at, l? } (includes/record-ack.lua)
  ARGV triples: time, sku, the earliest time (ms) of this channel's own sales that are the SKU's
  only changes here, or '', or 'bg' for background work (includes/deferred.lua)
  Returns the SKUs newly marked.
]]
--- @include "deferred"
local fresh = {}
for i = 1, #ARGV, 3 do
  local sku, sold = ARGV[i + 1], ARGV[i + 2]
  local score = ARGV[i]
  if sold == 'bg' then
    score = backgroundScore(tonumber(ARGV[i]))
  elseif sold ~= '' then
    local raw = redis.call('HGET', KEYS[2], sku)
    local ack = raw and cjson.decode(raw)
    -- Only after a push the channel applied when it answered (l): not one accepted for later
    -- (Amazon), nor a number read off a compare-and-set refusal.
    if ack and ack.l == 1 and tonumber(sold) > ack.at then score = deferredScore(tonumber(ARGV[i])) end
  end
  if redis.call('ZADD', KEYS[1], 'LT', score, sku) == 1 then fresh[#fresh + 1] = sku end
end
return fresh
