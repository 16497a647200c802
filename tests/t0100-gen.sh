#!/bin/sh
# t0100-gen: dcstage gen: bad options, determinism, row counts, header,
# parts, every manifest entry at its file and line, and next month's dump
# differing from this month's by exactly what the manifest says.
. "$(dirname "$0")/lib.sh"

LC_ALL=C
export LC_ALL

mf() { # DIR PATH: a value of DIR's manifest
	sqlite3 :memory: "SELECT json_extract(readfile('$1/manifest.json'), '$2')"
}
mlen() { # DIR PATH: the length of an array of DIR's manifest
	sqlite3 :memory: "SELECT json_array_length(readfile('$1/manifest.json'), '$2')"
}
records() { # FILE...: lines of the decompressed files, headers excluded
	zcat "$@" | grep -cv '^_[a-z]*id,'
}
round() { # F N: round(F * N)
	awk -v f="$1" -v n="$2" 'BEGIN { printf "%d\n", f * n + 0.5 }'
}
gen() { "$DCSTAGE" gen --quiet "$@"; }

# ---- bad command lines: exit 2 and the usage ----
t_exit "no options: exit 2" 2 "$DCSTAGE" gen
out=$("$DCSTAGE" gen --scale 0.001 2>&1)
t_match "no --out: says so, shows usage" "$out" "out is required"
t_match "usage on error" "$out" "^usage: dcstage gen"
for bad in "--scale 0" "--scale abc" "--scale -1" "--scale 1e9" \
	"--parts 0" "--parts x" "--month -1" "--seed -3" "--seed 1x" \
	"--bogus" "extra-arg"; do
	# shellcheck disable=SC2086
	t_exit "bad option '$bad': exit 2" 2 "$DCSTAGE" gen --scale 0.001 \
		--out "$T/never" $bad
done
t_eq "bad options wrote nothing" "$([ -e "$T/never" ] && echo yes)" ""
t_exit "--scale without a value: exit 2" 2 "$DCSTAGE" gen --out "$T/never" --scale
t_match "--help: usage on stdout" "$("$DCSTAGE" gen --help 2>/dev/null)" \
	"^usage: dcstage gen"
t_exit "--help: exit 0" 0 "$DCSTAGE" gen --help

# ---- a clean dump: counts, header, summary ----
out=$("$DCSTAGE" gen --scale 0.001 --seed 3 --out "$T/a" 2>&1)
t_eq "clean dump: exit 0" "$?" 0
t_match "summary: a line per file with rows and bytes" "$out" \
	"opendata_donations000.gz +6212 rows +[0-9]+ bytes"
t_match "summary: the seconds" "$out" "^wrote 3 files.* in [0-9.]+ s$"
t_eq "--quiet prints nothing" \
	"$("$DCSTAGE" gen --scale 0.001 --seed 3 --out "$T/q" --quiet 2>&1)" ""
t_eq "the folder holds the three files and the manifest" \
	"$(ls "$T/a" | tr '\n' ' ')" \
	"manifest.json opendata_donations000.gz opendata_projects000.gz opendata_resources000.gz "
for scale in 0.001 0.002; do
	d=$T/s$scale
	gen --scale $scale --seed 11 --out "$d"
	t_eq "scale $scale: projects = round(scale * 1100000)" \
		"$(mf "$d" '$.rows.projects')" "$(round $scale 1100000)"
	t_eq "scale $scale: donations = round(scale * 6211956)" \
		"$(mf "$d" '$.rows.donations')" "$(round $scale 6211956)"
	for t in projects donations resources; do
		t_eq "scale $scale: $t records in the file = manifest rows" \
			"$(records "$d/opendata_${t}000.gz")" "$(mf "$d" "\$.rows.$t")"
		t_eq "scale $scale: $t expected = rows (clean)" \
			"$(mf "$d" "\$.expected.$t")" "$(mf "$d" "\$.rows.$t")"
	done
	n=$(mf "$d" '$.rows.resources') p=$(mf "$d" '$.rows.projects')
	t_eq "scale $scale: 1 to 40 resources a project, about 3" \
		"$([ "$n" -ge $((p * 27 / 10)) ] && [ "$n" -le $((p * 33 / 10)) ] && echo yes)" yes
	t_eq "scale $scale: clean manifest lists nothing bad" \
		"$(mlen "$d" '$.bad') $(mf "$d" '$.nasty')" "0 0"
