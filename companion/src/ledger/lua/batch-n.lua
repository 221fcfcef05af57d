--[[
  Group commit: several events of one tenant in one call. The ledger sends together the events its
  callers hand it at the same moment (the same turn of Node's event loop), so Redis does the
  per-call work (parsing the call, setting up the script, building the helpers) once per group
  instead of once per event. Each event is still applied by its own operation's code below,
  judged alone and in order, exactly as if it had been sent alone; the group adds no waiting.

  KEYS[1] audit stream   KEYS[2] change-feed stream (common.lua's KEYS[2..3], shared)
  KEYS[3..] every event's own keys, one event after another (all in the tenant's {hash tag} slot)
  ARGV[1]  number of events   ARGV[2] idempotencyTtlSeconds   ARGV[3] SKU key prefix
  ARGV[4]  rare keys (common.lua's ARGV[6..8], shared)
  ARGV[5..] per event: its script's name (e.g. 'reserve-5'), the number of its own keys, the number
           of its own args, then its args without ARGV[6..8]
  What every event of the tenant shares travels once; it is put back in place for each event.

  Returns one reply per event, in order: exactly what that event's script returns when called
  alone, or { 'error', message } when its code raised an error (the events around it are unaffected).
]]
--- @include "common"
--- @include-ops
local allKeys, allArgs = KEYS, ARGV
local audit, changes, ttl, prefix, rareKeys = allKeys[1], allKeys[2], allArgs[2], allArgs[3], allArgs[4]
local out = {}
local kp, ap = 2, 5
for i = 1, tonumber(allArgs[1]) do
  local name, nk, na = allArgs[ap], tonumber(allArgs[ap + 1]), tonumber(allArgs[ap + 2])
  ap = ap + 3
  -- A constructor ending in unpack sizes each table once (filling it item by item would regrow it).
  local a = ap
  bind({ allKeys[kp + 1], audit, changes, unpack(allKeys, kp + 2, kp + nk) },
    { allArgs[a], allArgs[a + 1], allArgs[a + 2], allArgs[a + 3], allArgs[a + 4], ttl, prefix, rareKeys, unpack(allArgs, a + 5, a + na - 1) })
  kp, ap = kp + nk, ap + na
  local op = ops[name]
  if not op then
    out[i] = { 'error', 'unknown ledger script ' .. tostring(name) }
  else
    local ok, r = pcall(op)
    if ok then
      out[i] = r
    else
      out[i] = { 'error', type(r) == 'table' and r.err or tostring(r) }
    end
  end
end
return out
