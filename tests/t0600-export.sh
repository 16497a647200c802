#!/bin/sh
# t0600-export: dcstage export against the test server: stored documents
# equal the dry run, under injected faults too; refusals, 413 splits,
# credentials, fail-over, settings and alias; an export ends when its
# readers do.
. "$(dirname "$0")/lib.sh"

q() { sqlite3 "$@"; }

"$DCSTAGE" gen --scale 0.002 --seed 11 --out "$T/dump" --quiet
"$DCSTAGE" load --db "$T/s.db" --quiet "$T/dump" >/dev/null 2>&1
"$DCSTAGE" export --db "$T/s.db" --dry-run "$T/dry.ndjson" --quiet >/dev/null
ndocs=$(q "$T/s.db" "SELECT count(*) FROM donations")

# The dry run as the server's dump shows documents: one line per document,
# {"_id":..,"_source":..}, sorted by id.
awk 'NR % 2 == 1 { split($0, a, "\"_id\":\""); split(a[2], b, "\""); id = b[1] }
     NR % 2 == 0 { printf "{\"_id\":\"%s\",\"_source\":%s}\n", id, $0 }' \
	"$T/dry.ndjson" | LC_ALL=C sort >"$T/want.ndjson"

stored() { # [INDEX]: the server's documents
	curl -s "$ES_URL/${1:-donorschoose}/_esserver/dump"
}
stat() { # KEY: a counter the server wrote when it stopped
	q :memory: "SELECT json_extract(readfile('$ES_STATS'), '\$.$1')"
}
fresh_db() { # a copy of the staging file with no export state
	cp "$T/s.db" "$T/$1.db"
}

# 1. A clean export: the server holds exactly the dry run.
es_start
fresh_db e1
"$DCSTAGE" export --db "$T/e1.db" --url "$ES_URL" --threads 3 \
	--bulk-docs 500 --json >"$T/e1.json" 2>"$T/e1.err"
t_eq "export exits 0" "$?" 0
t_eq "stored documents = dry run (ids and bodies)" \
	"$(stored | cmp -s - "$T/want.ndjson" && echo same)" same
t_eq "summary: all acknowledged" \
	"$(q :memory: "SELECT json_extract(readfile('$T/e1.json'), '\$.acked')")" "$ndocs"
t_eq "export state: every document acknowledged" \
	"$(q "$T/e1.db" "SELECT acknowledged, to_index, to_delete, refused FROM target_status")" \
	"$ndocs|0|0|0"
t_eq "settings restored after the load" \
	"$(curl -s "$ES_URL/donorschoose/_settings" | json_get '$.donorschoose.settings.index.refresh_interval')" \
	"1s"
es_stop
t_eq "the index is looked up with HEAD, not a GET of all it holds" \
	"$([ "$(stat head_requests)" -ge 1 ] && echo yes)" yes

# 2. Faults together: 5% item 429s, 5% request 503s, 2% dropped
# connections: nothing lost, nothing twice.
es_start --seed 5 --item-429 0.05 --request-503 0.05 --drop 0.02
fresh_db e2
"$DCSTAGE" export --db "$T/e2.db" --url "$ES_URL" --threads 2 \
	--bulk-docs 200 --json >"$T/e2.json" 2>"$T/e2.err"
t_eq "export under faults exits 0" "$?" 0
t_eq "under faults: stored documents = dry run" \
	"$(stored | cmp -s - "$T/want.ndjson" && echo same)" same
t_eq "under faults: retries counted" \
	"$(q :memory: "SELECT json_extract(readfile('$T/e2.json'), '\$.retries') > 0")" 1
es_stop
t_eq "under faults: every kind happened" \
	"$(q :memory: "SELECT json_extract(readfile('$ES_STATS'), '\$.faults.item_429') > 0 AND json_extract(readfile('$ES_STATS'), '\$.faults.request_503') > 0 AND json_extract(readfile('$ES_STATS'), '\$.faults.drop_before') + json_extract(readfile('$ES_STATS'), '\$.faults.drop_after') > 0")" 1

# 2b. A server that always answers 503: the retries are bounded, and the
# run fails with the server's reason.
es_start --request-503 1
fresh_db e2b
out=$("$DCSTAGE" export --db "$T/e2b.db" --url "$ES_URL" --max-retries 2 \
	--threads 1 --quiet 2>&1); rc=$?
t_eq "always 503: exit 1 after the retries" "$rc" 1
t_match "always 503: the message gives the server's answer" "$out" "503"
es_stop
t_eq "always 503: 1 + 2 attempts of the first batch, no more" \
	"$(q :memory: "SELECT json_extract(readfile('$ES_STATS'), '\$.bulk_requests')")" 3

