#!/usr/bin/env bash
# tests/cli/test_serve_triggers.sh - `rat serve` fires the workspaces'
# triggers, on a clock that runs 30 or 60 times faster (--clock): a schedule's
# ticks each a child `rat run` recorded with its trigger, across a change of
# offset; a restart fires no tick twice, and catches up per catchup: (last,
# none, all); a workspace's runs never overlap (skip recorded); a failed run
# retried with its delay and backoff; a landing folder's files fire once
# they stop changing; a stop cancels the run running (nothing published);
# a trigger broken while serving keeps the last good list.
. "$(dirname "$0")/lib.sh"

t_cleanup() { serve_stop; }
runs_of() { # WS: how many runs it recorded
	"$RAT_BIN" runs -w "$1" --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'
}
ended_of() { # WS: how many of its runs have ended
	"$RAT_BIN" runs -w "$1" --json |
		python3 -c 'import json,sys; print(sum(r["status"] != "running" for r in json.load(sys.stdin)))'
}
at_least() { [ "$(ended_of "$1")" -ge "$2" ]; } # WS N: N runs ended
# ticks WS [TRIGGER]: the ledger as "HH:MM state" lines, oldest first
ticks() {
	"$RAT_BIN" triggers ticks ${2:+"$2"} -w "$1" -n 1000 --json | python3 -c '
import json, sys
for t in reversed(json.load(sys.stdin)):
    print(t["tick_at"][11:16], t["state"])'
}

run init sched
expect_rc 0
P="$RAT_WORKSPACES/sched/pipelines"
echo "SELECT 1 AS x" >"$P/bronze/one.sql"
cat >"$P/bronze/one.yaml" <<'YAML'
triggers:
  - type: schedule
    cron: "*/5 * * * *"
    timezone: Europe/Paris
YAML
echo "SELECT 2 AS x" >"$P/bronze/two.sql"
cat >"$P/bronze/two.yaml" <<'YAML'
triggers:
  - type: schedule
    cron: "*/10 * * * *"
    catchup: all
YAML
echo "SELECT 3 AS x" >"$P/bronze/three.sql"
cat >"$P/bronze/three.yaml" <<'YAML'
triggers:
  - type: schedule
    cron: "*/15 * * * *"
    catchup: none
YAML

# -- ticks fire on the clock: from 00:58:30 UTC, Paris jumps from 02:00 to 03:00 at 01:00
serve_start --clock 2026-03-29T00:58:30Zx30
wait_for 30 at_least sched 3 || fail "three runs did not come: $(cat "$T_DIR/serve.log")"
serve_stop
expect_eq "$SERVE_RC" 0
run triggers ticks bronze.one:schedule -w sched --json
expect_json 'd[-1]["state"]' armed 'd[-1]["tick_at"][:19]' '2026-03-29T00:58:30' \
	'd[-2]["tick_at"]' '2026-03-29T01:00:00.000Z' 'd[-2]["state"]' done
run runs -w sched --json
# the three 01:00 ticks ran; a later one may have begun before the stop
# (and been cancelled by it)
expect_json 'sorted(r["trigger"] for r in d if r["trigger"].endswith("@1774746000000"))' \
	'["bronze.one:schedule@1774746000000","bronze.three:schedule@1774746000000","bronze.two:schedule@1774746000000"]' \
	'all(r["status"] == "success" for r in d if r["trigger"].endswith("@1774746000000"))' true \
	'all(r["status"] in ("success", "cancelled") for r in d)' true \
	'len(set(r["trigger"] for r in d)) == len(d)' true
before="$(runs_of sched)"
# ticks of one that fired (a restart never fires them again)
one_done="$(ticks sched bronze.one:schedule | grep -Ec " (done|cancelled|failed)$")"

