#!/bin/sh
# t0700-rerun: incremental reruns (reruns.md): unchanged input, next
# month's dump, hand edits in the sqlite3 shell, kill -9 part way (and the
# index settings a killed full export turned off put back), SIGTERM, a
# dropped index; and what status shows.
. "$(dirname "$0")/lib.sh"

q() { sqlite3 "$@"; }
js() { # FILE PATH: a value of a JSON file
	q :memory: "SELECT json_extract(readfile('$1'), '$2')"
}

dump_as_stored() { # DB: its dry run as the server's dump shows it
	"$DCSTAGE" export --db "$1" --dry-run "$T/dry.ndjson" --quiet >/dev/null
	awk 'NR % 2 == 1 { split($0, a, "\"_id\":\""); split(a[2], b, "\""); id = b[1] }
	     NR % 2 == 0 { printf "{\"_id\":\"%s\",\"_source\":%s}\n", id, $0 }' \
		"$T/dry.ndjson" | LC_ALL=C sort
}
in_sync() { # DB: "same" when the server holds exactly DB's documents
	dump_as_stored "$1" >"$T/want.ndjson"
	curl -s "$ES_URL/donorschoose/_esserver/dump" >"$T/got.ndjson"
	cmp -s "$T/got.ndjson" "$T/want.ndjson" && echo same
}
without_project() { # FROM TO PROJECTID: dump FROM without that project
	mkdir "$2"
	cp -p "$1"/opendata_donations*.gz "$1"/opendata_resources*.gz "$2"
	gzip -dc "$1"/opendata_projects000.gz | grep -v "^$3," | gzip >"$2/opendata_projects000.gz"
}
export_json() { # DB OUT [OPTIONS]
	db=$1 out=$2; shift 2
	"$DCSTAGE" export --db "$db" --url "$ES_URL" --json "$@" >"$out" 2>"$out.err"
}

"$DCSTAGE" gen --scale 0.002 --seed 21 --out "$T/m0" --quiet
"$DCSTAGE" gen --scale 0.002 --seed 21 --month 1 --out "$T/m1" --quiet
es_start
"$DCSTAGE" load --db "$T/s.db" --quiet "$T/m0" >/dev/null 2>&1
export_json "$T/s.db" "$T/x0.json"
t_eq "first export: everything" "$(js "$T/x0.json" '$.full')" 1
t_eq "first export: in sync" "$(in_sync "$T/s.db")" same

# Same files again: the load is skipped, nothing is sent.
out=$("$DCSTAGE" load --db "$T/s.db" "$T/m0" 2>&1)
t_match "same files: load skipped" "$out" "unchanged, load skipped"
export_json "$T/s.db" "$T/x1.json"
t_eq "same files: export up to date, 0 documents" \
	"$(js "$T/x1.json" '$.up_to_date') $(js "$T/x1.json" '$.docs')" "1 0"
# With nothing to send, the export does not walk the donations (not even
# to count them): it works on a copy whose donation index is gone.
cp "$T/s.db" "$T/noindex.db"
q "$T/noindex.db" "DROP INDEX donations_key"
export_json "$T/noindex.db" "$T/x1b.json"
t_eq "same files: the export up to date reads no donation" \
	"$? $(js "$T/x1b.json" '$.up_to_date')" "0 1"

# Next month: exactly the new, changed and gone donations, and every
# donation of a changed project.
m=$T/m1/manifest.json
"$DCSTAGE" load --db "$T/s.db" --quiet "$T/m1" >/dev/null 2>&1
want_index=$(q "$T/s.db" "SELECT count(*) FROM donations WHERE
	donationid IN (SELECT value FROM json_each(readfile('$m'), '\$.changed_donations'))
	OR donationid IN (SELECT value FROM json_each(readfile('$m'), '\$.new_donations'))
	OR projectid IN (SELECT value FROM json_each(readfile('$m'), '\$.changed_projects'))")
t_eq "next month: the generator changed something" \
	"$([ "$want_index" -gt 0 ] && echo yes)" yes
t_eq "status: pending before the export" \
	"$("$DCSTAGE" status --db "$T/s.db" --json >"$T/st.json"
	   json_get '$.targets[0].to_index' <"$T/st.json") $(json_get '$.targets[0].to_delete' <"$T/st.json")" \
	"$want_index $(js "$m" '$.changes.donations_gone')"
