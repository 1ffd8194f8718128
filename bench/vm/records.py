# 200,000 records (dicts) built in the program, then filter, project and count.
users = [
    {"id": i, "name": f"user{i}", "age": i % 90, "city": f"c{i % 10}"}
    for i in range(200_000)
]
projected = [
    {"name": u["name"], "age": u["age"]}
    for u in users
    if u["age"] > 30 and u["city"] == "c3"
]
print(len(projected))
