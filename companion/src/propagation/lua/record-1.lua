--[[
  Records what a channel acknowledged, per SKU, never letting an older ledger version overwrite
  a newer one (a late retry or a slow worker must not move our belief backwards).
  'ack'   : the channel now shows `quantity`, computed from ledger `version`.
  'stale' : compare-and-set said the channel shows `quantity`; keep the version, so the next
            push uses it as `expected`, and remember the ledger version we tried (`sv`): until
            the ledger moves past it, a lower channel number is an unreported sale (worker.ts).
  'reread': a read-back found our accepted write never applied (verify.ts): like 'stale', but
            the channel's number is not a sale, so the next push goes out at once.

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
  if mode == 'stale' or mode == 'reread' then
    local keepV = cur and cur.v or -1
    local rec = { q = q, v = keepV, at = now }
    if mode == 'stale' then rec.sv = v end
    redis.call('HSET', KEYS[1], sku, cjson.encode(rec))
    out[#out + 1] = 1
  elseif (not cur) or v >= cur.v then
    redis.call('HSET', KEYS[1], sku, cjson.encode({ q = q, v = v, at = now }))
    out[#out + 1] = 1
  else
    out[#out + 1] = 0
  end
end
return out
