#!/usr/bin/env bash
# tests/cli/test_serve.sh - `rat serve` and its Iceberg REST catalog, driven
# with curl: config, namespaces, tables (create, load with ETag, commit with
# requirements, drop, rename, register), transactions, a snapshot of Parquet
# files written outside the catalog that `rat query` then reads, tokens (401,
# 403, read-only, revoked), branches, and bad requests (4xx, never a crash).
source "$RAT_SOURCE_DIR/tests/cli/lib.sh"

ws_init a
ws_init b
serve_start
WH="$RAT_HOME/warehouse"
# contract NAME: the last body, kept to be checked against the spec's schema NAME at the end
mkdir -p "$T_DIR/contract"
contract() { cp "$T_DIR/out" "$T_DIR/contract/$(printf '%03d' "$(ls "$T_DIR/contract" | wc -l)")-$1.json"; }
schema='{"type":"struct","schema-id":0,"fields":[{"id":1,"name":"id","type":"long","required":false},{"id":2,"name":"msg","type":"string","required":false}]}'

# --- no token configured (loopback): the prefix names the workspace
http GET /health
expect_http 200
expect_json "d['status']" ok
http GET /iceberg/v1/config
expect_http 200
expect_json "d['defaults']['prefix']" "-" "'GET /v1/{prefix}/namespaces' in d['endpoints']" true \
	"d['idempotency-key-lifetime']" PT30M
contract CatalogConfig
http GET "/iceberg/v1/config?warehouse=a"
expect_json "d['overrides']['prefix']" "-|a"
contract CatalogConfig
http GET /iceberg/v1/namespaces
expect_http 400    # two workspaces, none called default: which one?
expect_json "d['error']['type']" BadRequestException "d['error']['code']" 400
contract IcebergErrorResponse
http GET "/iceberg/v1/-%7Ca/namespaces"
expect_http 200
expect_json "d['namespaces']" '[["bronze"],["silver"],["gold"]]' "d['next-page-token']" null
contract ListNamespacesResponse
http GET "/iceberg/v1/-|a/namespaces?pageSize=2"
expect_json "d['namespaces']" '[["bronze"],["silver"]]' "d['next-page-token']" 2
contract ListNamespacesResponse
http GET "/iceberg/v1/-|a/namespaces?pageSize=2&pageToken=2"
expect_json "d['namespaces']" '[["gold"]]' "d['next-page-token']" null

# --- tokens: once one exists, every request needs one
run token create -w a
tok_a="$(cat "$T_DIR/out")"
run token create -w a --read-only
tok_ro="$(cat "$T_DIR/out")"
run token create -w b
tok_b="$(cat "$T_DIR/out")"
http GET "/iceberg/v1/-|a/namespaces"
expect_http 401
expect_json "d['error']['type']" NotAuthorizedException
contract IcebergErrorResponse
TOKEN="rat_a_0123" http GET /iceberg/v1/namespaces
expect_http 401
TOKEN="${tok_a%?}x" http GET /iceberg/v1/namespaces
expect_http 401
TOKEN="$tok_a"
http GET /iceberg/v1/namespaces
expect_http 200
http GET /iceberg/v1/namespaces/silver
expect_json "d['namespace']" '["silver"]'
contract GetNamespaceResponse
http HEAD /iceberg/v1/namespaces/silver
expect_http 204
http GET /iceberg/v1/namespaces/platinum
expect_http 404
expect_json "d['error']['type']" NoSuchNamespaceException
contract IcebergErrorResponse
http POST /iceberg/v1/namespaces -d '{"namespace":["silver"]}'
expect_http 409
http DELETE /iceberg/v1/namespaces/gold
expect_http 409

# --- create, list, load (ETag), HEAD
http POST /iceberg/v1/namespaces/silver/tables -d "{\"name\":\"events\",\"schema\":$schema,\"properties\":{\"owner\":\"ops\"}}"
expect_http 200
expect_json "d['metadata']['location']" "$WH/a/silver/events" "d['metadata']['properties']['owner']" ops \
	"d['metadata']['current-schema-id']" 0 "d['metadata-location'].startswith('$WH/a/silver/events/metadata/00001-')" true
contract LoadTableResult
uuid="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["metadata"]["table-uuid"])' "$T_DIR/out")"
http POST /iceberg/v1/namespaces/silver/tables -d "{\"name\":\"events\",\"schema\":$schema}"
expect_http 409
expect_json "d['error']['type']" AlreadyExistsException
contract IcebergErrorResponse
http GET /iceberg/v1/namespaces/silver/tables
expect_json "d['identifiers']" '[{"namespace":["silver"],"name":"events"}]'
contract ListTablesResponse
http GET /iceberg/v1/namespaces/silver/tables/events
expect_http 200
cp "$T_DIR/out" "$T_DIR/first-load.json"
etag="$(grep -i '^etag:' "$T_DIR/headers" | cut -d' ' -f2 | tr -d '\r')"
# the second load of a metadata file sends its text as it is: the same answer
http GET /iceberg/v1/namespaces/silver/tables/events
expect_http 200
contract LoadTableResult
expect_eq "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])) == json.load(open(sys.argv[2])))' \
	"$T_DIR/out" "$T_DIR/first-load.json")" True
