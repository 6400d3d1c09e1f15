#!/usr/bin/env bash
# tests/cli/test_serve_freshness.sh - a freshness trigger (every warn_after /
# 2) runs its pipeline when the table would go stale, and skips a tick (said
# in the ledger) while the table changed within the period.
. "$(dirname "$0")/lib.sh"

t_cleanup() { serve_stop; }
run init fresh
expect_rc 0
P="$RAT_WORKSPACES/fresh/pipelines"
echo "SELECT 1 AS x" >"$P/bronze/kept.sql"
cat >"$P/bronze/kept.yaml" <<'YAML'
freshness:
  warn_after: 4h
triggers:
  - type: freshness
YAML
run run -w fresh
expect_rc 0
ticks() { "$RAT_BIN" triggers ticks bronze.kept:freshness -w fresh --json; }
decided() { ticks | python3 -c 'import json,sys; sys.exit(not any(t["state"] != "armed" for t in json.load(sys.stdin)))'; }
ran() { ticks | python3 -c 'import json,sys; sys.exit(not any(t["state"] == "done" for t in json.load(sys.stdin)))'; }

# the first 2-hour boundary after the table changed: its tick comes less than 2 hours after
changed="$("$RAT_BIN" tables -w fresh --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["updated_ms"] // 1000)')"
boundary=$(((changed / 7200 + 1) * 7200))
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }

# -- a minute before that boundary (x60: its tick a second after the start): the table is fresh
serve_start --clock "$(iso $((boundary - 60)))x60"
wait_for 30 decided || fail "no tick decided: $(tail -5 "$T_DIR/serve.log")"
serve_stop
run triggers ticks bronze.kept:freshness -w fresh --json
expect_json 'd[0]["state"]' skipped 'd[0]["note"].endswith("within the period: fresh")' true
run runs -w fresh --json
expect_json 'len(d)' 1

# -- ten hours on, the table is stale: the tick runs the pipeline
serve_start --clock "$(iso $((boundary + 10 * 3600)))x600"
wait_for 60 ran || fail "the stale table's tick did not run: $(tail -5 "$T_DIR/serve.log")"
serve_stop
run runs -w fresh --json
expect_json 'len(d)' 2 'd[0]["trigger"].startswith("bronze.kept:freshness@")' true 'd[0]["status"]' success
