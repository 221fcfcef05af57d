--[[
  Shared helpers for every ledger script; the loader (ledger/scripts.ts) pastes this file where a
  script says `--- @include "common"` (Redis scripts cannot require one another).

  A "tx" is one ledger event inside a script: it loads SKU hashes once, lets the script change the
  cached numbers, then `finish` writes every touched SKU (version + 1, updatedAt), resolves oversell
  incidents whose SKU has stock again, appends one audit entry and one change-feed entry and points
  the event id at that audit entry for the idempotency window. Nothing is written before the script has decided to apply,
  so a refusal changes nothing.

  SKU keys are `C.skuPrefix .. sku` (keys.sku(tenant, '') + sku, built by keys.ts). Scripts derive
  them for SKUs named in stored state (reservations, orders) that the caller cannot know; every
  such key carries the tenant's {hash tag}, so the script still touches a single Cluster slot.

  Numbers: Lua numbers are doubles; quantities are bounded (≤ 1e9) so arithmetic stays exact.
  Times come from the caller (nowMs / nowIso) so every process and test agrees on one clock source.
]]
local C = {}

--- JSON string literal; ids and most SKUs need no escaping, so skip cjson for them.
local function jstr(v)
  if string.find(v, '[%c"\\\128-\255/]') then return cjson.encode(v) end
  return '"' .. v .. '"'
end

--- Standard layout of event scripts: KEYS[1..7] and ARGV[1..9]. Built with one table
--- constructor, which sizes the table once (assigning field by field would rehash it five times).
local function readEventArgs()
  C = {
    idemKey = KEYS[1], audit = KEYS[2], changes = KEYS[3], skuIndex = KEYS[4],
    incidents = KEYS[5], openIncidents = KEYS[6], incidentSeq = KEYS[7],
    eventId = ARGV[1], type = ARGV[2], source = ARGV[3], occurredAt = ARGV[4],
    -- Numbers stay text until a script needs them (tonumber is a strtod, not free).
    occurredMsStr = ARGV[5], nowMsStr = ARGV[6], nowIso = ARGV[7],
    idem = ARGV[8] ~= '0', idemTtlStr = ARGV[8], skuPrefix = ARGV[9],
  }
end

--- A repeated event id returns the first result: the idempotency key holds the id of the event's
--- audit entry, and the result is rebuilt from that entry (it carries every SKU's state after the
--- event), so the result is stored once, in the audit, not twice.
local function duplicateOf()
  if C.idem then
    local auditId = redis.call('GET', C.idemKey)
    if auditId then
      local rows = redis.call('XRANGE', C.audit, auditId, auditId)
      local json = rows[1] and rows[1][2][2] or false
      return { 'duplicate', auditId, json }
    end
  end
  return nil
end

-- Incident lists are shared empty tables until an incident is touched (rare), saving allocations
-- on the hot path; openIncident/resolveIfBack replace them before appending.
local NONE = {}
local function newTx(meta)
  return { meta = meta, cache = {}, loaded = {}, touched = {}, opened = NONE, resolved = NONE, hit = NONE }
end

