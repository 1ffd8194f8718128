# The numbers 0 .. 999,999 through map (x * 2), filter (x % 3 == 0) and reduce (sum),
# with the built-in higher-order functions and lambdas (one call per element, as in Mix).
from functools import reduce

xs = list(range(1_000_000))
doubled = list(map(lambda x: x * 2, xs))
kept = list(filter(lambda x: x % 3 == 0, doubled))
print(reduce(lambda total, x: total + x, kept, 0))
