#!/bin/sh
# t0410-shards: sharded readers and --shard slices give every document
# exactly once; the dry run pairs each action with its source.
. "$(dirname "$0")/lib.sh"

q() { sqlite3 "$@"; }

"$DCSTAGE" gen --scale 0.002 --seed 4 --nasty --out "$T/dump" --quiet
"$DCSTAGE" load --db "$T/s.db" --quiet "$T/dump" >/dev/null 2>&1
"$DCSTAGE" export --db "$T/s.db" --dry-run "$T/one.ndjson" --threads 1 --quiet >"$T/sum.out"
t_eq "dry run, 1 thread: exit 0" "$?" 0
t_match "dry run summary: documents, MB, docs/s" "$(cat "$T/sum.out")" \
	'^wrote [0-9]+ documents \([0-9.]+ MB\) in [0-9.]+ s with 1 threads: [0-9]+ docs/s'
"$DCSTAGE" export --db "$T/s.db" --dry-run /dev/null --json >"$T/sum.json"
t_eq "dry run --json summary: documents" \
	"$(sqlite3 :memory: "SELECT json_extract(readfile('$T/sum.json'), '\$.docs')")" \
	"$(sqlite3 "$T/s.db" "SELECT count(*) FROM donations")"
LC_ALL=C sort "$T/one.ndjson" >"$T/one.sorted"
sqlite3 "$T/s.db" "SELECT doc FROM documents ORDER BY id" >"$T/view.txt"

t_eq "documents = distinct non-rejected donations (manifest)" \
	"$(($(wc -l <"$T/one.ndjson") / 2))" \
	"$(q :memory: "SELECT json_extract(readfile('$T/dump/manifest.json'), '\$.expected.donations')")"

# Every line is JSON; odd lines are index actions, each followed by a
# source whose donationid is the action's _id.
t_eq "every line is valid JSON, actions paired with sources" \
	"$(awk '{ printf "%s\t%s\n", NR, $0 }' "$T/one.ndjson" | q :memory: \
	  "CREATE TABLE l(n INTEGER PRIMARY KEY, j TEXT)" ".mode tabs" \
	  ".import /dev/stdin l" \
	  "SELECT count(*) FROM l a JOIN l s ON s.n = a.n + 1 WHERE a.n % 2 = 1
	     AND json_valid(a.j) AND json_valid(s.j)
	     AND json_extract(a.j, '\$.index._index') = 'donorschoose'
	     AND json_extract(a.j, '\$.index._id') = json_extract(s.j, '\$.donationid')")" \
	"$(($(wc -l <"$T/one.ndjson") / 2))"

# The exporter writes the donation part itself: the same bytes as the
# documents view, for every document of the nasty dump.
t_eq "dry run = the documents view, byte for byte" \
	"$(sed -n '2~2p' "$T/one.ndjson" | cmp -s - "$T/view.txt" && echo same)" same

for n in 2 3 7; do
	"$DCSTAGE" export --db "$T/s.db" --dry-run "$T/n$n.ndjson" --threads $n --quiet
	t_eq "$n threads: the same documents as 1 thread" \
		"$(LC_ALL=C sort "$T/n$n.ndjson" | cmp -s - "$T/one.sorted" && echo same)" same
	t_eq "$n threads: no duplicate" \
		"$(grep -c '"_id"' "$T/n$n.ndjson")" "$(grep '"_id"' "$T/n$n.ndjson" | sort -u | wc -l)"
done

rm -f "$T/slices.ndjson"
for k in 1 2 3; do
	"$DCSTAGE" export --db "$T/s.db" --dry-run "$T/k$k.ndjson" --shard $k/3 --threads 2 --quiet
	cat "$T/k$k.ndjson" >>"$T/slices.ndjson"
done
t_eq "--shard k/3: the slices together are the whole" \
	"$(LC_ALL=C sort "$T/slices.ndjson" | cmp -s - "$T/one.sorted" && echo same)" same
t_eq "--shard k/3: each slice holds a part" \
	"$(for k in 1 2 3; do [ -s "$T/k$k.ndjson" ] && [ "$(wc -l <"$T/k$k.ndjson")" -lt "$(wc -l <"$T/one.ndjson")" ] && printf x; done)" xxx
t_exit "--shard 4/3 is a usage error" 2 \
	"$DCSTAGE" export --db "$T/s.db" --dry-run /dev/null --shard 4/3

t_done
