-- Pasted at the end of common.lua: uses its bound event (eventId, source, …) and `jstr`.
--[[
  The fast path: one event line on an existing SKU that is neither paused nor in an oversell
  incident, which is almost every event. The script checks its own conditions on the fields
  readSku returned (`plain` below) and, when they hold, `fastFinish` writes exactly what `finish`
  would write, the same audit entry byte for byte, without the per-event and per-SKU tables
  (about half of the general path's cost), and answers '+<version> <onHand> <committed> <reserved>'
  (the entry's numbers; ledger.ts builds the result from them). Anything else takes the general path.
]]
local function plain(v)
  return v[4] and (not v[5] or v[5] == '') and (not v[6] or v[6] == '')
end

--- One counter of the SKU changed (`field` is 'onHand', 'committed' or 'reserved', `value` its new
--- number); `js` is jstr(sku); `qtyText` the line's qty as text (calls.ts sends integers, so their
--- text is what fmt('%d') would write); `setAt` (text) when the event was an absolute count, and
--- `setOf` what it counted ('onHand' | 'available'); `extra` the entry's members after "lines"
--- (orderId, reservationId, reason).
local function fastFinish(type, js, key, v, qtyText, field, value, setAt, extra, setOf)
  local ver, text = fmt('%d', v[4] + 1), fmt('%d', value)
  if setAt then
    call('HSET', key, field, text, 'version', ver, 'updatedAt', nowIso, 'lastSetAt', setAt, 'lastSetOf', setOf)
  else
    call('HSET', key, field, text, 'version', ver, 'updatedAt', nowIso)
  end
  local o, c, r = v[1], v[2], v[3]
  if field == 'onHand' then o = text elseif field == 'committed' then c = text else r = text end
  local json = '{"type":"' .. type .. '","eventId":"' .. eventId .. '","source":"' .. source ..
    '","occurredAt":"' .. occurredAt .. '","at":"' .. nowIso .. '","lines":[{"sku":' .. js .. ',"qty":' .. qtyText ..
    ',"before":{"onHand":' .. v[1] .. ',"committed":' .. v[2] .. ',"reserved":' .. v[3] ..
    '},"after":{"onHand":' .. o .. ',"committed":' .. c .. ',"reserved":' .. r ..
    '},"version":' .. ver .. ',"paused":null}]' .. extra .. '}'
  local auditId = call('XADD', auditKey, '*', 'e', json)
  if bulk then
    call('XADD', changesKey, '*', 'event', eventId, 'type', type, 'source', source, 'at', nowMsStr, 'occurred', occurredAt, 'skus', '[' .. js .. ']', 'bulk', '1')
  else
    call('XADD', changesKey, '*', 'event', eventId, 'type', type, 'source', source, 'at', nowMsStr, 'occurred', occurredAt, 'skus', '[' .. js .. ']')
  end
  if idem then call('SET', idemKey, auditId, 'EX', idemTtlStr) end
  -- The caller knows the SKU, the time and that nothing is paused: the entry's numbers suffice.
  return '+' .. ver .. ' ' .. o .. ' ' .. c .. ' ' .. r
end
