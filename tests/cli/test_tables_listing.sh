#!/usr/bin/env bash
# tests/cli/test_tables_listing.sh - `rat tables` keeps what it read of each
# table's metadata file (RAT_HOME/cache/<workspace>/tables.tsv) and reads
# again only the tables whose file it has not seen: a commit's new file is
# read, an unchanged one is not (shown by a file changed behind the cache's
# back with its size and time kept: the listing still says what it said);
# a file rewritten or removed by hand is read again; a cache that is garbage,
# of another version or not writable changes nothing in what is listed.
# Which tables a commit holds is kept too (contents.tsv, for the last commit
# listed): a new commit is listed from the catalog, and a contents cache that
# is garbage, cut short, out of order or of another commit is not used. The
# listing loads neither DuckDB, libcurl, libcrypto nor libavro; a query
# loads DuckDB.
source "$RAT_SOURCE_DIR/tests/cli/lib.sh"

ws_init shop
printf 'SELECT 1 AS a\n' > "$p/gold/one.sql"
printf 'SELECT i AS b FROM range(5) t(i)\n' > "$p/silver/five.sql"
printf -- '-- @materialized: view\nSELECT * FROM {{ ref("silver.five") }}\n' > "$p/gold/view_of_five.sql"
run run -w shop
expect_rc 0
cache="$RAT_HOME/cache/shop/tables.tsv"
run tables -w shop
expect_rc 0
expect_out "gold.one                                    1       1"
expect_out "silver.five                                 5       1"
cp "$T_DIR/out" "$T_DIR/first.txt"
[ -f "$cache" ] || fail "no listing cache at $cache"
contents="$RAT_HOME/cache/shop/contents.tsv"
expect_eq "$(head -1 "$contents" | cut -f2 | cut -c1-12)" "$(ws_head shop)"
expect_eq "$(tail -n +2 "$contents" | cut -f1 | paste -sd' ')" "gold.one gold.view_of_five silver.five"
T_CHECKS=$((T_CHECKS + 1))
# a contents cache that is not one (garbage, cut short, out of order, another commit's, which
# lacks gold.one): the catalog's, in full
cp "$contents" "$T_DIR/contents.good"
for bad in garbage cut order other; do
	case $bad in
	garbage) printf 'rat-contents 1\t%s\nnot\ta line\n' "$(head -1 "$T_DIR/contents.good" | cut -f2)" > "$contents" ;;
	cut) head -c -3 "$T_DIR/contents.good" > "$contents" ;;
	order) { head -1 "$T_DIR/contents.good"; tail -n +2 "$T_DIR/contents.good" | sort -r; } > "$contents" ;;
	other) { printf 'rat-contents 1\t%064d\n' 0; tail -n +2 "$T_DIR/contents.good" | grep -v '^gold\.one'; } > "$contents" ;;
	esac
	run tables -w shop
	expect_eq "$(cat "$T_DIR/out")" "$(cat "$T_DIR/first.txt")"
done
cp "$T_DIR/contents.good" "$contents"
run tables -w shop --json
expect_rc 0
cp "$T_DIR/out" "$T_DIR/first.json"
metadata() { python3 -c 'import json,sys; print([t["metadata_location"] for t in json.load(open(sys.argv[1])) if t["table"] == sys.argv[2]][0])' "$T_DIR/first.json" "$1"; }
one="$(metadata gold.one)"

# a file changed behind the cache's back, its size and time kept: the listing is the cache's
python3 - "$one" <<'EOF'
import json, os, sys
path = sys.argv[1]
st = os.stat(path)
text = open(path).read()
doc = json.loads(text)
doc["current-snapshot-id"] = -1          # the table would read as having no snapshot
new = json.dumps(doc)
new = new + " " * (len(text) - len(new))  # the same size
assert len(new) == len(text)
open(path, "w").write(new)
os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
EOF
run tables -w shop
expect_rc 0
expect_eq "$(cat "$T_DIR/out")" "$(cat "$T_DIR/first.txt")"
run tables -w shop --json
expect_eq "$(cat "$T_DIR/out")" "$(cat "$T_DIR/first.json")"

# its time changed: read again
touch "$one"
run tables -w shop --json
expect_json "[t['snapshot_id'] for t in d if t['table'] == 'gold.one']" '[null]'

# a commit: its new metadata file is read
printf 'SELECT 1 AS a UNION ALL SELECT 2\n' > "$p/gold/one.sql"
run run -w shop
expect_rc 0
run tables -w shop
expect_out "gold.one                                    2       1"
# a new table: the new commit's tables are listed, not those kept for the last one
printf 'SELECT 7 AS c\n' > "$p/gold/seven.sql"
run run -w shop
expect_rc 0
run tables -w shop
expect_out "gold.seven                                  1       1"
expect_eq "$(head -1 "$contents" | cut -f2 | cut -c1-12)" "$(ws_head shop)"

# a file removed by hand: read again, and said
rm "$(python3 -c 'import json,sys; print([t["metadata_location"] for t in json.load(sys.stdin) if t["table"] == "silver.five"][0])' \
	< <("$RAT_BIN" tables -w shop --json))"
run tables -w shop
expect_rc 1
expect_out "silver.five                      (unreadable)"
expect_err "1 of 4 tables could not be read"

# rat tables runs no SQL and reads no S3: DuckDB and libcurl, most of what starting a
# process costs, are not even loaded
LD_DEBUG=libs "$RAT_BIN" tables -w shop >/dev/null 2>"$T_DIR/ld.txt" || :  # (1: silver.five is unreadable)
! grep -q 'libduckdb\.so' "$T_DIR/ld.txt" || fail "rat tables loaded libduckdb"
! grep -q 'libcurl\.so' "$T_DIR/ld.txt" || fail "rat tables loaded libcurl (a local workspace needs no S3)"
! grep -q 'libcrypto\.so' "$T_DIR/ld.txt" || fail "rat tables loaded libcrypto (it hashes and signs nothing)"
! grep -q 'libavro\.so' "$T_DIR/ld.txt" || fail "rat tables loaded libavro (every table was described before)"
LD_DEBUG=libs "$RAT_BIN" query -w shop "SELECT 1" >/dev/null 2>"$T_DIR/ld.txt" || :
grep -q 'calling init: .*libduckdb' "$T_DIR/ld.txt" || fail "rat query did not load libduckdb"
T_CHECKS=$((T_CHECKS + 5))

# a cache that is garbage, of another version, or that cannot be written: the same listing
printf 'not json' > "$cache"
run tables -w shop
expect_rc 1
cp "$T_DIR/out" "$T_DIR/garbage.txt"
expect_out "gold.one                                    2       1"
printf 'rat-listing 99\nx\ty\n' > "$cache"
run tables -w shop
expect_eq "$(cat "$T_DIR/out")" "$(cat "$T_DIR/garbage.txt")"
rm -f "$cache"
mkdir "$cache"    # a folder where the file goes: it cannot be written
run tables -w shop
expect_eq "$(cat "$T_DIR/out")" "$(cat "$T_DIR/garbage.txt")"
