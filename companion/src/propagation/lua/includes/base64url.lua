-- Pasted into claim-10.lua: base64url without padding, as Node's Buffer.toString('base64url')
-- writes it, so a script can name a dead letter by its id (dead-letters.ts deadLetterId).
local BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

local function base64url(s)
  local out, n = {}, 0
  for i = 1, #s, 3 do
    local a, b, c = s:byte(i, i + 2)
    local v = a * 65536 + (b or 0) * 256 + (c or 0)
    -- 1, 2 or 3 bytes give 2, 3 or 4 characters.
    local chars = c and 4 or (b and 3 or 2)
    for j = 1, chars do
      local d = math.floor(v / 2 ^ (24 - 6 * j)) % 64
      n = n + 1
      out[n] = BASE64URL:sub(d + 1, d + 1)
    end
  end
  return table.concat(out)
end