# -- a restart at 01:31:30: no tick fired twice; what was missed, per catchup
serve_start --clock 2026-03-29T01:31:30Zx60
wait_for 30 at_least sched $((before + 4)) || fail "the catch-up runs did not come: $(cat "$T_DIR/serve.log")"
serve_stop
run runs -w sched --json
expect_json 'len(set(r["trigger"] for r in d)) == len(d)' true
# one (*/5, catchup last): 01:05 to 01:25 missed, 01:30 caught up
ticks sched bronze.one:schedule >"$T_DIR/one"
grep -q "^01:25 missed" "$T_DIR/one" || fail "01:25 not missed: $(cat "$T_DIR/one")"
grep -q "^01:30 done" "$T_DIR/one" || fail "01:30 not caught up: $(cat "$T_DIR/one")"
expect_eq "$(grep -c "^01:[012][05] missed" "$T_DIR/one")" "$((5 - one_done + 1))"
# two (*/10, catchup all): 01:10, 01:20, 01:30 each run
ticks sched bronze.two:schedule >"$T_DIR/two"
for m in 10 20 30; do
	grep -q "^01:$m done" "$T_DIR/two" || fail "two's 01:$m not run: $(cat "$T_DIR/two")"
done
# three (*/15, catchup none): 01:15 and 01:30 missed, nothing run for them
ticks sched bronze.three:schedule >"$T_DIR/three"
grep -q "^01:15 missed" "$T_DIR/three" || fail "three's 01:15: $(cat "$T_DIR/three")"
grep -q "^01:30 missed" "$T_DIR/three" || fail "three's 01:30: $(cat "$T_DIR/three")"
run runs -w sched --json
expect_no_out "bronze.three:schedule@1774747800000"
expect_out "bronze.two:schedule@1774746600000"

# -- a workspace's runs never overlap; a tick while its trigger's last run runs is skipped, and said
run init slow
S="$RAT_WORKSPACES/slow/pipelines"
cat >"$S/bronze/slow.sh" <<'SH'
#!/bin/sh
sleep 4
printf 'x\n1\n' >"$RAT_OUTPUT_DIR/rows.csv"
SH
cat >"$S/bronze/slow.yaml" <<'YAML'
triggers:
  - type: schedule
    cron: "* * * * *"