export_json "$T/s.db" "$T/x2.json"
t_eq "next month: sends exactly the new and changed documents" \
	"$(js "$T/x2.json" '$.docs') $(js "$T/x2.json" '$.full')" "$want_index 0"
t_eq "next month: deletes exactly the gone donations" \
	"$(js "$T/x2.json" '$.deletes')" "$(js "$m" '$.changes.donations_gone')"
t_eq "next month: in sync" "$(in_sync "$T/s.db")" same

# Hand edits in the sqlite3 shell, no reload.
d=$(q "$T/s.db" "SELECT donationid FROM donations ORDER BY rowid LIMIT 1 OFFSET 5")
q "$T/s.db" "UPDATE donations SET donor_city = 'Edited by hand' WHERE donationid = '$d'"
export_json "$T/s.db" "$T/x3.json"
t_eq "hand UPDATE of a donation: one document sent" "$(js "$T/x3.json" '$.docs')" 1
t_eq "hand UPDATE of a donation: in sync" "$(in_sync "$T/s.db")" same
t_match "hand UPDATE: the server has the edit" \
	"$(curl -s "$ES_URL/donorschoose/_doc/$d")" '"donor_city":"Edited by hand"'
p=$(q "$T/s.db" "SELECT projectid FROM donations GROUP BY projectid HAVING count(*) > 1 LIMIT 1")
n=$(q "$T/s.db" "SELECT count(*) FROM donations WHERE projectid = '$p'")
q "$T/s.db" "UPDATE projects SET funding_status = 'edited' WHERE projectid = '$p'"
export_json "$T/s.db" "$T/x4.json"
t_eq "hand UPDATE of a project: all its donations, and only those" \
	"$(js "$T/x4.json" '$.docs')" "$n"
q "$T/s.db" "UPDATE resources SET item_name = 'Edited item' WHERE rowid = (SELECT min(rowid) FROM resources WHERE projectid = '$p')"
export_json "$T/s.db" "$T/x5.json"
t_eq "hand UPDATE of a resource: its project's donations" \
	"$(js "$T/x5.json" '$.docs')" "$n"
q "$T/s.db" "DELETE FROM donations WHERE donationid = '$d'"
export_json "$T/s.db" "$T/x6.json"
t_eq "hand DELETE of a donation: one deletion" \
	"$(js "$T/x6.json" '$.docs') $(js "$T/x6.json" '$.deletes')" "0 1"
t_eq "after hand edits: in sync" "$(in_sync "$T/s.db")" same

# A project deleted by hand: its donations are sent again, as orphans.
p3=$(q "$T/s.db" "SELECT projectid FROM donations WHERE projectid <> '$p' GROUP BY projectid HAVING count(*) > 1 LIMIT 1")
n3=$(q "$T/s.db" "SELECT count(*) FROM donations WHERE projectid = '$p3'")
q "$T/s.db" "DELETE FROM projects WHERE projectid = '$p3'"
export_json "$T/s.db" "$T/x6a.json"
t_eq "hand DELETE of a project: its donations, and only those" \
	"$(js "$T/x6a.json" '$.docs')" "$n3"
t_eq "hand DELETE of a project: in sync" "$(in_sync "$T/s.db")" same

# One --shard slice is recorded as partial: the next export still looks
# at every document.  A slice deletes what its own range lost.
q "$T/s.db" "UPDATE donations SET donor_city = 'Edited again' WHERE rowid = (SELECT max(rowid) FROM donations)"
q "$T/s.db" "DELETE FROM donations WHERE donationid IN ((SELECT min(donationid) FROM donations), (SELECT max(donationid) FROM donations))"
export_json "$T/s.db" "$T/x6s.json" --shard 1/2
t_eq "--shard 1/2: recorded as partial" \
	"$(q "$T/s.db" "SELECT last_status FROM target_status")" partial
