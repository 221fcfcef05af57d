--[[
  Shared helpers for every ledger script; the loader (ledger/scripts.ts) pastes this file where a
  script says `--- @include "common"` (Redis scripts cannot require one another).

  Standard layout of event scripts (built by calls.ts commonKeys/commonArgs):
    KEYS[1] idempotency key of the event   KEYS[2] audit stream   KEYS[3] change-feed stream
    ARGV[1] eventId  ARGV[2] source  ARGV[3] occurredAt  ARGV[4] nowMs  ARGV[5] nowIso
    ARGV[6] idempotencyTtlSeconds ('0': no idempotency record)  ARGV[7] SKU key prefix (keys.sku(tenant, ''))
    ARGV[8] the tenant's rarely used keys, newline-separated: SKU index, incidents hash, open incidents
            zset, incident id counter (only split when a SKU is new or an incident is touched)

  A "tx" is one ledger event inside a script: it loads SKU hashes once, lets the script change the
  cached numbers, then `finish` writes every touched SKU (version + 1, updatedAt), resolves oversell
  incidents whose SKU owes no unit any more (available ≥ 0), appends one audit entry and one change-feed entry and points
  the event id at that audit entry for the idempotency window. Nothing is written before the script
  has decided to apply, so a refusal changes nothing.

  SKU keys are `skuPrefix .. sku`; the rarely used keys come in ARGV[8]. Both are built by keys.ts and
  carry the tenant's {hash tag}, so a script still touches a single Cluster slot.

  Helpers only refusals, no-ops and oversell incidents need live in `rare()` (includes/rare.lua),
  built on first use: Redis runs the whole file on every call, and each `local function` is a
  closure allocated per call (with every upvalue looked up), so the hot path only pays for the
  helpers it uses. The fast path for one-line events is includes/fast.lua.

  Cost model (measured with callgrind on Redis 7.0; see bench/ledger.ts): every script argument,
  every redis.call argument, every table, closure, tonumber and number-to-text conversion costs
  hundreds to thousands of instructions, as much as the Redis commands themselves; returning a
  table costs ~7k (Redis probes it for every RESP3 type), a string almost nothing. So the hot path
  reads only the fields it needs, writes only the fields that changed, keeps numbers that did not
  change as the text Redis gave, builds the audit JSON in one concatenation and returns it as a
  plain string.

  Numbers: Lua numbers are doubles; quantities are bounded (≤ 1e9) so arithmetic stays exact.
  Times come from the caller (nowMs / nowIso) so every process and test agrees on one clock source.
]]
local call = redis.call
local fmt = string.format

-- The event being applied. A group commit (batch-n.lua) runs several events in one call and
-- rebinds these before each; a script called alone binds them once, from its own KEYS and ARGV.
local KEYS, ARGV = KEYS, ARGV
local idemKey, auditKey, changesKey, eventId, source, occurredAt, nowMsStr, nowIso, idemTtlStr, skuPrefix, idem
local rareHelpers
-- True while applying a catalogue import (adjust-3.lua, reason 'import'): its change-feed entry
-- carries `bulk 1`, and propagation pushes it behind every real change (a sale made during an
-- import of thousands of products is not queued behind them).
local bulk
local function bind(keys, argv)
  KEYS, ARGV = keys, argv
  idemKey, auditKey, changesKey = keys[1], keys[2], keys[3]
  eventId, source, occurredAt = argv[1], argv[2], argv[3]
  nowMsStr, nowIso, idemTtlStr, skuPrefix = argv[4], argv[5], argv[6], argv[7]
  idem = idemTtlStr ~= '0'
  rareHelpers = nil
  bulk = false
end
bind(KEYS, ARGV)

--- JSON string literal; ids and most SKUs need no escaping, so skip cjson for them.
local function jstr(v)
  if string.find(v, '[%c"\\\128-\255/]') then return cjson.encode(v) end
  return '"' .. v .. '"'
end

--- A repeated event id returns the first result: the idempotency key holds the id of the event's
--- audit entry, and the result is rebuilt from that entry (it carries every SKU's state after the
--- event), so the result is stored once, in the audit, not twice.
local function duplicateOf()
  if idem then
    local auditId = call('GET', idemKey)
    if auditId then
      local rows = call('XRANGE', auditKey, auditId, auditId)
      local json = rows[1] and rows[1][2][2] or false
      return { 'duplicate', auditId, json }
    end
  end
  return nil
end

