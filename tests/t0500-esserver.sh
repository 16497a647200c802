#!/bin/sh
# t0500-esserver: the Elasticsearch stand-in (build/esserver) driven with
# curl: each endpoint's status and body shape, bulk validation and mapping
# rejections, aliases, the dump, gzip bodies, the size limit, credentials,
# every injected fault at its rate and reproducible by seed, and the
# counters written when it is stopped.
. "$(dirname "$0")/lib.sh"

: "${ESSERVER:?run through tests/run.sh or make test}"
J='Content-Type: application/json'
ND='Content-Type: application/x-ndjson'

# req METHOD PATH [CURL ARGS...]: print the status; the body is in $T/body
req() {
	m=$1 p=$2
	shift 2
	curl -s -o "$T/body" -w '%{http_code}' -X "$m" "$@" "$ES_URL$p"
}
# head_status PATH [CURL ARGS...]: the status of HEAD PATH
head_status() {
	p=$1
	shift
	curl -s -o /dev/null -I -w '%{http_code}' "$@" "$ES_URL$p"
}
# bulk PATH FILE [CURL ARGS...]: POST an NDJSON file, print the status
bulk() {
	p=$1 f=$2
	shift 2
	req POST "$p" -H "$ND" --data-binary "@$f" "$@"
}
# jx PATH [FILE]: a value in the last body (or FILE), by SQLite's JSON path
jx() {
	sqlite3 :memory: "SELECT json_extract(readfile('${2:-$T/body}'), '$1')"
}
# jt PATH: the JSON type of a value in the last body
jt() {
	sqlite3 :memory: "SELECT json_type(readfile('$T/body'), '$1')"
}
# statuses: every bulk item's status in the last body, comma-separated
statuses() {
	sqlite3 :memory: "SELECT group_concat(json_extract(j.value, '\$.index.status'), ',')
	  FROM json_each(readfile('$T/body'), '\$.items') j"
}
# item_status ID: the status of the last body's item with that _id
item_status() {
	sqlite3 :memory: "SELECT json_extract(j.value, '\$.index.status')
	  FROM json_each(readfile('$T/body'), '\$.items') j
	  WHERE json_extract(j.value, '\$.index._id') = '$1'"
}
# counter PATH: a counter in the stats file written at the last stop
counter() {
	jx "$1" "$ES_STATS"
}
# many N PATH FILE: POST FILE to PATH N times, one connection each; the
# statuses (000: no answer) go to $T/codes, one a line
many() {
	awk -v n="$1" -v u="$ES_URL$2" 'BEGIN {
		for (i = 0; i < n; i++)
			printf "url = \"%s\"\noutput = \"/dev/null\"\n", u
	}' >"$T/many.cfg"
	curl -s -K "$T/many.cfg" -X POST -H 'Connection: close' -H "$ND" \
		--data-binary "@$3" -w '%{http_code}\n' >"$T/codes"
}
codes() { # STATUS: how many in $T/codes
	grep -c "^$1\$" "$T/codes"
}
between() { # N LOW HIGH
	[ "$1" -ge "$2" ] && [ "$1" -le "$3" ]
}

# ---- start, the banner ----
es_start
t_match "the port is printed alone on the first line" "$ES_PORT" '^[0-9]+$'
t_eq "GET / is 200" "$(req GET /)" 200
t_match "GET / reports version 8.x" "$(jx '$.version.number')" '^8\.[0-9]+\.[0-9]+$'
t_eq "GET / has the tagline" "$(jx '$.tagline')" "You Know, for Search"
t_eq "GET / has build_flavor" "$(jx '$.version.build_flavor')" default
t_match "GET / has lucene_version" "$(jx '$.version.lucene_version')" '^[0-9]+\.'
t_match "GET / has the cluster name and uuid" \
	"$(jx '$.cluster_name') $(jx '$.cluster_uuid')" '^[a-z]+ [A-Za-z0-9_-]{22}$'
t_match "responses carry X-Elastic-Product" \
	"$(curl -s -D - -o /dev/null "$ES_URL/")" '^X-Elastic-Product: Elasticsearch'
t_match "error responses carry X-Elastic-Product too" \
	"$(curl -s -D - -o /dev/null "$ES_URL/nothing/_count")" \
	'^X-Elastic-Product: Elasticsearch'
t_eq "HEAD / is 200" "$(head_status /)" 200

# ---- index creation ----
cat >"$T/create.json" <<'EOF'
{"settings":{"number_of_shards":1},
 "mappings":{"properties":{
  "id":{"type":"keyword"},
  "n":{"type":"long"},
  "i":{"type":"integer"},
  "x":{"type":"double"},
  "f":{"type":"boolean"},
  "d":{"type":"date"},
  "loc":{"type":"geo_point"},
  "name":{"type":"text","fields":{"keyword":{"type":"keyword","ignore_above":256}}},
  "tags":{"type":"keyword"},
  "obj":{"properties":{"a":{"type":"long"}}}}}}
EOF
t_eq "HEAD of a missing index is 404" "$(head_status /donors)" 404
t_eq "PUT /donors with settings and mappings is 200" \
	"$(req PUT /donors -H "$J" --data-binary "@$T/create.json")" 200
t_eq "PUT answers the ES shape" "$(cat "$T/body")" \
	'{"acknowledged":true,"shards_acknowledged":true,"index":"donors"}'
t_eq "HEAD of the index is 200" "$(head_status /donors)" 200
t_eq "PUT of an existing index is 400" \
	"$(req PUT /donors -H "$J" --data-binary "@$T/create.json")" 400