# 3. Refused by mapping: an index where giving_page_id must be a number.
es_start
curl -s -XPUT "$ES_URL/donorschoose" -H 'Content-Type: application/json' \
	-d '{"mappings":{"properties":{"giving_page_id":{"type":"long"}}}}' >/dev/null
fresh_db e3
"$DCSTAGE" export --db "$T/e3.db" --url "$ES_URL" --quiet >"$T/e3.out" 2>&1
t_eq "refused documents: exit 4" "$?" 4
with_page=$(q "$T/s.db" "SELECT count(*) FROM donations WHERE giving_page_id IS NOT NULL")
t_eq "refusals table holds each refused document" \
	"$(q "$T/e3.db" "SELECT count(*) FROM refusals")" "$with_page"
t_eq "refusals keep the server's reason" \
	"$(q "$T/e3.db" "SELECT count(*) FROM refusals WHERE status = 400 AND type = 'mapper_parsing_exception' AND reason LIKE '%giving_page_id%'")" \
	"$with_page"
t_match "summary counts refusals" "$(cat "$T/e3.out")" "$with_page refused"
t_eq "acknowledged + refused = documents" \
	"$(($(stored | wc -l) + with_page))" "$ndocs"
"$DCSTAGE" export --db "$T/e3.db" --url "$ES_URL" --quiet >/dev/null 2>&1
t_eq "refused documents are not sent again" "$?" 0
es_stop
t_eq "refused documents: each sent once" "$(stat items)" "$ndocs"

# 4. 413: a server that takes at most 64 kB a request; batches are split.
es_start --max-bytes 64k
fresh_db e4
"$DCSTAGE" export --db "$T/e4.db" --url "$ES_URL" --bulk-bytes 1MB \
	--json >"$T/e4.json" 2>/dev/null
t_eq "413: export completes" "$?" 0
t_eq "413: batches were split" \
	"$(q :memory: "SELECT json_extract(readfile('$T/e4.json'), '\$.splits') > 0")" 1
t_eq "413: stored documents = dry run" \
	"$(stored | cmp -s - "$T/want.ndjson" && echo same)" same
es_stop

# 5. Credentials: wrong ones stop the run at once, right ones work, and
# the secret never shows.
ESSERVER_BASIC=elastic:s3cret-pw es_start
fresh_db e5
out=$(DCSTAGE_ES_USER=elastic DCSTAGE_ES_PASSWORD=wrong-pw \
	"$DCSTAGE" export --db "$T/e5.db" --url "$ES_URL" 2>&1); rc=$?
t_eq "wrong credentials: exit 1" "$rc" 1
t_match "wrong credentials: clear message" "$out" "credentials|401"
t_eq "wrong credentials: the password is not printed" \
	"$(printf '%s' "$out" | grep -c wrong-pw)" 0
DCSTAGE_ES_USER=elastic DCSTAGE_ES_PASSWORD=s3cret-pw \
	"$DCSTAGE" export --db "$T/e5.db" --url "$ES_URL" --quiet >/dev/null 2>&1
t_eq "right credentials from the environment: exit 0" "$?" 0
printf 'user=elastic\npassword=s3cret-pw\n' >"$T/cred"
fresh_db e5b
"$DCSTAGE" export --db "$T/e5b.db" --url "$ES_URL" --credentials "$T/cred" \
	--index other --quiet >/dev/null 2>&1
t_eq "right credentials from a file: exit 0" "$?" 0
es_stop
t_eq "wrong credentials: no retry storm" \
	"$(q :memory: "SELECT json_extract(readfile('$ES_STATS'), '\$.faults.auth_401') <= 3")" 1

# 5b. An API key from the environment (the encoded form Elasticsearch
# gives), and a wrong one.
ESSERVER_APIKEY=key-id:key-secret es_start
fresh_db e5c
DCSTAGE_ES_API_KEY=$(printf 'key-id:wrong' | base64) \
	"$DCSTAGE" export --db "$T/e5c.db" --url "$ES_URL" --quiet >/dev/null 2>&1
t_eq "wrong API key: exit 1" "$?" 1
DCSTAGE_ES_API_KEY=$(printf 'key-id:key-secret' | base64) \
	"$DCSTAGE" export --db "$T/e5c.db" --url "$ES_URL" --quiet >/dev/null 2>&1
t_eq "right API key: exit 0" "$?" 0
t_eq "right API key: stored documents = dry run" \
	"$(curl -s -H "Authorization: ApiKey $(printf 'key-id:key-secret' | base64)" \
	   "$ES_URL/donorschoose/_esserver/dump" | cmp -s - "$T/want.ndjson" && echo same)" same
es_stop