[ -n "$etag" ] || fail "no ETag"
http GET /iceberg/v1/namespaces/silver/tables/events -H "If-None-Match: $etag"
expect_http 304
http HEAD /iceberg/v1/namespaces/silver/tables/events
expect_http 204
http HEAD /iceberg/v1/namespaces/silver/tables/nothing
expect_http 404
http GET /iceberg/v1/namespaces/silver/tables/nothing
expect_http 404
expect_json "d['error']['type']" NoSuchTableException
contract IcebergErrorResponse
run tables -w a
expect_out "silver.events"

# a branch made now does not see what is committed next, until it is merged
run branch create dev/feature -w a
expect_rc 0

# --- a snapshot of Parquet files written outside the catalog (in the table's folder)
"$RAT_TABLE_TOOL" write "$WH/a/silver/events" "select i::bigint as id, 'm' || i as msg from range(5) t(i)" \
	>/dev/null || fail "table_tool write"
mlist="$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print(m["snapshots"][-1]["manifest-list"])' \
	"$WH/a/silver/events/metadata/v$(cat "$WH/a/silver/events/metadata/version-hint.text").metadata.json")"
commit() { # $1 snapshot id, $2 the ref's expected snapshot (JSON)
	printf '{"requirements":[{"type":"assert-table-uuid","uuid":"%s"},{"type":"assert-ref-snapshot-id","ref":"main","snapshot-id":%s}],"updates":[{"action":"add-snapshot","snapshot":{"snapshot-id":%s,"sequence-number":%s,"timestamp-ms":1700000000000,"manifest-list":"%s","summary":{"operation":"append"},"schema-id":0}},{"action":"set-snapshot-ref","ref-name":"main","type":"branch","snapshot-id":%s}]}' \
		"$uuid" "$2" "$1" "$3" "$mlist" "$1"
}
http POST /iceberg/v1/namespaces/silver/tables/events -d "$(commit 11 null 1)"
expect_http 200
expect_json "d['metadata']['current-snapshot-id']" 11 "d['metadata']['refs']['main']['snapshot-id']" 11 \
	"len(d['metadata']['metadata-log'])" 1
contract CommitTableResponse
expect_eq "$(ws_csv a "select count(*), sum(id) from silver.events")" "5,10"
# stale: the ref moved since the client read it
http POST /iceberg/v1/namespaces/silver/tables/events -d "$(commit 12 null 2)"
expect_http 409
expect_json "d['error']['type']" CommitFailedException
contract IcebergErrorResponse
http POST /iceberg/v1/namespaces/silver/tables/events -d '{"requirements":[{"type":"assert-table-uuid","uuid":"00000000-0000-4000-8000-000000000000"}],"updates":[]}'
expect_http 409
http POST /iceberg/v1/namespaces/silver/tables/events -d '{"requirements":[{"type":"assert-current-schema-id","current-schema-id":7}],"updates":[]}'
expect_http 409
http POST /iceberg/v1/namespaces/silver/tables/nothing -d '{"requirements":[],"updates":[{"action":"set-properties","updates":{"k":"v"}}]}'
expect_http 404     # a commit makes a table only with assert-create
expect_json "d['error']['type']" NoSuchTableException
http POST /iceberg/v1/namespaces/silver/tables/events -d '{"requirements":[{"type":"assert-never"}],"updates":[]}'
expect_http 400
http POST /iceberg/v1/namespaces/silver/tables/events -d '{"requirements":[],"updates":[{"action":"make-it-fast"}]}'
expect_http 400
http POST /iceberg/v1/namespaces/silver/tables/events -d '{"requirements":[],"updates":[{"action":"set-properties","updates":{"k":"v"}},{"action":"remove-properties","removals":["owner"]}]}'
expect_http 200
expect_json "d['metadata']['properties']" '{"k":"v"}'
contract CommitTableResponse
http POST "/iceberg/v1/namespaces/silver/tables/events/metrics" -d '{"report-type":"scan-report"}'
expect_http 204

# the branch made before the commit does not see the snapshot, until it is merged
http GET "/iceberg/v1/dev%2Ffeature/namespaces/silver/tables/events"
expect_http 200
expect_json "d['metadata']['current-snapshot-id']" -1 "d['metadata']['snapshots']" "[]"
contract LoadTableResult
http GET "/iceberg/dev%2Ffeature/v1/namespaces/silver/tables/events"
expect_json "d['metadata']['current-snapshot-id']" -1
run merge workspace/a --into dev/feature -w a
expect_rc 0
http GET "/iceberg/v1/dev%2Ffeature/namespaces/silver/tables/events"
expect_http 200
expect_json "d['metadata']['current-snapshot-id']" 11

