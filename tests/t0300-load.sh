#!/bin/sh
# t0300-load: dcstage load on generated dumps: counts, every injected bad
# case reported at its file and line, atomic replacement, skipped reruns.
. "$(dirname "$0")/lib.sh"

q() { sqlite3 "$@"; }

"$DCSTAGE" gen --scale 0.002 --seed 7 --out "$T/nasty" --nasty >/dev/null 2>&1
m=$T/nasty/manifest.json

# manifest fields through sqlite3's own JSON functions
mf() { q :memory: "SELECT json_extract(readfile('$m'), '$1')"; }

"$DCSTAGE" load --db "$T/a.db" --quiet "$T/nasty" >"$T/load.out" 2>"$T/load.err"
t_eq "nasty load exits 3 (something rejected)" "$?" 3

for t in projects donations resources; do
	t_eq "$t staged = manifest expected" \
		"$(q "$T/a.db" "SELECT count(*) FROM $t")" "$(mf "\$.expected.$t")"
done

missing() { # expect-kind table-condition
	q "$T/a.db" "SELECT count(*) FROM json_each(readfile('$m'), '\$.bad') b
	  WHERE json_extract(b.value, '\$.expect') = '$1' AND NOT EXISTS (
	    SELECT 1 FROM $2 x WHERE x.file = json_extract(b.value, '\$.file')
	    AND x.line = json_extract(b.value, '\$.line') ${3:-})"
}
t_eq "manifest has reject cases" \
	"$(q :memory: "SELECT count(*) > 0 FROM json_each(readfile('$m'), '\$.bad') WHERE json_extract(value, '\$.expect') = 'reject'")" 1
t_eq "manifest has problem cases" \
	"$(q :memory: "SELECT count(*) > 0 FROM json_each(readfile('$m'), '\$.bad') WHERE json_extract(value, '\$.expect') = 'problem'")" 1
t_eq "every reject case is in rejects at its file and line" \
	"$(missing reject rejects)" 0
t_eq "every problem case is in problems at its file, line and column" \
	"$(missing problem problems "AND x.field = json_extract(b.value, '\$.column')")" 0
t_eq "no reject that the manifest does not list" \
	"$(q "$T/a.db" "SELECT count(*) FROM rejects r WHERE NOT EXISTS (
	   SELECT 1 FROM json_each(readfile('$m'), '\$.bad') b
	   WHERE json_extract(b.value, '\$.file') = r.file
	   AND json_extract(b.value, '\$.line') = r.line)")" 0
t_eq "orphans kept and counted" \
	"$(q "$T/a.db" "SELECT count(*) FROM problems WHERE reason LIKE 'orphan%'")" \
	"$(q :memory: "SELECT json_extract(readfile('$m'), '\$.orphans.donations') + json_extract(readfile('$m'), '\$.orphans.resources')")"
t_match "summary counts duplicates" "$(cat "$T/load.out")" \
	"duplicates replaced: $(mf '$.duplicates.projects'), $(mf '$.duplicates.donations'), $(mf '$.duplicates.resources')"
t_match "first problems printed as file:line" "$(cat "$T/load.err")" \
	'^opendata_[a-z]+00[0-9]\.gz:[0-9]+: '

# A clean dump loads with exit 0, and the JSON summary has the counts.
"$DCSTAGE" gen --scale 0.001 --seed 3 --out "$T/clean" >/dev/null 2>&1
"$DCSTAGE" load --db "$T/c.db" --json "$T/clean" >"$T/c.json" 2>/dev/null
t_eq "clean load exits 0" "$?" 0
t_eq "json summary: donations" \
	"$(q :memory: "SELECT json_extract(readfile('$T/c.json'), '\$.rows.donations')")" \
	"$(q :memory: "SELECT json_extract(readfile('$T/clean/manifest.json'), '\$.expected.donations')")"
# Its five steps are timed, and they fit in the whole.
t_eq "json summary: the time of each step, within the total" \
	"$(q :memory: "SELECT group_concat(key) || ' ' || (sum(value) > 0
	   AND sum(value) <= json_extract(readfile('$T/c.json'), '\$.seconds')
	   AND min(value) >= 0) FROM json_each(readfile('$T/c.json'),
	   '\$.phase_seconds')")" "insert,index,dedupe,project_docs,commit 1"

