# Sum of (i * i) % 7 for i in 0 .. 10,000,000 (exclusive), as an explicit loop.
def main():
    total = 0
    for i in range(10_000_000):
        total += (i * i) % 7
    return total


print(main())
