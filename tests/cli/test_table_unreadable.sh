#!/usr/bin/env bash
# tests/cli/test_table_unreadable.sh - a table whose metadata JSON is corrupt
# (issue 15, item 12). `rat tables` lists every table, the broken one marked
# with its file and what is wrong (text and JSON), and exits 1; `rat docs`
# and `rat list` do not fail for it. A run without -f names the file and
# says that `rat run -f TABLE` rebuilds it; with -f, the rebuild needs
# nothing of the old metadata: it succeeds, says what it replaced, and
# leaves a readable table whose history starts again. Nothing else is lost:
# the other tables, the branch, a tag. A table whose folder is gone is listed
# with its error, and no read makes the folder again.
source "$RAT_SOURCE_DIR/tests/cli/lib.sh"

ws_init shop
printf 'SELECT 1 AS a\n' > "$p/gold/one.sql"
printf "SELECT a + 1 AS b FROM {{ ref('gold.one') }}\n" > "$p/gold/two.sql"
printf 'SELECT 7 AS c\n' > "$p/silver/other.sql"
run run -w shop
expect_rc 0
run tag create v1 -w shop
expect_rc 0
metadata() { "$RAT_BIN" describe "$1" -w shop --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["metadata_location"])'; }
broken="$(metadata gold.one)"
printf '{"format-version": 2, "table-uuid": "x\n' > "$broken"
what="$broken:1:38: not valid JSON: unexpected newline near '\"x'"
why="gold.one: $what"
hint="; \`rat run -f gold.one\` rebuilds the table (its history starts again)"

# rat tables: every table, the broken one marked; its error on stderr; exit 1
run tables -w shop
expect_rc 1
expect_out "gold.one                         (unreadable)       -          -  -"
expect_out "gold.two                                    1       1"
expect_out "silver.other                                1       1"
expect_err "rat: error: $why$hint"
expect_err "rat: 1 of 3 tables could not be read; the others are listed"
run tables -w shop --json
expect_rc 1
expect_json 'd[0]["table"]' gold.one 'd[0]["error"]' "$why$hint" \
	'd[0]["metadata_location"]' "$broken" 'd[0]["rows"]' null 'd[0]["columns"]' null \
	'd[1]["table"]' gold.two 'd[1]["error"]' null 'd[1]["rows"]' 1 \
	'[t["table"] for t in d]' '["gold.one","gold.two","silver.other"]'
# one table asked for: its error
run describe gold.one -w shop
expect_rc 1
expect_err "rat: error: $why$hint"
run describe gold.two -w shop
expect_rc 0
# the other tables read; the broken one fails the queries that read it, naming it
expect_eq "$(ws_csv shop 'SELECT b FROM gold.two')" "2"
run query -w shop "SELECT * FROM gold.one"
expect_rc 1
expect_err "$why$hint"
# rat list and rat docs do not fail for it
run list -w shop
expect_rc 0
run docs generate -w shop
expect_rc 0
expect_eq "$(sed -n 4p "$p/gold/one/docs/data_dictionary.md")" \
	"The table on \`workspace/shop\` could not be read ($why$hint): the columns as configured."
run docs check -w shop
expect_out "gold.one pii: no columns: none in the config's columns: and an unreadable table on workspace/shop"

# a run without -f fails on it, naming the file and what rebuilds it
head="$(ws_head shop)"
run run -w shop
expect_rc 1
expect_err "rat: error: gold.one (pipelines/gold/one.sql): $why$hint"
expect_eq "$(ws_head shop)" "$head"

# -f rebuilds it without the old metadata, and says so
run run -f -w shop gold.one
expect_rc 0
expect_out "  gold.one                     ok       create                 1          1   +1/-0"
expect_out "    warning: the table's metadata could not be read, and was replaced: a new table, whose history starts here ($what)"
expect_eq "$(ws_csv shop 'SELECT a FROM gold.one')" "1"
run history gold.one -w shop
expect_rc 0
expect_eq "$(tail -n +2 "$T_DIR/out" | wc -l)" "1"
run tables -w shop
expect_rc 0
# the branch's history, the other tables and the tag are all there
expect_eq "$("$RAT_BIN" log -w shop | wc -l)" "3"
expect_eq "$(ws_csv shop 'SELECT b FROM gold.two')" "2"
expect_eq "$(ws_csv shop 'SELECT c FROM silver.other')" "7"
expect_eq "$(ws_csv shop --ref v1 'SELECT b FROM gold.two')" "2"
expect_eq "$(ws_csv shop --ref v1 'SELECT c FROM silver.other')" "7"
# a diff with the tag, whose gold.one is the unreadable version: its rows are unknown
run diff v1 -w shop
expect_rc 0
expect_out ", rows ? -> 1"
run diff v1 -w shop --json
expect_rc 0
expect_json '[e["before"]["rows"] for e in d if e["table"] == "gold.one"]' '[null]'
# the run the record keeps says it too
run runs -w shop -n 1 --json
expect_out "the table's metadata could not be read, and was replaced"

# a missing metadata file is rebuilt the same way
gone="$(metadata silver.other)"
rm "$gone"
run tables -w shop
expect_rc 1
expect_err "rat: error: silver.other: $gone: No such file or directory; \`rat run -f silver.other\` rebuilds the table (its history starts again)"
run run -f -w shop silver.other
expect_rc 0
expect_out "    warning: the table's metadata could not be read, and was replaced"
expect_eq "$(ws_csv shop 'SELECT c FROM silver.other')" "7"

# a table whose whole folder is gone: listed with its error; reading makes no folder
folder="$(dirname "$(dirname "$(metadata gold.two)")")"
rm -r "$folder"
run tables -w shop
expect_rc 1
expect_err "rat: error: gold.two: "
expect_no_file "$folder"
run query -w shop "SELECT * FROM gold.two"
expect_rc 1
expect_no_file "$folder"
