# Same filter, projection and count over the generated data/records.json.
[.[] | select(.age > 30 and .city == "c3") | {name, age}] | length
