// Sum of (i * i) % 7 for i in 0 .. 10,000,000 (exclusive).
let sum = 0;
for (let i = 0; i < 10000000; i++) {
  sum += (i * i) % 7;
}
console.log(sum);
