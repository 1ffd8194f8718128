-- Sum of (i * i) % 7 for i in 0 .. 10,000,000 (exclusive).
local sum = 0
for i = 0, 10000000 - 1 do
  sum = sum + (i * i) % 7
end
print(sum)
