#!/usr/bin/env bash
# tests/cli/test_serve_landing_s3.sh - a landing on an S3 prefix (moto_server):
# - `rat run` ingests each object once: new ones read, ingested ones not
#   again, hidden keys and folder markers never; an object rewritten after
#   it was ingested is a warning, --reingest reads it again; the folder the
#   objects are read from keeps only what is pending, and holds no link; a prefix outside the
#   workspace's storage, and an S3 that does not answer, fail naming the
#   landing or what could not be read, and publish nothing;
# - under `rat serve`, a landing trigger on the prefix (the original's
#   s3_sensor form, bucket: and path:) sees 500 objects put in 10 bursts
#   while it lists, and its runs ingest every one exactly once.
. "$(dirname "$0")/lib.sh"
unset S3_ENDPOINT S3_ACCESS_KEY S3_SECRET_KEY S3_REGION RAT_NOW

bash "$RAT_SOURCE_DIR/tests/support/s3_server.sh" moto "$T_DIR/moto" lake $$ || fail "moto_server did not start"
t_cleanup() { serve_stop; kill -- -"$(cat "$T_DIR/moto/pid")" 2>/dev/null || true; }
S3="http://127.0.0.1:$(cat "$T_DIR/moto/port")"
export ICEBERG_WAREHOUSE=s3://lake/warehouse S3_ENDPOINT="$S3" S3_ACCESS_KEY=test S3_SECRET_KEY=test \
	S3_REGION=us-east-1
PREFIX=warehouse/a/landing/sales
# s3 put KEY TEXT | s3 delete KEY | s3 burst PREFIX FIRST COUNT: objects in the bucket
s3() {
	python3 - "$S3" "$@" <<'PY'
import sys, boto3
s3 = boto3.client("s3", endpoint_url=sys.argv[1], aws_access_key_id="test",
                  aws_secret_access_key="test", region_name="us-east-1")
what = sys.argv[2]
if what == "put":
    s3.put_object(Bucket="lake", Key=sys.argv[3], Body=sys.argv[4].encode())
elif what == "delete":
    s3.delete_object(Bucket="lake", Key=sys.argv[3])
else:
    prefix, first, count = sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    for no in range(first, first + count):
        body = "file_no,row_no\n" + "".join("%d,%d\n" % (no, r) for r in range(3))
        s3.put_object(Bucket="lake", Key="%s/%s/f%04d.csv" % (prefix, "d%d" % (no % 3), no),
                      Body=body.encode())
PY
}

ws_init a
cat >"$p/bronze/sales.sql" <<SQL
-- @materialized: incremental
-- @landing: s3://lake/$PREFIX/
SELECT id, amount FROM read_csv({{ landing_files }}, header = true)
SQL
s3 put "$PREFIX/a.csv" $'id,amount\n1,10\n2,20\n'
s3 put "$PREFIX/2026/b.csv" $'id,amount\n3,30\n'
s3 put "$PREFIX/.hidden.csv" $'id,amount\n99,99\n'
s3 put "$PREFIX/empty/" ''
run list -w a
expect_out "bronze.sales                 sql      incremental      0 s3://lake/$PREFIX"
run run -w a
expect_rc 0
expect_eq "$(ws_csv a "SELECT count(*), sum(amount) FROM bronze.sales")" "3,60"
# a second object, and one again as it was: only the new one is read
s3 put "$PREFIX/c.csv" $'id,amount\n4,40\n'
run run -w a
expect_rc 0
expect_eq "$(ws_csv a "SELECT count(*), sum(amount) FROM bronze.sales")" "4,100"
mirror="$ws/landing/.s3/lake/$PREFIX"
run run -w a
expect_rc 0
expect_out "no new files"
# what was ingested does not stay in the folder it was read from
expect_eq "$(find "$mirror" -type f | wc -l)" 0
# rewritten after it was ingested: said, not read again, unless asked
sleep 1.1 # S3 times are whole seconds
s3 put "$PREFIX/a.csv" $'id,amount\n1,11\n2,22\n'
run run -w a
expect_rc 0
expect_out "landing/.s3/lake/$PREFIX/a.csv changed after it was ingested"
expect_eq "$(ws_csv a "SELECT count(*), sum(amount) FROM bronze.sales")" "4,100"
run run -w a --reingest "landing/.s3/lake/$PREFIX/a.csv"
expect_rc 0
expect_eq "$(ws_csv a "SELECT count(*), sum(amount) FROM bronze.sales")" "6,133"
# an object deleted from the bucket is gone from the folder too
s3 delete "$PREFIX/c.csv"
s3 put "$PREFIX/d.csv" $'id,amount\n5,50\n'
run run -w a
expect_rc 0
expect_eq "$(ws_csv a "SELECT count(*), sum(amount) FROM bronze.sales")" "7,183"
[ ! -e "$mirror/c.csv" ] || fail "c.csv, deleted from the bucket, is still in $mirror"
before="$(ws_csv a "SELECT count(*) FROM bronze.sales")"

