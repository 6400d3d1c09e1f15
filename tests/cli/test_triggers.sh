#!/usr/bin/env bash
# tests/cli/test_triggers.sh - `rat triggers`: a pipeline's triggers: (the
# original Ratatouille's syntax, s3_sensor included) and a Python
# pipeline's schedule= listed with their defaults; a schedule's next fire
# times in its zone across a change of offset (RAT_NOW); every mistake an
# error naming the file, line and key, refused by `rat list` and `rat run`
# too.
. "$(dirname "$0")/lib.sh"

run init shop
expect_rc 0
W="$RAT_WORKSPACES/shop"
mkdir -p "$W/landing/sales"
cat >"$W/pipelines/bronze/sales.sql" <<'SQL'
SELECT * FROM read_csv({{ landing_files }})
SQL
cat >"$W/pipelines/bronze/sales.yaml" <<'YAML'
landing: sales/
freshness:
  warn_after: 6h
triggers:
  - type: schedule
    cron: "30 2 * * *"
    timezone: Europe/Paris
    catchup: all
  - type: s3_sensor
    path: sales/
    pattern: "*.csv"
    interval: 30
  - type: freshness
  - type: webhook
    name: on-upload
    secret: shop_hook
    auth: bearer
    overlap: queue
    retries: {max: 3, delay: 1m, backoff: 1.5}
    select: [bronze.sales, gold]
YAML
cat >"$W/pipelines/silver/clean.sql" <<'SQL'
SELECT * FROM {{ ref('bronze.sales') }}
SQL
cat >"$W/pipelines/gold/daily.sql" <<'SQL'
SELECT count(*) AS n FROM {{ ref('silver.clean') }}
SQL
cat >"$W/pipelines/gold/report.py" <<'PY'
from ratatouille.pipeline import gold_pipeline


@gold_pipeline(name="report", schedule="every_15min", depends_on=["gold.daily"])
def report(context):
    return context.query("SELECT * FROM gold.daily")
PY

# -- the list: ids, what fires each, next fire times in the zone (clocks jump on March 29)
RAT_NOW=2026-03-28T12:00:00Z run triggers -w shop -n 3
expect_rc 0
expect_out "bronze.sales:schedule                schedule  30 2 * * * (Europe/Paris)                    2026-03-29T03:00:00+02:00"
expect_out "2026-03-30T02:30:00+02:00"
expect_out "bronze.sales:landing                 landing   landing/sales/*.csv, every 30s"
expect_out "bronze.sales:freshness               freshness every 3h, before freshness lapses"
expect_out "POST /api/v1/webhooks/shop/bronze.sales:on-upload (bearer)"
expect_out "gold.report:schedule                 schedule  every_15min (UTC)                            2026-03-28T12:15:00+00:00"
expect_out "5 triggers"

RAT_NOW=2026-10-24T23:00:00Z run triggers -w shop -n 2 --json
expect_rc 0
expect_json 'len(d)' 5 \
	'[t["id"] for t in d]' '["bronze.sales:schedule","bronze.sales:landing","bronze.sales:freshness","bronze.sales:on-upload","gold.report:schedule"]' \
	'd[0]["source"]' 'pipelines/bronze/sales.yaml:5' \
	'[n["local"] for n in d[0]["next"]]' '["2026-10-25T02:30:00+02:00","2026-10-26T02:30:00+01:00"]' \
	'd[0]["next"][0]["fire_at"]' '2026-10-25T00:30:00.000Z' 'd[0]["next"][1]["fire_ms"]' 1792978200000 \
	'd[1]["next"]' '[]' 'd[0]["interval_ms"]' null 'd[1]["cron"]' null \
	'd[0]["catchup"]' all 'd[0]["select"]' '["bronze.sales+"]' 'd[0]["overlap"]' skip \
	'd[1]["path"]' sales 'd[1]["pattern"]' '*.csv' 'd[1]["interval_ms"]' 30000 'd[1]["type"]' landing \
	'd[1]["overlap"]' queue \
	'd[2]["interval_ms"]' 10800000 \
	'd[3]["secret"]' shop_hook 'd[3]["auth"]' bearer 'd[3]["overlap"]' queue 'd[3]["retries"]' 3 \
	'd[3]["retry_delay_ms"]' 60000 'd[3]["retry_backoff"]' 1.5 'd[3]["select"]' '["bronze.sales","gold"]' \
	'd[4]["source"]' 'pipelines/gold/report.py:4' 'd[4]["cron_fields"]' '*/15 * * * *'

