#!/usr/bin/env bash
# tests/cli/test_serve_restarts.sh - a simulated week with `rat serve`
# SIGKILLed and started again 10
# times at random (RESTART_SEED replays a run), its clock injected at each
# start (--clock, 600 times faster) after 8 to 24 hours of downtime. Three
# workspaces fire every 3 hours, one per catchup: (last, none, all). At the
# end: every tick of the week is in the ledger once; no tick ran twice (one run
# record per tick that ran); the ticks of each downtime follow the policy
# (last: the newest ran, none: none, all: each); what a killed server had
# queued ran after the restart. Then the bound: all: runs the newest 100
# of 210 missed.
. "$(dirname "$0")/lib.sh"

t_cleanup() { serve_stop; }
SEED="${RESTART_SEED:-$RANDOM}"
echo "test_serve_restarts: seed $SEED (RESTART_SEED=$SEED replays it)"
SPEED=600
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; } # EPOCH-SECONDS
for policy in last none all; do
	run init "w$policy"
	expect_rc 0
	echo "SELECT 1 AS x" >"$RAT_WORKSPACES/w$policy/pipelines/bronze/tick.sql"
	cat >"$RAT_WORKSPACES/w$policy/pipelines/bronze/tick.yaml" <<YAML
triggers:
  - type: schedule
    cron: "0 */3 * * *"
    catchup: $policy
YAML
done
# last_tick WS: the newest tick the ledger holds (seconds), 0 when none
last_tick() {
	"$RAT_BIN" triggers ticks -w "$1" -n 100000 --json |
		python3 -c 'import json,sys; t=json.load(sys.stdin); print(max([x["tick_ms"] for x in t] or [0]) // 1000)'
}
# no_orphans: no rat run a killed server left runs still
no_orphans() { ! pgrep -f "rat run -w $RAT_WORKSPACES/" >/dev/null; }
# settled: no tick of any workspace queued or running
settled() {
	local w
	for w in wlast wnone wall; do
		"$RAT_BIN" triggers ticks -w "$w" -n 100000 --json | python3 -c '
import json, sys
sys.exit(any(t["state"] in ("queued", "running", "retrying") for t in json.load(sys.stdin)))' || return 1
	done
}

start=$(date -u -d 2026-10-22T00:30:00Z +%s)
clock=$start
: >"$T_DIR/windows"
python3 -c "import random; random.seed($SEED); print(' '.join('%.1f,%d' % (random.uniform(1.5, 5), random.randint(8, 24)) for _ in range(10)))" >"$T_DIR/plan"
for step in $(cat "$T_DIR/plan"); do
	up="${step%,*}" down="${step#*,}"
	serve_start --max-runs 3 --clock "$(iso "$clock")x$SPEED"
	began=$(date +%s.%N)
	sleep "$up"
	kill -KILL "$SERVE_PID"
	wait "$SERVE_PID" 2>/dev/null || true
	SERVE_PID=""
	sim_kill=$(python3 -c "print(int($clock + ($(date +%s.%N) - $began) * $SPEED))")
	wait_for 120 no_orphans || fail "runs left running: $(pgrep -af "rat run -w $RAT_WORKSPACES/")"
	# the next start: DOWN hours on, at half past an hour (its ticks are all late)
	clock=$(((sim_kill + down * 3600) / 3600 * 3600 + 1800))
	for w in wlast wnone wall; do
		echo "$w $(last_tick "$w") $clock" >>"$T_DIR/windows"
	done
done
# the last start: until what it decided ran, then a clean stop
serve_start --max-runs 3 --clock "$(iso "$clock")x$SPEED"
sleep 2
wait_for 120 settled || fail "ticks still queued or running: $(tail -20 "$T_DIR/serve.log")"
serve_stop
expect_eq "$SERVE_RC" 0
grep -q "queued again: the server stopped before it ran" "$T_DIR/serve.log" &&
	echo "test_serve_restarts: ticks a killed server had queued ran after its restart"