# --- namespaces beyond the layers: made on the branch, with properties, holding tables
http POST /iceberg/v1/namespaces -d '{"namespace":["analytics"],"properties":{"owner":"bi","tier":"2"}}'
expect_http 200
expect_json "d" '{"namespace":["analytics"],"properties":{"owner":"bi","tier":"2"}}'
contract CreateNamespaceResponse
http POST /iceberg/v1/namespaces -d '{"namespace":["analytics"]}'
expect_http 409
expect_json "d['error']['type']" AlreadyExistsException
http POST /iceberg/v1/namespaces -d '{"namespace":["Analytics"]}'
expect_http 409     # a session folds case: names are unique ignoring it
expect_json "'ignoring case' in d['error']['message']" true
for bad in '["products"]' '["main"]' '["a","b"]' '["1st"]' '["a-b"]' '["../x"]' '[""]' '[]' '"x"' \
	"[\"$(printf 'n%.0s' $(seq 65))\"]"; do
	http POST /iceberg/v1/namespaces -d "{\"namespace\":$bad}"
	expect_http 400
done
http POST /iceberg/v1/namespaces -d '{"namespace":["staging"],"properties":{"n":1}}'
expect_http 400     # properties are strings
http GET /iceberg/v1/namespaces
expect_json "d['namespaces']" '[["bronze"],["silver"],["gold"],["analytics"]]'
contract ListNamespacesResponse
http GET "/iceberg/v1/namespaces?pageSize=3&pageToken=3"
expect_json "d['namespaces']" '[["analytics"]]' "d['next-page-token']" null
http GET "/iceberg/v1/namespaces?parent=analytics"
expect_json "d['namespaces']" '[]'
http GET "/iceberg/v1/namespaces?parent=nowhere"
expect_http 404
http GET /iceberg/v1/namespaces/analytics
expect_json "d['properties']" '{"owner":"bi","tier":"2"}'
contract GetNamespaceResponse
http HEAD /iceberg/v1/namespaces/analytics
expect_http 204
http GET "/iceberg/v1/namespaces/a%1Fb"
expect_http 400     # a multi-level namespace
http POST /iceberg/v1/namespaces/analytics/properties -d '{"removals":["owner","nope"],"updates":{"team":"data"}}'
expect_http 200
expect_json "d" '{"updated":["team"],"removed":["owner"],"missing":["nope"]}'
contract UpdateNamespacePropertiesResponse
http POST /iceberg/v1/namespaces/analytics/properties -d '{"removals":["team"],"updates":{"team":"x"}}'
expect_http 422
contract IcebergErrorResponse
http GET /iceberg/v1/namespaces/analytics
expect_json "d['properties']" '{"team":"data","tier":"2"}'
http POST /iceberg/v1/namespaces/gold/properties -d '{"updates":{"sla":"daily"}}'
expect_http 200     # a layer takes properties too
http GET /iceberg/v1/namespaces/gold
expect_json "d['properties']" '{"sla":"daily"}'
http POST /iceberg/v1/namespaces/nowhere/properties -d '{"updates":{"a":"b"}}'
expect_http 404
expect_json "d['error']['type']" NoSuchNamespaceException
http POST /iceberg/v1/namespaces/nowhere/tables -d "{\"name\":\"t\",\"schema\":$schema}"
expect_http 404
expect_json "d['error']['type']" NoSuchNamespaceException
# another workspace's token, a read-only one, a tag: no namespace is made
TOKEN="$tok_b" http POST "/iceberg/v1/workspace%2Fa/namespaces" -d '{"namespace":["intruder"]}'
expect_http 403
TOKEN="$tok_b" http GET "/iceberg/v1/workspace%2Fa/namespaces/analytics"
expect_http 403
TOKEN="$tok_b" http GET "/iceberg/v1/namespaces/analytics"
expect_http 404     # b's own branch has no such namespace
TOKEN="$tok_ro" http POST /iceberg/v1/namespaces -d '{"namespace":["intruder"]}'
expect_http 403
TOKEN="$tok_ro" http DELETE /iceberg/v1/namespaces/analytics
expect_http 403
# a table in it: rat sees it as analytics.orders, rows committed from outside included
http POST /iceberg/v1/namespaces/analytics/tables -d "{\"name\":\"orders\",\"schema\":$schema}"
expect_http 200
expect_json "d['metadata']['location']" "$WH/a/analytics/orders"
ns_uuid="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["metadata"]["table-uuid"])' "$T_DIR/out")"
"$RAT_TABLE_TOOL" write "$WH/a/analytics/orders" "select i::bigint as id, 'o' || i as msg from range(3) t(i)" \
	>/dev/null || fail "table_tool write"
