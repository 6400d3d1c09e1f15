#!/usr/bin/env bash
# tests/cli/test_serve_landing.sh - a landing folder under `rat serve`, on
# the real clock: 500 files land in 10 bursts, some of them written in
# pieces as hidden files (renamed when done) while the sensor looks; every
# file is ingested exactly once (its rows once, by file), by runs its
# landing trigger started. Measured and reported, not asserted (goals:
# file to run start <= interval + 1 s, webhook to run start <= 1 s).
. "$(dirname "$0")/lib.sh"

t_cleanup() { serve_stop; }
export RAT_SECRETS_KEY_FILE="$T_DIR/keys/secrets.key"
BURSTS=10 PER_BURST=50 INTERVAL=5
run init drops
expect_rc 0
W="$RAT_WORKSPACES/drops"
mkdir -p "$W/landing/sales"
cat >"$W/pipelines/bronze/sales.sql" <<'SQL'
SELECT file_no, row_no, filename FROM read_csv({{ landing_files }}, header = true, filename = true)
SQL
cat >"$W/pipelines/bronze/sales.yaml" <<YAML
landing: sales
materialized: incremental
triggers:
  - type: landing
    pattern: "*.csv"
    interval: ${INTERVAL}s
  - type: webhook
    name: hook
    secret: hook_key
YAML
KEY="landing-hook-key"
printf '%s' "$KEY" | "$RAT_BIN" secret set hook_key -w drops >/dev/null 2>&1 || fail "secret set"
# burst B: PER_BURST files of 3 rows each; one in five written in two pieces, the sensor
# looking in between, as a hidden file renamed when done
burst() {
	python3 - "$W/landing/sales" "$1" "$PER_BURST" <<'PY'
import os, sys, time
folder, b, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
slow = []
for i in range(n):
    no = b * n + i
    body = "file_no,row_no\n" + "".join("%d,%d\n" % (no, r) for r in range(3))
    name = os.path.join(folder, "f%04d.csv" % no)
    if i % 5 == 0:
        tmp = os.path.join(folder, ".f%04d.csv.part" % no)
        with open(tmp, "w") as f:
            f.write(body[:20])
        slow.append((tmp, name, body))
    else:
        with open(name, "w") as f:
            f.write(body)
time.sleep(0.7)
for tmp, name, body in slow:
    with open(tmp, "w") as f:
        f.write(body)
    os.rename(tmp, name)
PY
}
count_rows() { ws_csv drops "SELECT count(*) FROM bronze.sales" 2>/dev/null || echo 0; }
all_in() { [ "$(count_rows)" = "$((BURSTS * PER_BURST * 3))" ]; }

serve_start
: >"$T_DIR/landed"
for b in $(seq 0 $((BURSTS - 1))); do
	burst "$b"
	date +%s%3N >>"$T_DIR/landed"
	sleep "$(python3 -c "import random; print(round(random.uniform(1, $((INTERVAL + 3))), 1))")"
done
wait_for 120 all_in || fail "not every file was ingested: $(count_rows) rows; $(tail -20 "$T_DIR/serve.log")"

# -- a webhook's latency, three calls
: >"$T_DIR/called"
for i in 1 2 3; do
	body="{\"n\": $i}"
	sig="$(printf '%s' "$body" | openssl dgst -sha256 -hmac "$KEY" | sed 's/^.*= //')"
	date +%s%3N >>"$T_DIR/called"
	curl -s -o "$T_DIR/hook.$i" -X POST "$SERVE_URL/api/v1/webhooks/drops/bronze.sales:hook" \
		-H "X-Webhook-Signature: sha256=$sig" -d "$body"
	id="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["run_id"])' "$T_DIR/hook.$i")"
	echo "$id" >>"$T_DIR/hook_ids"
	wait_for 60 sh -c "\"$RAT_BIN\" runs show $id -w drops --json 2>/dev/null | grep -q '\"status\": \"success\"'" ||
		fail "webhook run $id did not succeed"
done
serve_stop
expect_eq "$SERVE_RC" 0

# every file's rows once; every run a landing (or webhook) trigger's
run query -w drops --json "SELECT count(*) AS files, min(n) AS lo, max(n) AS hi FROM (SELECT file_no, count(*) AS n FROM bronze.sales GROUP BY file_no)"
expect_json 'd[0]["files"]' $((BURSTS * PER_BURST)) 'd[0]["lo"]' 3 'd[0]["hi"]' 3
run query -w drops --json "SELECT count(DISTINCT filename) AS names FROM bronze.sales"
expect_json 'd[0]["names"]' $((BURSTS * PER_BURST))
"$RAT_BIN" runs -w drops -n 1000 --json >"$T_DIR/runs.json"
python3 - "$T_DIR" "$INTERVAL" >"$T_DIR/out" <<'PY'
import json, statistics, sys
d, interval = sys.argv[1], int(sys.argv[2])
runs = json.load(open(d + "/runs.json"))
landed = [int(x) for x in open(d + "/landed")]
called = [int(x) for x in open(d + "/called")]
ids = [x.strip() for x in open(d + "/hook_ids")]
by_id = {r["id"]: r for r in runs}
starts = sorted(r["started_ms"] for r in runs if r["trigger"].startswith("bronze.sales:landing@"))
# file to run start: from each burst's last file to the first landing run that started after it
lat = [min(s for s in starts if s >= t) - t for t in landed if any(s >= t for s in starts)]
hook = [by_id[i]["started_ms"] - c for i, c in zip(ids, called)]
ingested = sum(s.get("files_ingested", 0) for r in runs for s in r["steps"])
print(json.dumps({
    "runs": len(runs), "failed": sum(r["status"] != "success" for r in runs),
    "people": sum(not r["trigger"] for r in runs), "ingested": ingested,
    "landing_median_s": round(statistics.median(lat) / 1000, 2), "landing_max_s": round(max(lat) / 1000, 2),
    "hook_median_s": round(statistics.median(hook) / 1000, 2), "hook_max_s": round(max(hook) / 1000, 2),
    "interval_s": interval}))
PY
expect_json 'd["failed"]' 0 'd["people"]' 0 'd["ingested"]' $((BURSTS * PER_BURST))
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print("test_serve_landing: latency, file to run start: median %.2f s, max %.2f s (goal <= interval %d s + 1 s); "
      "webhook to run start: median %.2f s, max %.2f s (goal <= 1 s); %d runs" % (
      d["landing_median_s"], d["landing_max_s"], d["interval_s"], d["hook_median_s"], d["hook_max_s"], d["runs"]))' "$T_DIR/out"
