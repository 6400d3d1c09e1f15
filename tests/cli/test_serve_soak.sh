#!/usr/bin/env bash
# tests/cli/test_serve_soak.sh - a day of the demo workspace under `rat serve`,
# compressed: its clock (--clock) runs 600 times faster from 2026-06-10 00:00
# UTC, so 24 hours take about 144 s. Ten schedules (UTC, Europe/Paris,
# America/New_York) and three landing sensors fire while a new day of sales
# and web events lands every simulated two hours. Checked at the end:
# - no tick lost: each schedule's fire times over the day, computed apart
#   (python3-croniter, in a window without a change of offset), are all in
#   the ledger, each once;
# - no two runs of the workspace overlap;
# - every landing file is ingested exactly once;
# - the server's memory stays flat: its resident size sampled every 2 s,
#   the last third's median against the first's, reported (and bounded
#   loosely, so that a leak by tick would fail; not under AddressSanitizer,
#   whose quarantine grows the resident size by itself).
. "$(dirname "$0")/lib.sh"

t_cleanup() { serve_stop; }
SPEED=600 START=2026-06-10T00:00:00Z
mkdir -p "$RAT_WORKSPACES"
cp -R "$RAT_SOURCE_DIR/examples/workspaces/demo" "$RAT_WORKSPACES/demo"
W="$RAT_WORKSPACES/demo"
sh "$W/scripts/generate_landing.sh" 2024-03-01 2 >/dev/null
cat >>"$W/workspace.yaml" <<'YAML'

triggers:
  - {type: schedule, name: half-hourly, cron: "*/30 * * * *", select: [bronze.sales]}
  - {type: schedule, name: hourly, cron: "0 * * * *", select: [silver.sales]}
  - {type: schedule, name: at-quarter-past, cron: "15 */2 * * *", select: [gold.top_products]}
  - {type: schedule, name: paris-morning, cron: "0 6 * * *", timezone: Europe/Paris}
  - {type: schedule, name: ny-weekdays, cron: "0 9 * * 1-5", timezone: America/New_York, select: [gold]}
  - {type: schedule, name: three-hourly, cron: "0 */3 * * *", select: [silver.page_views]}
  - {type: schedule, name: at-45, cron: "45 * * * *", select: [gold.daily_kpis]}
  - {type: schedule, name: twice, cron: "0 0,12 * * *"}
  - {type: schedule, name: office-hours, cron: "*/20 8-18 * * *", timezone: Europe/Paris, select: [gold.page_device_metrics]}
  - {type: schedule, name: daily, cron: daily, select: [bronze.web_events+]}
  - {type: landing, name: sales-files, path: sales, pattern: "*.csv", interval: 10m, select: [bronze.sales+]}
  - {type: landing, name: event-files, path: web_events, pattern: "*.ndjson", interval: 10m, select: [bronze.web_events+]}
  - {type: landing, name: sales-kpis, path: sales, pattern: "*.csv", interval: 15m, select: [gold.daily_kpis]}
YAML
run triggers -w demo
expect_rc 0
expect_out "13 triggers"

serve_start --clock "${START}x$SPEED"
begun_ms="$(date +%s%3N)"
: >"$T_DIR/rss"
day=3
# 24 simulated hours: a new day of files every 2 simulated hours (12 s), the
# server's resident size every 2 s
while [ $(($(date +%s%3N) - begun_ms)) -lt $((86400 * 1000 / SPEED)) ]; do
	elapsed=$(($(date +%s%3N) - begun_ms))
	if [ $((elapsed / 12000 + 3)) -gt "$day" ] && [ "$day" -lt 14 ]; then
		sh "$W/scripts/generate_landing.sh" "$(date -u -d "2024-03-01 + $((day - 1)) day" +%F)" 1 >/dev/null
		day=$((day + 1))
	fi
	awk '/^VmRSS:/ { print $2 }' "/proc/$SERVE_PID/status" >>"$T_DIR/rss" 2>/dev/null ||
		fail "the server died: $(tail -20 "$T_DIR/serve.log")"
	sleep 2