t_eq "... resource_already_exists_exception" "$(jx '$.error.type')" \
	resource_already_exists_exception
t_eq "... in the root cause too" "$(jx '$.error.root_cause[0].type')" \
	resource_already_exists_exception
t_eq "... with the status in the body" "$(jx '$.status')" 400
t_eq "an uppercase index name is 400" "$(req PUT /Donors)" 400
t_eq "... invalid_index_name_exception" "$(jx '$.error.type')" \
	invalid_index_name_exception
t_eq "a typed (6.x) mapping is 400" "$(req PUT /typed -H "$J" \
	-d '{"mappings":{"_doc":{"properties":{"a":{"type":"long"}}}}}')" 400
t_eq "... mapper_parsing_exception" "$(jx '$.error.type')" \
	mapper_parsing_exception
t_eq "an unknown field type is 400" "$(req PUT /typed -H "$J" \
	-d '{"mappings":{"properties":{"a":{"type":"nonsense"}}}}')" 400
t_eq "an unknown key in the body is 400" "$(req PUT /typed -H "$J" \
	-d '{"setings":{}}')" 400
t_eq "a body that is not JSON is 400" "$(req PUT /typed -H "$J" -d '{"a":')" 400
t_eq "a failed creation leaves no index" "$(head_status /typed)" 404
t_eq "a body without Content-Type is refused (406)" \
	"$(req PUT /other -H 'Content-Type:' -d '{}') $(cat "$T/body")" \
	'406 {"error":"Content-Type header is missing","status":406}'

# ---- settings and mappings ----
t_eq "GET _settings is 200" "$(req GET /donors/_settings)" 200
uuid1=$(jx '$.donors.settings.index.uuid')
t_match "settings carry a 22-character uuid" "$uuid1" '^[A-Za-z0-9_-]{22}$'
t_eq "settings values are strings" \
	"$(jt '$.donors.settings.index.number_of_replicas') $(jx '$.donors.settings.index.number_of_replicas')" \
	"text 1"
t_eq "number_of_shards" "$(jx '$.donors.settings.index.number_of_shards')" 1
t_eq "refresh_interval" "$(jx '$.donors.settings.index.refresh_interval')" 1s
t_eq "provided_name" "$(jx '$.donors.settings.index.provided_name')" donors
t_match "creation_date" "$(jx '$.donors.settings.index.creation_date')" '^[0-9]{13}$'
t_eq "PUT _settings (nested form) is 200" "$(req PUT /donors/_settings -H "$J" \
	-d '{"index":{"refresh_interval":"-1","number_of_replicas":0}}')" 200
t_eq "... and acknowledged" "$(cat "$T/body")" '{"acknowledged":true}'
req GET /donors/_settings >/dev/null
t_eq "the new values read back as strings" \
	"$(jx '$.donors.settings.index.refresh_interval') $(jt '$.donors.settings.index.number_of_replicas') $(jx '$.donors.settings.index.number_of_replicas')" \
	"-1 text 0"
t_eq "PUT _settings (flat form) is 200" "$(req PUT /donors/_settings -H "$J" \
	-d '{"index.refresh_interval":"5s"}')" 200
req GET /donors/_settings >/dev/null
t_eq "... and read back" "$(jx '$.donors.settings.index.refresh_interval')" 5s
t_eq "GET _settings?flat_settings=true" "$(req GET '/donors/_settings?flat_settings=true') $(jx '$.donors.settings."index.refresh_interval"')" "200 5s"
req PUT /donors/_settings -H "$J" \
	-d '{"index":{"refresh_interval":null,"number_of_replicas":null}}' >/dev/null
req GET /donors/_settings >/dev/null
t_eq "null restores the defaults" \
	"$(jx '$.donors.settings.index.refresh_interval') $(jx '$.donors.settings.index.number_of_replicas')" \
	"1s 1"
t_eq "number_of_shards cannot change on an open index" \
	"$(req PUT /donors/_settings -H "$J" -d '{"index":{"number_of_shards":3}}') $(jx '$.error.type')" \
	"400 illegal_argument_exception"
t_eq "a bad refresh_interval is 400" \
	"$(req PUT /donors/_settings -H "$J" -d '{"index":{"refresh_interval":"soon"}}')" 400
t_eq "settings of a missing index: 404" \
	"$(req PUT /nothing/_settings -H "$J" -d '{"index":{"refresh_interval":"1s"}}') $(jx '$.error.type')" \
	"404 index_not_found_exception"
t_eq "GET _mapping is 200 with the properties" \
	"$(req GET /donors/_mapping) $(jx '$.donors.mappings.properties.n.type')" \
	"200 long"

# ---- bulk: the response shape ----
cat >"$T/b1.ndjson" <<'EOF'
{"index":{"_index":"donors","_id":"1"}}
{"id":"1","n":1}
{"index":{"_id":"2"}}
{"id":"2","n":2}
EOF
t_eq "bulk into /donors/_bulk is 200" "$(bulk /donors/_bulk "$T/b1.ndjson")" 200
t_eq "errors is false" "$(jt '$.errors')" false
t_eq "took is an integer" "$(jt '$.took')" integer
t_eq "one item per action" "$(jx '$.items[1].index._id')" 2
t_eq "item: status 201, created, version 1" \
	"$(jx '$.items[0].index.status') $(jx '$.items[0].index.result') $(jx '$.items[0].index._version')" \
	"201 created 1"
t_eq "item: _index, _seq_no, _primary_term" \
	"$(jx '$.items[0].index._index') $(jx '$.items[0].index._seq_no') $(jx '$.items[1].index._seq_no') $(jx '$.items[0].index._primary_term')" \
	"donors 0 1 1"