--- One event. `cache` maps sku → state and also lists the states in load order (array part);
--- `touched` lists the changed ones in the order they were first changed (the audit's line order).
--- The constructor names every field the scripts may set, so the table is sized once.
local function newTx(type, id, src, occurred)
  return {
    type = type, eventId = id or eventId, source = src or source, occurredAt = occurred or occurredAt,
    orderId = nil, reservationId = nil, reason = nil, incidents = nil, backorder = nil,
    cache = {}, touched = {},
  }
end

--- The SKU's fields as the scripts read them; lastSetAt only where staleness is judged (receive, adjust).
local function readSku(sku, withLastSet)
  local key = skuPrefix .. sku
  if withLastSet then
    return key, call('HMGET', key, 'onHand', 'committed', 'reserved', 'version', 'paused', 'incident', 'lastSetAt')
  end
  return key, call('HMGET', key, 'onHand', 'committed', 'reserved', 'version', 'paused', 'incident')
end

--- Caches a SKU read by readSku in the tx (the fast path hands over what it read when it gives up).
local function cacheSku(tx, sku, key, v)
  local r1, r2, r3, p, i = v[1] or '0', v[2] or '0', v[3] or '0', v[5], v[6]
  if p == '' then p = false end
  if i == '' then i = false end
  -- `+ 0` converts like tonumber without a function call. r1..r3 keep the stored text: the audit's
  -- "before" values, and the "after" values of whatever the event did not change.
  local onHand, committed, reserved = r1 + 0, r2 + 0, r3 + 0
  local s = {
    sku = sku, key = key, exists = v[4] ~= false, version = (v[4] or 0) + 0,
    onHand = onHand, committed = committed, reserved = reserved,
    o0 = onHand, c0 = committed, r0 = reserved, r1 = r1, r2 = r2, r3 = r3,
    paused = p, incident = i, p0 = p, i0 = i, lastSetRaw = v[7],
    touched = false, qty = nil, setAt = nil, setOf = nil,
  }
  local cache = tx.cache
  cache[sku] = s
  cache[#cache + 1] = s
  return s
end

--- Loads a SKU once per tx.
local function load(tx, sku, withLastSet)
  local s = tx.cache[sku]
  if s then return s end
  local key, v = readSku(sku, withLastSet)
  return cacheSku(tx, sku, key, v)
end

local function available(s)
  return s.onHand - s.committed - s.reserved
end

--- ms of the SKU's last absolute count, or nil (needs load(tx, sku, true)).
local function lastSetAt(s)
  return s.lastSetRaw and s.lastSetRaw ~= '' and tonumber(s.lastSetRaw) or nil
end

local function touch(tx, s, qty)
  if not s.touched then
    s.touched = true
    tx.touched[#tx.touched + 1] = s
  end
  if qty then s.qty = (s.qty or 0) + qty end
end

--- Aggregates flat ARGV pairs (sku, qty) from `from` to the end of ARGV, keeping first-seen order.
local function readLines(from)
  local skus, qty = {}, {}
  for i = from, #ARGV - 1, 2 do
    local sku, q = ARGV[i], ARGV[i + 1] + 0
    if qty[sku] then qty[sku] = qty[sku] + q else skus[#skus + 1] = sku; qty[sku] = q end
  end
  return skus, qty
end

--- Stored line lists are JSON arrays of [sku, qty].
local function decodeLines(raw)
  local skus, qty = {}, {}
  if not raw then return skus, qty end
  for _, pair in ipairs(cjson.decode(raw)) do
    skus[#skus + 1] = pair[1]
    qty[pair[1]] = pair[2]
  end
  return skus, qty
end

local function encodeLines(skus, qty)
  if #skus == 0 then return '[]' end
  if #skus == 1 then return '[[' .. jstr(skus[1]) .. ',' .. fmt('%d', qty[skus[1]]) .. ']]' end
  local out = {}
  for i, sku in ipairs(skus) do out[i] = { sku, qty[sku] } end
  return cjson.encode(out)
end

--- Drops a reservation's hold from every SKU it covers (used by release, confirm and expiry).
local function dropHold(tx, skus, qty)
  for _, sku in ipairs(skus) do
    local s = load(tx, sku)
    s.reserved = s.reserved - qty[sku]
    touch(tx, s)
  end
end

--- @include "rare"

--- Writes one touched SKU and returns its audit line. Only fields that changed are written
--- (version and updatedAt always); each changed number becomes text once and that text serves
--- both the HSET and the JSON.
local function writeSku(tx, s)
  -- Back to 0 or more: no unit is owed any more (a trial's incident stayed open at 0 after the
  -- extra order was cancelled, still naming it).
  if s.incident and available(s) >= 0 then rare().resolve(tx, s) end
  local ver = fmt('%d', s.version + 1)
  local o, c, r = s.r1, s.r2, s.r3
  local dOn, dCo, dRe = s.onHand ~= s.o0, s.committed ~= s.c0, s.reserved ~= s.r0
  if dOn then o = fmt('%d', s.onHand) end
  if dCo then c = fmt('%d', s.committed) end
  if dRe then r = fmt('%d', s.reserved) end
  if s.exists and s.paused == s.p0 and s.incident == s.i0 and not s.setAt and not (dOn and dCo) and not (dOn and dRe) and not (dCo and dRe) then
    -- The common case: at most one counter changed, nothing else (no argument table, no unpack).
    local field, value = 'reserved', r
    if dOn then field, value = 'onHand', o elseif dCo then field, value = 'committed', c end
    call('HSET', s.key, field, value, 'version', ver, 'updatedAt', nowIso)
  else
    local w = { 'HSET', s.key, 'version', ver, 'updatedAt', nowIso }
    if dOn or not s.exists then w[#w + 1] = 'onHand'; w[#w + 1] = o end
    if dCo or not s.exists then w[#w + 1] = 'committed'; w[#w + 1] = c end
    if dRe or not s.exists then w[#w + 1] = 'reserved'; w[#w + 1] = r end
    if s.paused ~= s.p0 then w[#w + 1] = 'paused'; w[#w + 1] = s.paused or '' end
    if s.incident ~= s.i0 then w[#w + 1] = 'incident'; w[#w + 1] = s.incident or '' end
    if s.setAt then
      w[#w + 1] = 'lastSetAt'; w[#w + 1] = fmt('%d', s.setAt)
      w[#w + 1] = 'lastSetOf'; w[#w + 1] = s.setOf
    end
    call(unpack(w))
    if not s.exists then call('ZADD', rare().skuIndex, 0, s.sku) end
  end
  local js = jstr(s.sku)
  return '{"sku":' .. js .. (s.qty and (',"qty":' .. fmt('%d', s.qty)) or '') ..
    ',"before":{"onHand":' .. s.r1 .. ',"committed":' .. s.r2 .. ',"reserved":' .. s.r3 ..
    '},"after":{"onHand":' .. o .. ',"committed":' .. c .. ',"reserved":' .. r ..
    '},"version":' .. ver .. ',"paused":' .. (s.paused and ('"' .. s.paused .. '"') or 'null') .. '}', js
end

--- Writes every touched SKU, one audit entry, one change-feed entry and the idempotency record.
--- Returns the audit entry's JSON (a plain string: the caller builds the EventResult from it).
--- Ids, source, type and times are checked JSON-safe by calls.ts before the call; SKUs and
--- reasons go through jstr.
local function finish(tx)
  local touched = tx.touched
  local lines, skus
  if #touched == 1 then
    lines, skus = writeSku(tx, touched[1])
  else
    local l, k = {}, {}
    for i = 1, #touched do l[i], k[i] = writeSku(tx, touched[i]) end
    lines, skus = table.concat(l, ','), table.concat(k, ',')
  end
  local extra = ''
  if tx.orderId then extra = ',"orderId":"' .. tx.orderId .. '"' end
  if tx.reservationId then extra = extra .. ',"reservationId":"' .. tx.reservationId .. '"' end
  if tx.reason then extra = extra .. ',"reason":' .. jstr(tx.reason) end
  if tx.incidents then extra = extra .. rare().incidentsJson(tx) end
  local json = '{"type":"' .. tx.type .. '","eventId":"' .. tx.eventId .. '","source":"' .. tx.source ..
    '","occurredAt":"' .. tx.occurredAt .. '","at":"' .. nowIso .. '","lines":[' .. lines .. ']' .. extra .. '}'
  local auditId = call('XADD', auditKey, '*', 'e', json)
  if bulk then
    call('XADD', changesKey, '*', 'event', tx.eventId, 'type', tx.type, 'source', tx.source, 'at', nowMsStr,
      'occurred', tx.occurredAt, 'skus', '[' .. skus .. ']', 'bulk', '1')
  else
    call('XADD', changesKey, '*', 'event', tx.eventId, 'type', tx.type, 'source', tx.source, 'at', nowMsStr,
      'occurred', tx.occurredAt, 'skus', '[' .. skus .. ']')
  end
  if idem then call('SET', idemKey, auditId, 'EX', idemTtlStr) end
  return json
end

--- The lines stock cannot cover, or nil: what each SKU has available plus what `freed` gives back
--- (the hold being replaced or confirmed); a line within its hold is never short. Shared by reserve and confirm.
local function shortagesOf(tx, skus, qty, freed)
  local shortages
  for _, sku in ipairs(skus) do
    local s = load(tx, sku)
    local held = freed[sku] or 0
    local avail = available(s) + held
    -- Units the hold already has are the holder's, whatever happened since: a marketplace sale
    -- that oversold the SKU after the hold cannot take them back (a store order whose checkout
    -- hold was granted was refused at payment after a Flipkart sale took the SKU to -1, and its
    -- unit was counted nowhere once the hold expired). Only units beyond the hold must be free.
    if qty[sku] > held and avail < qty[sku] then
      shortages = shortages or {}
      shortages[#shortages + 1] = { sku = sku, requested = qty[sku], available = math.max(avail, 0) }
    end
  end
  return shortages
end

--- An order's stored lines and status (HMGET of the order hash), or nil and the refusal to return
--- when the ledger has never seen the order. Shared by cancel and ship.
local function knownOrder(tx, orderKey, orderId)
  local o = call('HMGET', orderKey, 'lines', 'status')
  if not o[1] then
    return nil, rare().refuse(tx, 'unknown_order', 'order ' .. orderId .. ' is not known to the ledger')
  end
  return o
end

--- @include "fast"