local function push(tx, list, v)
  if tx[list] == NONE then tx[list] = {} end
  local t = tx[list]
  t[#t + 1] = v
end

local function load(tx, sku)
  local s = tx.cache[sku]
  if s then return s end
  local key = C.skuPrefix .. sku
  local v = redis.call('HMGET', key, 'onHand', 'committed', 'reserved', 'version', 'updatedAt', 'lastSetAt', 'paused', 'incident')
  -- r1..r3 keep the stored strings: they are the audit's "before" values, written without
  -- converting numbers back to text. lastSetAt stays text until a staleness check needs it.
  s = {
    sku = sku, key = key,
    onHand = tonumber(v[1]) or 0, committed = tonumber(v[2]) or 0, reserved = tonumber(v[3]) or 0,
    version = tonumber(v[4]) or 0, updatedAt = v[5], lastSetRaw = v[6],
    paused = v[7], incident = v[8], exists = v[4] ~= false,
    r1 = v[1] or '0', r2 = v[2] or '0', r3 = v[3] or '0',
  }
  if s.paused == '' then s.paused = false end
  if s.incident == '' then s.incident = false end
  s.p0, s.i0 = s.paused, s.incident
  tx.cache[sku] = s
  tx.loaded[#tx.loaded + 1] = s
  return s
end

local function available(s)
  return s.onHand - s.committed - s.reserved
end

--- ms of the SKU's last absolute count, or nil.
local function lastSetAt(s)
  return s.lastSetRaw and tonumber(s.lastSetRaw)
end

local function int(n)
  return string.format('%d', n)
end

local function touch(tx, s, qty)
  if not s.touched then
    s.touched = true
    tx.touched[#tx.touched + 1] = s
  end
  if qty then s.qty = (s.qty or 0) + qty end
end

local function state(s)
  return {
    sku = s.sku, onHand = s.onHand, committed = s.committed, reserved = s.reserved,
    available = available(s), version = s.version,
    updatedAt = s.updatedAt or cjson.null, paused = s.paused or cjson.null,
  }
end

local function states(list)
  local out = {}
  for i, s in ipairs(list) do out[i] = state(s) end
  return out
end

--- Aggregates flat ARGV pairs (sku, qty) starting at `from`, keeping first-seen order.
local function readLines(from, n)
  local skus, qty = {}, {}
  for i = 0, n - 1 do
    local sku, q = ARGV[from + i * 2], tonumber(ARGV[from + i * 2 + 1])
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
  if #skus == 1 then return string.format('[[%s,%d]]', jstr(skus[1]), qty[skus[1]]) end
  local out = {}
  for i, sku in ipairs(skus) do out[i] = { sku, qty[sku] } end
  return cjson.encode(out)
end

-- Refusals and no-ops are NOT stored under the idempotency key: a refused event changed nothing,
-- so the sender may retry the same id later (e.g. after stock arrives) and have it judged afresh.
local function refuse(tx, code, message, details)
  local r = { id = tx.meta.eventId, status = 'refused', code = code, message = message, stock = states(tx.loaded) }
  if details then r.details = details end
  return { 'refused', cjson.encode(r) }
end

--- A transition that already happened under another event id (cancel twice, ship after cancel):
--- harmless, nothing changes, no audit entry; answered as 'duplicate' with the current state.
local function noop(tx, message)
  return { 'noop', cjson.encode({ id = tx.meta.eventId, status = 'duplicate', message = message, stock = states(tx.loaded) }) }
end

local function openIncident(tx, s, orderId, qty, oversold)
  local order = { orderId = orderId, source = tx.meta.source, qty = qty }
  local id = s.incident
  if id then
    local raw = redis.call('HGET', C.incidents, id)
    if raw then
      local inc = cjson.decode(raw)
      inc.oversoldUnits = inc.oversoldUnits + oversold
      inc.orders[#inc.orders + 1] = order
      redis.call('HSET', C.incidents, id, cjson.encode(inc))
    end
  else
    id = 'inc-' .. redis.call('INCR', C.incidentSeq)
    local inc = {
      id = id, kind = 'oversell', sku = s.sku, status = 'open', oversoldUnits = oversold,
      orders = { order }, openedAt = C.nowIso, resolvedAt = cjson.null,
    }
    redis.call('HSET', C.incidents, id, cjson.encode(inc))
    redis.call('ZADD', C.openIncidents, C.nowMsStr, id)
    s.incident = id
    push(tx, 'opened', id)
  end
  -- A manual pause is stronger than the oversell pause; keep it.
  if not s.paused then s.paused = 'oversell' end
  local seen = false
  for _, h in ipairs(tx.hit) do if h == id then seen = true end end
  if not seen then push(tx, 'hit', id) end
  return id
end

--- Stock is back for a SKU with an open oversell incident: resolve it and lift the oversell pause.
local function resolveIfBack(tx, s)
  if s.incident and available(s) > 0 then
    local raw = redis.call('HGET', C.incidents, s.incident)
    if raw then
      local inc = cjson.decode(raw)
      inc.status = 'resolved'
      inc.resolvedAt = C.nowIso
      redis.call('HSET', C.incidents, s.incident, cjson.encode(inc))
    end
    redis.call('ZREM', C.openIncidents, s.incident)
    push(tx, 'resolved', s.incident)
    s.incident = false
    if s.paused == 'oversell' then s.paused = false end
  end
end

--- Writes every touched SKU, one audit entry, one change-feed entry and the idempotency record.
--- Returns { 'applied', auditId, auditJson }: the caller builds the EventResult from the entry.
---
--- This is the hot path of every event, so the entry is built by concatenation, not cjson: each
--- number is turned into text once (%d) and that text serves both the HSET and the JSON (Redis
--- would otherwise format every number argument with %.17g). Ids, source, type and times are
--- checked JSON-safe by calls.ts before the call; SKUs and reasons go through jstr.
local function finish(tx)
  local lines, skus = {}, {}
  for i, s in ipairs(tx.touched) do
    resolveIfBack(tx, s)
    s.version = s.version + 1
    s.updatedAt = C.nowIso
    local o, c, r, ver = int(s.onHand), int(s.committed), int(s.reserved), int(s.version)
    if s.paused == s.p0 and s.incident == s.i0 and not s.setAt then
      redis.call('HSET', s.key, 'onHand', o, 'committed', c, 'reserved', r, 'version', ver, 'updatedAt', s.updatedAt)
    else
      redis.call('HSET', s.key, 'onHand', o, 'committed', c, 'reserved', r, 'version', ver, 'updatedAt', s.updatedAt,
        'paused', s.paused or '', 'incident', s.incident or '', 'lastSetAt', s.setAt and int(s.setAt) or s.lastSetRaw or '')
    end
    if not s.exists then redis.call('ZADD', C.skuIndex, 0, s.sku) end
    local js = jstr(s.sku)
    skus[i] = js
    lines[i] = '{"sku":' .. js .. (s.qty and (',"qty":' .. int(s.qty)) or '') ..
      ',"before":{"onHand":' .. s.r1 .. ',"committed":' .. s.r2 .. ',"reserved":' .. s.r3 ..
      '},"after":{"onHand":' .. o .. ',"committed":' .. c .. ',"reserved":' .. r ..
      '},"version":' .. ver .. ',"paused":' .. (s.paused and ('"' .. s.paused .. '"') or 'null') .. '}'
  end
  local m = tx.meta
  local extra = ''
  if m.orderId then extra = ',"orderId":"' .. m.orderId .. '"' end
  if m.reservationId then extra = extra .. ',"reservationId":"' .. m.reservationId .. '"' end
  if m.reason then extra = extra .. ',"reason":' .. jstr(m.reason) end
  if #tx.hit > 0 or #tx.resolved > 0 then
    -- opened: incidents this event opened; recorded: every incident it was recorded in (opened or joined).
    local inc = {}
    if #tx.opened > 0 then inc.opened = tx.opened end
    if #tx.hit > 0 then inc.recorded = tx.hit end
    if #tx.resolved > 0 then inc.resolved = tx.resolved end
    extra = extra .. ',"incidents":' .. cjson.encode(inc)
  end
  local json = '{"type":"' .. m.type .. '","eventId":"' .. m.eventId .. '","source":"' .. m.source ..
    '","occurredAt":"' .. m.occurredAt .. '","at":"' .. C.nowIso .. '","lines":[' ..
    (#lines == 1 and lines[1] or table.concat(lines, ',')) .. ']' .. extra .. '}'
  local auditId = redis.call('XADD', C.audit, '*', 'e', json)
  redis.call('XADD', C.changes, '*', 'event', m.eventId, 'type', m.type, 'source', m.source, 'at', C.nowMsStr,
    'skus', '[' .. (#skus == 1 and skus[1] or table.concat(skus, ',')) .. ']')
  if C.idem then redis.call('SET', C.idemKey, auditId, 'EX', C.idemTtlStr) end
  return { 'applied', auditId, json }
end

--- Drops a reservation's hold from every SKU it covers (used by release, confirm and expiry).
local function dropHold(tx, skus, qty)
  for _, sku in ipairs(skus) do
    local s = load(tx, sku)
    s.reserved = s.reserved - qty[sku]
    touch(tx, s)
  end
end
