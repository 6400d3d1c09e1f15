#!/usr/bin/env bash
# examples/demo.sh - what `make demo` runs: a short tour of what Ratatouille
# does today, end to end, on the embedded default (no services, local disk).
#
#   examples/demo.sh RAT_BINARY [FOLDER]
#
# Creates a workspace, generates a coffee shop's sales as a landing CSV with
# the engine itself (deterministic), and queries it in each output format.
set -euo pipefail

rat="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
dir="${2:-$(pwd)/build/demo}"
rm -rf "$dir"
mkdir -p "$dir"
cd "$dir"
export RAT_HOME="$dir/.rat" RAT_WORKSPACES="$dir/workspaces"
unset WORKSPACE RAT_PROFILE ICEBERG_WAREHOUSE

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "rat init demo"
"$rat" init demo --description "Coffee shop demo: sales and web events"

step "rat workspace show -w demo"
"$rat" workspace show -w demo

# A session reads its workspace's tables and its landing folder, by absolute path, and
# nothing else.
landing="$RAT_WORKSPACES/demo/landing"
step "Generate 5,000 deterministic sales into the workspace's landing/sales.csv"
"$rat" query -w demo "COPY (
  SELECT i AS sale_id,
         DATE '2024-03-01' + (i % 28)::INTEGER AS sold_on,
         ['espresso', 'latte', 'flat white', 'cappuccino', 'mocha'][1 + i % 5] AS product,
         ['downtown', 'station', 'campus'][1 + (i * 7) % 3] AS shop,
         1 + (i * 13) % 3 AS quantity,
         [2.50, 4.20, 3.90, 3.80, 4.60][1 + i % 5]::DECIMAL(6,2) AS unit_price
  FROM range(5000) t(i)) TO '$landing/sales.csv' (HEADER)"
(cd "$RAT_WORKSPACES/demo" && wc -l landing/sales.csv)

step "Revenue by product (table)"
"$rat" query -w demo "SELECT product, count(*) AS orders, sum(quantity) AS cups,
  sum(quantity * unit_price::DECIMAL(6,2)) AS revenue
  FROM '$landing/sales.csv' GROUP BY product ORDER BY revenue DESC"

step "Daily revenue per shop, first days (csv)"
"$rat" query -w demo --format csv "SELECT sold_on, shop, sum(quantity * unit_price::DECIMAL(6,2)) AS revenue
  FROM '$landing/sales.csv' GROUP BY ALL ORDER BY sold_on, shop LIMIT 6"

step "Best day (json)"
"$rat" query -w demo --format json "SELECT sold_on, sum(quantity * unit_price::DECIMAL(6,2)) AS revenue
  FROM '$landing/sales.csv' GROUP BY sold_on ORDER BY revenue DESC, sold_on LIMIT 1"

printf '\nDemo workspace left in %s\n' "$dir"