t_eq "--shard 1/2: the one deletion of its range" "$(js "$T/x6s.json" '$.deletes')" 1
export_json "$T/s.db" "$T/x6b.json"
t_eq "after a slice: the next export sends what the slice left" \
	"$(js "$T/x6b.json" '$.docs') $(js "$T/x6b.json" '$.deletes') $(js "$T/x6b.json" '$.up_to_date')" "1 1 0"
t_eq "after a slice: in sync" "$(in_sync "$T/s.db")" same

# The next dump without a project.  Only the projects whose part differs
# from the exported one get a newer generation (p and p3, edited by hand,
# are back as they were; p4 is gone), and the export sends what the
# views say is pending, compared there project by project.
p4=$(q "$T/s.db" "SELECT projectid FROM donations WHERE projectid NOT IN ('$p', '$p3') GROUP BY projectid HAVING count(*) > 1 LIMIT 1")
without_project "$T/m1" "$T/m2" "$p4"
"$DCSTAGE" load --db "$T/s.db" --quiet "$T/m2" >/dev/null 2>&1
newer() { # DB: the projects changed since the target was last in sync
	q "$1" "SELECT group_concat(projectid, ' ') FROM (SELECT projectid FROM project_docs
		WHERE gen > (SELECT synced_version FROM targets WHERE index_name = 'donorschoose')
		ORDER BY projectid)"
}
t_eq "next dump: only the changed projects are newer" "$(newer "$T/s.db")" \
	"$(printf '%s\n' "$p" "$p3" "$p4" | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')"
t_eq "next dump: a gone project leaves a row without a part" \
	"$(q "$T/s.db" "SELECT count(*) FROM project_docs WHERE projectid = '$p4' AND vals IS NULL AND fp IS NULL")" 1
pending=$(q "$T/s.db" "SELECT to_index || ' ' || to_delete FROM target_status")
export_json "$T/s.db" "$T/x8.json"
t_eq "next dump: sends what the views say is pending" \
	"$(js "$T/x8.json" '$.docs') $(js "$T/x8.json" '$.deletes')" "$pending"
t_eq "next dump: in sync" "$(in_sync "$T/s.db")" same
t_eq "next dump: the gone project's donations are orphans" \
	"$(curl -s "$ES_URL/donorschoose/_doc/$(q "$T/s.db" "SELECT donationid FROM donations WHERE projectid = '$p4' LIMIT 1")" | grep -c '"project_')" 0

# A row without a part is dropped once every target has seen it go.
p5=$(q "$T/s.db" "SELECT projectid FROM donations WHERE projectid NOT IN ('$p', '$p3', '$p4') GROUP BY projectid LIMIT 1")
without_project "$T/m2" "$T/m3" "$p5"
"$DCSTAGE" load --db "$T/s.db" --quiet "$T/m3" >/dev/null 2>&1
t_eq "gone projects: only the one no target has seen go is kept" \
	"$(q "$T/s.db" "SELECT group_concat(projectid) FROM project_docs WHERE fp IS NULL")" "$p5"
export_json "$T/s.db" "$T/x9.json"
t_eq "gone projects: its donations sent" "$(js "$T/x9.json" '$.docs')" \
	"$(q "$T/s.db" "SELECT count(*) FROM donations WHERE projectid = '$p5'")"
t_eq "gone projects: in sync" "$(in_sync "$T/s.db")" same

# A dropped index gets a full export by itself.
curl -s -XDELETE "$ES_URL/donorschoose" >/dev/null
export_json "$T/s.db" "$T/x7.json"
t_eq "dropped index: a full export" \
	"$(js "$T/x7.json" '$.full') $(js "$T/x7.json" '$.docs')" \
	"1 $(q "$T/s.db" "SELECT count(*) FROM donations")"
t_eq "dropped index: in sync" "$(in_sync "$T/s.db")" same

# run = load + export, and a second run has nothing to do.
"$DCSTAGE" run --db "$T/r.db" --url "$ES_URL" --index viarun --quiet "$T/m0" >/dev/null 2>&1
t_eq "run: load and export, exit 0" "$?" 0
t_eq "run: every document acknowledged" \
	"$(q "$T/r.db" "SELECT acknowledged, to_index FROM target_status")" \
	"$(q "$T/r.db" "SELECT count(*) FROM donations")|0"
