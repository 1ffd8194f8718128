#!/usr/bin/env python3
"""Seeds corpus/recheck with NUL-separated pairs: a program and the same program with one
small edit (a digit, an operator, a blank line, a comment, a name) at one place."""
import pathlib
import random

here = pathlib.Path(__file__).resolve().parent
out = here / "corpus" / "recheck"
out.mkdir(parents=True, exist_ok=True)
sources = sorted((here / ".." / "examples").glob("*.mix")) + sorted(
    (here / ".." / "tests" / "cases" / "types").glob("*.mix")
)
edits = [(" + 1", " + 2"), ("1", "12"), ("\ndef ", "\n\n// note\ndef "), ("(", "( "), ("x", "y"), ("number", "string"), (" * ", " + ")]
rng = random.Random(7)
n = 0
for path in sources:
    text = path.read_text()
    for old, new in edits:
        places = [i for i in range(len(text)) if text.startswith(old, i)]
        if not places:
            continue
        at = rng.choice(places)
        edited = text[:at] + new + text[at + len(old):]
        (out / f"seed-{n}").write_bytes(text.encode() + b"\0" + edited.encode())
        n += 1
print(f"{n} seeds in {out}")
