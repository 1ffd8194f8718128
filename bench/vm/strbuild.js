// Builds a string by appending 200,000 one-character pieces (the digit of i % 10) one by one.
let s = "";
for (let i = 0; i < 200000; i++) {
  s += String(i % 10);
}
console.log(s.length);
