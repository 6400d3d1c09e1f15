#!/usr/bin/env bash
# tests/cli/test_icebird.sh - tables written here are read by icebird, an
# independent JavaScript Iceberg reader (npm), with the same rows and values:
# unpartitioned, partitioned by day, after a schema evolution (added column,
# int widened to long, a column renamed), after an overwrite. The tables are served over HTTP on 127.0.0.1 (icebird fetches).
source "$RAT_SOURCE_DIR/tests/cli/lib.sh"
: "${RAT_TABLE_TOOL:?}"

icebird_install
npm_dir="$ICEBIRD_DIR"
port="$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
root="$T_DIR/served"
mkdir -p "$root"
node "$RAT_SOURCE_DIR/tests/support/static_server.mjs" "$root" "$port" > "$T_DIR/server.log" 2>&1 &
server=$!
t_cleanup() { kill "$server" 2>/dev/null || true; }
for _ in $(seq 50); do grep -q listening "$T_DIR/server.log" && break; sleep 0.1; done
url="http://127.0.0.1:$port"

tool() { "$RAT_TABLE_TOOL" "$@" > "$T_DIR/out" 2>"$T_DIR/err" || fail "table_tool $1 $2"; }
compare() { # TABLE ORDER_COLUMN
	tool read "$root/$1" --order-by "$2"
	cp "$T_DIR/out" "$T_DIR/ours.json"
	node "$npm_dir/icebird_compare.mjs" "$url/$1" "$T_DIR/ours.json" "$2" \
		> "$T_DIR/out" 2>"$T_DIR/err" || fail "icebird disagrees on $1: $(cat "$T_DIR/err")"
	expect_out "rows match"
}

rows="SELECT i AS id, 'name-' || i AS name, i * 2.5 AS amount, (i % 7) * 1.5::DOUBLE AS score,
	i % 2 = 0 AS even, DATE '2024-01-01' + (i % 30)::INTEGER AS day,
	TIMESTAMP '2024-03-01 10:00:00' + INTERVAL (i * 37) MINUTE AS ts,
	CASE WHEN i % 5 = 0 THEN NULL ELSE 'note ' || i END AS note FROM range(500) t(i)"

tool write "$root/plain" "$rows" --location "$url/plain"
compare plain id

tool write "$root/daily" "$rows" --location "$url/daily" --partition 'day(ts)'
compare daily id
T_CHECKS=$((T_CHECKS + 1))
[ "$(find "$root/daily/data" -mindepth 1 -maxdepth 1 -type d | wc -l)" -gt 5 ] || fail "daily: no day folders"

tool write "$root/evolved" "SELECT i::INTEGER AS id, 'v1-' || i AS name FROM range(100) t(i)" --location "$url/evolved"
tool write "$root/evolved" "SELECT (i + 100)::BIGINT AS id, 'v2-' || i AS name, i * 1.5::DOUBLE AS added
	FROM range(50) t(i)" --add-columns
tool rename "$root/evolved" name title
tool write "$root/evolved" "SELECT (i + 200)::BIGINT AS id, 'v3-' || i AS title FROM range(10) t(i)"
compare evolved id

tool write "$root/replaced" "$rows" --location "$url/replaced"
tool write "$root/replaced" "SELECT i AS id, 'new-' || i AS name, 1.0 AS amount, 0.5::DOUBLE AS score,
	true AS even, DATE '2025-01-01' AS day, TIMESTAMP '2025-01-01 00:00:00' AS ts, NULL::VARCHAR AS note
	FROM range(1000, 1010) t(i)" --overwrite
compare replaced id
tool read "$root/replaced"
expect_out '"name":"new-1009"'
expect_no_out '"name":"name-1"'