done
ended_ms="$(date +%s%3N)"
# the files of the last day may land after the last look: the sensors take them in the next hour
files_landed="$(find "$W/landing" -type f ! -name '.*' | wc -l)"
all_ingested() {
	[ "$("$RAT_BIN" runs -w demo -n 100000 --json | python3 -c '
import json, sys
print(sum(s.get("files_ingested", 0) for r in json.load(sys.stdin) if r["status"] == "success"
          for s in r["steps"] if s["pipeline"] in ("bronze.sales", "bronze.web_events")))')" = "$files_landed" ]
}
wait_for 180 all_ingested || fail "not every landing file was ingested: $(tail -20 "$T_DIR/serve.log")"
serve_stop
expect_eq "$SERVE_RC" 0

"$RAT_BIN" triggers ticks -w demo -n 100000 --json >"$T_DIR/ticks.json"
"$RAT_BIN" runs -w demo -n 100000 --json >"$T_DIR/runs.json"
# fire times computed apart, on Debian's Python (croniter, zoneinfo): the window
# (a minute after the start to 10 simulated minutes before the stop) holds no
# change of offset in these zones
# under AddressSanitizer, freed memory waits in its quarantine (256 MB): the resident size
# grows until that is full, whatever the server does; it is reported, not bounded, there
sanitized=0
! ldd "$RAT_BIN" 2>/dev/null | grep -q libasan || sanitized=1
/usr/bin/python3 - "$T_DIR" "$START" "$SPEED" "$begun_ms" "$ended_ms" "$files_landed" \
	"$T_DIR/rss" "$sanitized" >"$T_DIR/out" <<'PY' || fail "the soak's analysis failed"
import datetime as dt, json, statistics, sys
from zoneinfo import ZoneInfo
from croniter import croniter
d, start, speed, begun, ended, landed, rss, sanitized = sys.argv[1:]
sanitized = sanitized == "1"
speed, begun, ended, landed = float(speed), int(begun), int(ended), int(landed)
t0 = dt.datetime.fromisoformat(start.replace("Z", "+00:00"))
lo = t0 + dt.timedelta(minutes=1)
hi = t0 + dt.timedelta(milliseconds=(ended - begun) * speed) - dt.timedelta(minutes=10)
crons = {"half-hourly": ("*/30 * * * *", "UTC"), "hourly": ("0 * * * *", "UTC"),
         "at-quarter-past": ("15 */2 * * *", "UTC"), "paris-morning": ("0 6 * * *", "Europe/Paris"),
         "ny-weekdays": ("0 9 * * 1-5", "America/New_York"), "three-hourly": ("0 */3 * * *", "UTC"),
         "at-45": ("45 * * * *", "UTC"), "twice": ("0 0,12 * * *", "UTC"),
         "office-hours": ("*/20 8-18 * * *", "Europe/Paris"), "daily": ("0 0 * * *", "UTC")}
ticks = json.load(open(d + "/ticks.json"))
seen = {}
for t in ticks:
    seen.setdefault(t["trigger"], []).append(t["tick_at"])
lost, twice, expected = [], [], 0
for name, (expr, zone) in crons.items():
    tid = "workspace:" + name
    have = seen.get(tid, [])
    twice += [tid + "@" + x for x in set(have) if have.count(x) > 1]
    it = croniter(expr, (lo - dt.timedelta(seconds=1)).astimezone(ZoneInfo(zone)))
    while True:
        f = it.get_next(dt.datetime).astimezone(dt.timezone.utc)
        if f > hi:
            break
        expected += 1
        at = f.strftime("%Y-%m-%dT%H:%M:%SZ")
        if not any(x.startswith(at[:16]) for x in have):
            lost.append(tid + "@" + at)
runs = json.load(open(d + "/runs.json"))
spans = sorted((r["started_ms"], r["finished_ms"] or 1 << 62, r["id"]) for r in runs)
overlaps = [(a[2], b[2]) for a, b in zip(spans, spans[1:]) if b[0] < a[1]]
ingested = {}
for r in runs:
    if r["status"] != "success":
        continue  # a run cancelled at the stop published nothing
    for s in r["steps"]:
        if s.get("files_ingested"):
            ingested[s["pipeline"]] = ingested.get(s["pipeline"], 0) + s["files_ingested"]
sizes = [int(x) for x in open(rss) if x.strip()]
third = max(1, len(sizes) // 3)
first, last = statistics.median(sizes[:third]), statistics.median(sizes[-third:])
states = {}
for t in ticks:
    states[t["state"]] = states.get(t["state"], 0) + 1
print(json.dumps({"sanitized": sanitized, "expected": expected, "lost": lost[:10], "twice": twice[:10],
                  "overlaps": overlaps[:5], "runs": len(runs), "states": states,
                  "landed": landed, "ingested": ingested,
                  "rss_first_kb": first, "rss_last_kb": last, "rss_max_kb": max(sizes),
                  "flat": last <= first * 1.5 + 16384}))
PY
expect_json 'd["lost"]' '[]' 'd["twice"]' '[]' 'd["overlaps"]' '[]' 'd["expected"] > 120' true \
	'd["ingested"].get("bronze.sales", 0) + d["ingested"].get("bronze.web_events", 0) == d["landed"]' true \
	'd["flat"] or d["sanitized"]' true
/usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print("test_serve_soak: 24 h at x600: %d schedule ticks due, none lost or twice; %d runs, none overlapping; "
      "ticks %s; %d landing files each ingested once; server memory %.1f MB in the first third, "
      "%.1f MB in the last (max %.1f MB)" % (d["expected"], d["runs"],
      ", ".join("%s %d" % kv for kv in sorted(d["states"].items())), d["landed"],
      d["rss_first_kb"] / 1024, d["rss_last_kb"] / 1024, d["rss_max_kb"] / 1024))' "$T_DIR/out"
