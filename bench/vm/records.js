// 200,000 records built in the program, then filter, project and count.
const users = Array.from({ length: 200000 }, (_, i) => ({
  id: i,
  name: "user" + i,
  age: i % 90,
  city: "c" + (i % 10),
}));
const projected = users
  .filter((u) => u.age > 30 && u.city === "c3")
  .map((u) => ({ name: u.name, age: u.age }));
console.log(projected.length);