t_eq "item: _shards (1 replica: total 2, successful 1)" \
	"$(jx '$.items[0].index._shards')" '{"total":2,"successful":1,"failed":0}'
bulk /donors/_bulk "$T/b1.ndjson" >/dev/null
t_eq "indexing again: 200, updated, version 2" \
	"$(jx '$.items[0].index.status') $(jx '$.items[0].index.result') $(jx '$.items[0].index._version')" \
	"200 updated 2"
printf '{"create":{"_index":"donors","_id":"1"}}\n{"id":"1"}\n' >"$T/b2.ndjson"
bulk /_bulk "$T/b2.ndjson" >/dev/null
t_eq "create of an existing id: 409 version_conflict_engine_exception" \
	"$(jx '$.items[0].create.status') $(jx '$.items[0].create.error.type') $(jt '$.errors')" \
	"409 version_conflict_engine_exception true"
printf '{"delete":{"_index":"donors","_id":"nope"}}\n' >"$T/b3.ndjson"
bulk /_bulk "$T/b3.ndjson" >/dev/null
t_eq "delete of a missing id: 404 not_found, and errors stays false" \
	"$(jx '$.items[0].delete.status') $(jx '$.items[0].delete.result') $(jt '$.errors')" \
	"404 not_found false"
printf '{"index":{"_index":"donors","_id":"gone"}}\n{"id":"gone"}\n{"delete":{"_index":"donors","_id":"gone"}}\n' >"$T/b4.ndjson"
bulk /_bulk "$T/b4.ndjson" >/dev/null
t_eq "delete of an existing id: 200 deleted, version 2" \
	"$(jx '$.items[1].delete.status') $(jx '$.items[1].delete.result') $(jx '$.items[1].delete._version')" \
	"200 deleted 2"
printf '{"index":{"_index":"donors"}}\n{"id":"auto"}\n' >"$T/b5.ndjson"
bulk /_bulk "$T/b5.ndjson" >/dev/null
t_match "index without _id gets a generated id" "$(jx '$.items[0].index._id')" \
	'^[A-Za-z0-9_-]{20}$'
printf '{"index":{"_id":"x"}}\n{"id":"x"}\n' >"$T/b6.ndjson"
t_eq "an action without any index is 400" \
	"$(bulk /_bulk "$T/b6.ndjson") $(jx '$.error.type')" \
	"400 action_request_validation_exception"

printf '{"index":{"_index":"donors","_id":"fp"}}\n{"id":"fp"}\n' >"$T/fp.ndjson"
bulk '/_bulk?filter_path=errors,items.*.status,items.*.error' "$T/fp.ndjson" >/dev/null
t_eq "filter_path keeps errors and item status" "$(cat "$T/body")" \
	'{"errors":false,"items":[{"index":{"status":201}}]}'
printf '{"index":{"_index":"donors","_id":"fp2"}}\n{"n":"many"}\n' >"$T/fp2.ndjson"
bulk '/_bulk?filter_path=errors,items.*.status,items.*.error' "$T/fp2.ndjson" >/dev/null
t_eq "filter_path keeps item errors" \
	"$(jt '$.errors') $(jx '$.items[0].index.status') $(jx '$.items[0].index.error.type') $(jt '$.items[0].index._id') $(jt '$.took')" \
	"true 400 mapper_parsing_exception  "
bulk '/_bulk?filter_path=items.*.error' "$T/fp.ndjson" >/dev/null
t_eq "filter_path drops what ends up empty" "$(cat "$T/body")" '{}'

# ---- bulk: validation of the body ----
printf '{"index":{"_index":"donors","_id":"nl"}}\n{"id":"nl"}' >"$T/nonl.ndjson"
t_eq "a body without the final newline is 400" \
	"$(bulk /_bulk "$T/nonl.ndjson") $(jx '$.error.type')" \
	"400 illegal_argument_exception"
t_match "... saying so" "$(jx '$.error.reason')" 'terminated by a newline'
printf '{"index":{"_index":"donors","_id":"1"}\n{"id":"1"}\n' >"$T/badact.ndjson"
t_eq "an action line that is not JSON is 400" "$(bulk /_bulk "$T/badact.ndjson")" 400
printf '{"upsert":{"_index":"donors","_id":"1"}}\n{"id":"1"}\n' >"$T/unk.ndjson"
t_eq "an unknown action is 400" "$(bulk /_bulk "$T/unk.ndjson")" 400
printf '{"index":{"_index":"donors","_id":"1","colour":"red"}}\n{"id":"1"}\n' >"$T/unkp.ndjson"
t_eq "an unknown action parameter is 400" "$(bulk /_bulk "$T/unkp.ndjson")" 400
printf '{"index":{"_index":"donors","_id":"1"}}\n' >"$T/nosrc.ndjson"
t_eq "an index action without its source is 400" "$(bulk /_bulk "$T/nosrc.ndjson")" 400
: >"$T/empty.ndjson"
t_eq "an empty body is 400" \
	"$(bulk /_bulk "$T/empty.ndjson") $(jx '$.error.type')" \
	"400 action_request_validation_exception"
printf '{"index":{"_index":"donors","_id":"bad-json"}}\n{"n":1,}\n' >"$T/badsrc.ndjson"
t_eq "a source line that is not JSON fails its item (400)" \
	"$(bulk /_bulk "$T/badsrc.ndjson") $(jx '$.items[0].index.status') $(jx '$.items[0].index.error.type')" \
	"200 400 mapper_parsing_exception"
