-- The numbers 0 .. 999,999 through map (x * 2), filter (x % 3 == 0) and reduce (sum).
-- Lua has no map/filter/reduce in its standard library: the usual small helpers.
local function map(f, xs)
  local out = {}
  for i = 1, #xs do out[i] = f(xs[i]) end
  return out
end

local function filter(p, xs)
  local out, n = {}, 0
  for i = 1, #xs do
    local x = xs[i]
    if p(x) then n = n + 1; out[n] = x end
  end
  return out
end

local function reduce(f, acc, xs)
  for i = 1, #xs do acc = f(acc, xs[i]) end
  return acc
end

local xs = {}
for i = 0, 1000000 - 1 do xs[i + 1] = i end

local doubled = map(function(x) return x * 2 end, xs)
local kept = filter(function(x) return x % 3 == 0 end, doubled)
print(reduce(function(sum, x) return sum + x end, 0, kept))
