// 1,000,000 numbers from an LCG (x = (x * 1103515245 + 12345) mod 2^31, seed 42), sorted
// ascending; prints the first, middle and last elements.
// The product is split into 16-bit halves so that no intermediate value exceeds 2^53
// (JavaScript numbers are doubles); the sequence is exactly the plain LCG's.
function next(x) {
  const hi = Math.floor(x / 65536);
  const lo = x % 65536;
  return ((hi * 1103515245) % 32768 * 65536 + lo * 1103515245 + 12345) % 2147483648;
}

const xs = [];
let x = 42;
for (let i = 0; i < 1000000; i++) {
  x = next(x);
  xs.push(x);
}
xs.sort((a, b) => a - b);
console.log(`[${xs[0]}, ${xs[500000]}, ${xs[999999]}]`);