# -- rat triggers next / rat schedule next: the schedules' next fires, soonest first, UTC and local
RAT_NOW=2026-10-24T23:00:00Z run schedule next -w shop -n 7 --json
expect_rc 0
expect_json '[f["trigger"] for f in d][:3]' '["gold.report:schedule","gold.report:schedule","gold.report:schedule"]' \
	'd[0]["fire_at"]' '2026-10-24T23:15:00.000Z' \
	'[(f["trigger"], f["local"]) for f in d][5]' '["bronze.sales:schedule","2026-10-25T02:30:00+02:00"]' \
	'd[5]["fire_at"]' '2026-10-25T00:30:00.000Z' 'd[5]["timezone"]' Europe/Paris 'len(d)' 7
RAT_NOW=2026-10-24T23:00:00Z run triggers next -w shop -n 1
expect_out "2026-10-24 23:15:00      2026-10-24T23:15:00+00:00  gold.report:schedule"
RAT_NOW=2026-10-24T23:00:00Z run schedule list -w shop
expect_out "5 triggers"
run schedule nope -w shop
expect_rc 2
expect_err "unknown subcommand 'nope'"

# -- mistakes: named with file, line and key; rat list and rat run refuse them too
bad() { # YAML MESSAGE
	printf '%s\n' "$1" >"$W/pipelines/silver/clean.yaml"
	run triggers -w shop
	expect_rc 1
	expect_err "$2"
}
bad 'triggers:
  - type: schedule
    cron: "0 25 * * *"' "pipelines/silver/clean.yaml:3:11: triggers[0].cron: cron '0 25 * * *': hour field '25': out of 0-23"
bad 'triggers:
  - type: schedule
    cron: "0 0 30 2 *"' "it would never fire"
bad 'triggers:
  - type: schedule
    cron: daily
    timezone: Europe/Lyon' "clean.yaml:4:15: triggers[0].timezone: no time zone 'Europe/Lyon'"
bad 'triggers:
  - type: schedule
    cron: daily
    timezone: ../../../etc/passwd' "triggers[0].timezone: '../../../etc/passwd' is not a time zone name"
bad 'triggers:
  - type: cron' "triggers[0].type: 'cron' is not a trigger type"
bad 'triggers:
  - type: webhook' "clean.yaml:2:5: triggers[0]: a webhook needs secret:"
bad 'triggers:
  - type: freshness' "clean.yaml:2: triggers: a freshness trigger needs a freshness to keep"
bad 'triggers:
  - type: landing' "clean.yaml:2: triggers: a landing trigger needs a folder to watch"
bad 'triggers:
  - type: schedule
    cron: daily
    select: gold.nothing' "clean.yaml:2: triggers: select: selector 'gold.nothing'"
bad 'triggers:
  - type: landing
    path: ../etc' "triggers[0].path: '../etc' is neither a folder under landing/"
bad 'triggers:
  - type: schedule
    cron: daily
    color: red' "triggers[0].color: unknown key (allowed: type, name, select, overlap, retries, cron, timezone, catchup)"
bad 'triggers:
  - type: schedule
    cron: daily
    overlap: sometimes' "triggers[0].overlap: 'sometimes' is not one of skip, queue"
bad 'triggers:
  - type: schedule
    cron: daily
    retries: {delay: 10s}' "triggers[0].retries: give max:"
bad 'triggers:
  - type: schedule
    cron: daily
    retries: {max: 2, backoff: 50}' "triggers[0].retries.backoff: a backoff is a factor from 1 to 10"
bad 'triggers:
  - type: schedule
    cron: daily
  - type: schedule
    cron: hourly
    name: schedule' "a second trigger named 'schedule' (the first is at line 2"
bad 'triggers:
  - type: schedule
    cron: daily
    name: "Not A Name"' "a trigger's name is 1 to 64 of a-z, 0-9, _ and -"
bad 'triggers: daily' "clean.yaml:1:11: triggers: expected a list"
bad 'triggers:
  - type: s3_sensor
    bucket: lake' "triggers[0].bucket: bucket: takes a path: (the prefix in it"
bad 'triggers:
  - type: s3_sensor
    bucket: lake
    path: s3://lake/x' "triggers[0].bucket: bucket: takes a path:"
bad 'triggers:
  - type: s3_sensor
    bucket: Not_A_Bucket
    path: x/' "triggers[0].path: 's3://Not_A_Bucket/x' is neither a folder under landing/"
bad 'triggers:
  - type: landing
    path: s3://lake' "triggers[0].path: 's3://lake' is neither a folder under landing/"
run list -w shop
expect_rc 1
expect_err "triggers[0].path"
run run -w shop
expect_rc 1
expect_err "triggers[0].path"

# a decorator's schedule is checked as it is read
rm "$W/pipelines/silver/clean.yaml"
sed -i 's/every_15min/61 * * * */' "$W/pipelines/gold/report.py"
run triggers -w shop
expect_rc 1
expect_err "pipelines/gold/report.py:4: schedule: cron '61 * * * *': minute field '61': out of 0-59"