# a symbolic link in the folder objects are brought into: refused (downloads would go elsewhere)
mkdir -p "$T_DIR/elsewhere"
ln -s "$T_DIR/elsewhere" "$mirror/2027"
s3 put "$PREFIX/2027/x.csv" $'id,amount\n8,80\n'
run run -w a
expect_rc 1
expect_err "$mirror/2027 is a symbolic link"
expect_eq "$(find "$T_DIR/elsewhere" -type f | wc -l)" 0
rm "$mirror/2027"
s3 delete "$PREFIX/2027/x.csv"
expect_eq "$(ws_csv a "SELECT count(*) FROM bronze.sales")" "$before"

# another workspace's prefix: refused, naming it
cat >"$p/bronze/other.sql" <<'SQL'
-- @landing: s3://lake/warehouse/b/landing/sales
SELECT * FROM read_csv({{ landing_files }})
SQL
run run -w a bronze.other
expect_rc 1
expect_err "landing s3://lake/warehouse/b/landing/sales is not in workspace 'a''s storage (s3://lake/warehouse/a/...)"
rm "$p/bronze/other.sql"
# S3 down: the run fails naming what it could not read and where, and publishes nothing
s3 put "$PREFIX/e.csv" $'id,amount\n6,60\n'
dead="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
S3_ENDPOINT="http://127.0.0.1:$dead" run run -w a bronze.sales
expect_rc 1
expect_err "Couldn't connect to server (http://127.0.0.1:$dead)"
expect_eq "$(ws_csv a "SELECT count(*) FROM bronze.sales")" "$before"

# -- under rat serve: 500 objects in bursts, each ingested once
ws_init b
BURSTS=10 PER_BURST=50 INTERVAL=5
BPREFIX=warehouse/b/landing/drops
cat >"$p/bronze/drops.sql" <<'SQL'
SELECT file_no, row_no, filename FROM read_csv({{ landing_files }}, header = true, filename = true)
SQL
cat >"$p/bronze/drops.yaml" <<YAML
landing: s3://lake/$BPREFIX/
materialized: incremental
triggers:
  - type: s3_sensor
    bucket: lake
    path: $BPREFIX/
    pattern: "*.csv"
    interval: ${INTERVAL}s
YAML
run triggers -w b
expect_out "s3://lake/$BPREFIX/*.csv, every 5s"
count_rows() { ws_csv b "SELECT count(*) FROM bronze.drops" 2>/dev/null || echo 0; }
all_in() { [ "$(count_rows)" = "$((BURSTS * PER_BURST * 3))" ]; }
serve_start
for i in $(seq 0 $((BURSTS - 1))); do
	s3 burst "$BPREFIX" $((i * PER_BURST)) "$PER_BURST"
	sleep "$(python3 -c "import random; print(round(random.uniform(0.5, $((INTERVAL + 2))), 1))")"
done
wait_for 180 all_in || fail "not every object was ingested: $(count_rows) rows; $(tail -20 "$T_DIR/serve.log")"
serve_stop
expect_eq "$SERVE_RC" 0
run query -w b --json "SELECT count(*) AS files, min(n) AS lo, max(n) AS hi FROM (SELECT file_no, count(*) AS n FROM bronze.drops GROUP BY file_no)"
expect_json 'd[0]["files"]' $((BURSTS * PER_BURST)) 'd[0]["lo"]' 3 'd[0]["hi"]' 3
"$RAT_BIN" runs -w b -n 1000 --json >"$T_DIR/runs.json"
python3 - "$T_DIR/runs.json" >"$T_DIR/out" <<'PY'
import json, sys
runs = json.load(open(sys.argv[1]))
# (a run a look fired for files an earlier run had already read may still be going at the
# stop, and be cancelled by it: it has nothing to add)
print(json.dumps({"failed": sum(r["status"] not in ("success", "cancelled") for r in runs),
                  "people": sum(not r["trigger"].startswith("bronze.drops:") for r in runs),
                  "ingested": sum(s.get("files_ingested", 0) for r in runs for s in r["steps"]),
                  "runs": len(runs)}))
PY
expect_json 'd["failed"]' 0 'd["people"]' 0 'd["ingested"]' $((BURSTS * PER_BURST))
echo "test_serve_landing_s3: 500 objects in $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["runs"])' "$T_DIR/out") runs"

