# Sourced by the whole-process bench scripts, with N set to the number of articles: builds
# dateline and the corpus generator, generates the corpus of N articles (100 Atom feeds and
# the text files) if it is not there yet, and makes a work folder removed on exit.
# Sets ROOT, CORPUS, DATELINE and WORK, and defines `subscribe`.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CORPUS="$ROOT/target/bench-data/corpus-$N"

cd "$ROOT"
cargo build --release --quiet --example gen_corpus
cargo build --release --quiet
[ -f "$CORPUS/urls.txt" ] || target/release/examples/gen_corpus --articles "$N" --out "$CORPUS" --force
DATELINE="$ROOT/target/release/dateline"

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# Subscribes the cache $DATELINE_DB to the corpus's feeds.
subscribe() {
    "$DATELINE" feed import-opml "$CORPUS/feeds.opml" >/dev/null 2>"$WORK/err" || {
        echo "subscribing failed:"; cat "$WORK/err"; exit 1; }
}
