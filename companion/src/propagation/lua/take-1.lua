--[[
  Token bucket shared by every worker process: takes `cost` tokens for one push call to a
  channel, refilling at `rate` per second up to `burst`. Uses the Redis clock so processes on
  different hosts agree.

  KEYS[1] bucket hash { tokens, ts }
  ARGV[1] rate per second, ARGV[2] burst, ARGV[3] cost, ARGV[4] 'drain' to empty the bucket
  (the channel throttled us: its own budget is spent, whatever ours says)
  Returns 0 when taken, else the ms to wait until `cost` tokens are there (nothing taken).
]]
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1]) or burst
local ts = tonumber(state[2]) or now
if now > ts then tokens = math.min(burst, tokens + (now - ts) * rate / 1000) end
local result = 0
if ARGV[4] == 'drain' then
  tokens = 0
elseif tokens >= cost then
  tokens = tokens - cost
else
  result = math.ceil((cost - tokens) * 1000 / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(math.max(now, ts)))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 60000)
return result