# -- what started a run is kept in its record (rat serve passes --trigger)
run init tiny
echo "SELECT 1 AS x" >"$RAT_WORKSPACES/tiny/pipelines/bronze/one.sql"
run run -w tiny --trigger "bronze.one:schedule@1774746000000"
expect_rc 0
run runs -w tiny --json
expect_json 'd[0]["trigger"]' "bronze.one:schedule@1774746000000" 'd[0]["status"]' success
run runs show "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["id"])' "$T_DIR/out")" -w tiny
expect_out "(trigger bronze.one:schedule@1774746000000)"
run run -w tiny
run runs -w tiny --json
expect_json 'd[0]["trigger"]' null

# -- a run's id given when it was asked for (what rat serve does): once only, in its form
run run -w tiny --run-id 20261207T101500.123Z-3f2a1c
expect_rc 0
run runs show 20261207T101500.123Z-3f2a1c -w tiny
expect_rc 0
expect_out "Run 20261207T101500.123Z-3f2a1c"
run run -w tiny --run-id 20261207T101500.123Z-3f2a1c
expect_rc 1
expect_err "a run 20261207T101500.123Z-3f2a1c is recorded already"
run run -w tiny --run-id ../../etc
expect_rc 1
expect_err "'../../etc' is not a run id"

# -- run records are kept runs.retention_days after their run ended, then the next run removes them
printf 'name: tiny\nruns:\n  retention_days: 2\n' >"$RAT_WORKSPACES/tiny/workspace.yaml"
RAT_NOW=2026-01-01T10:00:00Z run run -w tiny
expect_rc 0
RAT_NOW=2026-01-02T10:00:00Z run run -w tiny
RAT_NOW=2026-01-02T10:00:00Z run runs -w tiny --json
expect_json 'any(r["started_at"].startswith("2026-01-01") for r in d)' true
RAT_NOW=2026-01-03T12:00:00Z run run -w tiny
expect_rc 0
RAT_NOW=2026-01-03T12:00:00Z run runs -w tiny --json
expect_json 'any(r["started_at"].startswith("2026-01-01") for r in d)' false \
	'any(r["started_at"].startswith("2026-01-02") for r in d)' true
printf 'name: tiny\nruns:\n  retention_days: 0\n' >"$RAT_WORKSPACES/tiny/workspace.yaml"
run runs -w tiny
expect_rc 1
expect_err "runs.retention_days"

# -- workspace.yaml's own triggers: id workspace:NAME, every pipeline unless select: says
printf 'name: tiny\n' >"$RAT_WORKSPACES/tiny/workspace.yaml"
cat >>"$RAT_WORKSPACES/tiny/workspace.yaml" <<'YAML'
triggers:
  - type: schedule
    name: nightly
    cron: "0 2 * * *"
    timezone: Europe/Paris
  - type: webhook
    name: deploy
    secret: DEPLOY_KEY
    select: [bronze]
  - type: landing
    path: drops/
    pattern: "*.csv"
YAML
RAT_NOW=2026-12-07T10:00:00Z run triggers -w tiny --json
expect_rc 0
expect_json '[t["id"] for t in d if t["id"].startswith("workspace:")]' \
	'["workspace:nightly","workspace:deploy","workspace:landing"]' \
	'[t["pipeline"] for t in d if t["id"].startswith("workspace:")]' '["","",""]' \
	'd[0]["select"]' '[]' 'd[1]["select"]' '["bronze"]' \
	'd[0]["source"]' 'workspace.yaml:3' \
	'd[0]["next"][0]["local"]' '2026-12-08T02:00:00+01:00' \
	'd[2]["path"]' drops
wsbad() { # YAML-LINES EXPECTED-ERROR: workspace.yaml's triggers refused, file and line named
	printf 'name: tiny\ntriggers:\n%s\n' "$1" >"$RAT_WORKSPACES/tiny/workspace.yaml"
	run triggers -w tiny
	expect_rc 1
	expect_err "$2"
}
wsbad "  - type: freshness" "workspace.yaml:3: triggers: a freshness trigger keeps a pipeline's freshness"
wsbad "  - type: landing" "workspace.yaml:3: triggers: a landing trigger needs a folder"
wsbad "  - type: schedule
    cron: \"61 * * * *\"" "workspace.yaml:4:11: triggers[0].cron"
wsbad "  - type: schedule
    cron: daily
    select: [gold.nothing]" "workspace.yaml:3: triggers: select"
wsbad "  - type: schedul" "workspace.yaml:3:11: triggers[0].type"
printf 'name: tiny\n' >"$RAT_WORKSPACES/tiny/workspace.yaml"
