--[[
  Counts sales into each SKU's pace: an exponentially decaying rate (sales per second) for all
  channels together and one per channel that sold. A channel that shows our pushes late holds
  back what the others are expected to sell meanwhile (lead-time.ts reads these at the claim).
  One sale adds 1000 / tau to the rate; the rate decays by e every tau ms. A sale older than the
  stored time (entries read out of order) adds its decayed share without moving the time.

  KEYS[1] pace hash: sku -> "rate at", sku .. '\n' .. channel -> "rate at" (rate per second at ms `at`)
  ARGV[1] tau (ms); then triples: time of the sale (ms), sku, the channel that sold it or ''
  Returns the number of sales counted.
]]
local tau = tonumber(ARGV[1])
local step = 1000 / tau

local function count(field, at)
  local raw = redis.call('HGET', KEYS[1], field)
  local rate, since = 0, at
  if raw then
    local r, t = string.match(raw, '^(%S+) (%S+)$')
    rate, since = tonumber(r) or 0, tonumber(t) or at
  end
  if at >= since then
    rate = rate * math.exp((since - at) / tau) + step
    since = at
  else
    rate = rate + step * math.exp((at - since) / tau)
  end
  redis.call('HSET', KEYS[1], field, string.format('%.4f %d', rate, since))
end

local n = 0
for i = 2, #ARGV, 3 do
  local at, sku, channel = tonumber(ARGV[i]), ARGV[i + 1], ARGV[i + 2]
  count(sku, at)
  if channel ~= '' then count(sku .. '\n' .. channel, at) end
  n = n + 1
end
return n
