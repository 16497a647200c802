# lib.sh - sourced by the integration tests (tests/tNNNN-*.sh).
# Each test case is one call: t_ok, t_exit, t_eq or t_match (t_skip for one
# that cannot run here); t_done prints "N passed, N failed" and sets the
# exit code.  $T is a scratch folder, removed at exit with any server
# started by es_start.
set -u
: "${DCSTAGE:?run through tests/run.sh or make test}"
T=$(mktemp -d "${TMPDIR:-/tmp}/dcstage-test.XXXXXX")
t_pass=0 t_fail=0 es_pid=""
trap 't_cleanup' EXIT
trap 'exit 130' INT TERM

t_cleanup() {
	es_stop
	rm -rf "$T"
}

t_report() { # name ok [detail]
	if [ "$2" -eq 0 ]; then
		t_pass=$((t_pass + 1))
		echo "ok - $1"
	else
		t_fail=$((t_fail + 1))
		echo "FAIL - $1"
		[ -n "${3:-}" ] && printf '%s\n' "$3" | sed 's/^/    /'
	fi
	return 0
}

# t_ok NAME CMD...: CMD exits 0
t_ok() {
	name=$1; shift
	if out=$("$@" 2>&1); then t_report "$name" 0
	else t_report "$name" 1 "exit $?: $(printf '%s' "$out" | tail -n 20)"; fi
}

# t_exit NAME CODE CMD...: CMD exits with CODE
t_exit() {
	name=$1 want=$2; shift 2
	out=$("$@" 2>&1); rc=$?
	if [ "$rc" -eq "$want" ]; then t_report "$name" 0
	else t_report "$name" 1 "exit $rc, want $want: $(printf '%s' "$out" | tail -n 20)"; fi
}

# t_eq NAME GOT WANT
t_eq() {
	if [ "$2" = "$3" ]; then t_report "$1" 0
	else t_report "$1" 1 "got:  $2
want: $3"; fi
}

# t_match NAME TEXT REGEX (grep -E)
t_match() {
	if printf '%s\n' "$2" | grep -Eq -- "$3"; then t_report "$1" 0
	else t_report "$1" 1 "no match for /$3/ in: $(printf '%s' "$2" | head -c 2000)"; fi
}

# t_skip NAME WHY: a case that cannot say anything here; not counted
t_skip() {
	echo "skip - $1 ($2)"
}

# under_sanitizer: whether the binaries are a sanitizer build (the make
# targets set these), which runs too slowly for a case about time
under_sanitizer() {
	[ -n "${ASAN_OPTIONS:-}${TSAN_OPTIONS:-}" ]
}

t_done() {
	echo "$t_pass passed, $t_fail failed"
	[ "$t_fail" -eq 0 ]
	exit $?
}

# es_start [ESSERVER OPTIONS...]: start the test server on a free port;
# sets ES_URL and ES_STATS (the counters file it writes when stopped).
es_start() {
	es_stop
	es_n=$((${es_n:-0} + 1))
	ES_STATS=$T/es-stats.$es_n.json
	out=$T/es.$es_n.out
	"$ESSERVER" --port 0 --stats "$ES_STATS" "$@" >"$out" 2>"$T/es.$es_n.err" &
	es_pid=$!
	i=0
	until grep -q '^[0-9][0-9]*$' "$out" 2>/dev/null || [ $i -ge 200 ]; do
		sleep 0.05; i=$((i + 1))
	done
	ES_PORT=$(head -n 1 "$out")
	ES_URL=http://127.0.0.1:$ES_PORT
	export ES_URL ES_STATS
}

# es_stop: stop it (SIGTERM) and wait, so that $ES_STATS is written.
es_stop() {
	if [ -n "$es_pid" ]; then
		kill -TERM "$es_pid" 2>/dev/null
		wait "$es_pid" 2>/dev/null
		es_pid=""
	fi
	return 0
}

# json_get PATH: the value at PATH (SQLite's JSON path) of the JSON on stdin.
json_get() {
	cat >"$T/stdin.json"
	sqlite3 :memory: "SELECT json_extract(readfile('$T/stdin.json'), '$1')"
}

# json_keys: the top-level keys of the JSON object on stdin, comma-separated.
json_keys() {
	cat >"$T/stdin.json"
	sqlite3 :memory: "SELECT group_concat(key) FROM json_each(readfile('$T/stdin.json'))"
}