ns_mlist="$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print(m["snapshots"][-1]["manifest-list"])' \
	"$WH/a/analytics/orders/metadata/v$(cat "$WH/a/analytics/orders/metadata/version-hint.text").metadata.json")"
http POST /iceberg/v1/namespaces/analytics/tables/orders -d "$(uuid="$ns_uuid" mlist="$ns_mlist" commit 21 null 1)"
expect_http 200
expect_eq "$(ws_csv a "select count(*), sum(id) from analytics.orders")" "3,3"
run tables -w a
expect_out "analytics.orders"
run diff main -w a
expect_out "+ analytics                        namespace"
expect_out "+ analytics.orders                 snapshot 21, 3 rows"
expect_out "~ gold                             namespace (its properties changed)"
run diff main -w a --json
expect_eq "$(python3 -c 'import json,sys; print(sorted(e["table"] for e in json.load(open(sys.argv[1])) if e["kind"] == "namespace"))' "$T_DIR/out")" "['analytics', 'gold']"
http GET /iceberg/v1/namespaces/analytics/tables
expect_json "d['identifiers']" '[{"namespace":["analytics"],"name":"orders"}]'
run write analytics.daily -w a --sql "select 42 as answer"
expect_rc 0         # rat writes into a namespace its branch holds
expect_eq "$(ws_csv a "select answer from analytics.daily")" "42"
run write nowhere.daily -w a --sql "select 1 as x"
expect_rc 1
expect_err "nowhere.daily: there is no namespace nowhere on"
run drop analytics.daily -w a
expect_rc 0
run query -w a "create table analytics.sneaky as select 1 as x"
expect_rc 1         # a session guards a namespace as it does a layer
run query -w a "drop view analytics.orders"
expect_rc 1
http DELETE /iceberg/v1/namespaces/analytics
expect_http 409
expect_json "d['error']['type']" NamespaceNotEmptyException "'analytics.orders' in d['error']['message']" true
contract IcebergErrorResponse
# versioned with the branch: a branch made before has it only once merged
http GET "/iceberg/v1/dev%2Ffeature/namespaces/analytics"
expect_http 404
http GET "/iceberg/v1/main/namespaces/analytics"
expect_http 404
run merge workspace/a --into dev/feature -w a
expect_rc 0
http GET "/iceberg/v1/dev%2Ffeature/namespaces/analytics"
expect_http 200
expect_json "d['properties']" '{"team":"data","tier":"2"}'
http GET "/iceberg/v1/dev%2Ffeature/namespaces/analytics/tables/orders"
expect_json "d['metadata']['current-snapshot-id']" 21
http DELETE /iceberg/v1/namespaces/analytics/tables/orders
expect_http 204
http DELETE /iceberg/v1/namespaces/analytics
expect_http 204
http GET /iceberg/v1/namespaces/analytics
expect_http 404
http DELETE /iceberg/v1/namespaces/analytics
expect_http 404
http DELETE /iceberg/v1/namespaces/silver
expect_http 409     # a layer stays
http GET "/iceberg/v1/dev%2Ffeature/namespaces/analytics"
expect_http 200     # the branch keeps it until the drop is merged

# --- Idempotency-Key: a retry gets the first answer, without running again
key=0190b7a2-4c1e-7d3a-9f00-0123456789ab
http POST /iceberg/v1/namespaces/bronze/tables -H "Idempotency-Key: $key" -d "{\"name\":\"once\",\"schema\":$schema}"
expect_http 200
first="$(cat "$T_DIR/out")"
head="$(ws_head a)"
http POST /iceberg/v1/namespaces/bronze/tables -H "Idempotency-Key: $key" -d "{\"name\":\"once\",\"schema\":$schema}"
expect_http 200     # not 409: the first answer, replayed
expect_eq "$(cat "$T_DIR/out")" "$first"
expect_eq "$(ws_head a)" "$head"
http POST /iceberg/v1/namespaces/bronze/tables/once -H "Idempotency-Key: $key" -d '{"requirements":[],"updates":[]}'
expect_http 400     # the key of another request
http POST /iceberg/v1/namespaces/bronze/tables/once -H "Idempotency-Key: not-a-uuid" -d '{"requirements":[],"updates":[]}'
expect_http 400
http DELETE /iceberg/v1/namespaces/bronze/tables/once -H "Idempotency-Key: 0190b7a2-4c1e-7d3a-9f00-0123456789ac"
expect_http 204
http DELETE /iceberg/v1/namespaces/bronze/tables/once -H "Idempotency-Key: 0190b7a2-4c1e-7d3a-9f00-0123456789ac"
expect_http 204     # replayed; without the key it would be 404
http DELETE /iceberg/v1/namespaces/bronze/tables/once
expect_http 404

