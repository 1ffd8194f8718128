-- 1,000,000 numbers from an LCG (x = (x * 1103515245 + 12345) mod 2^31, seed 42), sorted
-- ascending; prints the first, middle and last elements.
-- The product is split into 16-bit halves so that no intermediate value exceeds 2^53
-- (LuaJIT's numbers are doubles); the sequence is exactly the plain LCG's.
local floor = math.floor

local function next(x)
  local hi = floor(x / 65536)
  local lo = x % 65536
  return ((hi * 1103515245) % 32768 * 65536 + lo * 1103515245 + 12345) % 2147483648
end

local xs = {}
local x = 42
for i = 1, 1000000 do
  x = next(x)
  xs[i] = x
end
table.sort(xs)
print("[" .. xs[1] .. ", " .. xs[500001] .. ", " .. xs[1000000] .. "]")
