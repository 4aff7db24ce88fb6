#!/usr/bin/env bash
# A refresh that updates every item of one feed in a large cache: each updated article is
# taken out of its entities' lists and its search entries, then written again.
#
#   bench/update.sh [ARTICLES] [ROUNDS]   # default 100000 articles, 2 rounds
#
# Needs the cache the cache bench leaves, target/bench-data/feeds-ARTICLES-j2.db (from
# `DATELINE_BENCH_ARTICLES=ARTICLES cargo bench --bench cache`). Each round copies it,
# opens the copy once (so a migration is timed apart), changes the text of every item of
# the corpus's first feed, and times `dateline fetch` of that feed. The feed file is put
# back on exit. Prints wall and CPU times and how many articles were updated.
set -euo pipefail
N=${1:-100000}
ROUNDS=${2:-2}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE="$ROOT/target/bench-data/feeds-$N-j2.db"
FEED="$ROOT/target/bench-data/corpus-$N/feeds/feed-000.xml"
[ -f "$CACHE" ] || { echo "no $CACHE: run DATELINE_BENCH_ARTICLES=$N cargo bench --bench cache first"; exit 1; }
cargo build --release --quiet --manifest-path "$ROOT/Cargo.toml"
BIN="$ROOT/target/release/dateline"
WORK=$(mktemp -d)
cp "$FEED" "$WORK/feed.orig"
trap 'cp "$WORK/feed.orig" "$FEED"; rm -rf "$WORK"' EXIT
# A paragraph more in every item: the same stories (same links), changed.
sed 's#</content>#\&lt;p\&gt;The United States and the European Union said more talks would follow.\&lt;/p\&gt;</content>#' \
    "$WORK/feed.orig" > "$FEED"
export DATELINE_DB="$WORK/c.db"
for round in $(seq "$ROUNDS"); do
    rm -f "$DATELINE_DB" "$DATELINE_DB-wal" "$DATELINE_DB-shm"
    cp "$CACHE" "$DATELINE_DB"
    /usr/bin/time -f "round $round: open (and migrate) %e s" "$BIN" stats >/dev/null
    /usr/bin/time -f "round $round: fetch of the changed feed %e s, CPU %U s user + %S s system" \
        "$BIN" fetch 1 >/dev/null
    echo "round $round: articles updated: $(sqlite3 "$DATELINE_DB" \
        'SELECT count(*) FROM articles WHERE updated_at > imported_at')"
done
