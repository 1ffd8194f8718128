#!/usr/bin/env bash
# Whole-program benchmarks: `mixc run` against Lua 5.4, LuaJIT (interpreter only), Python 3,
# node and (for `records`) jq. See README.md.
#
#   bench/vm/run.sh [-n RUNS] [-t TIMEOUT_S] [WORKLOAD...]
#
# Environment: RUNS (default 5), TIMEOUT (seconds, default 300, for the checked run of each
# program), PEERS (default "lua5.4 luajit python3 node jq mix"), SKIP_BUILD=1 to use the
# existing target/release/mixc, MIXC=/path/to/mixc to time another mixc binary (no build; the
# path must not contain spaces).
#
# For each workload and peer: one checked run under /usr/bin/time (output compared with the
# expected value, peak RSS), then `hyperfine --warmup 1 --runs RUNS`. A peer whose binary is
# missing is skipped. A peer other than Mix that fails or prints a wrong result stops the run.
# Mix failing or timing out is reported as n/a (the VM may not run everything yet); Mix printing
# a wrong result is reported as WRONG and makes the script exit 1 after writing the table.
# The table goes to bench/vm/results.md and standard output; raw data to bench/vm/out/.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$here/out"

RUNS="${RUNS:-5}"
TIMEOUT="${TIMEOUT:-300}"
PEERS="${PEERS:-lua5.4 luajit python3 node jq mix}"

while getopts "n:t:h" opt; do
  case "$opt" in
    n) RUNS="$OPTARG" ;;
    t) TIMEOUT="$OPTARG" ;;
    h) sed -n '2,18p' "$0"; exit 0 ;;
    *) exit 2 ;;
  esac
done
shift $((OPTIND - 1))

ALL_WORKLOADS=(fib loop strbuild arrays records sort)
if [ "$#" -gt 0 ]; then WORKLOADS=("$@"); else WORKLOADS=("${ALL_WORKLOADS[@]}"); fi

declare -A EXPECTED=(
  [fib]="832040"
  [loop]="19999999"
  [strbuild]="200000"
  [arrays]="333333666666"
  [records]="13332"
  [sort]="[181, 1075742056, 2147482401]"
)

die() { echo "run.sh: error: $*" >&2; exit 1; }
note() { echo "run.sh: $*" >&2; }

for p in $PEERS; do
  case "$p" in lua5.4|luajit|python3|node|jq|mix) ;; *) die "unknown peer '$p' (known: lua5.4 luajit python3 node jq mix)" ;; esac
done
for w in "${WORKLOADS[@]}"; do
  [ -n "${EXPECTED[$w]+x}" ] || die "unknown workload '$w' (known: ${ALL_WORKLOADS[*]})"
done
command -v hyperfine >/dev/null || die "hyperfine not found"
[ -x /usr/bin/time ] || die "/usr/bin/time (GNU time) not found"
command -v timeout >/dev/null || die "timeout (coreutils) not found"
command -v python3 >/dev/null || die "python3 is needed for the summary"

# ----- build mixc
mixc="${MIXC:-$root/target/release/mixc}"
mix_available=1
if [[ " $PEERS " == *" mix "* ]]; then
  if [ "${SKIP_BUILD:-0}" != 1 ] && [ -z "${MIXC:-}" ]; then
    note "building mixc (release)"
    if ! (cd "$root" && cargo build --release -p mixc); then
      note "WARNING: cargo build failed; Mix is reported as n/a"
      mix_available=0
    fi
  fi
  [ -x "$mixc" ] || { note "WARNING: $mixc missing; Mix is reported as n/a"; mix_available=0; }
fi

# ----- data for jq
if [[ " ${WORKLOADS[*]} " == *" records "* ]] && [[ " $PEERS " == *" jq "* ]]; then
  if [ ! -s "$here/data/records.json" ] || [ "$here/gen_records.py" -nt "$here/data/records.json" ]; then
    note "generating data/records.json"
    python3 "$here/gen_records.py" "$here/data/records.json"
  fi
fi

# ----- peers: the binary each needs and the command line for a workload (relative to $here)
peer_bin() {
  case "$1" in
    lua5.4) echo lua5.4 ;;
    luajit) echo luajit ;;
    python3) echo python3 ;;
    node) echo node ;;
    jq) echo jq ;;
    mix) echo "$mixc" ;;
  esac
}

# Prints the command, or nothing when the peer has no version of the workload.
peer_cmd() {
  local peer="$1" w="$2"
  case "$peer" in
    lua5.4) echo "lua5.4 $w.lua" ;;
    luajit) echo "luajit -joff $w.lua" ;;
    python3) echo "python3 $w.py" ;;
    node) echo "node $w.js" ;;
    jq) [ "$w" = records ] && echo "jq -f records.jq data/records.json" ;;
    mix) if [ -n "${MIXC:-}" ]; then echo "$mixc run $w.mix"; else echo "../../target/release/mixc run $w.mix"; fi ;;
  esac
  return 0
}