t_eq "a form-encoded body is refused (406)" \
	"$(req POST /_bulk --data-binary "@$T/b1.ndjson") $(jx '$.error')" \
	"406 Content-Type header [application/x-www-form-urlencoded] is not supported"

# ---- bulk: mapping checks ----
cat >"$T/map.ndjson" <<'EOF'
{"index":{"_index":"donors","_id":"g1"}}
{"id":"g1","n":1,"i":5,"x":1.5,"f":true,"d":"2013-05-01T10:11:12","loc":[-73.9,40.7],"name":"a","tags":["a",null,"b"],"obj":{"a":1}}
{"index":{"_index":"donors","_id":"g2"}}
{"n":"12","x":"3.25","f":"false","d":"2013-05-01","loc":"40.7,-73.9"}
{"index":{"_index":"donors","_id":"g3"}}
{"d":"2013-05-01T10:11:12.123456789Z","loc":{"lat":40.7,"lon":-73.9}}
{"index":{"_index":"donors","_id":"g4"}}
{"d":1367403072000,"x":-1e3,"n":-42}
{"index":{"_index":"donors","_id":"g5"}}
{"d":"2013-05-01T10:11:12+02:00","x":null,"n":[1,2,null],"loc":null}
{"index":{"_index":"donors","_id":"g6"}}
{"unmapped":{"deep":[1,"x",{"y":null}]},"d":"2013-05-01T10:11:12.5"}
{"index":{"_index":"donors","_id":"g7"}}
{"f":"","tags":"x","name":"caf\u00e9 \"quoted\""}
{"index":{"_index":"donors","_id":"g8"}}
{"d":"2012-02-29T00:00:00","obj.a":7,"loc":[[1,2],[3,4]]}
{"index":{"_index":"donors","_id":"b1"}}
{"n":"abc"}
{"index":{"_index":"donors","_id":"b2"}}
{"d":"abc"}
{"index":{"_index":"donors","_id":"b3"}}
{"d":"2013-02-30"}
{"index":{"_index":"donors","_id":"b4"}}
{"d":"2013-05-01 10:11:12"}
{"index":{"_index":"donors","_id":"b5"}}
{"f":"yes"}
{"index":{"_index":"donors","_id":"b6"}}
{"f":1}
{"index":{"_index":"donors","_id":"b7"}}
{"loc":[200,10]}
{"index":{"_index":"donors","_id":"b8"}}
{"loc":[10,95]}
{"index":{"_index":"donors","_id":"b9"}}
{"tags":{"a":1}}
{"index":{"_index":"donors","_id":"b10"}}
{"x":""}
{"index":{"_index":"donors","_id":"b11"}}
{"i":3000000000}
{"index":{"_index":"donors","_id":"b12"}}
{"n":[1,"x"]}
{"index":{"_index":"donors","_id":"b13"}}
{"obj":5}
{"index":{"_index":"donors","_id":"b14"}}
{"n":1
{"index":{"_index":"donors","_id":"b15"}}
{"n":1,"n":2}
{"index":{"_index":"donors","_id":"b16"}}
{"_id":"x"}
{"index":{"_index":"donors","_id":"b17"}}
[1,2]
{"index":{"_index":"donors","_id":"b18"}}
{"d":"2013-05-01T25:00:00"}
{"index":{"_index":"donors","_id":"b19"}}
{"loc":"somewhere"}
{"index":{"_index":"donors","_id":"b20"}}
{"n":1.5e300}
EOF
t_eq "a bulk with bad documents is still 200" "$(bulk /_bulk "$T/map.ndjson")" 200
t_eq "... with errors true" "$(jt '$.errors')" true
for id in g1 g2 g3 g4 g5 g6 g7 g8; do
	t_eq "valid document $id is indexed" "$(item_status $id)" 201
done
for id in b1 b2 b3 b4 b5 b6 b7 b8 b9 b10 b11 b12 b13 b14 b15 b16 b17 b18 b19 b20; do
	t_eq "invalid document $id is refused with 400" "$(item_status $id)" 400
done
t_eq "the refusal is a mapper_parsing_exception" "$(jx '$.items[8].index.error.type')" \
	mapper_parsing_exception
t_eq "... with Elasticsearch's reason" "$(jx '$.items[8].index.error.reason')" \
	"failed to parse field [n] of type [long] in document with id 'b1'. Preview of field's value: 'abc'"
t_eq "... and the cause" "$(jx '$.items[8].index.error.caused_by.type')" \
	illegal_argument_exception
t_eq "a date refusal names the format" "$(jx '$.items[9].index.error.caused_by.reason')" \
	"failed to parse date field [abc] with format [strict_date_optional_time||epoch_millis]"

# ---- documents ----
t_eq "GET _doc of a stored document is 200" "$(req GET /donors/_doc/g1)" 200
t_eq "... found, with its version and source" \
	"$(jt '$.found') $(jx '$._version') $(jx '$._index') $(jx '$._source.n') $(jx '$._source.tags[2]')" \
	"true 1 donors 1 b"
t_eq "GET _doc of a missing id is 404, found false" \
	"$(req GET /donors/_doc/nope) $(jt '$.found')" "404 false"
t_eq "GET _doc in a missing index is 404 index_not_found_exception" \
	"$(req GET /nothing/_doc/1) $(jx '$.error.type')" "404 index_not_found_exception"
t_eq "PUT _doc creates (201)" "$(req PUT /donors/_doc/s1 -H "$J" -d '{"n":5}') $(jx '$.result')" \
	"201 created"
t_eq "PUT _doc again updates (200)" "$(req PUT /donors/_doc/s1 -H "$J" -d '{"n":6}') $(jx '$.result') $(jx '$._version')" \
	"200 updated 2"
t_eq "PUT _doc with a bad field is 400" \
	"$(req PUT /donors/_doc/s2 -H "$J" -d '{"n":"six"}') $(jx '$.error.type')" \
	"400 mapper_parsing_exception"
t_eq "PUT _create of an existing id is 409" "$(req PUT /donors/_create/s1 -H "$J" -d '{"n":7}')" 409
t_eq "DELETE _doc is 200 deleted" "$(req DELETE /donors/_doc/s1) $(jx '$.result')" "200 deleted"
t_eq "DELETE _doc again is 404 not_found" "$(req DELETE /donors/_doc/s1) $(jx '$.result')" "404 not_found"

# ---- refresh and count ----
t_eq "_count is 200" "$(req GET /donors/_count)" 200
c0=$(jx '$.count')
t_match "_count has a count and _shards" "$c0 $(jx '$._shards.failed')" '^[0-9]+ 0$'
req PUT /donors/_settings -H "$J" -d '{"index":{"refresh_interval":"-1"}}' >/dev/null
printf '{"index":{"_index":"donors","_id":"late"}}\n{"n":1}\n' >"$T/late.ndjson"
bulk /_bulk "$T/late.ndjson" >/dev/null
req GET /donors/_count >/dev/null
t_eq "with refresh off, new documents are not counted yet" "$(jx '$.count')" "$c0"
t_eq "POST _refresh is 200" "$(req POST /donors/_refresh) $(jx '$._shards.failed')" "200 0"
req GET /donors/_count >/dev/null
t_eq "after the refresh they are" "$(jx '$.count')" "$((c0 + 1))"
req PUT /donors/_settings -H "$J" -d '{"index":{"refresh_interval":null}}' >/dev/null
t_eq "_count of a missing index is 404" "$(req GET /nothing/_count)" 404

# ---- aliases ----
t_eq "PUT a second index" "$(req PUT /donors2)" 200
t_eq "POST _aliases add is 200" "$(req POST /_aliases -H "$J" \
	-d '{"actions":[{"add":{"index":"donors","alias":"live"}}]}') $(cat "$T/body")" \
	'200 {"acknowledged":true}'
t_eq "GET _alias/live names its index" "$(req GET /_alias/live) $(cat "$T/body")" \
	'200 {"donors":{"aliases":{"live":{}}}}'
req GET /donors/_count >/dev/null
n_donors=$(jx '$.count')
t_eq "_count through the alias" "$(req GET /live/_count) $(jx '$.count')" "200 $n_donors"
t_eq "HEAD of the alias is 200" "$(head_status /live)" 200
printf '{"index":{"_index":"live","_id":"via-alias"}}\n{"n":3}\n' >"$T/alias.ndjson"
bulk /_bulk "$T/alias.ndjson" >/dev/null
t_eq "_bulk through the alias writes to the index" \
	"$(jx '$.items[0].index.status') $(jx '$.items[0].index._index')" "201 donors"
printf '{"index":{"_id":"via-path"}}\n{"n":4}\n' >"$T/alias2.ndjson"
t_eq "/alias/_bulk too" "$(bulk /live/_bulk "$T/alias2.ndjson") $(jx '$.items[0].index._index')" \
	"200 donors"
t_eq "POST _aliases swapping atomically is 200" "$(req POST /_aliases -H "$J" \
	-d '{"actions":[{"remove":{"index":"donors","alias":"live"}},{"add":{"index":"donors2","alias":"live"}}]}')" 200
t_eq "the alias now names the new index only" "$(req GET /_alias/live >/dev/null; cat "$T/body")" \
	'{"donors2":{"aliases":{"live":{}}}}'
t_eq "a failing action fails the whole request (404)" "$(req POST /_aliases -H "$J" \
	-d '{"actions":[{"add":{"index":"donors","alias":"live"}},{"remove":{"index":"donors","alias":"never"}}]}') $(jx '$.error.type')" \
	"404 aliases_not_found_exception"
t_eq "... and changes nothing" "$(req GET /_alias/live >/dev/null; cat "$T/body")" \
	'{"donors2":{"aliases":{"live":{}}}}'
t_eq "an action on a missing index is 404" "$(req POST /_aliases -H "$J" \
	-d '{"actions":[{"add":{"index":"nothing","alias":"x"}}]}')" 404
t_eq "an alias named like an index is 400" "$(req POST /_aliases -H "$J" \
	-d '{"actions":[{"add":{"index":"donors2","alias":"donors"}}]}') $(jx '$.error.type')" \
	"400 invalid_alias_name_exception"
t_eq "GET _alias of a missing alias is 404" "$(req GET /_alias/missing) $(cat "$T/body")" \
	'404 {"error":"alias [missing] missing","status":404}'
t_eq "DELETE of an alias name is 400" "$(req DELETE /live)" 400
t_eq "GET /donors2/_alias" "$(req GET /donors2/_alias) $(cat "$T/body")" \
	'200 {"donors2":{"aliases":{"live":{}}}}'

# ---- auto-created indices ----
printf '{"index":{"_index":"fresh","_id":"1"}}\n{"n":"anything goes"}\n' >"$T/fresh.ndjson"
t_eq "a bulk into a missing index creates it" \
	"$(bulk /_bulk "$T/fresh.ndjson") $(jx '$.items[0].index.status') $(head_status /fresh)" \
	"200 201 200"
printf '{"index":{"_index":"Fresh","_id":"1"}}\n{"n":1}\n' >"$T/fresh2.ndjson"
t_eq "... unless its name is invalid (item 400)" \
	"$(bulk /_bulk "$T/fresh2.ndjson") $(jx '$.items[0].index.status') $(jx '$.items[0].index.error.type')" \
	"200 400 invalid_index_name_exception"

# ---- the dump ----
cat >"$T/dump.ndjson" <<'EOF'
{"index":{"_index":"dumped","_id":"b"}}
{"z":1.50,"a":"caf\u00e9","n":1e3,"l":[1,null]}
{"index":{"_index":"dumped","_id":"a"}}
{ "spaced" : true }
{"index":{"_index":"dumped","_id":"10"}}
{"x":"é"}
{"index":{"_index":"dumped","_id":"9"}}
{}
EOF
bulk /_bulk "$T/dump.ndjson" >/dev/null
t_eq "the dump endpoint is 200" "$(req GET /dumped/_esserver/dump)" 200
cat >"$T/dump.want" <<'EOF'
{"_id":"10","_source":{"x":"é"}}
{"_id":"9","_source":{}}
{"_id":"a","_source":{ "spaced" : true }}
{"_id":"b","_source":{"z":1.50,"a":"caf\u00e9","n":1e3,"l":[1,null]}}
EOF
t_eq "it lists documents by id, sources as received" "$(cat "$T/body")" "$(cat "$T/dump.want")"
req POST /_aliases -H "$J" -d '{"actions":[{"add":{"index":"dumped","alias":"dumpy"}}]}' >/dev/null
t_eq "the dump resolves aliases" "$(req GET /dumpy/_esserver/dump >/dev/null; cat "$T/body")" \
	"$(cat "$T/dump.want")"
t_eq "the dump of a missing index is 404" "$(req GET /nothing/_esserver/dump)" 404

# ---- gzip bodies ----
awk 'BEGIN { for (i = 0; i < 500; i++)
	printf "{\"index\":{\"_index\":\"zipped\",\"_id\":\"%d\"}}\n{\"n\":%d,\"text\":\"the same words again and again\"}\n", i, i }' \
	>"$T/zip.ndjson"
