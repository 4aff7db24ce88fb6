#!/usr/bin/env bash
# Whole-process figures, side by side in one run: dateline and newsboat importing the same
# generated Atom feeds (file:// URLs), newsboat loading its cache, and dateline's cold start.
#
#   bench/compare.sh [ARTICLES]        # default 50000 (100 feeds of 500 items)
#
# Needs newsboat (Debian package `newsboat`) and GNU time (`time`). Prints wall times, peak
# memory and the ratios; every figure comes from this run on this machine.
set -euo pipefail
N=${1:-50000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DATA="$ROOT/target/bench-data"
CORPUS="$DATA/corpus-$N"
TIME=/usr/bin/time

cd "$ROOT"
cargo build --release --quiet --example gen_corpus
cargo build --release --quiet
[ -f "$CORPUS/urls.txt" ] || target/release/examples/gen_corpus --articles "$N" --out "$CORPUS" --force
DATELINE="$ROOT/target/release/dateline"

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

measure() { # label, command... → prints "label: S s, M MB" and records seconds in $SECS
    local label=$1; shift
    "$TIME" -f "%e %M" -o "$WORK/time" "$@" >/dev/null 2>"$WORK/err" || {
        echo "$label failed:"; cat "$WORK/err"; exit 1; }
    read -r SECS KB < "$WORK/time"
    printf '%-44s %8.2f s  %7.1f MB peak\n' "$label" "$SECS" "$(echo "$KB/1024" | bc -l)"
}

echo "corpus: $N articles in $(ls "$CORPUS/feeds" | wc -l) Atom feeds ($(du -sh "$CORPUS/feeds" | cut -f1))"
echo "machine: $(nproc) cores, $(date -u +%Y-%m-%d)"

# newsboat: a fresh cache, all feeds reloaded, then the cache loaded again.
mkdir -p "$WORK/nb"
printf 'reload-threads %s\n' "$(nproc)" > "$WORK/nb/config"
measure "newsboat -x reload" env HOME="$WORK/nb" newsboat -C "$WORK/nb/config" \
    -u "$CORPUS/urls.txt" -c "$WORK/nb/cache.db" -x reload
NB_RELOAD=$SECS
measure "newsboat -x print-unread (load cache)" env HOME="$WORK/nb" newsboat -C "$WORK/nb/config" \
    -u "$CORPUS/urls.txt" -c "$WORK/nb/cache.db" -x print-unread
NB_LOAD=$SECS

# dateline: subscribe to the same feeds, fetch them all (entities and search index included).
export DATELINE_DB="$WORK/dateline.db"
"$DATELINE" feed import-opml "$CORPUS/feeds.opml" >/dev/null
measure "dateline fetch (entities + search index)" "$DATELINE" fetch
DL_FETCH=$SECS
measure "dateline list --limit 50 (open cache)" "$DATELINE" list --limit 50
DL_LIST=$SECS

printf '\nimport: dateline takes %.2f× newsboat'"'"'s time (target: at most 0.33×)\n' "$(echo "$DL_FETCH/$NB_RELOAD" | bc -l)"
printf 'open cache: dateline list %.3f s vs newsboat print-unread %.3f s\n' "$DL_LIST" "$NB_LOAD"
echo "articles stored: $("$DATELINE" stats --json)"
