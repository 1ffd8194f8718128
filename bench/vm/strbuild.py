# Builds a string by appending 200,000 one-character pieces (the digit of i % 10) one by one.
def main():
    s = ""
    for i in range(200_000):
        s += str(i % 10)
    return len(s)


print(main())
