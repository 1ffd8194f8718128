#!/usr/bin/env bash
# Parser benchmark: `mixc parse` and `mixc fmt` on a large generated Mix program, side by side
# with `ocamlc -stop-after parsing` on the same program written in OCaml.
#
# Usage: bench/parse_bench.sh [--no-build] [--regen] [--runs N] [--lines N]
#   --no-build   do not run `cargo build --release -p mixc` (use the existing binary)
#   --regen      regenerate bench/out/big.{mix,ml} even if they exist
#   --runs N     timed runs per tool (default 5; the median is reported)
#   --lines N    size of the generated program when (re)generating (default 100000)
#
# Needs: cargo (unless --no-build), python3, ocamlc (Debian package `ocaml-nox`),
# GNU time at /usr/bin/time (Debian package `time`). MIXC=/path/to/mixc overrides the binary.
# Writes the markdown table to bench/out/parse.md and prints it.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/bench/out"
MIXC="${MIXC:-$ROOT/target/release/mixc}"   # override with MIXC=/path/to/mixc
MIX_SRC="$OUT/big.mix"
ML_SRC="$OUT/big.ml"

build=1
regen=0
runs=5
lines=100000

die() {
  echo "parse_bench: error: $*" >&2
  exit 1
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --no-build) build=0 ;;
    --regen) regen=1 ;;
    --runs)
      [[ $# -ge 2 ]] || die "--runs needs a number"
      runs="$2"
      shift
      ;;
    --lines)
      [[ $# -ge 2 ]] || die "--lines needs a number"
      lines="$2"
      shift
      ;;
    -h | --help)
      sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *) die "unknown argument '$1' (try --help)" ;;
  esac
  shift
done

[[ "$runs" =~ ^[1-9][0-9]*$ ]] || die "--runs must be a positive integer, got '$runs'"
[[ "$lines" =~ ^[1-9][0-9]*$ ]] || die "--lines must be a positive integer, got '$lines'"

need() {
  command -v "$1" >/dev/null 2>&1 || die "'$1' not found: $2"
}

need python3 "install python3"
need ocamlc "install OCaml: apt-get install -y ocaml-nox"
[[ -x /usr/bin/time ]] || die "/usr/bin/time (GNU time) not found: apt-get install -y time"
/usr/bin/time -f %M true >/dev/null 2>&1 || die "/usr/bin/time does not accept -f (is it GNU time?)"

if [[ "$build" -eq 1 ]]; then
  need cargo "install a Rust toolchain, or pass --no-build with an existing $MIXC"
  echo "== cargo build --release -p mixc" >&2
  (cd "$ROOT" && cargo build --release -p mixc) || die "cargo build --release -p mixc failed"
fi
[[ -x "$MIXC" ]] || die "$MIXC not found (build it with: cargo build --release -p mixc)"

if [[ "$regen" -eq 1 || ! -f "$MIX_SRC" || ! -f "$ML_SRC" ]]; then
  echo "== generating $MIX_SRC and $ML_SRC ($lines lines)" >&2
  python3 "$ROOT/bench/gen_program.py" --lines "$lines" --out "$OUT" >&2 ||
    die "bench/gen_program.py failed"
fi

mkdir -p "$OUT"

# Timing, memory and the table are done in Python (precise clocks, medians, stdin redirection).
python3 - "$MIXC" "$MIX_SRC" "$ML_SRC" "$runs" "$OUT/parse.md" <<'PY'
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

mixc, mix_src, ml_src, runs, md_path = sys.argv[1:6]
runs = int(runs)

# name, argv, stdin file (or None), source file measured
TOOLS = [
    ("mixc parse --quiet", [mixc, "parse", "--quiet", mix_src], None, mix_src),
    ("ocamlc -stop-after parsing", ["ocamlc", "-stop-after", "parsing", ml_src], None, ml_src),
    ("mixc fmt -", [mixc, "fmt", "-"], mix_src, mix_src),
    ("mixc check (parse + types)", [mixc, "check", mix_src], None, mix_src),
    ("ocamlc -stop-after typing", ["ocamlc", "-stop-after", "typing", ml_src], None, ml_src),
]


class ToolFailed(Exception):
    def __init__(self, code, tail):
        super().__init__(code, tail)
        self.code = code
        self.tail = tail


def run_once(argv, stdin_path, prefix=()):
    stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    try:
        t0 = time.perf_counter()
        p = subprocess.run(list(prefix) + argv, stdin=stdin, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE)
        t1 = time.perf_counter()
    finally:
        if stdin_path:
            stdin.close()
    if p.returncode != 0:
        err = p.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ToolFailed(p.returncode, "\n".join(err[-15:]))
    return t1 - t0


def peak_rss_kib(argv, stdin_path):
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as f:
        run_once(argv, stdin_path, prefix=("/usr/bin/time", "-f", "%M", "-o", f.name))
        text = f.read().strip().splitlines()
    try:
        return int(text[-1])
    except (IndexError, ValueError):
        sys.exit(f"parse_bench: error: could not read peak RSS from /usr/bin/time: {text!r}")


results = []
failures = []
for name, argv, stdin_path, src in TOOLS:
    try:
        run_once(argv, stdin_path)  # warm-up (page cache, binary loading)
        times = [run_once(argv, stdin_path) for _ in range(runs)]
        rss = peak_rss_kib(argv, stdin_path)
    except ToolFailed as e:
        # Keep going: the other rows are still worth having (e.g. `fmt` not implemented yet).
        print(f"parse_bench: error: `{' '.join(argv)}` exited with {e.code}\n{e.tail}", file=sys.stderr)
        failures.append(name)
        results.append((name, None, None, None, None, os.path.getsize(src)))
        continue
    results.append((name, statistics.median(times), min(times), max(times), rss, os.path.getsize(src)))
    print(f"  {name}: median {statistics.median(times):.3f} s over {runs} runs", file=sys.stderr)

ocaml = results[1][1]
parse = results[0][1]
fmt = results[2][1]
check = results[3][1]
ocaml_typing = results[4][1]
lines = []
lines.append(f"Front-end benchmark ({runs} runs each, median; machine: {platform.machine()}, "
             f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f})")
