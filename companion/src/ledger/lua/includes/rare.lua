--[[
  Helpers of the rare paths: refusals, no-ops and oversell incidents. Pasted into common.lua (which
  defines `call`, `available`, `nowIso`, `nowMsStr` and `ARGV` before it); the whole table is built
  on first use, so an event that needs none of it pays for one closure.
]]
--- Helpers of the rare paths (refusals, no-ops, oversell incidents), built on first use.
local function rare()
  if rareHelpers then return rareHelpers end
  local R = {}
  rareHelpers = R

  --- The tenant's rarely used keys (ARGV[8]): SKU index, incidents hash, open incidents, counter.
  local k = {}
  for key in string.gmatch(ARGV[8], '[^\n]+') do k[#k + 1] = key end
  R.skuIndex, R.incidents, R.openIncidents, R.incidentSeq = k[1], k[2], k[3], k[4]

  local function states(tx)
    local out = {}
    for i, s in ipairs(tx.cache) do
      -- updatedAt is not on the hot path's read list, so it is read here.
      local updatedAt = call('HGET', s.key, 'updatedAt')
      out[i] = {
        sku = s.sku, onHand = s.onHand, committed = s.committed, reserved = s.reserved,
        available = available(s), version = s.version,
        updatedAt = updatedAt or cjson.null, paused = s.paused or cjson.null,
      }
    end
    return out
  end

  -- Refusals and no-ops are NOT stored under the idempotency key: a refused event changed nothing,
  -- so the sender may retry the same id later (e.g. after stock arrives) and have it judged afresh.
  function R.refuse(tx, code, message, details)
    local r = { id = tx.eventId, status = 'refused', code = code, message = message, stock = states(tx) }
    if details then r.details = details end
    return { 'refused', cjson.encode(r) }
  end

  --- Refuses lines stock cannot cover (shortagesOf): 'unknown_sku' when every short line is a SKU
  --- the ledger has never seen (there is nothing to count against: it must be created first),
  --- otherwise 'insufficient_stock' with the quantities left. `what`: 'reserve' | 'confirm'.
  function R.short(tx, shortages, what)
    local unknown = {}
    for i, short in ipairs(shortages) do
      if tx.cache[short.sku].exists then
        return R.refuse(tx, 'insufficient_stock', 'not enough stock to ' .. what .. ' every line', { shortages = shortages })
      end
      unknown[i] = short.sku
    end
    return R.refuse(tx, 'unknown_sku', 'the ledger has no SKU ' .. table.concat(unknown, ', ') ..
      ': send stock.received or stock.adjusted with set to create it, then send this event again', { skus = unknown })
  end

  --- A transition that already happened under another event id (cancel twice, ship after cancel):
  --- harmless, nothing changes, no audit entry; answered as 'duplicate' with the current state.
  function R.noop(tx, message)
    return { 'noop', cjson.encode({ id = tx.eventId, status = 'duplicate', message = message, stock = states(tx) }) }
  end

  --- tx.incidents = { opened, hit (recorded), resolved }: incident ids this event touched.
  local function note(tx, list, id)
    local inc = tx.incidents
    if not inc then
      inc = { opened = {}, hit = {}, resolved = {} }
      tx.incidents = inc
    end
    local t = inc[list]
    for _, x in ipairs(t) do if x == id then return end end
    t[#t + 1] = id
  end

  function R.openIncident(tx, s, orderId, qty, oversold)
    local order = { orderId = orderId, source = tx.source, qty = qty }
    if tx.backorder then order.backorder = true end
    local id = s.incident
    if id then
      local raw = call('HGET', R.incidents, id)
      if raw then
        local inc = cjson.decode(raw)
        inc.oversoldUnits = inc.oversoldUnits + oversold
        inc.orders[#inc.orders + 1] = order
        call('HSET', R.incidents, id, cjson.encode(inc))
      end
    else
      local seq = call('INCR', R.incidentSeq)
      id = 'inc-' .. seq
      local inc = {
        id = id, kind = 'oversell', sku = s.sku, status = 'open', oversoldUnits = oversold,
        orders = { order }, openedAt = nowIso, resolvedAt = cjson.null,
      }
      call('HSET', R.incidents, id, cjson.encode(inc))
      -- Scored by the id's number: the open list pages by id (ledger/reads.ts).
      call('ZADD', R.openIncidents, seq, id)
      s.incident = id
      note(tx, 'opened', id)
    end
    -- A manual pause is stronger than the oversell pause; keep it.
    if not s.paused then s.paused = 'oversell' end
    note(tx, 'hit', id)
    return id
  end

  --- An order listed in the SKU's open incident was cancelled: marked so in the incident.
  function R.orderCancelled(s, orderId)
    local raw = call('HGET', R.incidents, s.incident)
    if not raw then return end
    local inc = cjson.decode(raw)
    local marked = false
    for _, o in ipairs(inc.orders) do
      if o.orderId == orderId and not o.cancelled then
        o.cancelled = true
        marked = true
      end
    end
    if marked then call('HSET', R.incidents, s.incident, cjson.encode(inc)) end
  end

  --- Nothing is owed any more for a SKU with an open oversell incident (available back to 0 or
  --- more): resolve it and lift the oversell pause.
  function R.resolve(tx, s)
    local raw = call('HGET', R.incidents, s.incident)
    if raw then
      local inc = cjson.decode(raw)
      inc.status = 'resolved'
      inc.resolvedAt = nowIso
      call('HSET', R.incidents, s.incident, cjson.encode(inc))
    end
    call('ZREM', R.openIncidents, s.incident)
    note(tx, 'resolved', s.incident)
    s.incident = false
    if s.paused == 'oversell' then s.paused = false end
  end

  --- The audit entry's `incidents` member. opened: incidents this event opened; recorded: every
  --- incident it was recorded in (opened or joined); resolved: incidents it resolved.
  function R.incidentsJson(tx)
    local inc, out = tx.incidents, {}
    if #inc.opened > 0 then out.opened = inc.opened end
    if #inc.hit > 0 then out.recorded = inc.hit end
    if #inc.resolved > 0 then out.resolved = inc.resolved end
    return ',"incidents":' .. cjson.encode(out)
  end

  return R
end