YAML
rm -f "$P"/bronze/*.yaml # sched fires nothing more
serve_start --clock 2026-06-01T12:00:00Zx60
wait_for 30 at_least slow 2 || fail "slow did not run twice: $(cat "$T_DIR/serve.log")"
serve_stop
ticks slow >"$T_DIR/slow"
grep -q " skipped" "$T_DIR/slow" || fail "no tick skipped: $(cat "$T_DIR/slow")"
run triggers ticks -w slow --json
expect_out "a run of this trigger was running or waiting (overlap: skip)"
run runs -w slow --json
expect_json 'all(r["status"] in ("success", "cancelled") for r in d)' true

# -- a failed run is retried after its delay, times backoff, then recorded as failed
run init flaky
F="$RAT_WORKSPACES/flaky/pipelines"
echo "SELECT * FROM no_such_table" >"$F/bronze/bad.sql"
cat >"$F/bronze/bad.yaml" <<'YAML'
triggers:
  - type: schedule
    cron: "0 * * * *"
    retries: {max: 2, delay: 1m, backoff: 2}
YAML
rm -f "$S/bronze/slow.yaml"
serve_start --clock 2026-06-01T00:59:50Zx60
wait_for 30 at_least flaky 3 || fail "three attempts did not come: $(cat "$T_DIR/serve.log")"
sleep 1.5
serve_stop
run triggers ticks bronze.bad:schedule -w flaky --json
expect_json 'd[0]["tick_at"]' '2026-06-01T01:00:00.000Z' 'd[0]["state"]' failed \
	'"attempt 3" in d[0]["note"]' true
run runs -w flaky --json
expect_json 'len(d)' 3 'all(r["status"] == "failed" for r in d)' true \
	'sorted(set(r["trigger"] for r in d))' '["bronze.bad:schedule@1780275600000"]' \
	'(d[0]["started_ms"] - d[1]["started_ms"]) > (d[1]["started_ms"] - d[2]["started_ms"])' true
rm -f "$F/bronze/bad.yaml"

# -- a landing folder: files fire once they stop changing; the same file again does not
run init land
L="$RAT_WORKSPACES/land"
mkdir -p "$L/landing/sales"
echo "SELECT * FROM read_csv({{ landing_files }})" >"$L/pipelines/bronze/sales.sql"
cat >"$L/pipelines/bronze/sales.yaml" <<'YAML'
materialized: incremental
landing: sales
triggers:
  - type: landing
    pattern: "*.csv"
    interval: 5s
YAML
printf 'id,amount\n1,10\n' >"$L/landing/sales/a.csv"
serve_start --clock 2026-06-01T08:00:00Zx60
wait_for 20 at_least land 1 || fail "landing did not fire: $(cat "$T_DIR/serve.log")"
# a file being uploaded under a name the pattern does not take fires nothing, until renamed
printf 'id,amount\n2,20\n' >"$L/landing/sales/b.csv.part"
sleep 3
expect_eq "$(runs_of land)" 1
mv "$L/landing/sales/b.csv.part" "$L/landing/sales/b.csv"
wait_for 20 at_least land 2 || fail "a second file did not fire: $(cat "$T_DIR/serve.log")"
serve_stop
run query -w land "SELECT sum(amount) FROM bronze.sales" --format csv
expect_out "30"
run triggers ticks bronze.sales:landing -w land --json
expect_json '[t["state"] for t in d]' '["done","done"]' '[t["note"] for t in d][1].startswith("run ")' true
run runs -w land --json
expect_json '[r["status"] for r in d]' '["success","success"]'
# restarted, the server remembers what it saw: no run for the same files
serve_start --clock 2026-06-01T09:00:00Zx60
sleep 3
serve_stop
expect_eq "$(runs_of land)" 2

# -- a stop cancels the run running: nothing it did is published
cat >"$S/bronze/slow.yaml" <<'YAML'
triggers:
  - type: schedule
    cron: "* * * * *"
YAML
rm -f "$L/pipelines/bronze/sales.yaml"
sleep 0 # (the landing workspace fires nothing more)
n_slow="$(runs_of slow)"
logged="$(wc -l <"$T_DIR/serve.log")" # the log holds the earlier servers' lines too
started() { tail -n +"$((logged + 1))" "$T_DIR/serve.log" | grep -q "started for bronze.slow"; }
serve_start --clock 2026-06-02T12:00:00Zx60
wait_for 20 started || fail "slow did not start"
sleep 0.5
serve_stop
expect_eq "$SERVE_RC" 0
run runs -w slow --json
expect_json 'd[0]["status"]' cancelled
run triggers ticks bronze.slow:schedule -w slow --json
expect_json 'd[0]["state"]' cancelled
expect_eq "$(runs_of slow)" "$((n_slow + 1))"

# -- a trigger broken while serving: said once, the last good list stays
serve_start --clock 2026-06-03T12:00:00Zx60
printf 'triggers:\n  - type: schedule\n    cron: "61 * * * *"\n' >"$S/bronze/slow.yaml"
wait_for 20 grep -q "slow: triggers not loaded (the last ones stay)" "$T_DIR/serve.log" ||
	fail "the broken trigger was not said: $(cat "$T_DIR/serve.log")"
serve_stop
expect_eq "$(grep -c "slow: triggers not loaded" "$T_DIR/serve.log")" 1

# -- --no-triggers: the catalog only
rm -f "$S/bronze/slow.yaml"
echo "SELECT 1 AS x" >"$P/bronze/one.sql"
printf 'triggers:\n  - type: schedule\n    cron: "* * * * *"\n' >"$P/bronze/one.yaml"
n="$(runs_of sched)"
serve_start --no-triggers --clock 2026-06-04T12:00:00Zx60
sleep 3
serve_stop
expect_eq "$(runs_of sched)" "$n"
grep -q "triggers are not fired (--no-triggers)" "$T_DIR/serve.log" || fail "--no-triggers not said"
run serve --clock yesterday
expect_rc 2
expect_err "--clock: 'yesterday' is not TIME[xSPEED]"