gzip -c "$T/zip.ndjson" >"$T/zip.ndjson.gz"
t_eq "a gzip body (Content-Encoding: gzip) is accepted" \
	"$(bulk /_bulk "$T/zip.ndjson.gz" -H 'Content-Encoding: gzip') $(jt '$.errors')" \
	"200 false"
t_eq "... and all its items stored" "$(req GET /zipped/_count >/dev/null; jx '$.count')" 500
head -c 100 "$T/zip.ndjson.gz" >"$T/cut.gz"
t_eq "a truncated gzip body is 400" \
	"$(bulk /_bulk "$T/cut.gz" -H 'Content-Encoding: gzip')" 400

# ---- index deletion ----
t_eq "DELETE an index is 200" "$(req DELETE /donors2) $(cat "$T/body")" \
	'200 {"acknowledged":true}'
t_eq "it is gone, with its alias" "$(head_status /donors2) $(req GET /_alias/live)" "404 404"
t_eq "DELETE with a wildcard is refused (400)" "$(req DELETE '/dono*')" 400
t_eq "DELETE of a missing index is 404" "$(req DELETE /donors2) $(jx '$.error.type')" \
	"404 index_not_found_exception"
req PUT /donors2 >/dev/null
req GET /donors2/_settings >/dev/null
uuid_a=$(jx '$.donors2.settings.index.uuid')
req DELETE /donors2 >/dev/null
req PUT /donors2 >/dev/null
req GET /donors2/_settings >/dev/null
t_match "a recreated index has a new uuid" "$uuid_a $(jx '$.donors2.settings.index.uuid')" \
	'^([A-Za-z0-9_-]{22}) ([A-Za-z0-9_-]{22})$'
