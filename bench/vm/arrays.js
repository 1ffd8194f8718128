// The numbers 0 .. 999,999 through map (x * 2), filter (x % 3 == 0) and reduce (sum).
const xs = Array.from({ length: 1000000 }, (_, i) => i);
const sum = xs
  .map((x) => x * 2)
  .filter((x) => x % 3 === 0)
  .reduce((total, x) => total + x, 0);
console.log(sum);