# --- rename, register, drop, transactions
http POST /iceberg/v1/tables/rename -d '{"source":{"namespace":["silver"],"name":"events"},"destination":{"namespace":["gold"],"name":"events"}}'
expect_http 204
expect_eq "$(ws_csv a "select count(*) from gold.events")" "5"
http GET /iceberg/v1/namespaces/silver/tables/events
expect_http 404
http GET /iceberg/v1/namespaces/gold/tables/events
loc="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["metadata-location"])' "$T_DIR/out")"
http POST /iceberg/v1/namespaces/silver/register -d "{\"name\":\"again\",\"metadata-location\":\"$loc\"}"
expect_http 200
expect_json "d['metadata']['current-snapshot-id']" 11
contract LoadTableResult
http POST /iceberg/v1/namespaces/silver/register -d "{\"name\":\"again\",\"metadata-location\":\"$loc\"}"
expect_http 409
http POST /iceberg/v1/namespaces/silver/register -d '{"name":"stolen","metadata-location":"/etc/passwd"}'
expect_http 403
http POST /iceberg/v1/namespaces/silver/tables -d "{\"name\":\"elsewhere\",\"location\":\"/tmp/elsewhere\",\"schema\":$schema}"
expect_http 403
http POST /iceberg/v1/namespaces/silver/tables -d "{\"name\":\"sneaky\",\"location\":\"$WH/a/../b/silver/x\",\"schema\":$schema}"
expect_http 403
head="$(ws_head a)"
# a transaction: both tables, or neither
http POST /iceberg/v1/transactions/commit -d '{"table-changes":[{"identifier":{"namespace":["silver"],"name":"again"},"requirements":[],"updates":[{"action":"set-properties","updates":{"t":"1"}}]},{"identifier":{"namespace":["gold"],"name":"events"},"requirements":[{"type":"assert-current-schema-id","current-schema-id":5}],"updates":[{"action":"set-properties","updates":{"t":"1"}}]}]}'
expect_http 409
expect_eq "$(ws_head a)" "$head"
http POST /iceberg/v1/transactions/commit -d '{"table-changes":[{"identifier":{"namespace":["silver"],"name":"again"},"requirements":[],"updates":[{"action":"set-properties","updates":{"t":"1"}}]},{"identifier":{"namespace":["gold"],"name":"events"},"requirements":[{"type":"assert-current-schema-id","current-schema-id":0}],"updates":[{"action":"set-properties","updates":{"t":"2"}}]}]}'
expect_http 204
run log -w a -n 1
expect_out "commit 2 tables"
http POST /iceberg/v1/transactions/commit -d '{"table-changes":[{"identifier":{"namespace":["gold"],"name":"events"},"requirements":[],"updates":[]},{"identifier":{"namespace":["gold"],"name":"events"},"requirements":[],"updates":[]}]}'
expect_http 400     # one table twice in one transaction
expect_json "'changed twice' in d['error']['message']" true
http POST /iceberg/v1/namespaces/silver/register -d '{"name":"nowhere"}'
expect_http 400
http GET /iceberg/v1/namespaces/gold/tables/events
expect_json "d['metadata']['properties']['t']" 2
http DELETE /iceberg/v1/namespaces/silver/tables/again
expect_http 204
http DELETE "/iceberg/v1/namespaces/silver/tables/again?purgeRequested=true"
expect_http 404

# --- views: create, list, load, replace (a new version), rename, drop
vschema='{"type":"struct","schema-id":0,"fields":[{"id":1,"name":"answer","type":"int","required":false}]}'
version() { # SQL DIALECT
	printf '{"version-id":1,"timestamp-ms":1700000000000,"schema-id":0,"summary":{"engine-name":"test"},"default-namespace":["gold"],"representations":[{"type":"sql","sql":"%s","dialect":"%s"}]}' "$1" "$2"
}
http POST /iceberg/v1/namespaces/gold/views -d "{\"name\":\"v1\",\"schema\":$vschema,\"view-version\":$(version 'select 1 as answer' spark),\"properties\":{\"comment\":\"made by spark\"}}"
expect_http 200
contract LoadViewResult
expect_json "d['metadata']['current-version-id']" 1 "d['metadata']['location']" "$WH/a/gold/v1" \
	"d['metadata']['properties']['comment']" "made by spark" "len(d['metadata']['version-log'])" 1
