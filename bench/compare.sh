#!/usr/bin/env bash
# Whole-process figures, side by side in one run: dateline and newsboat importing the same
# generated Atom feeds (file:// URLs), newsboat loading its cache, and dateline's cold start.
#
#   bench/compare.sh [ARTICLES] [ROUNDS]   # default 50000 (100 feeds of 500 items), 3 rounds
#
# Each round reloads newsboat and fetches with dateline into fresh caches, one after the
# other, so both see the same machine; the ratio is taken per round and its median reported.
# Each then refreshes again with nothing new (every item already stored).
# Needs newsboat (Debian package `newsboat`) and GNU time (`time`). Prints wall times, peak
# memory and the ratios; every figure comes from this run on this machine.
set -euo pipefail
N=${1:-50000}
ROUNDS=${2:-3}
source "$(dirname "$0")/corpus.sh"
TIME=/usr/bin/time

measure() { # label, command... → prints "label: S s, M MB" and records seconds in $SECS
    local label=$1; shift
    # Each starts with nothing left to write back from the one before (on 2 cores, the
    # kernel's write-back of one program's cache ran during the next one's run).
    sync
    "$TIME" -f "%e %M" -o "$WORK/time" "$@" >/dev/null 2>"$WORK/err" || {
        echo "$label failed:"; cat "$WORK/err"; exit 1; }
    read -r SECS KB < "$WORK/time"
    printf '%-44s %8.2f s  %7.1f MB peak\n' "$label" "$SECS" "$(echo "$KB/1024" | bc -l)"
}

echo "corpus: $N articles in $(ls "$CORPUS/feeds" | wc -l) Atom feeds ($(du -sh "$CORPUS/feeds" | cut -f1))"
echo "machine: $(nproc) cores, $(date -u +%Y-%m-%d)"

median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

printf 'reload-threads %s\n' "$(nproc)" > "$WORK/config"
export DATELINE_DB="$WORK/dateline.db"
nb=(); dl=(); ratios=(); nb_again=(); dl_again=(); again_ratios=()
for round in $(seq "$ROUNDS"); do
    echo "round $round:"
    # newsboat: a fresh cache, all feeds reloaded, then the cache loaded again.
    rm -rf "$WORK/nb" && mkdir -p "$WORK/nb"
    measure "  newsboat -x reload" env HOME="$WORK/nb" newsboat -C "$WORK/config" \
        -u "$CORPUS/urls.txt" -c "$WORK/nb/cache.db" -x reload
    NB_RELOAD=$SECS
    measure "  newsboat -x print-unread (load cache)" env HOME="$WORK/nb" newsboat \
        -C "$WORK/config" -u "$CORPUS/urls.txt" -c "$WORK/nb/cache.db" -x print-unread
    NB_LOAD=$SECS
    measure "  newsboat -x reload again (nothing new)" env HOME="$WORK/nb" newsboat \
        -C "$WORK/config" -u "$CORPUS/urls.txt" -c "$WORK/nb/cache.db" -x reload
    NB_AGAIN=$SECS
    # dateline: subscribe to the same feeds, fetch them all (entities and search index included).
    rm -f "$DATELINE_DB" "$DATELINE_DB-wal" "$DATELINE_DB-shm"
    subscribe
    measure "  dateline fetch (entities + search index)" "$DATELINE" fetch
    DL_FETCH=$SECS
    measure "  dateline list --limit 50 (open cache)" "$DATELINE" list --limit 50
    DL_LIST=$SECS
    measure "  dateline fetch again (nothing new)" "$DATELINE" fetch
    DL_AGAIN=$SECS
    nb+=("$NB_RELOAD"); dl+=("$DL_FETCH"); ratios+=("$(echo "$DL_FETCH/$NB_RELOAD" | bc -l)")
    nb_again+=("$NB_AGAIN"); dl_again+=("$DL_AGAIN")
    again_ratios+=("$(echo "$DL_AGAIN/$NB_AGAIN" | bc -l)")
done

printf '\nimport, median of %d rounds: newsboat %.2f s, dateline %.2f s; dateline takes %.2f× newsboat'"'"'s time (median of the per-round ratios; target: at most 0.33×)\n' \
    "$ROUNDS" "$(median "${nb[@]}")" "$(median "${dl[@]}")" "$(median "${ratios[@]}")"
printf 'refresh with nothing new, median of %d rounds: newsboat %.2f s, dateline %.2f s; %.2f×\n' \
    "$ROUNDS" "$(median "${nb_again[@]}")" "$(median "${dl_again[@]}")" "$(median "${again_ratios[@]}")"
printf 'open cache (last round): dateline list %.3f s vs newsboat print-unread %.3f s\n' "$DL_LIST" "$NB_LOAD"
echo "articles stored: $("$DATELINE" stats --json)"
