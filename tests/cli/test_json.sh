#!/usr/bin/env bash
# tests/cli/test_json.sh - every command that prints data prints JSON with
# --format json (or --json) in the shape docs/cli.md documents: parsed, and
# its values asserted (issue 14, item 13). Also CSV's line ends: CRLF (RFC
# 4180) by default, LF with --lf, a CR inside a value kept either way.
source "$RAT_SOURCE_DIR/tests/cli/lib.sh"
export RAT_NOW="2024-04-01 10:00:00"

run init shop --description "The shop"
expect_rc 0
ws="$RAT_WORKSPACES/shop"
p="$ws/pipelines"
cat > "$p/silver/orders.sql" <<'SQL'
-- @description: every order, one row each
-- @owner: sales-team
-- @materialized: incremental
-- @unique_key: id, region
-- @partition_by: day(ts)
SELECT i AS id, 'eu' AS region, TIMESTAMP '2024-03-01 10:00:00' + INTERVAL (i) DAY AS ts,
       i * 10 AS "order total"
FROM range(1, 4) t(i)
SQL
cat > "$p/gold/biggest.sql" <<'SQL'
-- @materialized: view
SELECT id, "order total" FROM {{ ref('silver.orders') }} ORDER BY 2 DESC LIMIT 1
SQL

# list: the pipelines in build order
run list -w shop --json
expect_rc 0
expect_json 'len(d)' 2 \
	'd[0]["pipeline"]' silver.orders \
	'd[0]["unique_key"]' '["id","region"]' \
	'd[0]["partition_by"]' '["day(ts)"]' \
	'd[0]["owner"]' sales-team \
	'd[0]["landing"]' null \
	'd[1]["depends_on"]' '["silver.orders"]' \
	'd[1]["materialized"]' view

# run and runs: the record; times as ISO-8601 UTC and milliseconds
run run -w shop --json
expect_rc 0
expect_json 'd["status"]' success \
	'd["started_at"]' "2024-04-01T10:00:00.000Z" \
	'd["started_ms"]' 1711965600000 \
	'[s["pipeline"] for s in d["steps"]]' '["silver.orders","gold.biggest"]' \
	'd["steps"][0]["rows_out"]' 3 \
	'd["steps"][0]["error"]' null
run_id="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$T_DIR/out")"
run runs -w shop --json
expect_rc 0
expect_json 'len(d)' 1 \
	'd[0]["id"]' "$run_id" \
	'd[0]["steps"][1]["operation"]' view
run runs show "$run_id" -w shop -o json
expect_rc 0
expect_json 'd["id"]' "$run_id"

# tables and describe: one shape; a column name with a space, a view's columns
run tables -w shop --json
expect_rc 0
expect_json '[t["table"] for t in d]' '["gold.biggest","silver.orders"]' \
	'd[1]["rows"]' 3 \
	'd[1]["data_files"]' 3 \
	'd[1]["partition_by"]' '["day(ts)"]' \
	'd[1]["updated_at"]' "2024-04-01T10:00:00.000Z" \
	'd[0]["kind"]' view \
	'd[0]["rows"]' null
run describe silver.orders -w shop --format json
expect_rc 0
expect_json 'd["columns"][3]' '{"name":"order total","type":"BIGINT"}' \
	'd["columns"][2]["type"]' "TIMESTAMP" \
	'd["sql"]' null \
	'isinstance(d["snapshot_id"], int) and isinstance(d["bytes"], int) and d["bytes"] > 0' true
run describe gold.biggest -w shop --json
expect_rc 0
expect_json 'd["columns"]' '[{"name":"id","type":"long"},{"name":"order total","type":"long"}]' \
	'"ORDER BY 2 DESC" in d["sql"]' true

# history: snapshots, newest first
run history silver.orders -w shop --json
expect_rc 0
expect_json 'len(d)' 1 \
	'd[0]["added_rows"]' 3 \
	'd[0]["parent_id"]' null \
	'd[0]["committed_at"]' "2024-04-01T10:00:00.000Z"

# log, branch, tag, dev, diff
run log -w shop --json -n 1
expect_rc 0
expect_json 'len(d)' 1 \
	'd[0]["message"].startswith("run ")' true \
	'len(d[0]["hash"])' 64
head="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["hash"])' "$T_DIR/out")"
run log silver.orders -w shop --json
expect_rc 0
expect_json '[c["hash"] for c in d]' "[\"$head\"]"
run branch -w shop --json
expect_rc 0
expect_json '[(b["name"], b["current"]) for b in d]' '[["main",false],["workspace/shop",true]]' \
	'd[1]["hash"]' "$head"
run tag create v1 -w shop
expect_rc 0
run tag list -w shop --json
expect_rc 0
expect_json 'd' "[{\"name\":\"v1\",\"hash\":\"$head\"}]"
run tag create v2 -w shop --json
expect_rc 2
expect_err "rat tag: --format goes with list"
run dev start exp -w shop
expect_rc 0
run dev list -w shop --json
expect_rc 0
expect_json 'd' "[{\"name\":\"exp\",\"branch\":\"dev/shop/exp\",\"hash\":\"$head\"}]"
run diff main -w shop --json
expect_rc 0
expect_json '[(e["table"], e["change"], e["kind"]) for e in d]' '[["gold.biggest","added","view"],["silver.orders","added","table"]]' \
	'd[1]["before"]' null \
	'd[1]["after"]["rows"]' 3