[ "$uuid_a" != "$(jx '$.donors2.settings.index.uuid')" ]
t_eq "... different from the old one" "$?" 0

# ---- unknown endpoints ----
t_eq "an unknown endpoint is 400 no handler found" "$(req GET /donors/_nothing) $(cat "$T/body")" \
	'400 {"error":"no handler found for uri [/donors/_nothing] and method [GET]"}'
t_eq "a wrong method is 405" "$(req DELETE /_bulk) $(jx '$.status')" "405 405"
t_match "... with an Allow header" "$(curl -s -D - -o /dev/null -X DELETE "$ES_URL/_bulk")" \
	'^Allow: PUT,POST'
es_stop

# ---- the counters written on SIGTERM ----
es_start --threads 3
printf '{"index":{"_index":"c","_id":"1"}}\n{"n":1}\n{"index":{"_index":"c","_id":"2"}}\n{"n":2}\n{"delete":{"_index":"c","_id":"1"}}\n' >"$T/c1.ndjson"
printf '{"index":{"_index":"c","_id":"3"}}\n{"n":3,"n":4}\n' >"$T/c2.ndjson"
bulk /_bulk "$T/c1.ndjson" >/dev/null
bulk /_bulk "$T/c2.ndjson" >/dev/null
req GET / >/dev/null
pid=$es_pid
es_stop
kill -0 "$pid" 2>/dev/null
t_eq "SIGTERM stops the server" "$?" 1
t_eq "the stats file is written" "$(test -s "$ES_STATS"; echo $?)" 0
t_eq "requests counted" "$(counter '$.requests')" 3
t_eq "bulk requests counted" "$(counter '$.bulk_requests')" 2
t_eq "items received" "$(counter '$.items')" 4
t_eq "items applied" "$(counter '$.items_applied')" 3
t_eq "documents stored" "$(counter '$.docs')" 1
t_eq "refused (400) items" "$(counter '$.refused')" 1
t_eq "no faults" "$(counter '$.faults.item_429')$(counter '$.faults.request_429')$(counter '$.faults.request_503')$(counter '$.faults.drop_before')$(counter '$.faults.drop_after')$(counter '$.faults.auth_401')$(counter '$.faults.too_large_413')" \
	0000000