vuuid="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["metadata"]["view-uuid"])' "$T_DIR/out")"
http POST /iceberg/v1/namespaces/gold/views -d "{\"name\":\"v1\",\"schema\":$vschema,\"view-version\":$(version 'select 1' spark),\"properties\":{}}"
expect_http 409
http GET /iceberg/v1/namespaces/gold/views
expect_json "d['identifiers']" '[{"namespace":["gold"],"name":"v1"}]'
contract ListTablesResponse
http GET /iceberg/v1/namespaces/gold/tables
expect_json "[t['name'] for t in d['identifiers']]" '["events"]'
http HEAD /iceberg/v1/namespaces/gold/views/v1
expect_http 204
http GET /iceberg/v1/namespaces/gold/tables/v1
expect_http 404
http GET /iceberg/v1/namespaces/gold/views/events
expect_http 404
expect_json "d['error']['type']" NoSuchViewException
# a view in Spark's dialect: rat lists it as a view, with its columns; a query on it says why it cannot
run tables -w a
expect_rc 0
expect_out "gold.v1                                (view)"
run describe gold.v1 -w a --json
expect_json "d['kind']" view "d['columns']" '[{"name":"answer","type":"int"}]' "d['error']" null
run query -w a "select * from gold.v1"
expect_rc 1
expect_err "has no DuckDB SQL for its current version 1 (another engine made it"
# a new version, in DuckDB's dialect: rat query reads the view
http POST /iceberg/v1/namespaces/gold/views/v1 -d "{\"requirements\":[{\"type\":\"assert-view-uuid\",\"uuid\":\"$vuuid\"}],\"updates\":[{\"action\":\"add-view-version\",\"view-version\":$(version 'select 42 as answer' duckdb)},{\"action\":\"set-current-view-version\",\"view-version-id\":-1}]}"
expect_http 200
contract LoadViewResult
expect_json "d['metadata']['current-version-id']" 2 "len(d['metadata']['version-log'])" 2
expect_eq "$(ws_csv a "select answer from gold.v1")" "42"
http POST /iceberg/v1/namespaces/gold/views/v1 -d '{"requirements":[{"type":"assert-view-uuid","uuid":"00000000-0000-4000-8000-000000000000"}],"updates":[]}'
expect_http 409
http POST /iceberg/v1/namespaces/gold/views/v1 -d '{"requirements":[],"updates":[{"action":"add-snapshot"}]}'
expect_http 400
http POST /iceberg/v1/views/rename -d '{"source":{"namespace":["gold"],"name":"v1"},"destination":{"namespace":["silver"],"name":"v2"}}'
expect_http 204
http GET /iceberg/v1/namespaces/silver/views/v2
expect_http 200
expect_json "d['metadata']['current-version-id']" 2
http DELETE /iceberg/v1/namespaces/silver/views/v2
expect_http 204
http GET /iceberg/v1/namespaces/silver/views/v2
expect_http 404

# --- another workspace's token, a read-only token, a tag, a revoked token
TOKEN="$tok_b"
# a's Idempotency-Key does not replay a's answer to b
http POST /iceberg/v1/namespaces/bronze/tables -H "Idempotency-Key: $key" -d "{\"name\":\"once\",\"schema\":$schema}"
expect_http 200
expect_json "d['metadata']['location']" "$WH/b/bronze/once"
http GET "/iceberg/v1/-|a/namespaces/gold/tables/events"
expect_http 403
http GET "/iceberg/v1/workspace%2Fa/namespaces/gold/tables/events"
expect_http 403
http GET /iceberg/v1/namespaces/gold/tables/events
expect_http 404     # b's own branch has no such table
http POST "/iceberg/v1/workspace%2Fa/namespaces/gold/tables/events" -d '{"requirements":[],"updates":[]}'
expect_http 403
http DELETE "/iceberg/v1/workspace%2Fa/namespaces/gold/tables/events"
expect_http 403
http POST "/iceberg/v1/workspace%2Fa/namespaces/silver/register" -d "{\"name\":\"mine\",\"metadata-location\":\"$loc\"}"
expect_http 403
TOKEN="$tok_ro"
http GET /iceberg/v1/namespaces/gold/tables/events
expect_http 200
http POST /iceberg/v1/namespaces/gold/tables/events -d '{"requirements":[],"updates":[]}'
expect_http 403
TOKEN="$tok_a"
# tags and commit hashes are read-only; they read
run tag create v1 -w a
expect_rc 0
http POST "/iceberg/v1/v1/namespaces/gold/tables/events" -d '{"requirements":[],"updates":[{"action":"set-properties","updates":{"x":"y"}}]}'
expect_http 403
expect_json "'tag' in d['error']['message']" true
http DELETE "/iceberg/v1/v1/namespaces/gold/tables/events"
expect_http 403
http GET "/iceberg/v1/v1/namespaces/gold/tables/events"
expect_http 200
http POST "/iceberg/v1/$(ws_head a)/namespaces/gold/tables/events" -d '{"requirements":[],"updates":[{"action":"set-properties","updates":{"x":"y"}}]}'
expect_http 403
expect_json "'commit hash' in d['error']['message']" true
http GET "/iceberg/v1/$(ws_head a)/namespaces/gold/tables/events"
expect_http 200
run token list -w a --json
id_a="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["id"])' "$T_DIR/out")"
run token revoke "$id_a" -w a
http GET /iceberg/v1/namespaces
expect_http 401
expect_json "'revoked' in d['error']['message']" true
run token create -w a
TOKEN="$(cat "$T_DIR/out")"
cp "$T_DIR/out" "$T_DIR/tok_w"