# 5c. --compress: gzip request bodies, the same documents stored.
es_start
fresh_db e5d
"$DCSTAGE" export --db "$T/e5d.db" --url "$ES_URL" --compress --quiet >/dev/null 2>&1
t_eq "--compress: exit 0" "$?" 0
t_eq "--compress: stored documents = dry run" \
	"$(stored | cmp -s - "$T/want.ndjson" && echo same)" same
es_stop
t_eq "--compress: the bodies on the wire are gzipped" \
	"$(q :memory: "SELECT json_extract(readfile('$ES_STATS'), '\$.bytes_in') * 3 < $(wc -c <"$T/dry.ndjson")")" 1

# 6. Two URLs, the first one down: the export still completes.
es_start
fresh_db e6
"$DCSTAGE" export --db "$T/e6.db" --url "http://127.0.0.1:1,$ES_URL" \
	--quiet >/dev/null 2>&1
t_eq "one of two URLs down: exit 0" "$?" 0
t_eq "one of two URLs down: stored documents = dry run" \
	"$(stored | cmp -s - "$T/want.ndjson" && echo same)" same

es_stop

# 6b. Two URLs, both up: the threads spread their requests over both
# (each node here is its own store, so each holds a part).
es_start
"$ESSERVER" --port 0 >"$T/es2.out" 2>/dev/null &
es2=$!
trap 'kill -TERM "$es2" 2>/dev/null; t_cleanup' EXIT
i=0
until grep -q '^[0-9][0-9]*$' "$T/es2.out" 2>/dev/null || [ $i -ge 200 ]; do
	sleep 0.05; i=$((i + 1))
done
ES2_URL=http://127.0.0.1:$(head -n 1 "$T/es2.out")
fresh_db e6b
"$DCSTAGE" export --db "$T/e6b.db" --url "$ES_URL,$ES2_URL" --threads 2 \
	--bulk-docs 500 --quiet >/dev/null 2>&1
t_eq "two URLs: exit 0" "$?" 0
n1=$(stored | wc -l)
n2=$(curl -s "$ES2_URL/donorschoose/_esserver/dump" | wc -l)
t_eq "two URLs: both nodes got documents, together all of them" \
	"$([ "$n1" -gt 0 ] && [ "$n2" -gt 0 ] && echo both) $((n1 + n2))" "both $ndocs"
kill -TERM "$es2" 2>/dev/null
wait "$es2" 2>/dev/null
trap 't_cleanup' EXIT

# 7. Settings of an existing index are restored; --alias swaps.
curl -s -XPUT "$ES_URL/kept" -H 'Content-Type: application/json' \
	-d '{"settings":{"index":{"refresh_interval":"7s","number_of_replicas":2}}}' >/dev/null
fresh_db e7
"$DCSTAGE" export --db "$T/e7.db" --url "$ES_URL" --index kept --quiet >/dev/null 2>&1
t_eq "existing index: settings restored" \
	"$(curl -s "$ES_URL/kept/_settings" >"$T/kept.json"
	   json_get '$.kept.settings.index.refresh_interval' <"$T/kept.json") $(json_get '$.kept.settings.index.number_of_replicas' <"$T/kept.json")" \
	"7s 2"
fresh_db e8
"$DCSTAGE" export --db "$T/e8.db" --url "$ES_URL" --alias dc --quiet >/dev/null 2>&1
first=$(curl -s "$ES_URL/_alias/dc" | json_keys)
t_match "--alias: the alias names a new timestamped index" "$first" '^dc-[0-9]{14}$'
t_eq "--alias: the alias serves every document" \
	"$(curl -s "$ES_URL/dc/_count" | json_get '$.count')" "$ndocs"
sleep 1
fresh_db e9
"$DCSTAGE" export --db "$T/e9.db" --url "$ES_URL" --alias dc --quiet >/dev/null 2>&1
second=$(curl -s "$ES_URL/_alias/dc" | json_keys)
t_eq "--alias again: the alias moved to one new index" \
	"$([ "$second" != "$first" ] && printf '%s' "$second" | grep -Eq '^dc-[0-9]{14}$' && echo moved)" moved
es_stop

# 8. An export ends when its last reader thread does, not at the main
# thread's next progress tick (100 ms apart): the quickest of three dry
# runs of this small staging file, which take a few ms of work.
if under_sanitizer; then
	t_skip "an export ends with its last reader thread" "timing under a sanitizer"
else
	best=9
	for i in 1 2 3; do
		"$DCSTAGE" export --db "$T/s.db" --dry-run /dev/null --threads 2 \
			--json --quiet >"$T/quick.json"
		best=$(q :memory: "SELECT min($best, json_extract(readfile('$T/quick.json'), '\$.seconds'))")
	done
	t_eq "an export ends with its last reader thread (best of 3 < 0.08 s)" \
		"$(q :memory: "SELECT $best < 0.08")" 1
fi

t_done