# ---- concurrent clients ----
es_start --threads 4
req PUT /conc -H "$J" --data-binary "@$T/create.json" >/dev/null
req POST /_aliases -H "$J" \
	-d '{"actions":[{"add":{"index":"conc","alias":"live2"}}]}' >/dev/null
pids=""
for w in 1 2 3 4; do
	awk -v w=$w 'BEGIN { for (i = 0; i < 250; i++)
		printf "{\"index\":{\"_index\":\"%s\",\"_id\":\"%d-%d\"}}\n{\"n\":%d,\"d\":\"2013-05-01\"}\n",
			i % 2 ? "conc" : "live2", w, i, i }' >"$T/w$w.ndjson"
	(
		i=0
		while [ $i -lt 8 ]; do
			curl -s -o /dev/null -w '%{http_code}\n' -X POST -H "$ND" \
				--data-binary "@$T/w$w.ndjson" "$ES_URL/_bulk"
			i=$((i + 1))
		done >"$T/w$w.codes"
	) &
	pids="$pids $!"
done
i=0
while [ $i -lt 20 ]; do # settings, refreshes, reads and index churn meanwhile
	curl -s -o /dev/null -X PUT -H "$J" \
		-d '{"index":{"refresh_interval":"-1"}}' "$ES_URL/conc/_settings"
	curl -s -o /dev/null -X POST "$ES_URL/_refresh"
	curl -s -o /dev/null "$ES_URL/live2/_count"
	curl -s -o /dev/null "$ES_URL/conc/_esserver/dump"
	curl -s -o /dev/null -X PUT "$ES_URL/churn$i"
	curl -s -o /dev/null -X DELETE "$ES_URL/churn$i"
	i=$((i + 1))
done
for p in $pids; do
	wait "$p"
done
t_eq "concurrent bulks are all answered 200" \
	"$(cat "$T"/w?.codes | grep -c '^200$')" 32
req PUT /conc/_settings -H "$J" -d '{"index":{"refresh_interval":null}}' >/dev/null
t_eq "... and every document is there once" \
	"$(req GET /conc/_count >/dev/null; jx '$.count')" 1000
es_stop
t_eq "... and counted across threads" \
	"$(counter '$.items') $(counter '$.items_applied') $(counter '$.docs')" \
	"8000 8000 1000"

# ---- the size limit ----
es_start --max-bytes 1k
awk 'BEGIN { for (i = 0; i < 40; i++)
	printf "{\"index\":{\"_index\":\"big\",\"_id\":\"%d\"}}\n{\"n\":%d}\n", i, i }' >"$T/2k.ndjson"
head -n 4 "$T/2k.ndjson" >"$T/small.ndjson"
t_eq "a body under --max-bytes is accepted" "$(bulk /_bulk "$T/small.ndjson")" 200
t_eq "a body over --max-bytes is 413" "$(bulk /_bulk "$T/2k.ndjson" -H 'Expect:')" 413
t_eq "... also when the client waits for 100-continue" \
	"$(bulk /_bulk "$T/2k.ndjson" -H 'Expect: 100-continue')" 413
gzip -c "$T/2k.ndjson" >"$T/2k.ndjson.gz"
t_eq "a gzip body that inflates over --max-bytes is 413" \
	"$(bulk /_bulk "$T/2k.ndjson.gz" -H 'Content-Encoding: gzip')" 413
t_eq "the server still answers afterwards" "$(req GET /)" 200
es_stop
t_eq "413s counted" "$(counter '$.faults.too_large_413')" 3

# ---- credentials ----
ESSERVER_BASIC=elastic:s3cret
export ESSERVER_BASIC
es_start
unset ESSERVER_BASIC
t_eq "without credentials: 401" "$(req GET /) $(jx '$.error.type') $(jx '$.status')" \
	"401 security_exception 401"
t_match "... saying they are missing" "$(jx '$.error.reason')" '^missing authentication credentials'
t_match "... with WWW-Authenticate" "$(curl -s -D - -o /dev/null "$ES_URL/")" \
	'^WWW-Authenticate: Basic realm="security"'
t_eq "wrong password: 401" "$(req GET / -u elastic:wrong) $(jx '$.error.reason')" \
	"401 unable to authenticate user [elastic] for REST request [/]"
t_eq "right password: 200" "$(req GET / -u elastic:s3cret)" 200
t_eq "a bulk without credentials: 401" "$(bulk /_bulk "$T/small.ndjson")" 401
t_eq "a bulk with them: 200" "$(bulk /_bulk "$T/small.ndjson" -u elastic:s3cret)" 200
key=$(printf 'id1:k3y' | base64)
t_eq "an API key when only basic is set: 401" \
	"$(req GET / -H "Authorization: ApiKey $key")" 401
es_stop
t_eq "401s counted" "$(counter '$.faults.auth_401')" 5