done
t_eq "tiny scale: at least one row" \
	"$(gen --scale 0.0000001 --seed 1 --out "$T/tiny" && mf "$T/tiny" '$.rows.projects')" 1

t_match "header: first line names the columns" \
	"$(zcat "$T/a/opendata_projects000.gz" | head -n 1)" \
	'^_projectid,teacher_acctid,schoolid,school_ncesid,.*,date_expiration$'
t_eq "header: donations and resources too" \
	"$(zcat "$T/a/opendata_donations000.gz" | head -n 1 | cut -d, -f1-3) $(zcat "$T/a/opendata_resources000.gz" | head -n 1 | cut -d, -f8)" \
	"_donationid,projectid,donor_acctid item_quantity"
t_eq "header: 44, 23 and 8 columns" \
	"$(for t in projects donations resources; do zcat "$T/a/opendata_${t}000.gz" | head -n 1 | awk -F, '{ printf "%d ", NF }'; done)" \
	"44 23 8 "
gen --scale 0.001 --seed 3 --no-header --out "$T/nh"
t_match "--no-header: first line is a record" \
	"$(zcat "$T/nh/opendata_projects000.gz" | head -n 1)" '^[0-9a-f]{32},'
t_eq "--no-header: the same records" \
	"$(zcat "$T/nh/opendata_donations000.gz" | cksum)" \
	"$(zcat "$T/a/opendata_donations000.gz" | tail -n +2 | cksum)"
t_eq "manifest: header false" "$(mf "$T/nh" '$.header')" 0
t_eq "clean files end with a line end" \
	"$(zcat "$T/a/opendata_resources000.gz" | tail -c 1 | od -An -c | tr -d ' ')" '\n'
t_match "zips keep leading zeros, donor zips of 3 digits" \
	"$(zcat "$T/s0.002/opendata_donations000.gz" | cut -d, -f7 | sort -u | tr '\n' ' ')" \
	' 0[0-9][0-9] '

