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

--[[
  Background work (a person's retry of many dead letters, a channel-wide rule change, SKUs a
  listings check found listed again, a catalogue import's counts: feed entries marked `bulk`) is marked a day later plus a quarter millisecond: it leaves
  after every change made in that day, so a sale or a pause is never queued behind thousands of
  such pushes (a trial saw an oversell pause take 10.5 minutes to reach Amazon behind a retry of
  10,356 letters). A later change of any kind lowers the score (ZADD LT) to its own turn.
]]
local BACKGROUND_MS = 86400000

local function deferredScore(at)
  return string.format('%.1f', at + DEFER_MS + 0.5)
end

local function backgroundScore(at)
  return string.format('%.2f', at + BACKGROUND_MS + 0.25)
end

--- The SKU's earliest unsynced change time, whether its score was put back (deferred or
--- background), and whether it is background work.
local function sinceOf(score)
  score = tonumber(score)
  local frac = score % 1
  if frac == 0.5 then return score - 0.5 - DEFER_MS, true, false end
  if frac == 0.25 then return score - 0.25 - BACKGROUND_MS, true, true end
  return score, false, false
end
