#!/usr/bin/env bash
# Runs every fuzz target for SECONDS (default 600) each, one after another, and prints each
# target's final libFuzzer statistics. New inputs go to a scratch folder, not the seeds.
set -uo pipefail
cd "$(dirname "$0")"
SECONDS_EACH=${1:-600}
SCRATCH=${FUZZ_SCRATCH:-/tmp/dateline-fuzz}
for t in $(sed -n 's/^name = "\(.*\)"/\1/p' Cargo.toml | grep -v dateline-fuzz); do
    mkdir -p "$SCRATCH/$t"
    echo "== $t"
    RUSTC_BOOTSTRAP=1 cargo fuzz run -O "$t" "$SCRATCH/$t" "corpus/$t" -- \
        -max_total_time="$SECONDS_EACH" -print_final_stats=1 -rss_limit_mb=4096 2>&1 |
        grep -E "stat::|Done|ERROR|SUMMARY|crash-|panicked" || true
done
