-- Pasted into mark-2.lua and lease-claim.lua: the dirty set's score for a change the channel
-- most likely shows already.
--[[
  A (channel, sku) whose only unsynced change is the channel's own sale, made after the channel
  acknowledged (and applied) our last push for the SKU, shows the ledger's number already: it
  sold the unit off the number we had set. Without a compare-and-set (Flipkart) we cannot know
  that for sure without a call, so it is still pushed; but under a backlog it leaves after the
  SKUs the channel shows wrong (measured: Flipkart under its limits converged at 1.5-1.7x its
  floor with ~40 % of its last pushes such confirmations).
  Its score is its change time plus DEFER_MS plus half a millisecond: change times are whole
  milliseconds, so the half marks it, and the change time is recovered for the lag. A later
  change of any other kind lowers the score (ZADD LT) and the SKU leaves in its turn.
]]
local DEFER_MS = 30000

local function deferredScore(at)
  return string.format('%.1f', at + DEFER_MS + 0.5)
end

--- The SKU's earliest unsynced change time, and whether its score was deferred.
local function sinceOf(score)
  score = tonumber(score)
  if score % 1 == 0.5 then return score - 0.5 - DEFER_MS, true end
  return score, false
end
