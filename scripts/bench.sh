#!/bin/sh
# bench.sh - the benchmarks, each next to its baseline and target, run by
# `make bench`.  A dump at BENCH_SCALE (default 0.1, seed 1) and its next
# month (--month 1) are generated once into a cache folder outside the
# repository and reused:
#   ${DCSTAGE_BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dcstage-bench}/scale-<F>
# Prints a table (benchmark, figure, baseline, target) and writes the same
# rows as JSON lines to $BUILD/bench.jsonl.
#
# Environment:
#   BENCH_SCALE    dump scale (1.0 is the 2022 dump)
#   BENCH_ONLY     run only these benchmarks (space-separated) out of
#                  gen import load dryrun export rerun; a benchmark whose
#                  baseline is not run shows "?" as its baseline
#   BENCH_THREADS  reader threads of the exports to the server (default 2)
#
# Adding a benchmark: a function that times its command with bench_time,
# then calls bench_row NAME FIGURE BASELINE TARGET [VALUE UNIT]; list it
# at the end.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
DC=$BUILD/dcstage
ES=$BUILD/esserver
SCALE=${BENCH_SCALE:-0.1}
ONLY=${BENCH_ONLY:-gen import load dryrun export rerun}
THREADS=${BENCH_THREADS:-2}
CACHE_ROOT=${DCSTAGE_BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dcstage-bench}
DUMP=$CACHE_ROOT/scale-$SCALE
DUMP_NEXT=$CACHE_ROOT/scale-$SCALE-month-1
JSONL=$BUILD/bench.jsonl
RSS_TARGET="RSS <= 256 MB"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/dcstage-bench.XXXXXX")
STAGE=$TMP/stage.db	# the staging file of the load benchmark
es_pids=""		# test servers still running
trap 'cleanup' EXIT
trap 'exit 130' INT TERM
ROWS=$TMP/rows
: >"$ROWS"
mkdir -p "$BUILD"
: >"$JSONL"

# ---- helpers ----

cleanup() {
	for p in $es_pids; do
		kill -TERM "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	es_pids=""
	rm -rf "$TMP"
}

# bench_time CMD...: run CMD, setting bt_secs (wall seconds), bt_rss_mb
# (peak resident memory of the command and its children, MB), bt_cpu
# (user + system seconds) and bt_rc (exit code, also returned); CMD's
# output goes to $TMP/out and $TMP/err.
bench_time() {
	bt_rc=0
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f '%e %M %U %S' -o "$TMP/time" "$@" \
			>"$TMP/out" 2>"$TMP/err" || bt_rc=$?
		# on failure the first line says so; the figures are last
		tail -n 1 "$TMP/time" >"$TMP/time.last"
		bt_secs=$(awk '{ print $1 }' "$TMP/time.last")
		bt_rss_mb=$(awk '{ printf "%.0f", $2 / 1024 }' "$TMP/time.last")
		bt_cpu=$(awk '{ printf "%.1f", $3 + $4 }' "$TMP/time.last")
	else
		start=$(date +%s.%N)
		"$@" >"$TMP/out" 2>"$TMP/err" || bt_rc=$?
		bt_secs=$(awk -v a="$start" -v b="$(date +%s.%N)" \
			'BEGIN { printf "%.2f", b - a }')
		bt_rss_mb="?" bt_cpu="?"
	fi
	return "$bt_rc"
}

# div A B [FORMAT]: A / B, "?" when B is zero or not a number
div() {
	awk -v a="$1" -v b="$2" -v f="${3:-%.1f}" \
		'BEGIN { if (a ~ /^[0-9.]+([eE][-+]?[0-9]+)?$/ && b + 0 > 0) printf f "\n", a / b
			 else print "?" }'
}

add() { # A B: A + B
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f\n", a + b }'
}

json_str() { # TEXT: as a JSON string
	printf '"%s"' "$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g')"
}

