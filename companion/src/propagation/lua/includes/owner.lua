-- Pasted into the scripts that read a lease's owner (lease-claim.lua, release-lease.lua, reap-3.lua).
--[[
  owners  hash sku -> "<token>\n<since>" or "<token>\n<since>\nheld"
]]

--- The job holding the SKU's lease, the SKU's earliest unsynced change time, and whether the
--- lease is held for that job's retry; nil, nil, false when nobody holds it.
local function ownerOf(ownersKey, sku)
  local v = redis.call('HGET', ownersKey, sku)
  if not v then return nil, nil, false end
  local nl = string.find(v, '\n', 1, true)
  local rest = string.sub(v, nl + 1)
  local nl2 = string.find(rest, '\n', 1, true)
  if nl2 then return string.sub(v, 1, nl - 1), tonumber(string.sub(rest, 1, nl2 - 1)), true end
  return string.sub(v, 1, nl - 1), tonumber(rest), false
end