for w in wlast wnone wall; do
	"$RAT_BIN" triggers ticks -w "$w" -n 100000 --json >"$T_DIR/$w.ticks"
	"$RAT_BIN" runs -w "$w" -n 100000 --json >"$T_DIR/$w.runs"
done
python3 - "$T_DIR" "$start" >"$T_DIR/out" <<'PY'
import json, sys
d, start = sys.argv[1], int(sys.argv[2])
STEP = 3 * 3600
fired = {"done", "failed", "cancelled", "interrupted"}
out = {"problems": [], "checked": 0, "caught_up": 0, "missed": 0}
windows = [l.split() for l in open(d + "/windows")]
for w, policy in (("wlast", "last"), ("wnone", "none"), ("wall", "all")):
    ticks = [t for t in json.load(open(f"{d}/{w}.ticks")) if t["state"] != "armed"]
    runs = json.load(open(f"{d}/{w}.runs"))
    by_tick = {}
    for t in ticks:
        by_tick.setdefault(t["tick_ms"] // 1000, []).append(t["state"])
    triggers = [r["trigger"] for r in runs]
    if len(set(triggers)) != len(triggers):
        out["problems"].append(f"{w}: a tick ran twice: {sorted(triggers)}")
    ran = {int(x.rsplit("@", 1)[1]) // 1000 for x in triggers}
    end = max(by_tick)
    for hour in range((start // STEP + 1) * STEP, end + 1, STEP):  # every tick of the week
        if hour not in by_tick:
            out["problems"].append(f"{w}: the tick of {hour} is not in the ledger")
        elif by_tick[hour][0] in fired and hour not in ran:
            out["problems"].append(f"{w}: {hour} is {by_tick[hour][0]} without a run")
        elif by_tick[hour][0] == "missed" and hour in ran:
            out["problems"].append(f"{w}: {hour} missed yet ran")
    for ws, last, restart in windows:
        if ws != w:
            continue
        last, restart = int(last), int(restart)
        hours = list(range((last // STEP + 1) * STEP, restart, STEP))
        if not hours:
            continue
        want = {"last": [h == hours[-1] for h in hours], "none": [False] * len(hours),
                "all": [True] * len(hours)}[policy]
        for h, should in zip(hours, want):
            got = by_tick.get(h, ["absent"])[0]
            out["checked"] += 1
            out["caught_up" if should else "missed"] += 1
            if (got in fired) != should:
                out["problems"].append(f"{w} ({policy}): downtime tick {h} is {got}")
print(json.dumps(out))
PY
expect_json 'd["problems"]' '[]' 'd["checked"] > 60' true 'd["caught_up"] > 30' true

# -- the bound: after a long downtime, all: runs the newest 100, the older ones missed
cat >"$RAT_WORKSPACES/wall/pipelines/bronze/tick.yaml" <<'YAML'
triggers:
  - type: schedule
    cron: "* * * * *"
    catchup: all
YAML
rm -f "$RAT_WORKSPACES"/w{last,none}/pipelines/bronze/tick.yaml
cursor=$(last_tick wall)
: >"$T_DIR/serve.log"
bound=$((cursor + 3 * 3600 + 1800))
serve_start --max-runs 3 --clock "$(iso "$bound")x1"
wait_for 30 grep -q "older ticks missed while the server was down" "$T_DIR/serve.log" ||
	fail "the long downtime's ticks not decided: $(cat "$T_DIR/serve.log")"
serve_stop
run triggers ticks -w wall -n 100000 --json
# 210 minutes from the cursor to the start: the newest 100 recorded and fired, the 110 older
# said missed (not each recorded: the ledger's work after downtime is bounded too)
expect_json "len([t for t in d if t['tick_ms'] // 1000 > $cursor])" 100 \
	"len([t for t in d if t['tick_ms'] // 1000 > $cursor and t['state'] == 'missed'])" 0 \
	"min(t['tick_ms'] // 1000 for t in d if t['tick_ms'] // 1000 > $cursor) == $bound - 99 * 60" true
grep -q "wall: bronze.tick:schedule: 110 older ticks missed while the server was down" "$T_DIR/serve.log" ||
	fail "the older ticks not said: $(cat "$T_DIR/serve.log")"
