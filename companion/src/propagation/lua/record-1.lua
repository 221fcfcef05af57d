--[[
  Records what a channel acknowledged, per SKU, never letting an older ledger version overwrite
  a newer one (a late retry or a slow worker must not move our belief backwards).
  'ack'   : the channel now shows `quantity`, computed from ledger `version`.
  'stale' : compare-and-set said the channel shows `quantity`; keep the version, so the next
            push uses it as `expected`.

  KEYS[1] acked  hash sku -> JSON { q, v, at }
  ARGV[1] now (ms), then quadruples: sku, quantity, version, mode
  Returns one 1 (recorded) or 0 (an equal-or-newer version was already there) per SKU.
]]
local now = tonumber(ARGV[1])
local out = {}
for i = 2, #ARGV, 4 do
  local sku, q, v, mode = ARGV[i], tonumber(ARGV[i + 1]), tonumber(ARGV[i + 2]), ARGV[i + 3]
  local raw = redis.call('HGET', KEYS[1], sku)
  local cur = raw and cjson.decode(raw) or nil
  if mode == 'stale' then
    local keepV = cur and cur.v or -1
    redis.call('HSET', KEYS[1], sku, cjson.encode({ q = q, v = keepV, at = now }))
    out[#out + 1] = 1
  elseif (not cur) or v >= cur.v then
    redis.call('HSET', KEYS[1], sku, cjson.encode({ q = q, v = v, at = now }))
    out[#out + 1] = 1
  else
    out[#out + 1] = 0
  end
end
return out
