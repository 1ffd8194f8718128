#!/usr/bin/env python3
"""Writes data/records.json: the 200,000 records of the `records` workload, for jq.

The other peers build the same records in the program (see README.md).
"""
import json
import os
import sys

N = 200_000


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "data", "records.json")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    users = [
        {"id": i, "name": f"user{i}", "age": i % 90, "city": f"c{i % 10}"}
        for i in range(N)
    ]
    tmp = out + ".tmp"
    with open(tmp, "w") as f:
        json.dump(users, f, separators=(",", ":"))
    os.replace(tmp, out)


if __name__ == "__main__":
    main()
