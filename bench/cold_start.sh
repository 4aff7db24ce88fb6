#!/usr/bin/env bash
# Cold start of the real reader in a real terminal: process start to the first frame (the
# list's status line on screen), and the process's peak RSS once it is drawn.
#
#   bench/cold_start.sh CACHE.db [RUNS]
#
# Needs tmux. Prints each run and the median.
set -euo pipefail
DB=${1:?usage: bench/cold_start.sh CACHE.db [RUNS]}
RUNS=${2:-9}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cargo build --release --quiet --manifest-path "$ROOT/Cargo.toml"
BIN="$ROOT/target/release/dateline"
times=()
for i in $(seq "$RUNS"); do
    SOCK="dateline-cold-$$-$i"
    start=$(date +%s%N)
    tmux -L "$SOCK" new-session -d -x 160 -y 45 "exec '$BIN' --db '$DB'"
    until tmux -L "$SOCK" capture-pane -p 2>/dev/null | grep -q ' list 1/'; do :; done
    end=$(date +%s%N)
    pid=$(pgrep -f -- "--db $DB\$" | head -1)
    rss=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
    ms=$(( (end - start) / 1000000 ))
    times+=("$ms")
    tmux -L "$SOCK" kill-server 2>/dev/null || true
    sleep 0.2
    printf 'run %d: first frame %d ms, peak RSS %.1f MB\n' "$i" "$ms" "$(echo "$rss/1024" | bc -l)"
done
sorted=($(printf '%s\n' "${times[@]}" | sort -n))
echo "median first frame: ${sorted[$(( RUNS / 2 ))]} ms over $RUNS runs ($(date -u +%Y-%m-%d), $(nproc) cores)"
