#!/bin/sh
# run.sh [PATTERN...] - run the unit test programs and the integration
# scripts (tests/tNNNN-*.sh), show each suite's count, print the total as
# "N passed, N failed", and exit non-zero if anything failed.
# PATTERN limits the run to suites whose name contains it.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export BUILD
case $BUILD in /*) dir=$BUILD ;; *) dir=$(pwd)/$BUILD ;; esac
DCSTAGE=$dir/dcstage
ESSERVER=$dir/esserver
DCEXT=$dir/dcstage.so
export DCSTAGE ESSERVER DCEXT
logs=$BUILD/test-logs
mkdir -p "$logs" "$BUILD/sanitizer"

selected() { # NAME: whether PATTERNS (none: every suite) select it
	[ -z "$PATTERNS" ] && return 0
	name=$1
	for p in $PATTERNS; do
		case $name in *"$p"*) return 0 ;; esac
	done
	return 1
}
PATTERNS="$*"

total_pass=0 total_fail=0
run_suite() {
	name=$1; shift
	log=$logs/$name.log
	start=$(date +%s)
	"$@" >"$log" 2>&1
	rc=$?
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	pass=$(echo "$line" | sed -n 's/^\([0-9]*\) passed.*/\1/p')
	fail=$(echo "$line" | sed -n 's/.* \([0-9]*\) failed.*/\1/p')
	pass=${pass:-0} fail=${fail:-0}
	if [ "$rc" -ne 0 ] && [ "$fail" -eq 0 ]; then
		fail=1 # crashed or exited badly without counting it
	fi
	total_pass=$((total_pass + pass)) total_fail=$((total_fail + fail))
	printf '%-34s %4d passed, %d failed  (%ss)\n' "$name" "$pass" "$fail" \
		"$(($(date +%s) - start))"
	if [ "$fail" -ne 0 ]; then
		echo "---- $log (last 60 lines) ----"
		tail -n 60 "$log"
		echo "----"
	fi
}

for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	selected "$name" && run_suite "$name" "$t"
done
for t in tests/t[0-9]*.sh; do
	[ -f "$t" ] || continue
	name=$(basename "$t" .sh)
	selected "$name" && run_suite "$name" sh "$t"
done

# Sanitized builds write their reports here (see the Makefile).
for r in "$BUILD"/sanitizer/report*; do
	[ -f "$r" ] || continue
	total_fail=$((total_fail + 1))
	echo "---- sanitizer report $r ----"
	head -n 40 "$r"
done

echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