lines.append("")
lines.append("| tool | median s | min s | max s | ratio to OCaml (same phase) | peak RSS MiB | source bytes | RSS bytes per source byte |")
lines.append("|---|---:|---:|---:|---:|---:|---:|---:|")
for name, med, lo, hi, rss, size in results:
    if med is None:
        lines.append(f"| `{name}` | failed | | | | | {size} | |")
        continue
    peer = ocaml_typing if "typing" in name or "check" in name else ocaml
    ratio = f"{med / peer:.2f}" if peer else "n/a"
    lines.append(f"| `{name}` | {med:.3f} | {lo:.3f} | {hi:.3f} | {ratio} | "
                 f"{rss / 1024:.1f} | {size} | {rss * 1024 / size:.1f} |")
lines.append("")


def target(label, value, limit):
    if value is None:
        return f"{label}: n/a (limit {limit})"
    return f"{label} = {value:.2f} (target <= {limit}, {'met' if value <= limit else 'NOT met'})"


mix_mem = results[0][4] * 1024 / results[0][5] if results[0][4] is not None else None
lines.append("Targets (issue #2): "
             + target("parse/OCaml", parse / ocaml if parse and ocaml else None, 0.25) + "; "
             + target("fmt/parse", fmt / parse if fmt and parse else None, 3) + "; "
             + target("parse peak RSS bytes per source byte", mix_mem, 40)
             + " (whole-process RSS, so an upper bound on AST bytes).")
lines.append("")
lines.append("Target (issue #3): " + target("check/OCaml typing", check / ocaml_typing if check and ocaml_typing else None, 0.5) + ".")
if failures:
    lines.append("")
    lines.append("Failed: " + ", ".join(f"`{n}`" for n in failures) + " (see the errors above).")
table = "\n".join(lines) + "\n"
with open(md_path, "w", encoding="utf-8") as f:
    f.write(table)
print(table)
print(f"(written to {md_path})", file=sys.stderr)
sys.exit(1 if failures else 0)
PY
