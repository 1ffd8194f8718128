#!/usr/bin/env bash
# Build the store benchmarks in release and write bench/store/RESULTS.md.
# Usage: bench/store/run.sh [--scale F] [--only single|batch|query|merge|open[,...]]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$here/../../target/store-bench}"
cargo build --release --manifest-path "$here/Cargo.toml"
# The build leaves megabytes of dirty pages: write them back now, not during the first fsyncs.
sync
"$CARGO_TARGET_DIR/release/mix-store-bench" "$@" | tee "$here/.last-run.md"