# ---- determinism ----
gen --scale 0.002 --seed 5 --nasty --out "$T/d1"
gen --scale 0.002 --seed 5 --nasty --out "$T/d2"
same=yes
for f in "$T"/d1/*; do cmp -s "$f" "$T/d2/${f##*/}" || same="no: ${f##*/}"; done
t_eq "same options: the same bytes" "$same" yes
gen --scale 0.002 --seed 6 --nasty --out "$T/d3"
t_eq "another seed: other bytes" \
	"$(cmp -s "$T/d1/opendata_donations000.gz" "$T/d3/opendata_donations000.gz" && echo same)" ""

# ---- parts ----
gen --scale 0.002 --seed 5 --nasty --no-header --out "$T/one"
gen --scale 0.002 --seed 5 --nasty --no-header --parts 3 --out "$T/three"
for t in projects donations resources; do
	t_eq "parts: three $t files" \
		"$(ls "$T/three" | grep -c "^opendata_${t}00[0-2]\.gz$")" 3
	t_ok "parts: $t readable by zcat" gzip -t "$T/three/opendata_${t}000.gz" \
		"$T/three/opendata_${t}001.gz" "$T/three/opendata_${t}002.gz"
	t_eq "parts: $t as one stream = the 1-part dump" \
		"$(zcat "$T/three/opendata_${t}000.gz" "$T/three/opendata_${t}001.gz" "$T/three/opendata_${t}002.gz" | cksum)" \
		"$(zcat "$T/one/opendata_${t}000.gz" | cksum)"
done
t_eq "parts: manifest names the files" \
	"$(mf "$T/three" '$.files.donations')" \
	'["opendata_donations000.gz","opendata_donations001.gz","opendata_donations002.gz"]'
t_eq "parts: the same counts as one part" \
	"$(mf "$T/three" '$.rows') $(mf "$T/three" '$.expected')" \
	"$(mf "$T/one" '$.rows') $(mf "$T/one" '$.expected')"
gen --scale 0.002 --seed 5 --parts 2 --out "$T/hp"
t_eq "parts: each part has its header" \
	"$(zcat "$T/hp/opendata_resources001.gz" | head -n 1 | cut -c1-12)" "_resourceid,"
: >"$T/hp/.opendata_projects000.gz.tmp" # as a killed run leaves it
gen --scale 0.002 --seed 5 --parts 1 --out "$T/hp"
t_eq "fewer parts into the same folder: the old parts are gone" \
	"$(ls -A "$T/hp" | tr '\n' ' ')" \
	"manifest.json opendata_donations000.gz opendata_projects000.gz opendata_resources000.gz "

# ---- nasty: every manifest entry is at its file and line ----
check_entries() { # DIR: "ok" when every entry's line holds its key
	sqlite3 -separator ' ' :memory: "SELECT json_extract(value, '\$.file'),
		json_extract(value, '\$.line'), json_extract(value, '\$.key')
		FROM json_each(readfile('$1/manifest.json'), '\$.bad')" >"$T/list"
	found=0
	for f in $(cut -d' ' -f1 "$T/list" | sort -u); do
		zcat "$1/$f" >"$T/part.csv"
		n=$(awk -v f="$f" 'NR == FNR { if ($1 == f) want[$2] = $3; next }
			(FNR in want) && index($0, want[FNR]) { n++ }
			END { print n + 0 }' "$T/list" "$T/part.csv")
		found=$((found + n))
	done
	total=$(wc -l <"$T/list")
	[ "$total" -gt 0 ] && [ "$found" -eq "$total" ] && echo ok ||
		echo "$found of $total entries found"
}
t_eq "nasty: every entry at its file and line" "$(check_entries "$T/d1")" ok
t_eq "nasty, 3 parts: every entry at its part and line" \
	"$(check_entries "$T/three")" ok
t_eq "nasty: the same entries whatever the parts" \
	"$(mlen "$T/three" '$.bad')" "$(mlen "$T/one" '$.bad')"
for k in field_count malformed empty_key bad_date bad_number bad_count \
	bad_flag bad_coordinate bad_utf8 orphan; do
	t_eq "nasty: the manifest has $k entries" \
		"$(sqlite3 :memory: "SELECT count(*) > 0 FROM json_each(readfile('$T/d1/manifest.json'), '\$.bad') WHERE json_extract(value, '\$.kind') = '$k'")" 1
done
for t in projects donations resources; do
	t_eq "nasty: $t expected = rows - rejects - duplicates" \
		"$(($(mf "$T/d1" "\$.rows.$t") - $(mf "$T/d1" "\$.rejects.$t") - $(mf "$T/d1" "\$.duplicates.$t")))" \
		"$(mf "$T/d1" "\$.expected.$t")"
	t_eq "nasty: $t has duplicates and rejects" \
		"$([ "$(mf "$T/d1" "\$.duplicates.$t")" -gt 0 ] && [ "$(mf "$T/d1" "\$.rejects.$t")" -gt 0 ] && echo yes)" yes
done
t_eq "nasty: the resources file lacks its last line end" \
	"$([ "$(zcat "$T/d1/opendata_resources000.gz" | tail -c 1 | od -An -c | tr -d ' ')" != '\n' ] && echo yes)" yes
t_match "nasty: quoted ids both ways" \
	"$(zcat "$T/d1/opendata_donations000.gz" | grep -c '^"\\"[0-9a-f]\{32\}\\"",') $(zcat "$T/d1/opendata_donations000.gz" | grep -c '^"""[0-9a-f]\{32\}""",')" \
	'^[1-9][0-9]* [1-9][0-9]*$'
t_match "nasty: CRLF in the files" \
	"$(zcat "$T/d1/opendata_projects000.gz" | grep -c "$(printf '\r')\$")" '^[1-9]'
t_match "nasty: UTF-8 text" \
	"$(zcat "$T/d1/opendata_donations000.gz" | grep -c "$(printf '\303[\221\243\263\270\274]\\|\346\227\245')")" '^[1-9]'
t_match "nasty: Latin-1 text" \
	"$(zcat "$T/d1/opendata_donations000.gz" | grep -c "$(printf 'Caf\351\\|Jos\351')")" '^[1-9]'

# ---- next month ----
gen --scale 0.002 --seed 21 --out "$T/m0"
gen --scale 0.002 --seed 21 --month 1 --out "$T/m1"
gen --scale 0.002 --seed 21 --month 2 --out "$T/m2"
rows() { zcat "$1/opendata_${2}000.gz" | tail -n +2 | sort; }
list() { # DIR NAME: a manifest list, one id a line, sorted
	sqlite3 :memory: "SELECT value FROM json_each(readfile('$1/manifest.json'), '\$.$2')" | sort
}
compare_months() { # OLD NEW: changes counted from the files
	rows "$1" donations >"$T/old.d"
	rows "$2" donations >"$T/new.d"
	cut -d, -f1 "$T/old.d" >"$T/old.k"
	cut -d, -f1 "$T/new.d" >"$T/new.k"
	comm -23 "$T/old.k" "$T/new.k" >"$T/gone"
	comm -13 "$T/old.k" "$T/new.k" >"$T/new"
	comm -23 "$T/old.d" "$T/new.d" | cut -d, -f1 | comm -23 - "$T/gone" >"$T/changed"
	rows "$1" projects >"$T/old.p"
	rows "$2" projects >"$T/new.p"
	comm -23 "$T/old.p" "$T/new.p" | cut -d, -f1 >"$T/changed.p"
	echo "$(wc -l <"$T/changed") $(wc -l <"$T/new") $(wc -l <"$T/gone") $(wc -l <"$T/changed.p")"
}
for m in 1 2; do
	prev=$T/m$((m - 1)) cur=$T/m$m
	t_eq "month $m: the files differ from month $((m - 1)) by the manifest's counts" \
		"$(compare_months "$prev" "$cur")" \
		"$(mf "$cur" '$.changes.donations_changed') $(mf "$cur" '$.changes.donations_new') $(mf "$cur" '$.changes.donations_gone') $(mf "$cur" '$.changes.projects_changed')"
	t_eq "month $m: changed donations are the listed ones" \
		"$(cksum <"$T/changed")" "$(list "$cur" changed_donations | cksum)"
	t_eq "month $m: new donations are the listed ones" \
		"$(cksum <"$T/new")" "$(list "$cur" new_donations | cksum)"
	t_eq "month $m: gone donations are the listed ones" \
		"$(cksum <"$T/gone")" "$(list "$cur" gone_donations | cksum)"
	t_eq "month $m: changed projects are the listed ones" \
		"$(cksum <"$T/changed.p")" "$(list "$cur" changed_projects | cksum)"
	t_eq "month $m: something of each kind changed" \
		"$(compare_months "$prev" "$cur" | awk '$1 > 0 && $2 > 0 && $3 > 0 && $4 > 0 { print "yes" }')" yes
done
t_eq "month 0: no changes listed" "$(mf "$T/m0" '$.changes')" ""
t_eq "months: resources unchanged" \
	"$(zcat "$T/m2/opendata_resources000.gz" | cksum)" \
	"$(zcat "$T/m0/opendata_resources000.gz" | cksum)"

t_done
