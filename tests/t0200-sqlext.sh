#!/bin/sh
# t0200-sqlext: the SQL functions as the loadable extension: the real
# sqlite3 shell loads $BUILD/dcstage and runs each of them, including
# list_or_value() in a GROUP BY inside json_object().
. "$(dirname "$0")/lib.sh"

EXT=${BUILD:-build}/dcstage

# A sanitized build (make test-asan) needs its runtime loaded before the
# shell's own libraries: preload what the extension links.
SAN=$(ldd "$EXT.so" 2>/dev/null |
	awk '/lib(asan|ubsan|tsan)\.so/ { printf "%s ", $3 }')

sq() { # SQL...: run in a fresh in-memory database with the extension
	LD_PRELOAD="$SAN${LD_PRELOAD:+ $LD_PRELOAD}" \
		sqlite3 -batch -noheader -cmd ".load '$EXT'" :memory: "$@" 2>&1
}

t_ok "the extension exists" test -f "$EXT.so"
t_eq "the shell loads it" "$(sq "SELECT 'loaded'")" loaded

while IFS= read -r line; do
	[ -n "$line" ] || continue
	sql=${line%% => *} want=${line##* => }
	t_eq "$sql" "$(sq "SELECT $sql")" "$want"
done <<'EOF'
iso_date('2011-04-14 10:11:12.5') => 2011-04-14T10:11:12.500000
iso_date('2011-04-14 10:11:12.000000') => 2011-04-14T10:11:12
iso_date('2011-04-14') => 2011-04-14T00:00:00
iso_date('2011-02-30') IS NULL => 1
iso_date('2011-13-01') IS NULL => 1
dc_double('123.45') => 123.45
dc_double(1e20) => 1.0e+20
dc_double('abc') IS NULL => 1
typeof(dc_double('0')) => real
dc_count('23.0') => 23
dc_count(23.0) => 23
typeof(dc_count('23.0')) => integer
dc_count('1.5') IS NULL => 1
dc_flag('t') || dc_flag('f') => 10
dc_flag('x') IS NULL => 1
dc_lat('-90.0') => -90.0
dc_lat('90.0001') IS NULL => 1
dc_lon('-74.006') => -74.006
dc_lon('181') IS NULL => 1
dc_id('"7342bd"') => 7342bd
dc_id('""') IS NULL => 1
dc_text('Caf' || char(233)) => Café
hex(dc_text(x'436166e9')) => 436166EFBFBD
dc_text('') IS NULL => 1
dc_hash(NULL) => 0
dc_hash('abc') = dc_hash(x'616263') => 1
typeof(dc_hash('abc')) => integer
EOF

groups=$(sq "CREATE TABLE res(projectid, item, price, qty);
INSERT INTO res VALUES ('p1', 'Book \"A\"', 10.5, 2),
 ('p2', 'Camera', 150.0, 1), ('p1', 'Pencils, box', NULL, 10),
 ('p1', 'Rug', 1e20, 1);
SELECT json_object('projectid', projectid, 'item', list_or_value(item),
  'price', list_or_value(price), 'qty', list_or_value(qty))
FROM res GROUP BY projectid ORDER BY projectid;")
t_eq "list_or_value in a GROUP BY inside json_object" "$groups" \
'{"projectid":"p1","item":["Book \"A\"","Pencils, box","Rug"],"price":[10.5,null,1.0e+20],"qty":[2,10,1]}
{"projectid":"p2","item":"Camera","price":150.0,"qty":1}'

t_eq "list_or_value over no rows" \
	"$(sq "SELECT typeof(list_or_value(x)) FROM (SELECT 1 x) WHERE 0")" null
t_eq "list_or_value reals as json_array prints them" \
	"$(sq "SELECT list_or_value(x) = json_array(150.0, 0.1, 1e20, 10.5)
	  FROM (SELECT 150.0 x UNION ALL SELECT 0.1 UNION ALL SELECT 1e20
	  UNION ALL SELECT 10.5)")" 1

t_done
