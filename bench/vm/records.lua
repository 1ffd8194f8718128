-- 200,000 records built in the program, then filter, project and count.
local users = {}
for i = 0, 200000 - 1 do
  users[i + 1] = { id = i, name = "user" .. i, age = i % 90, city = "c" .. (i % 10) }
end

local projected = {}
for _, u in ipairs(users) do
  if u.age > 30 and u.city == "c3" then
    projected[#projected + 1] = { name = u.name, age = u.age }
  end
end
print(#projected)
