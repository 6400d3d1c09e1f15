#!/usr/bin/env bash
# examples/demo.sh - what `make demo` runs: the coffee-shop workspace
# (examples/workspaces/demo) end to end on the embedded default: no
# services, local disk.
#
#   examples/demo.sh RAT_BINARY [FOLDER]
#
# Copies the workspace into FOLDER (default build/demo), generates its
# landing files (deterministic), runs every pipeline bronze -> silver -> gold
# as one write-audit-publish run, and queries the gold tables.
set -euo pipefail

src="$(cd "$(dirname "$0")" && pwd)/workspaces/demo"
rat="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
dir="${2:-$(pwd)/build/demo}"
rm -rf "$dir"
mkdir -p "$dir/workspaces"
cp -R "$src" "$dir/workspaces/demo"
cd "$dir"
export RAT_HOME="$dir/.rat" RAT_WORKSPACES="$dir/workspaces"
unset WORKSPACE RAT_PROFILE ICEBERG_WAREHOUSE

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "The pipelines, in build order (rat list -w demo)"
"$rat" list -w demo

step "A week of sales (CSV) and web events (NDJSON) land in workspaces/demo/landing/"
sh workspaces/demo/scripts/generate_landing.sh
(cd workspaces/demo && wc -l landing/sales/*.csv landing/web_events/*.ndjson | tail -1)

step "rat run -w demo"
"$rat" run -w demo

step "Daily KPIs (gold.daily_kpis)"
"$rat" query -w demo "SELECT * FROM gold.daily_kpis ORDER BY day"

step "Pages by device (gold.page_device_metrics), top 6 by views"
"$rat" query -w demo "SELECT * FROM gold.page_device_metrics ORDER BY views DESC, page, device LIMIT 6"

step "A second run finds nothing new and changes nothing"
"$rat" run -w demo

printf '\nDemo workspace left in %s (RAT_HOME=%s)\n' "$dir/workspaces/demo" "$dir/.rat"
printf 'Its notebook: cd %s && RAT_HOME=%s RAT_WORKSPACES=%s %s notebook -w demo\n' \
	"$dir" "$dir/.rat" "$dir/workspaces" "$rat"
