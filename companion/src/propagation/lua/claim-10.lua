--[[
  Starts a push job in one call: looks at our own rate limit for the channel, leases up to `limit`
  dirty SKUs (includes/lease-claim.lua), and reads what the push needs about each
  (includes/read-rows.lua) at the moment of the lease — so nothing older can be in flight — and
  in one consistent snapshot: the ledger's state, what the channel last acknowledged, its own
  sales recorded since, and the rules that shape the quantity shown.
  When the bucket (includes/bucket.lua) is empty nothing is leased: SKUs dirty meanwhile stay
  dirty and leave together in the next push, once a token is there. Otherwise the push's token
  is taken here (prepaid), saving the push a round trip; the job gives it back if nothing it can
  find proves worth sending. The last token too: jobs woken together near our limit then do not
  all lease a batch while only one can send it. Those that lost the token used to hold their
  SKUs until they handed them back, so the winner (often the last to claim) was left the
  deferred confirmations while the SKUs the channel showed wrong waited (traced: Flipkart under
  its limits, 1.3-1.5x its floor; 1.06x with this and the batch fill of worker.ts).
  prepaid = 2 says the token was the last one: the channel is at our limit, so the job fills
  gaps in its batch (ARGV[10]) and pushes once instead of draining (worker.ts).
  (Done as separate calls, claim and read were two round trips per push on a busy event loop.)

  KEYS[1] dirty  KEYS[2] leases  KEYS[3] owners  KEYS[4] claims (of this token)
  KEYS[5] acked  KEYS[6] own     KEYS[7] rules   KEYS[8] bucket  KEYS[9] pace (pace-1.lua)
  KEYS[10] dead letters (dead-letters.ts: id -> JSON letter). Read here, not by the worker after
  the claim: the row already reads this SKU, and a push round then needs no round trip of its own
  to skip parked SKUs or to tell which delivered SKUs end a letter.
  ARGV[1] token, ARGV[2] now (ms), ARGV[3] lease ms, ARGV[4] limit, ARGV[5] preferred sku or '',
  ARGV[6] channel, ARGV[7] the ledger's SKU key prefix (same {tenant} slot),
  ARGV[8] rate per second, ARGV[9] burst, ARGV[10] '1' to fill a batch this job already claimed
  (SKUs found in sync left gaps in it; its token is that claim's): the bucket is not looked at
  Returns { waitMs } when the bucket is empty, else flat
  { 0, more, prepaid, channelRule, then per SKU: sku, since, and appendRow's 13 values };
  more = 1 when the batch is full and dirty SKUs are left; prepaid = 1 when the push's token
  was taken here with more to spare, 2 when it was the last one, 0 when nothing was leased.
]]
--- @include "bucket"
--- @include "lease-claim"
--- @include "base64url"
--- @include "read-rows"
local topUp = ARGV[10] == '1'
local bucket
if not topUp then
  bucket = bucketLoad(KEYS[8], tonumber(ARGV[8]), tonumber(ARGV[9]))
  local wait = bucketWait(bucket, 1)
  if wait > 0 then return { wait } end
end

local channel, prefix = ARGV[6], ARGV[7]
local skus, sinces, more = leaseDirty(KEYS[1], KEYS[2], KEYS[3], KEYS[4], ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5])
local prepaid = 0
if not topUp and #skus > 0 then
  prepaid = bucket.tokens >= 2 and 1 or 2
  bucket.tokens = bucket.tokens - 1
  bucketSave(bucket)
end
local out = { 0, more and 1 or 0, prepaid, redis.call('HGET', KEYS[7], 'channel:' .. channel) or false }
for i, sku in ipairs(skus) do
  out[#out + 1] = sku
  out[#out + 1] = tostring(sinces[i])
  appendRow(out, prefix .. sku, KEYS[5], KEYS[6], KEYS[7], KEYS[9], KEYS[10], channel, sku)
end
return out