# json_num FILE KEY: the value (a number, true/false or a string without
# quotes) of the first "KEY" in the one-line JSON of FILE; empty if missing
json_num() {
	awk -v k="\"$2\":" '{
		i = index($0, k); if (i == 0) next
		s = substr($0, i + length(k)); sub(/^ *"?/, "", s)
		match(s, /^[^",}]*/); print substr(s, 1, RLENGTH); exit }' "$1"
}

# bench_row NAME FIGURE BASELINE TARGET [VALUE UNIT]: one row of the table
# and of $BUILD/bench.jsonl.
bench_row() {
	printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$ROWS"
	{
		printf '{"benchmark":%s,"figure":%s,"baseline":%s,"target":%s' \
			"$(json_str "$1")" "$(json_str "$2")" \
			"$(json_str "$3")" "$(json_str "$4")"
		[ $# -ge 6 ] && printf ',"value":%s,"unit":%s' "$5" "$(json_str "$6")"
		printf ',"scale":%s}\n' "$SCALE"
	} >>"$JSONL"
}

# bench_failed NAME TARGET: the row of a benchmark whose command failed
bench_failed() {
	bench_row "$1" "failed (exit $bt_rc): $(tail -n 1 "$TMP/err")" "-" "$2"
	echo "bench: $1 failed:" >&2
	tail -n 5 "$TMP/err" >&2
}

print_table() {
	awk -F'\t' '
		{ for (i = 1; i <= 4; i++) { c[NR, i] = $i
			if (length($i) > w[i]) w[i] = length($i) } }
		END {
			split("benchmark figure baseline target", h, " ")
			for (i = 1; i <= 4; i++) if (length(h[i]) > w[i]) w[i] = length(h[i])
			line(h, 0)
			printf "|"; for (i = 1; i <= 4; i++) { printf "%s|", dash(w[i] + 2) }
			printf "\n"
			for (r = 1; r <= NR; r++) {
				for (i = 1; i <= 4; i++) row[i] = c[r, i]
				line(row, 1)
			}
		}
		function dash(n,   s) { s = ""; while (n-- > 0) s = s "-"; return s }
		function line(a, x,   i) {
			printf "|"
			for (i = 1; i <= 4; i++) printf " %-" w[i] "s |", a[i]
			printf "\n"
		}' "$ROWS"
}

wanted() { # NAME: whether BENCH_ONLY selects it
	case " $ONLY " in *" $1 "*) return 0 ;; esac
	return 1
}

# es_start [ESSERVER OPTIONS...]: start the test server on a free port;
# sets es_pid and es_url.  Stopped by es_stop or at exit.
es_start() {
	es_n=$((${es_n:-0} + 1))
	"$ES" --port 0 "$@" >"$TMP/es.$es_n.out" 2>"$TMP/es.$es_n.err" &
	es_pid=$!
	es_pids="$es_pids $es_pid"
	i=0
	until grep -q '^[0-9][0-9]*$' "$TMP/es.$es_n.out" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -ge 200 ] || ! kill -0 "$es_pid" 2>/dev/null; then
			echo "bench: the test server did not start:" >&2
			cat "$TMP/es.$es_n.err" >&2
			exit 1
		fi
		sleep 0.05
	done
	es_url=http://127.0.0.1:$(head -n 1 "$TMP/es.$es_n.out")
}

es_stop() { # PID
	kill -TERM "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
	rest=""
	for p in $es_pids; do [ "$p" = "$1" ] || rest="$rest $p"; done
	es_pids=$rest
}

# es_cpu PID: user + system seconds the server has used so far ("?"
# where /proc is missing)
es_cpu() {
	if [ -r "/proc/$1/stat" ]; then
		awk -v hz="$(getconf CLK_TCK)" \
			'{ printf "%.1f\n", ($14 + $15) / hz }' "/proc/$1/stat"
	else
		echo "?"
	fi
}

cpu_used() { # BEFORE AFTER: the difference, "?" when unknown
	awk -v a="$1" -v b="$2" 'BEGIN { if (a == "?" || b == "?") print "?"
		else printf "%.1f\n", b - a }'
}

# gen_cached DIR [GEN OPTIONS...]: generate the dump at SCALE into DIR
# unless it is there already
gen_cached() {
	dir=$1; shift
	[ -s "$dir/manifest.json" ] && return 0
	echo "bench: generating the scale $SCALE dump into $dir" >&2
	mkdir -p "$CACHE_ROOT"
	rm -rf "$dir.tmp.$$"
	"$DC" gen --scale "$SCALE" --seed 1 "$@" --out "$dir.tmp.$$" --quiet
	rm -rf "$dir"
	mv "$dir.tmp.$$" "$dir"
}

# need_stage: the staging file of the cached dump (loaded untimed when the
# load benchmark did not run)
need_stage() {
	[ -s "$STAGE" ] && return 0
	echo "bench: loading the dump (untimed)" >&2
	"$DC" load --db "$STAGE" --quiet "$DUMP" >/dev/null
}

# ---- the dump, generated once ----

if [ ! -x "$DC" ]; then
	echo "bench: '$DC' is missing; run make first" >&2
	exit 1
fi
gen_cached "$DUMP"
manifest_rows() { # TABLE
	sed -n "s/.*\"rows\":{[^}]*\"$1\":\([0-9]*\).*/\1/p" "$DUMP/manifest.json"
}
rows_p=$(manifest_rows projects)
rows_d=$(manifest_rows donations)
rows_r=$(manifest_rows resources)
rows_all=$((rows_p + rows_d + rows_r))

# figures that later rows use as their baseline
import_rate="?" dry2_rate="?" full_secs="?"

# ---- 1. the generator ----

bench_gen() {
	echo "bench: generator" >&2
	bench_time "$DC" gen --scale "$SCALE" --seed 1 --out "$TMP/gen"
	csv_mb=$(sed -n 's/.*(\([0-9.]*\) MB of CSV).*/\1/p' "$TMP/out")
	gen_rate=$(div "$csv_mb" "$bt_secs")
	bench_row "generator (dcstage gen)" \
		"$gen_rate MB/s of CSV ($csv_mb MB in $bt_secs s, $bt_rss_mb MB peak)" \
		"-" "scale 0.1 in < 20 s" "$gen_rate" "MB/s"
	rm -rf "$TMP/gen"
}

# ---- 2. the naive baseline: zcat | sqlite3 .import into untyped tables ----
# (the shell's reader knows "" but not \", so some records come out wrong:
# the warnings it prints are counted)

columns() { # TABLE: its column names, comma-separated, from the header
	zcat "$DUMP/opendata_${1}000.gz" | head -n 1 | sed 's/^_//'
}

bench_import() {
	name="baseline: sqlite3 .import of zcat output (untyped)"
	if ! command -v sqlite3 >/dev/null 2>&1; then
		bench_row "$name" "skipped: no sqlite3 shell" "-" "-"
		return 0
	fi
	echo "bench: sqlite3 .import of zcat output" >&2
	db=$TMP/import.db
	for t in projects donations resources; do
		sqlite3 "$db" "CREATE TABLE $t ($(columns $t))"
	done
	cat >"$TMP/import.sh" <<EOF
set -e
for t in projects donations resources; do
	for f in "$DUMP"/opendata_\${t}[0-9][0-9][0-9].gz; do
		zcat "\$f" | sqlite3 "$db" ".mode csv" ".import --skip 1 /dev/stdin \$t"
	done
done
EOF
	if ! bench_time sh "$TMP/import.sh"; then
		bench_failed "$name" "the loader should beat it"
		rm -f "$db"
		return 0
	fi
	imported=$(sqlite3 "$db" "SELECT (SELECT count(*) FROM projects) +
		(SELECT count(*) FROM donations) + (SELECT count(*) FROM resources)")
	warnings=$(grep -c . "$TMP/err" || true)
	import_rate=$(div "$rows_all" "$bt_secs" "%.0f")
	bench_row "$name" \
		"$import_rate rows/s ($imported of $rows_all rows in $bt_secs s, $bt_rss_mb MB peak, $warnings warnings)" \
		"-" "the loader should beat it" "$import_rate" "rows/s"
	rm -f "$db"
}

# ---- 3. the load: dcstage load of the dump into a fresh staging file ----

bench_load() {
	name="load (dcstage load, fresh staging file)"
	target=">= 2x baseline; full scale <= 30 s; $RSS_TARGET"
	echo "bench: load" >&2
	rm -f "$STAGE"
	if ! bench_time "$DC" load --db "$STAGE" --json --quiet "$DUMP"; then
		bench_failed "$name" "$target"
		rm -f "$STAGE"
		return 0
	fi
	out=$TMP/out
	loaded=$(($(json_num "$out" projects) + $(json_num "$out" donations) +
		$(json_num "$out" resources)))
	rate=$(div "$loaded" "$bt_secs" "%.0f")
	ratio=$(div "$rate" "$import_rate" "%.2f")
	steps=""
	for p in insert index dedupe project_docs commit; do
		steps="$steps${steps:+, }$p $(div "$(json_num "$out" "$p")" 1 "%.1f")"
	done
	bench_row "$name" \
		"$rate rows/s = ${ratio}x baseline ($loaded rows in $bt_secs s, $bt_rss_mb MB peak; seconds: $steps)" \
		"$import_rate rows/s (.import, this run)" "$target" "$rate" "rows/s"
}

# ---- 4. dry-run export to /dev/null, 1 and 2 threads ----

# dry_run N: a dry run with N threads; sets dr_rate and dr_fig
dry_run() {
	echo "bench: dry-run export, $1 thread(s)" >&2
	bench_time "$DC" export --db "$STAGE" --dry-run /dev/null \
		--threads "$1" --json --quiet || return
	docs=$(json_num "$TMP/out" docs)
	dr_rate=$(div "$docs" "$bt_secs" "%.0f")
	dr_fig="$dr_rate docs/s ($docs docs in $bt_secs s, $bt_rss_mb MB peak)"
}

bench_dryrun() {
	name="dry-run export to /dev/null, 2 threads"
	target=">= 150k docs/s on 2 threads; $RSS_TARGET"
	need_stage
	if ! dry_run 1; then
		bench_failed "$name" "$target"
		return 0
	fi
	dry1_rate=$dr_rate dry1_fig=$dr_fig
	if ! dry_run 2; then
		bench_failed "$name" "$target"
		return 0
	fi
	dry2_rate=$dr_rate
	bench_row "$name" "$dr_fig; $(div "$dry2_rate" "$dry1_rate" "%.2f")x 1 thread" \
		"1 thread: $dry1_fig" "$target" "$dry2_rate" "docs/s"
}

# ---- 5. export into the test server over loopback ----

# export_full NAME DB [ESSERVER OPTIONS...]: a full export of a fresh copy
# of the staging file into a new server, left running (es_pid, es_url);
# sets ex_secs
export_full() {
	name=$1 db=$2; shift 2
	target=">= 100k docs/s; $RSS_TARGET"
	echo "bench: $name" >&2
	need_stage
	cp "$STAGE" "$db"
	es_start "$@"
	cpu0=$(es_cpu "$es_pid")
	ex_secs="?"
	if ! bench_time "$DC" export --db "$db" --url "$es_url" \
		--threads "$THREADS" --json --quiet; then
		bench_failed "$name" "$target"
		return 0
	fi
	ex_secs=$bt_secs
	server_cpu=$(cpu_used "$cpu0" "$(es_cpu "$es_pid")")
	docs=$(json_num "$TMP/out" docs)
	full=$(json_num "$TMP/out" full)
	rate=$(div "$docs" "$bt_secs" "%.0f")
	bench_row "$name" \
		"$rate docs/s ($docs docs in $bt_secs s, $THREADS threads, full=$full, $bt_rss_mb MB peak; CPU s: dcstage $bt_cpu, server $server_cpu)" \
		"$dry2_rate docs/s (dry run, 2 threads)" "$target" "$rate" "docs/s"
}

bench_export() {
	if [ ! -x "$ES" ]; then
		bench_row "export to the test server" "skipped: no '$ES'" "-" "-"
		return 0
	fi
	export_full "export to the test server (--no-validate --no-store)" \
		"$TMP/full.db" --no-validate --no-store
	full_secs=$ex_secs full_pid=$es_pid full_url=$es_url
	export_full "export to the test server (validating, --no-store)" \
		"$TMP/valid.db" --no-store
	es_stop "$es_pid"
	rm -f "$TMP/valid.db"
}

# ---- 6. reruns against the server of the full export ----

# rerun_same: the same folder again (load skipped) and an export that
# sends nothing
rerun_same() {
	name="rerun, unchanged input (load + export)"
	target="<= 1 s"
	echo "bench: $name" >&2
	if ! bench_time "$DC" load --db "$TMP/full.db" --json --quiet "$DUMP"; then
		bench_failed "$name" "$target"
		return 0
	fi
	load_secs=$bt_secs
	status=$(json_num "$TMP/out" status)
	if ! bench_time "$DC" export --db "$TMP/full.db" --url "$full_url" \
		--threads "$THREADS" --json --quiet; then
		bench_failed "$name" "$target"
		return 0
	fi
	total=$(add "$load_secs" "$bt_secs")
	bench_row "$name" \
		"$total s (load: $status, $load_secs s; export: $(json_num "$TMP/out" docs) docs, up_to_date=$(json_num "$TMP/out" up_to_date), $bt_secs s)" \
		"-" "$target" "$total" "s"
}

# expected_docs DB MANIFEST: new and changed donations and every donation
# of a changed project ("?" without the sqlite3 shell)
expected_docs() {
	if ! command -v sqlite3 >/dev/null 2>&1; then
		echo "?"
		return 0
	fi
	sqlite3 "$1" "SELECT count(*) FROM donations WHERE
		donationid IN (SELECT value FROM json_each(readfile('$2'), '\$.changed_donations'))
		OR donationid IN (SELECT value FROM json_each(readfile('$2'), '\$.new_donations'))
		OR projectid IN (SELECT value FROM json_each(readfile('$2'), '\$.changed_projects'))"
}

# rerun_month: next month's dump loaded into the staging file of the
# full export, then an export of what changed
rerun_month() {
	name="rerun, next month's dump (export)"
	target="<= 10% of the full export"
	echo "bench: $name" >&2
	gen_cached "$DUMP_NEXT" --month 1
	if ! bench_time "$DC" load --db "$TMP/full.db" --json --quiet "$DUMP_NEXT"; then
		bench_failed "$name" "$target"
		return 0
	fi
	load_secs=$bt_secs load_rss=$bt_rss_mb
	m=$DUMP_NEXT/manifest.json
	want=$(expected_docs "$TMP/full.db" "$m")
	gone=$(sed -n 's/.*"donations_gone":\([0-9]*\).*/\1/p' "$m")
	if ! bench_time "$DC" export --db "$TMP/full.db" --url "$full_url" \
		--threads "$THREADS" --json --quiet; then
		bench_failed "$name" "$target"
		return 0
	fi
	pct=$(div "$bt_secs" "$full_secs" "%.4f")
	[ "$pct" = "?" ] || pct=$(awk -v p="$pct" 'BEGIN { printf "%.1f", p * 100 }')
	bench_row "$name" \
		"$bt_secs s = $pct% of the full export ($(json_num "$TMP/out" docs) docs sent, $want expected; $(json_num "$TMP/out" deletes) deletes, $gone expected; $bt_rss_mb MB peak; the load before it: $load_secs s, $load_rss MB peak)" \
		"$full_secs s (full export)" "$target" "$pct" "%"
}

bench_rerun() {
	if [ -z "${full_pid:-}" ] || [ "$full_secs" = "?" ]; then
		bench_row "reruns" "skipped: needs the export benchmark" "-" "-"
		return 0
	fi
	rerun_same
	rerun_month
	es_stop "$full_pid"
}

# ---- run the selected ones, in order ----

for b in gen import load dryrun export rerun; do
	if wanted "$b"; then
		"bench_$b"
	fi
done

echo
echo "dcstage benchmarks, scale $SCALE (dump: $DUMP)"
echo
print_table
echo
echo "rows also in $JSONL"
