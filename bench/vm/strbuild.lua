-- Builds a string from 200,000 one-character pieces (the digit of i % 10).
-- Idiomatic Lua: collect the pieces in a table and join them once with table.concat
-- (`s = s .. piece` in a loop is quadratic in Lua; see README.md).
local parts = {}
for i = 0, 200000 - 1 do
  parts[#parts + 1] = tostring(i % 10)
end
local s = table.concat(parts)
print(#s)