ESSERVER_APIKEY=id1:k3y
export ESSERVER_APIKEY
es_start
t_eq "the right API key: 200" "$(req GET / -H "Authorization: ApiKey $key")" 200
t_eq "a wrong API key: 401" \
	"$(req GET / -H "Authorization: ApiKey $(printf 'id1:nope' | base64)")" 401
t_eq "basic credentials when only the key is set: 401" "$(req GET / -u elastic:s3cret)" 401
es_stop
ESSERVER_BASIC=elastic:s3cret
export ESSERVER_BASIC
es_start
unset ESSERVER_BASIC ESSERVER_APIKEY
t_eq "with both set, the key works" "$(req GET / -H "Authorization: ApiKey $key")" 200
t_eq "... and so does the password" "$(req GET / -u elastic:s3cret)" 200
t_eq "... and nothing else" "$(req GET / -u elastic:nope)" 401
es_stop

# ---- faults: item 429s ----
awk 'BEGIN { for (i = 0; i < 2000; i++)
	printf "{\"index\":{\"_index\":\"f\",\"_id\":\"%d\"}}\n{\"n\":%d}\n", i, i }' >"$T/2000.ndjson"
es_start --seed 7 --item-429 0.2
bulk /_bulk "$T/2000.ndjson" >/dev/null
seq1=$(statuses)
n429=$(printf '%s\n' "$seq1" | tr ',' '\n' | grep -c '^429$')
t_ok "20% item 429s land in 15-25% of 2000 items ($n429)" between "$n429" 300 500
t_eq "the others are applied" "$(printf '%s\n' "$seq1" | tr ',' '\n' | grep -c '^201$')" \
	"$((2000 - n429))"
t_eq "errors is true" "$(jt '$.errors')" true
t_eq "a 429 item has es_rejected_execution_exception" \
	"$(sqlite3 :memory: "SELECT json_extract(j.value, '\$.index.error.type') FROM json_each(readfile('$T/body'), '\$.items') j WHERE json_extract(j.value, '\$.index.status') = 429 LIMIT 1")" \
	es_rejected_execution_exception
es_stop
t_eq "item 429s counted" "$(counter '$.faults.item_429')" "$n429"
t_eq "docs stored = items applied" "$(counter '$.docs') $(counter '$.items_applied')" \
	"$((2000 - n429)) $((2000 - n429))"
es_start --seed 7 --item-429 0.2
bulk /_bulk "$T/2000.ndjson" >/dev/null
t_eq "the same seed rejects the same items" "$(statuses)" "$seq1"
es_stop
es_start --seed 8 --item-429 0.2
bulk /_bulk "$T/2000.ndjson" >/dev/null
[ "$(statuses)" != "$seq1" ]
t_eq "another seed rejects other items" "$?" 0
es_stop

# ---- faults: whole requests ----
printf '{"index":{"_index":"r","_id":"1"}}\n{"n":1}\n' >"$T/one.ndjson"
es_start --seed 3 --request-429 0.2 --request-503 0.1
many 400 /_bulk "$T/one.ndjson"
cp "$T/codes" "$T/codes1"
n429=$(codes 429) n503=$(codes 503) n200=$(codes 200)
t_ok "20% request 429s land in 14-26% of 400 ($n429)" between "$n429" 56 104
t_ok "10% request 503s land in 5-15% of 400 ($n503)" between "$n503" 20 60
t_eq "the rest are answered 200" "$((n429 + n503 + n200))" 400
t_eq "other endpoints are not faulted" "$(req GET /r/_count)" 200
es_stop
t_eq "request 429s counted" "$(counter '$.faults.request_429')" "$n429"
t_eq "request 503s counted" "$(counter '$.faults.request_503')" "$n503"
es_start --seed 3 --request-429 0.2 --request-503 0.1
many 400 /_bulk "$T/one.ndjson"
t_eq "the same seed faults the same requests" "$(cmp -s "$T/codes" "$T/codes1"; echo $?)" 0
es_stop

es_start --request-429 1
t_eq "a request 429 has Elasticsearch's error body" \
	"$(bulk /_bulk "$T/one.ndjson") $(jx '$.error.type') $(jx '$.error.root_cause[0].type') $(jx '$.status')" \
	"429 es_rejected_execution_exception es_rejected_execution_exception 429"
es_start --request-503 1
t_eq "a request 503 has Elasticsearch's error body" \
	"$(bulk /_bulk "$T/one.ndjson") $(jx '$.error.type') $(jx '$.error.root_cause[0].type') $(jx '$.status')" \
	"503 unavailable_shards_exception unavailable_shards_exception 503"
es_stop

# ---- faults: dropped connections ----
es_start --seed 5 --drop 0.2
many 400 /_bulk "$T/one.ndjson"
ndrop=$(codes 000) n200=$(codes 200)
t_ok "20% drops land in 14-26% of 400 ($ndrop)" between "$ndrop" 56 104
t_eq "the rest are answered" "$((ndrop + n200))" 400
es_stop
before=$(counter '$.faults.drop_before') after=$(counter '$.faults.drop_after')
t_eq "drops counted, before and after applying" "$((before + after))" "$ndrop"
t_ok "some drops come before applying ($before)" test "$before" -gt 0
t_ok "some drops come after applying ($after)" test "$after" -gt 0
t_eq "items of drops after applying were applied" "$(counter '$.items_applied')" \
	"$((n200 + after))"

# ---- the delay ----
es_start --delay-ms 300
took=$(curl -s -o /dev/null -w '%{time_total}' "$ES_URL/")
t_ok "--delay-ms 300 delays each answer ($took s)" awk -v t="$took" 'BEGIN { exit !(t >= 0.3) }'
es_stop

t_done
