#!/usr/bin/env bash
# tests/cli/test_serve_engines.sh - what DuckDB's iceberg extension, PyIceberg
# and Spark send to an Iceberg REST catalog (config, OAuth2, create, an
# append commit), read from their sources and recorded in
# tests/fixtures/rest/ (the README names each step's source), replayed
# against `rat serve` with curl: every answer has the status the client
# expects, and each table then reads the same in rat and in icebird.
# (These engines cannot be installed here: the fixtures are the next best
# proof; docs/serve.md says so.)
source "$RAT_SOURCE_DIR/tests/cli/lib.sh"
: "${RAT_TABLE_TOOL:?}"

icebird_install
ws_init a
run token create -w a
tok="$(cat "$T_DIR/out")"
serve_start

for client in duckdb pyiceberg spark; do
	/usr/bin/python3 "$RAT_SOURCE_DIR/tests/support/replay_rest.py" \
		"$RAT_SOURCE_DIR/tests/fixtures/rest/$client.json" "$SERVE_URL/iceberg" a "$tok" a silver \
		"from_$client" "$RAT_TABLE_TOOL" >"$T_DIR/replay.log" 2>&1 ||
		fail "$client: $(cat "$T_DIR/replay.log")"
	T_CHECKS=$((T_CHECKS + $(grep -c ' -> ' "$T_DIR/replay.log")))
	# rat reads it
	expect_eq "$(ws_csv a "select count(*), sum(id) from silver.from_$client")" "5,10"
	# and icebird, from the metadata the catalog serves
	TOKEN="$tok" http GET "/iceberg/v1/namespaces/silver/tables/from_$client"
	expect_http 200
	python3 -c 'import json,sys; json.dump(json.load(open(sys.argv[1]))["metadata"], open(sys.argv[2], "w"))' \
		"$T_DIR/out" "$T_DIR/metadata.json"
	run query -w a --format json "select id, msg from silver.from_$client order by id"
	cp "$T_DIR/out" "$T_DIR/ours.json"
	node "$ICEBIRD_DIR/icebird_compare.mjs" --metadata "$T_DIR/metadata.json" "$T_DIR/ours.json" id \
		>"$T_DIR/out" 2>"$T_DIR/err" || fail "icebird disagrees on from_$client: $(cat "$T_DIR/err")"
	expect_out "5 rows match"
done
# Spark's ids 0 and 1 were given fresh ones, as the reference catalog does
TOKEN="$tok" http GET /iceberg/v1/namespaces/silver/tables/from_spark
expect_json "[f['id'] for f in d['metadata']['schemas'][0]['fields']]" "[1,2]" \
	"d['metadata']['last-column-id']" 2
serve_stop
expect_eq "$SERVE_RC" 0