# --- OAuth2 client credentials: client id = workspace, secret = token
TOKEN="" http POST /iceberg/v1/oauth/tokens -d "grant_type=client_credentials&client_id=a&client_secret=$tok_ro"
expect_http 200
expect_json "d['access_token']" "$tok_ro" "d['token_type']" bearer
contract OAuthTokenResponse
TOKEN="" http POST /iceberg/v1/oauth/tokens -d "grant_type=client_credentials&client_id=b&client_secret=$tok_ro"
expect_http 401
TOKEN="" http POST /iceberg/v1/oauth/tokens -d "grant_type=password&username=a"
expect_http 400
contract OAuthError

# --- bad requests: 4xx, never a crash
http POST /iceberg/v1/namespaces/gold/tables -d '{"name":'
expect_http 400
http POST /iceberg/v1/namespaces/gold/tables -d '[1,2]'
expect_http 400
http GET "/iceberg/v1/namespaces/gold/tables/..%2F..%2Fetc"
expect_http 400
http GET "/iceberg/v1/namespaces/..%2Fgold/tables/x"
expect_http 404
http GET "/iceberg/v1/namespaces/gold/tables/a%00b"
expect_http 400
http GET "/iceberg/v1/namespaces/gold/tables/$(printf 'x%.0s' $(seq 300))"
expect_http 400
http GET "/iceberg/v1/namespaces/gold/tables/$(printf 'x%.0s' $(seq 9000))"
expect_http 414
http GET "/iceberg/v1/namespaces/gold/tables/%zz"
expect_http 400
http PUT /iceberg/v1/namespaces/gold/tables/events
expect_http 405
http GET /nothing/here
expect_http 404
head -c $((10 * 1024 * 1024)) /dev/zero | tr '\0' 'x' > "$T_DIR/big"
http POST /iceberg/v1/namespaces/gold/tables/events --data-binary @"$T_DIR/big"
expect_http 413
contract IcebergErrorResponse
http GET /health
expect_http 200

# --- Idempotency-Key after a restart: the memory is gone, the catalog knows
# which requests committed (each commit is marked with its request's key) and
# answers their retries as the first attempts were answered, running nothing
TOKEN="$(cat "$T_DIR/tok_w")"
idem() { printf '0190b7a2-4c1e-7d3a-9f00-%012d' "$1"; }
keyed() { # N METHOD PATH [BODY]: the request with key N; it and its answer kept in req-N, first-N
	local n="$1"
	printf '%s\n' "$2" "$3" "${4:-}" >"$T_DIR/req-$n"
	http "$2" "$3" -H "Idempotency-Key: $(idem "$n")" ${4:+-d "$4"}
	echo "$HTTP" >"$T_DIR/first-$n"
	cat "$T_DIR/out" >>"$T_DIR/first-$n"
}
keyed 1 POST /iceberg/v1/namespaces '{"namespace":["idem"],"properties":{"p":"1","q":"2"}}'
expect_http 200
keyed 2 POST /iceberg/v1/namespaces/idem/properties '{"removals":["q","zz"],"updates":{"r":"3"}}'
expect_json "d['removed']" '["q"]' "d['missing']" '["zz"]'
keyed 3 POST /iceberg/v1/namespaces/idem/tables "{\"name\":\"t1\",\"schema\":$schema}"
expect_http 200
iuuid="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["metadata"]["table-uuid"])' "$T_DIR/out")"
keyed 4 POST /iceberg/v1/namespaces/idem/tables/t1 "{\"requirements\":[{\"type\":\"assert-table-uuid\",\"uuid\":\"$iuuid\"},{\"type\":\"assert-last-assigned-field-id\",\"last-assigned-field-id\":2}],\"updates\":[{\"action\":\"add-schema\",\"schema\":{\"type\":\"struct\",\"schema-id\":1,\"fields\":[{\"id\":1,\"name\":\"id\",\"type\":\"long\",\"required\":false},{\"id\":2,\"name\":\"msg\",\"type\":\"string\",\"required\":false},{\"id\":3,\"name\":\"n\",\"type\":\"int\",\"required\":false}]},\"last-column-id\":3},{\"action\":\"set-current-schema\",\"schema-id\":-1}]}"
expect_http 200
keyed 5 POST /iceberg/v1/namespaces/idem/views "{\"name\":\"v\",\"schema\":$vschema,\"view-version\":$(version 'select 1 as answer' duckdb),\"properties\":{}}"
expect_http 200
keyed 6 POST /iceberg/v1/tables/rename '{"source":{"namespace":["idem"],"name":"t1"},"destination":{"namespace":["idem"],"name":"t2"}}'
expect_http 204
keyed 7 DELETE /iceberg/v1/namespaces/idem/views/v
expect_http 204
keyed 8 DELETE /iceberg/v1/namespaces/idem/tables/t2
expect_http 204
keyed 9 DELETE /iceberg/v1/namespaces/idem
expect_http 204
head="$(ws_head a)"
serve_stop
serve_start
for n in 1 2 3 4 5 6 7 8 9; do
	method="$(sed -n 1p "$T_DIR/req-$n")" path="$(sed -n 2p "$T_DIR/req-$n")"
	body="$(sed -n 3p "$T_DIR/req-$n")"
	http "$method" "$path" -H "Idempotency-Key: $(idem "$n")" ${body:+-d "$body"}
	# the first answer, not a 409 or 404 from running again on what it did
	expect_eq "$HTTP" "$(head -1 "$T_DIR/first-$n")"
	T_CHECKS=$((T_CHECKS + 1))
	/usr/bin/python3 -c '