out=$("$DCSTAGE" run --db "$T/r.db" --url "$ES_URL" --index viarun "$T/m0" 2>&1)
t_match "run again: load skipped" "$out" "unchanged, load skipped"
t_match "run again: nothing to send" "$out" "up to date"
es_stop

# kill -9 at several points, then a rerun: nothing lost, and no batch the
# server acknowledged is sent again.
"$DCSTAGE" gen --scale 0.005 --seed 22 --out "$T/k" --quiet
"$DCSTAGE" load --db "$T/k.db" --quiet "$T/k" >/dev/null 2>&1
ndocs=$(q "$T/k.db" "SELECT count(*) FROM donations")
es_start --delay-ms 20
# The index has settings of its own, which a full export turns off for
# the load (refresh, replicas) and must put back even when killed.
curl -s -XPUT "$ES_URL/donorschoose" -H 'Content-Type: application/json' \
	-d '{"settings":{"index":{"refresh_interval":"5s","number_of_replicas":2}}}' >/dev/null
settings() { # the index's refresh_interval and number_of_replicas
	curl -s "$ES_URL/donorschoose/_settings" >"$T/settings.json"
	printf '%s %s' "$(json_get '$.donorschoose.settings.index.refresh_interval' <"$T/settings.json")" \
		"$(json_get '$.donorschoose.settings.index.number_of_replicas' <"$T/settings.json")"
}
# export_tuned [OPTIONS]: start an export of k.db in the background
# (pid), and return once it has tuned the index for the load; its errors
# go to $T/bg.err
export_tuned() {
	"$DCSTAGE" export --db "$T/k.db" --url "$ES_URL" --threads 2 \
		--bulk-docs 100 --quiet "$@" >/dev/null 2>"$T/bg.err" &
	pid=$!
	i=0
	until [ "$(settings)" = "-1 0" ] || [ $i -ge 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
}
for at in 0.3 0.7 1.1; do
	"$DCSTAGE" export --db "$T/k.db" --url "$ES_URL" --threads 2 \
		--bulk-docs 100 --quiet >/dev/null 2>&1 &
	pid=$!
	sleep "$at"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
done
t_eq "kill -9: the killed exports left work to do" \
	"$([ "$(q "$T/k.db" "SELECT acknowledged FROM target_status")" -lt "$ndocs" ] && echo yes)" yes
t_eq "kill -9: the killed full export left the index tuned for the load" \
	"$(settings)" "-1 0"
"$DCSTAGE" export --db "$T/k.db" --url "$ES_URL" --quiet >/dev/null 2>&1
t_eq "kill -9 then rerun: exit 0" "$?" 0
t_eq "kill -9 then rerun: in sync" "$(in_sync "$T/k.db")" same
t_eq "kill -9 then rerun: the index's own settings are back" \
	"$(settings)" "5s 2"
t_eq "kill -9 then rerun: no settings left to put back" \
	"$(q "$T/k.db" "SELECT count(*) FROM tuned_settings")" 0
es_stop
# At most the batches in flight at each kill (2 threads x 100) came twice.
t_eq "kill -9 then rerun: no acknowledged batch sent again" \
	"$(q :memory: "SELECT json_extract(readfile('$ES_STATS'), '\$.items') <= $ndocs + 3 * 2 * 100")" 1

# A full export killed, then --full: the settings it puts back are still
# the index's own, not the ones the killed export left.
es_start --delay-ms 20
curl -s -XPUT "$ES_URL/donorschoose" -H 'Content-Type: application/json' \
	-d '{"settings":{"index":{"refresh_interval":"5s","number_of_replicas":2}}}' >/dev/null
export_tuned --full
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
t_eq "a full export killed with the index tuned for the load" \
	"$(settings)" "-1 0"
"$DCSTAGE" export --db "$T/k.db" --url "$ES_URL" --full --quiet >/dev/null 2>&1
t_eq "killed, then --full: the index's own settings are back" \
	"$(settings)" "5s 2"
es_stop

# SIGTERM (or Ctrl-C) stops a full export cleanly: the batches in flight
# are settled, the settings put back at once, and the next export goes
# on from there.
es_start --delay-ms 20
curl -s -XPUT "$ES_URL/donorschoose" -H 'Content-Type: application/json' \
	-d '{"settings":{"index":{"refresh_interval":"5s","number_of_replicas":2}}}' >/dev/null
export_tuned
kill -TERM "$pid"
wait "$pid"
t_eq "SIGTERM: the export stops with exit 1" "$?" 1
t_match "SIGTERM: it says it was interrupted" "$(cat "$T/bg.err")" \
	"export failed: interrupted"
t_eq "SIGTERM: the index's own settings are back at once" "$(settings)" "5s 2"
t_eq "SIGTERM: part of the documents acknowledged" \
	"$(q "$T/k.db" "SELECT acknowledged > 0 AND acknowledged < $ndocs FROM target_status WHERE url = '$ES_URL'")" 1
"$DCSTAGE" export --db "$T/k.db" --url "$ES_URL" --quiet >/dev/null 2>&1
t_eq "SIGTERM then rerun: in sync" "$(in_sync "$T/k.db")" same
# Kept settings are put back even by an export with nothing to send.
q "$T/k.db" "INSERT INTO tuned_settings SELECT uuid, '5s', '2' FROM targets WHERE url = '$ES_URL'"
curl -s -XPUT "$ES_URL/donorschoose/_settings" -H 'Content-Type: application/json' \
	-d '{"index":{"refresh_interval":"-1","number_of_replicas":0}}' >/dev/null
export_json "$T/k.db" "$T/kept.json"
t_eq "up to date, with settings kept: put back, and forgotten" \
	"$(js "$T/kept.json" '$.up_to_date') $(settings) $(q "$T/k.db" "SELECT count(*) FROM tuned_settings")" \
	"1 5s 2 0"
es_stop

# What a killed export kept goes with the index, whatever URL names it:
# killed under one URL, the export under another puts the settings back.
es_start --delay-ms 20
curl -s -XPUT "$ES_URL/donorschoose" -H 'Content-Type: application/json' \
	-d '{"settings":{"index":{"refresh_interval":"5s","number_of_replicas":2}}}' >/dev/null
other_url=$(printf '%s' "$ES_URL" | sed 's/127\.0\.0\.1/localhost/')
cp "$T/k.db" "$T/s1.db" # for the --shard case below: no state for this
cp "$T/k.db" "$T/s2.db" # server yet
export_tuned --full
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
"$DCSTAGE" export --db "$T/k.db" --url "$other_url" --quiet >/dev/null 2>&1
t_eq "killed, then another URL for the index: its own settings are back" \
	"$(settings)" "5s 2"

# One --shard slice leaves the settings alone: slice 1 from one staging
# file killed part way, slice 2 from another run to the end.
"$DCSTAGE" export --db "$T/s1.db" --url "$ES_URL" --full --shard 1/2 \
	--threads 2 --bulk-docs 100 --quiet >/dev/null 2>&1 &
pid=$!
i=0
until [ "$(q "$T/s1.db" "SELECT coalesce(max(acknowledged), 0) > 0 FROM target_status WHERE url = '$ES_URL'")" = 1 ] ||
	[ $i -ge 100 ]; do sleep 0.05; i=$((i + 1)); done
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
"$DCSTAGE" export --db "$T/s2.db" --url "$ES_URL" --full --shard 2/2 \
	--quiet >/dev/null 2>&1
t_eq "--shard: slices leave the index's settings as they were" \
	"$(settings)" "5s 2"
es_stop

# A second SIGTERM while the first one's batches are settling kills.
es_start --delay-ms 500
export_tuned --full
kill -TERM "$pid"
sleep 0.1
kill -TERM "$pid" 2>/dev/null
wait "$pid"
t_eq "a second SIGTERM kills (exit 128 + 15)" "$?" 143
es_stop

t_done
