#!/bin/sh
# bench.sh - the benchmarks, each next to its baseline and target, run by
# `make bench`.  A dump at BENCH_SCALE (default 0.1, seed 1) is generated
# once into a cache folder outside the repository and reused:
#   ${DCSTAGE_BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dcstage-bench}/scale-<F>
# Prints a table (benchmark, figure, baseline, target) and writes the same
# rows as JSON lines to $BUILD/bench.jsonl.
#
# Adding a benchmark: time it with bench_time, then call
#   bench_row NAME FIGURE BASELINE TARGET [VALUE UNIT]
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
DC=$BUILD/dcstage
SCALE=${BENCH_SCALE:-0.1}
CACHE_ROOT=${DCSTAGE_BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dcstage-bench}
DUMP=$CACHE_ROOT/scale-$SCALE
JSONL=$BUILD/bench.jsonl

TMP=$(mktemp -d "${TMPDIR:-/tmp}/dcstage-bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM
ROWS=$TMP/rows
: >"$ROWS"
mkdir -p "$BUILD"
: >"$JSONL"

# ---- helpers ----

# bench_time CMD...: run CMD, setting bt_secs (wall seconds) and bt_rss_mb
# (peak resident memory of the command and its children, MB); CMD's output
# goes to $TMP/out and $TMP/err.  Fails when CMD fails.
bench_time() {
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f '%e %M' -o "$TMP/time" "$@" >"$TMP/out" 2>"$TMP/err"
		bt_secs=$(awk '{ print $1 }' "$TMP/time")
		bt_rss_mb=$(awk '{ printf "%.0f", $2 / 1024 }' "$TMP/time")
	else
		start=$(date +%s.%N)
		"$@" >"$TMP/out" 2>"$TMP/err"
		bt_secs=$(awk -v a="$start" -v b="$(date +%s.%N)" \
			'BEGIN { printf "%.2f", b - a }')
		bt_rss_mb="?"
	fi
}

# div A B [FORMAT]: A / B, "?" when B is zero
div() {
	awk -v a="$1" -v b="$2" -v f="${3:-%.1f}" \
		'BEGIN { if (b > 0) printf f "\n", a / b; else print "?" }'
}

json_str() { # TEXT: as a JSON string
	printf '"%s"' "$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g')"
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

# ---- the dump, generated once ----

if [ ! -x "$DC" ]; then
	echo "bench: '$DC' is missing; run make first" >&2
	exit 1
fi
if [ ! -s "$DUMP/manifest.json" ]; then
	echo "bench: generating the scale $SCALE dump into $DUMP" >&2
	mkdir -p "$CACHE_ROOT"
	rm -rf "$DUMP.tmp.$$"
	"$DC" gen --scale "$SCALE" --seed 1 --out "$DUMP.tmp.$$" --quiet
	rm -rf "$DUMP"
	mv "$DUMP.tmp.$$" "$DUMP"
fi
manifest_rows() { # TABLE
	sed -n "s/.*\"rows\":{[^}]*\"$1\":\([0-9]*\).*/\1/p" "$DUMP/manifest.json"
}
rows_p=$(manifest_rows projects)
rows_d=$(manifest_rows donations)
rows_r=$(manifest_rows resources)
rows_all=$((rows_p + rows_d + rows_r))

# ---- 1. the generator ----

echo "bench: generator" >&2
bench_time "$DC" gen --scale "$SCALE" --seed 1 --out "$TMP/gen"
csv_mb=$(sed -n 's/.*(\([0-9.]*\) MB of CSV).*/\1/p' "$TMP/out")
gen_rate=$(div "$csv_mb" "$bt_secs")
bench_row "generator (dcstage gen)" \
	"$gen_rate MB/s of CSV ($csv_mb MB in $bt_secs s, $bt_rss_mb MB peak)" \
	"-" "scale 0.1 in < 20 s" "$gen_rate" "MB/s"
rm -rf "$TMP/gen"

# ---- 2. the naive baseline: zcat | sqlite3 .import into untyped tables ----
# (the shell's reader knows "" but not \", so some records come out wrong:
# the warnings it prints are counted)

columns() { # TABLE: its column names, comma-separated, from the header
	zcat "$DUMP/opendata_${1}000.gz" | head -n 1 | sed 's/^_//'
}
if command -v sqlite3 >/dev/null 2>&1; then
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
	bench_time sh "$TMP/import.sh"
	imported=$(sqlite3 "$db" "SELECT (SELECT count(*) FROM projects) +
		(SELECT count(*) FROM donations) + (SELECT count(*) FROM resources)")
	warnings=$(grep -c . "$TMP/err" || true)
	rate=$(div "$rows_all" "$bt_secs" "%.0f")
	bench_row "baseline: sqlite3 .import of zcat output (untyped)" \
		"$rate rows/s ($imported of $rows_all rows in $bt_secs s, $bt_rss_mb MB peak, $warnings warnings)" \
		"-" "the loader should beat it" "$rate" "rows/s"
else
	bench_row "baseline: sqlite3 .import of zcat output (untyped)" \
		"skipped: no sqlite3 shell" "-" "-"
fi

echo
echo "dcstage benchmarks, scale $SCALE (dump: $DUMP)"
echo
print_table
echo
echo "rows also in $JSONL"