peer_version() {
  case "$1" in
    lua5.4) lua5.4 -v 2>&1 | head -1 ;;
    luajit) luajit -v 2>&1 | head -1 ;;
    python3) python3 --version 2>&1 ;;
    node) echo "node $(node --version 2>&1)" ;;
    jq) jq --version 2>&1 ;;
    mix) echo "mixc $(cd "$root" && git rev-parse --short HEAD 2>/dev/null || echo '?')$(cd "$root" && git diff --quiet HEAD -- 2>/dev/null || echo ' (dirty tree)')" ;;
  esac
}

rm -rf "$out"
mkdir -p "$out"
tsv="$out/results.tsv"
: > "$tsv"

# ----- metadata for the summary
{
  echo "date	$(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "machine	$(uname -m), $(nproc) vCPU, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)"
  echo "load	$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "runs	$RUNS"
  for p in $PEERS; do
    b="$(peer_bin "$p")"
    if [ "$p" = mix ]; then
      [ "$mix_available" = 1 ] && echo "version	mix	$(peer_version mix)"
    elif command -v "$b" >/dev/null; then
      echo "version	$p	$(peer_version "$p")"
    fi
  done
} > "$out/meta.tsv"

cd "$here"
mix_wrong=0
for w in "${WORKLOADS[@]}"; do
  expected="${EXPECTED[$w]}"
  for p in $PEERS; do
    cmd="$(peer_cmd "$p" "$w")"
    [ -n "$cmd" ] || continue
    b="$(peer_bin "$p")"
    if [ "$p" = mix ]; then
      if [ "$mix_available" != 1 ]; then
        printf '%s\t%s\tn/a\t\t\tmixc not built\n' "$w" "$p" >> "$tsv"; continue
      fi
    elif ! command -v "$b" >/dev/null; then
      note "skipping $p: '$b' not found"
      printf '%s\t%s\tmissing\t\t\t\n' "$w" "$p" >> "$tsv"; continue
    fi

    base="$out/$w.$p"
    note "$w / $p: checked run ($cmd)"
    set +e
    # shellcheck disable=SC2086  # the command is split on purpose
    /usr/bin/time -f '%M' -o "$base.rss" timeout "$TIMEOUT" $cmd > "$base.stdout" 2> "$base.stderr"
    rc=$?
    set -e
    rss="$(tail -n 1 "$base.rss" 2>/dev/null || true)"
    got="$(sed -e 's/[[:space:]]*$//' "$base.stdout" | sed -e '/^$/d')"

    if [ "$rc" -ne 0 ]; then
      why="exit $rc"; [ "$rc" -eq 124 ] && why="timeout ${TIMEOUT}s"
      if [ "$p" = mix ]; then
        note "Mix $w: $why (reported as n/a); stderr: $(head -c 300 "$base.stderr" | tr '\n' ' ')"
        printf '%s\t%s\tn/a\t\t\t%s\n' "$w" "$p" "$why" >> "$tsv"; continue
      fi
      cat "$base.stderr" >&2
      die "$p failed on $w ($why): $cmd"
    fi
    if [ "$got" != "$expected" ]; then
      echo "run.sh: OUTPUT MISMATCH for $w / $p ($cmd)" >&2
      echo "  expected: $expected" >&2
      echo "  got:      $(head -c 300 <<<"$got")" >&2
      if [ "$p" = mix ]; then
        mix_wrong=1
        printf '%s\t%s\tWRONG\t\t%s\twrong output\n' "$w" "$p" "$rss" >> "$tsv"; continue
      fi
      die "$p printed a wrong result for $w"
    fi

    note "$w / $p: hyperfine ($RUNS runs)"
    if hyperfine --warmup 1 --runs "$RUNS" -N --style basic \
        --export-json "$base.json" -- "$cmd" > "$base.hyperfine.txt" 2>&1; then
      printf '%s\t%s\tok\t%s\t%s\t\n' "$w" "$p" "$base.json" "$rss" >> "$tsv"
    else
      cat "$base.hyperfine.txt" >&2
      if [ "$p" = mix ]; then
        printf '%s\t%s\tn/a\t\t%s\thyperfine failed\n' "$w" "$p" "$rss" >> "$tsv"; continue
      fi
      die "hyperfine failed for $p on $w"
    fi
  done
done

python3 "$here/summarize.py" "$out" "$here/results.md"
if [ "$mix_wrong" = 1 ]; then
  die "Mix printed a wrong result (see WRONG in the table)"
fi
