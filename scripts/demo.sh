#!/bin/sh
# demo.sh - the main job end to end on a small generated dump: generate,
# load into a staging file, export to the project's Elasticsearch stand-in
# (started here on a free loopback port), and show what happened.
# Run by `make demo`; DEMO_SCALE (default 0.01) sets the dump's size.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
dc=$BUILD/dcstage
dir=demo
scale=${DEMO_SCALE:-0.01}
mkdir -p "$dir"

echo "== generating a dump at scale $scale into $dir/dump"
"$dc" gen --scale "$scale" --seed 1 --out "$dir/dump"
ls -l "$dir/dump"

echo "== loading it into $dir/dcstage.db"
rc=0
"$dc" load --db "$dir/dcstage.db" "$dir/dump" || rc=$?
[ "$rc" -le 3 ] || exit "$rc"

echo "== exporting to a local stand-in for Elasticsearch"
"$BUILD/esserver" --port 0 --no-store >"$dir/es.port" 2>"$dir/es.log" &
es=$!
trap 'kill $es 2>/dev/null' EXIT
i=0
while [ ! -s "$dir/es.port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
"$dc" export --db "$dir/dcstage.db" --url "http://127.0.0.1:$(head -n 1 "$dir/es.port")"

echo "== the staging file, as the sqlite3 shell shows it"
sqlite3 -header -column "$dir/dcstage.db" "SELECT * FROM staged_counts"
sqlite3 "$dir/dcstage.db" "SELECT doc FROM documents LIMIT 1"