# Unchanged files: the load is skipped.
out=$("$DCSTAGE" load --db "$T/c.db" "$T/clean" 2>&1)
t_match "rerun on unchanged files is skipped" "$out" "unchanged, load skipped"
t_eq "skipped load recorded" \
	"$(q "$T/c.db" "SELECT status FROM loads ORDER BY id DESC LIMIT 1")" skipped
out=$("$DCSTAGE" load --db "$T/c.db" --force "$T/clean" 2>&1)
t_match "--force loads again" "$out" "^loaded"

# Parts: the same records split over 3 multi-member files load the same.
"$DCSTAGE" gen --scale 0.001 --seed 3 --parts 3 --out "$T/parts" >/dev/null 2>&1
"$DCSTAGE" load --db "$T/p.db" --quiet "$T/parts" >/dev/null 2>&1
t_eq "3 parts stage the same donations as 1" \
	"$(q "$T/p.db" "SELECT count(*), sum(fp >> 20) FROM donations")" \
	"$(q "$T/c.db" "SELECT count(*), sum(fp >> 20) FROM donations")"

# A cut gzip file: the load fails naming the file; the snapshot stays.
before=$(q "$T/c.db" "SELECT count(*) FROM donations")
cp -r "$T/clean" "$T/cut"
f=$T/cut/opendata_donations000.gz
head -c $(($(stat -c %s "$f") / 2)) "$f" >"$f.tmp" && mv "$f.tmp" "$f"
out=$("$DCSTAGE" load --db "$T/c.db" "$T/cut" 2>&1); rc=$?
t_eq "cut gzip: exit 1" "$rc" 1
t_match "cut gzip: message names the file" "$out" "opendata_donations000.gz"
t_eq "cut gzip: previous snapshot intact" \
	"$(q "$T/c.db" "SELECT count(*) FROM donations")" "$before"
t_eq "cut gzip: no half-loaded tables" \
	"$(q "$T/c.db" "SELECT count(*) FROM sqlite_schema WHERE name LIKE 'new_%'")" 0

# Duplicated keys: the last occurrence wins, in each table, and the others
# are counted.  p1, d1 and r1 come twice, each time with another value.
dd=$T/dups
mkdir -p "$dd"
hp=$(zcat "$T/clean/opendata_projects000.gz" | head -n 1)
hd=$(zcat "$T/clean/opendata_donations000.gz" | head -n 1)
hr=$(zcat "$T/clean/opendata_resources000.gz" | head -n 1)
row() { # header key column=value...: a row of empty fields but these
	printf '%s\n' "$1" | awk -F, -v key="$2" -v sets="$3" '{
		n = split(sets, kv, " ")
		for (i = 1; i <= NF; i++) v[i] = ""
		v[1] = key
		for (j = 1; j <= n; j++) {
			split(kv[j], a, "=")
			for (i = 1; i <= NF; i++)
				if ($i == a[1]) v[i] = a[2]
		}
		for (i = 1; i <= NF; i++) printf "%s%s", v[i], i < NF ? "," : "\n"
	}'
}
{ echo "$hp"; row "$hp" p1 school_city=First; row "$hp" p2 school_city=Other
  row "$hp" p1 school_city=Last; } >"$dd/opendata_projects000.csv"
{ echo "$hd"; row "$hd" d1 "projectid=p2 donation_total=1"
  row "$hd" d1 "projectid=p1 donation_total=2"
  row "$hd" d2 "projectid=p2 donation_total=3"; } >"$dd/opendata_donations000.csv"
{ echo "$hr"; row "$hr" r1 "projectid=p1 item_quantity=1"
  row "$hr" r2 "projectid=p1 item_quantity=2"
  row "$hr" r1 "projectid=p2 item_quantity=5"; } >"$dd/opendata_resources000.csv"
"$DCSTAGE" load --db "$T/dups.db" --json "$dd" >"$T/dups.json" 2>/dev/null
t_eq "duplicates: counted per table" \
	"$(q :memory: "SELECT json_extract(readfile('$T/dups.json'), '\$.duplicates')")" \
	'{"projects":1,"donations":1,"resources":1}'
t_eq "duplicates: the last project wins" \
	"$(q "$T/dups.db" "SELECT group_concat(projectid || '=' || school_city, ' ') FROM (SELECT * FROM projects ORDER BY projectid)")" \
	"p1=Last p2=Other"
t_eq "duplicates: the last donation wins" \
	"$(q "$T/dups.db" "SELECT group_concat(donationid || ':' || projectid || '=' || donation_total, ' ') FROM (SELECT * FROM donations ORDER BY donationid)")" \
	"d1:p1=2.0 d2:p2=3.0"