import json, sys
first = open(sys.argv[1]).read().split("\n", 1)[1]
again = open(sys.argv[2]).read()
if (json.loads(first) if first else None) != (json.loads(again) if again else None):
    sys.exit("request %s: the replay differs from the first answer:\n%s\n%s" % (sys.argv[3], first, again))
' "$T_DIR/first-$n" "$T_DIR/out" "$n" || fail "replay $n"
	case $n in 2) contract UpdateNamespacePropertiesResponse ;; 3) contract LoadTableResult ;;
		4) contract CommitTableResponse ;; 5) contract LoadViewResult ;; esac
done
expect_eq "$(ws_head a)" "$head"   # nothing ran again
# the same key on another request is refused (the retries put the keys back in memory)
http POST /iceberg/v1/namespaces/idem/tables -H "Idempotency-Key: $(idem 1)" -d "{\"name\":\"t1\",\"schema\":$schema}"
expect_http 400
# another workspace's retry with a's key runs as its own request
TOKEN="$tok_b"
http POST /iceberg/v1/namespaces -H "Idempotency-Key: $(idem 1)" -d '{"namespace":["idem"],"properties":{"p":"1","q":"2"}}'
expect_http 200
http GET /iceberg/v1/namespaces/idem
expect_json "d['properties']" '{"p":"1","q":"2"}'
http DELETE /iceberg/v1/namespaces/idem
expect_http 204
TOKEN="$(cat "$T_DIR/tok_w")"

# --- every body kept above validates against the Iceberg REST spec
T_CHECKS=$((T_CHECKS + $(ls "$T_DIR/contract" | wc -l)))
/usr/bin/python3 "$RAT_SOURCE_DIR/tests/support/iceberg_contract.py" \
	"$RAT_SHARED_DIR/specs/iceberg-rest/rest-catalog-open-api.yaml" "$T_DIR/contract" >"$T_DIR/contract.log" 2>&1 ||
	fail "bodies that break the spec: $(cat "$T_DIR/contract.log")"

# --- a catalog restored while the server runs: what it serves is the restored state
TOKEN="$tok_ro"
http GET /iceberg/v1/namespaces/gold/tables/events
expect_http 200
run catalog backup -w a "$T_DIR/before.db"
expect_rc 0
TOKEN="$(cat "$T_DIR/tok_w")"
http POST /iceberg/v1/namespaces/bronze/tables -d "{\"name\":\"after_backup\",\"schema\":$schema}"
expect_http 200
run catalog restore "$T_DIR/before.db" -w a
expect_rc 0
http GET /iceberg/v1/namespaces/bronze/tables/after_backup
expect_http 404
http GET /iceberg/v1/namespaces/gold/tables/events
expect_http 200

# --- a workspace made while the server runs is served, without a restart
ws_init c
run token create -w c
TOKEN="$(cat "$T_DIR/out")"
sleep 1.1   # the folders are looked at again at most once a second
http GET /iceberg/v1/namespaces/silver/tables
expect_http 200
expect_json "d['identifiers']" "[]"
T_CHECKS=$((T_CHECKS + 1))
grep -q "now serving workspace c" "$T_DIR/serve.log" || fail "the log does not say c is served"

# --- the log names no secret; SIGTERM stops it cleanly
T_CHECKS=$((T_CHECKS + 2))
! grep -q "${tok_ro##*_}" "$T_DIR/serve.log" || fail "the access log holds a token's secret"
grep -q 'GET /iceberg/v1/namespaces/gold/tables/events 200' "$T_DIR/serve.log" || fail "no access log line"
serve_stop
expect_eq "$SERVE_RC" 0
