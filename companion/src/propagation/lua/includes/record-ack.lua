-- Pasted into record-1.lua and settle-6.lua: what a channel acknowledged, per SKU.
--[[
  Never lets an older ledger version overwrite a newer one (a late retry or a slow worker must
  not move our belief backwards).
  'ack'   : the channel now shows `q`, computed from ledger version `v` (l = 1: it had applied
            it when it answered, so a sale it reports as made later was made off `q`,
            includes/deferred.lua).
  'accepted': like 'ack', for a push the channel applies later (Amazon ACCEPTED): no `l`.
  'stale' : compare-and-set said the channel shows `q`; keep the version, so the next push uses
            it as `expected`, and remember the ledger version we tried (`sv`): until the ledger
            moves past it, a lower channel number is an unreported sale (worker.ts).
  'reread': a read-back found our accepted write never applied (verify.ts): like 'stale', but
            the channel's number is not a sale, so the next push goes out at once.
  acked  hash sku -> JSON { q, v, at, sv?, l? }
]]

--- Returns 1 when recorded, 0 when an equal-or-newer version was already there.
local function recordAck(ackedKey, now, sku, q, v, mode)
  local raw = redis.call('HGET', ackedKey, sku)
  local cur = raw and cjson.decode(raw) or nil
  if mode == 'stale' or mode == 'reread' then
    local rec = { q = q, v = cur and cur.v or -1, at = now }
    if mode == 'stale' then rec.sv = v end
    redis.call('HSET', ackedKey, sku, cjson.encode(rec))
    return 1
  elseif (not cur) or v >= cur.v then
    local rec = { q = q, v = v, at = now }
    if mode == 'ack' then rec.l = 1 end
    redis.call('HSET', ackedKey, sku, cjson.encode(rec))
    return 1
  end
  return 0
end
