--[[
  Group commit: several events of one tenant in one call. The ledger sends together the events its
  callers hand it at the same moment (the same turn of Node's event loop), so Redis does the
  per-call work (parsing the call, setting up the script, building the helpers) once per group
  instead of once per event. Each event is still applied by its own operation's code below,
  judged alone and in order, exactly as if it had been sent alone; the group adds no waiting.

  KEYS     every event's keys, one event after another (all in the tenant's {hash tag} slot)
  ARGV[1]  number of events, then per event: its script's name (e.g. 'reserve-5'), the number of
           its keys, the number of its args, then its args

  Returns one reply per event, in order: exactly what that event's script returns when called
  alone, or { 'error', message } when its code raised an error (the events around it are unaffected).
]]
--- @include "common"
--- @include-ops
local allKeys, allArgs = KEYS, ARGV
local out = {}
local kp, ap = 0, 2
for i = 1, tonumber(allArgs[1]) do
  local name, nk, na = allArgs[ap], tonumber(allArgs[ap + 1]), tonumber(allArgs[ap + 2])
  ap = ap + 3
  -- A constructor around unpack sizes each table once (filling it item by item would regrow it).
  bind({ unpack(allKeys, kp + 1, kp + nk) }, { unpack(allArgs, ap, ap + na - 1) })
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
