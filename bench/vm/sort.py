# 1,000,000 numbers from an LCG (x = (x * 1103515245 + 12345) mod 2^31, seed 42), sorted
# ascending; prints the first, middle and last elements.
# The product is split into 16-bit halves, as in the other peers (no value exceeds 2^53).
def next_value(x):
    hi = x // 65536
    lo = x % 65536
    return ((hi * 1103515245) % 32768 * 65536 + lo * 1103515245 + 12345) % 2147483648


def main():
    xs = []
    x = 42
    for _ in range(1_000_000):
        x = next_value(x)
        xs.append(x)
    xs.sort()
    return f"[{xs[0]}, {xs[500000]}, {xs[999999]}]"


print(main())