run dev diff exp -w shop --json
expect_rc 0
expect_json 'd' '[]'

# workspace list and show
run workspace list --json
expect_rc 0
expect_json 'd' "[{\"name\":\"shop\",\"branch\":\"workspace/shop\",\"path\":\"$ws\"}]"
run workspace show -w shop --json
expect_rc 0
expect_json 'd["description"]' "The shop" \
	'd["resources"]["profile"]' small \
	'd["resources"]["engine_memory_mb"]' 4096 \
	'd["resources"]["machine_memory_mb"] > 0' true \
	'd["resources"]["overridden"]' '[]' \
	'[(l["layer"], l["retention_days"], l["pipelines"]) for l in d["layers"]]' \
	'[["bronze",90,[]],["silver",365,["orders"]],["gold",null,["biggest"]]]'

# products: list, versions, status
sed -i '/^products:/,$d' "$ws/workspace.yaml"
cat >> "$ws/workspace.yaml" <<'YAML'
products:
  - name: orders
    source: silver.orders
    description: "Every order"
    sla:
      freshness_hours: 24
    access:
      - workspace: "audit-*"
        level: read
YAML
run products publish orders -w shop --changelog "first"
expect_rc 0
run products list -w shop --json
expect_rc 0
expect_json 'd[0]["product"]' shop/orders \
	'd[0]["latest_version"]' 1.0.0 \
	'd[0]["access"]' admin \
	'd[0]["rules"]' '[{"pattern":"audit-*","level":"read"}]' \
	'd[0]["sla_hours"]' 24 \
	'd[0]["versions"][0]["rows"]' 3 \
	'd[0]["versions"][0]["changelog"]' first \
	'd[0]["versions"][0]["columns"][3]' '{"name":"order total","type":"BIGINT"}'
run products versions orders -w shop -o json
expect_rc 0
expect_json '[v["version"] for v in d[0]["versions"]]' '["1.0.0"]'
# (status measures the age from the workspace's now, RAT_NOW here: published just now)
run products status -w shop --json
expect_rc 0
expect_json '[(s["product"], s["latest_version"], s["status"], s["sla_hours"], s["age_hours"]) for s in d]' \
	'[["shop/orders","1.0.0","ok",24,0]]'
RAT_NOW="2024-04-03 10:00:00" run products status -w shop --json
expect_rc 1
expect_json '[(s["status"], s["age_hours"]) for s in d]' '[["late",48]]'
run products grant orders "x" -w shop --json
expect_rc 2
expect_err "--format goes with list, versions and status"

# retention and vacuum
run retention apply -w shop --dry-run --json
expect_rc 0
expect_json 'd["dry_run"]' true \
	'd["commit"]' null \
	'[(t["table"], t["retention_days"], t["rows_deleted"]) for t in d["tables"]]' \
	'[["gold.biggest",null,0],["silver.orders",365,0]]'
expect_json 'd["tables"][1]["cutoff_at"]' "2023-04-02T10:00:00Z"
run vacuum -w shop --dry-run --json -o 0
expect_rc 0
expect_err "'rat vacuum -o 0' is now '--older-than 0'"
expect_json 'd["older_than_ms"]' 0 \
	'd["dry_run"]' true \
	'd["files_deleted"] == len(d["files"])' true
run vacuum -w shop --dry-run -o json
expect_rc 0
expect_eq "$(cat "$T_DIR/err")" ""
expect_json 'd["older_than_ms"]' null

# docs check
run docs check -w shop --json
expect_rc 1
expect_json 'd["pipelines"]' 2 \
	'd["failures"] == len([f for f in d["findings"] if f["status"] == "fail"])' true \
	'[f["status"] for f in d["findings"] if f["subject"] == "silver.orders" and f["rule"] == "owner"]' '["pass"]'

# preview and query; CSV line ends
run preview silver.orders -w shop --json -n 2
expect_rc 0
expect_json '[r["id"] for r in d]' '[1,2]'
run query -w shop --format csv "SELECT 1 AS a, 'x' || chr(13) || 'y' AS b"
expect_rc 0
expect_eq "$(od -An -c "$T_DIR/out" | tr -s ' ' | tr -d '\n')" ' a , b \r \n 1 , " x \r y " \r \n'
run query -w shop --format csv --lf "SELECT 1 AS a, 'x' || chr(13) || 'y' AS b"
expect_rc 0
expect_eq "$(od -An -c "$T_DIR/out" | tr -s ' ' | tr -d '\n')" ' a , b \n 1 , " x \r y " \n'
run query --help
expect_out "CRLF"
expect_out "--lf"

# bytes that are not UTF-8 (a folder named in Latin-1) still give a document that parses
latin="$T_DIR/caf"$'\xe9'
mkdir -p "$latin"
RAT_WORKSPACES="$latin" run init x
expect_rc 0
RAT_WORKSPACES="$latin" run workspace list --json
expect_rc 0
expect_json 'd[0]["path"].endswith("/caf\ufffd/x")' true \
	'd[0]["name"]' x

# a command that takes no --format says so
run init other --json
expect_rc 2
expect_err "unknown option '--json'"
