#!/usr/bin/env bash
# Where a fetch's time goes: `dateline fetch` of the generated Atom feeds under `perf record`,
# split by thread (the main thread writes to the cache; the others parse), then the writer's
# time by the steps it spends it in (inclusive shares of the writer's own samples).
#
#   bench/profile_fetch.sh [ARTICLES]        # default 50000 (100 feeds of 500 items)
#
# Needs perf (Debian package `linux-perf`). The profile is of CPU time, so it holds up on a
# busy machine better than wall time does.
set -euo pipefail
N=${1:-50000}
source "$(dirname "$0")/corpus.sh"
export DATELINE_DB="$WORK/dateline.db"
subscribe

HZ=250
start=$(date +%s%N)
perf record -q -F "$HZ" --call-graph dwarf,32768 -o "$WORK/perf.data" "$DATELINE" fetch \
    >/dev/null 2>"$WORK/err" || { echo "fetch failed:"; cat "$WORK/err"; exit 1; }
end=$(date +%s%N)
printf 'fetch of %s items under perf: %.1f s wall\n' "$N" "$(echo "($end - $start) / 10^9" | bc -l)"

perf script -i "$WORK/perf.data" -F tid 2>/dev/null | tr -d ' ' | sort -n | uniq -c > "$WORK/threads"
writer=$(awk 'NR == 1 || $2 < min { min = $2 } END { print min }' "$WORK/threads")
awk -v w="$writer" -v hz="$HZ" '
    { if ($2 == w) ws += $1; else os += $1 }
    END { printf "writer thread %.2f CPU-s, other threads %.2f CPU-s\n", ws / hz, os / hz }' \
    "$WORK/threads"

echo "the writer's time, by step (inclusive):"
perf report -i "$WORK/perf.data" --children --tid "$writer" --percentage relative \
    --sort symbol --stdio -g none 2>/dev/null |
    awk 'BEGIN {
        name["dateline::store::articles::write_article"] = "article writes (rows and entity links)"
        name["dateline::store::entities::insert_article_entities"] = "  of which entity links"
        name["dateline::store::articles::Bulk::finish"] = "search index and entity totals at commit"
        name["fts5UpdateMethod"] = "  of which FTS5 tokenising and hashing"
        name["sqlite3VdbeHalt"] = "commits (FTS5 segment writes, the log)"
        name["sqlite3WalCheckpoint"] = "checkpoints"
        name["subjournalPageIfRequired"] = "statement journals (none expected: writes are OR FAIL)"
    }
    $3 == "[.]" && ($4 in name) && !($4 in share) { share[$4] = $1 }
    END {
        n = split("dateline::store::articles::write_article dateline::store::entities::insert_article_entities dateline::store::articles::Bulk::finish fts5UpdateMethod sqlite3VdbeHalt sqlite3WalCheckpoint subjournalPageIfRequired", order, " ")
        for (i = 1; i <= n; i++) {
            if (order[i] in share) printf "  %7s  %s\n", share[order[i]], name[order[i]]
            else if (order[i] ~ /^subjournal/) printf "  %7s  %s\n", "0%", name[order[i]]
        }
    }'