t_eq "duplicates: the last resource wins" \
	"$(q "$T/dups.db" "SELECT group_concat(resourceid || ':' || projectid || '=' || item_quantity, ' ') FROM (SELECT * FROM resources ORDER BY resourceid)")" \
	"r1:p2=5 r2:p1=2"
t_eq "duplicates: the documents hold the winners" \
	"$(q "$T/dups.db" "SELECT group_concat(id || '=' || json_extract(doc, '\$.project_school_city') || ',' || json_extract(doc, '\$.resourceid'), ' ') FROM (SELECT * FROM documents ORDER BY id)")" \
	"d1=Last,r2 d2=Other,r1"

# The first problems are printed as file:line: column 'value': reason,
# in hex a value that would not print as it is (here not UTF-8).
pd=$T/printed
mkdir -p "$pd"
cp "$dd/opendata_projects000.csv" "$dd/opendata_resources000.csv" "$pd"
{ echo "$hd"; row "$hd" d1 "projectid=p2 donation_total=1x"
  row "$hd" d2 "projectid=p2 donor_city=$(printf 'caf\351')"; } \
	>"$pd/opendata_donations000.csv"
"$DCSTAGE" load --db "$T/printed.db" "$pd" >/dev/null 2>"$T/printed.err"
t_match "a problem printed as column 'value': reason" "$(cat "$T/printed.err")" \
	"^opendata_donations000\.csv:2: donation_total '1x': [a-z]"
t_match "a value that would not print, printed in hex" "$(cat "$T/printed.err")" \
	"^opendata_donations000\.csv:3: donor_city X'636166E9': [a-z]"

# kill -9 in the middle of a load: the previous snapshot stays whole.
"$DCSTAGE" gen --scale 0.02 --seed 5 --out "$T/big" >/dev/null 2>&1

# Progress: a status line on a terminal, nothing of it otherwise.
if command -v script >/dev/null 2>&1; then
	out=$(script -qc "'$DCSTAGE' load --db '$T/tty.db' '$T/big'" /dev/null 2>&1)
	t_match "progress on a terminal: rows, rate, ETA, file, MB" "$out" \
		'loading: [0-9]+ rows, [0-9]+ rows/s, [0-9]+%, ETA [0-9:]+, opendata_[a-z]+000\.gz, [0-9]+ of [0-9]+ MB'
fi
"$DCSTAGE" load --db "$T/notty.db" "$T/big" >/dev/null 2>"$T/notty.err"
t_eq "no progress line when not on a terminal" "$(grep -c 'ETA' "$T/notty.err")" 0

# It is killed once it has written pages into the file, inside its
# transaction: the file has grown past its size before the load.
size0=$(stat -c %s "$T/c.db")
"$DCSTAGE" load --db "$T/c.db" --quiet "$T/big" >/dev/null 2>&1 &
pid=$!
i=0
while [ "$(stat -c %s "$T/c.db")" -le "$size0" ] && [ $i -lt 3000 ]; do
	sleep 0.01
	i=$((i + 1))
done
kill -9 $pid 2>/dev/null
killed=$?
hot=$(test -e "$T/c.db-journal" && echo journal)
wait $pid 2>/dev/null
t_eq "kill -9 during load: killed with its transaction open" \
	"$killed $hot" "0 journal"
t_eq "kill -9 during load: previous snapshot intact" \
	"$(q "$T/c.db" "SELECT count(*) FROM donations")" "$before"
t_eq "kill -9 during load: integrity check" \
	"$(q "$T/c.db" "PRAGMA integrity_check")" ok

# Staging files of earlier layouts (project parts without generations;
# parts as whole JSON objects) are refused with a plain message, and left
# as they were.
for layout in "doc TEXT, fp INTEGER NOT NULL" "doc TEXT, fp INTEGER, gen INTEGER NOT NULL"; do
	rm -f "$T/old.db"
	q "$T/old.db" "CREATE TABLE project_docs(projectid TEXT NOT NULL, $layout)"
	out=$("$DCSTAGE" load --db "$T/old.db" "$T/clean" 2>&1)
	t_eq "earlier layout ($layout): fatal error" "$?" 1
	t_match "earlier layout ($layout): says so, naming the file" "$out" "old.db' was written by an earlier dcstage"
	t_eq "earlier layout ($layout): left as it was" \
		"$(q "$T/old.db" "SELECT count(*) FROM sqlite_schema")" 1
done

t_done
