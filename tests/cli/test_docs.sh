#!/usr/bin/env bash
# tests/cli/test_docs.sh - `rat docs generate` and `rat docs check` (D1, D2):
# - a flat pipeline's files stay where they are: its documents go into the
#   folder of its name beside them (<name>/README.md, <name>/docs/), which
#   `rat list`, `rat run` and `rat test` read as no pipeline of its own (its
#   tests/ are the flat pipeline's); both layouts at once are an error naming
#   both files unless they are the same bytes;
# - generating twice gives the same bytes and rewrites no file (mtimes kept);
#   the README's manual section survives;
# - the Mermaid edges of the workspace's lineage are `rat list`'s DEPENDS ON;
# - each check rule fails on a fixture built to break it (exit 1), freshness
#   and pii only warn unless --strict, columns of the built table count;
# - the demo passes `rat docs check --strict` once generated, before and after
#   it runs.
source "$RAT_SOURCE_DIR/tests/cli/lib.sh"

run init shop
expect_rc 0
ws="$RAT_WORKSPACES/shop"
p="$ws/pipelines"
mkdir -p "$ws/landing/orders" "$p/silver/customers"
printf 'id,customer,amount\n1,ann,10\n2,bob,20\n' > "$ws/landing/orders/a.csv"
cat > "$p/bronze/orders.sql" <<'SQL'
-- @materialized: incremental
-- @landing: orders
SELECT * FROM read_csv({{ landing_files }}, header = true)
SQL
cat > "$p/bronze/orders.yaml" <<'YAML'
# spacing and comments that a rewrite would lose
owner:   {team: data,   email: "data@shop.example"}   # the data team
description: "Raw orders, one CSV file a day, each file ingested exactly once"
YAML
cat > "$p/silver/customers/pipeline.sql" <<'SQL'
SELECT DISTINCT customer FROM {{ ref('bronze.orders') }}
SQL
cat > "$p/silver/orders.sql" <<'SQL'
-- @description: Orders with a positive amount, one row per order id
SELECT id, customer, amount FROM {{ ref('bronze.orders') }}
WHERE amount > 0 -- refunds live elsewhere
SQL
cat > "$p/gold/totals.sql" <<'SQL'
SELECT c.customer, sum(o.amount) AS amount
FROM {{ ref('silver.customers') }} c JOIN {{ ref('silver.orders') }} o USING (customer)
GROUP BY ALL
SQL
printf '#!/bin/sh\necho x\n' > "$p/gold/export.sh"
printf 'command: echo hi\n' > "$p/gold/feed.yaml"
yaml_sum="$(sha256sum < "$p/bronze/orders.yaml")"
sql_sum="$(sha256sum < "$p/silver/orders.sql")"

# usage
run docs --help
expect_rc 0
expect_out "Usage: rat docs generate [-w NAME|PATH] [-p LAYER/NAME]"
run docs
expect_rc 2
expect_err "wants a subcommand: generate or check"
run docs publish -w shop
expect_rc 2
expect_err "unknown subcommand 'publish' (generate, check)"
run docs check -w shop -p silver/orders
expect_rc 2
run docs generate -w shop --strict
expect_rc 2

# a flat pipeline keeps its files: its documents go beside them, into the folder of its name
files_sum() { (cd "$p" && find . -type f ! -name '*.md' | sort | xargs sha256sum); }
mkdir -p "$p/gold/totals" && echo mine > "$p/gold/totals/notes.txt" # the user's own folder
before="$(files_sum)"

# one pipeline with -p (layer/name or layer.name); an unknown one is named
run docs generate -w shop -p silver.nope
expect_rc 1
expect_err "no pipeline silver.nope"
run docs generate -w shop -p silver/orders
expect_rc 0
expect_no_out "moved"
expect_out "Documented 1 pipeline: 4 files written"
expect_file "$p/silver/orders/README.md"
expect_file "$p/silver/orders.sql"
expect_no_file "$p/silver/orders/pipeline.sql"
expect_no_file "$ws/docs/lineage.md"

# everything: nothing moves, every pipeline file keeps its bytes
run docs generate -w shop
expect_rc 0
expect_no_out "moved"
expect_out "wrote pipelines/bronze/orders/README.md"
expect_out "wrote pipelines/gold/feed/docs/lineage.md"
expect_out "wrote docs/lineage.md"
expect_out "Documented 6 pipelines: 21 files written, 4 unchanged"
expect_eq "$(files_sum)" "$before"
expect_eq "$(sha256sum < "$p/bronze/orders.yaml")" "$yaml_sum"
expect_eq "$(sha256sum < "$p/silver/orders.sql")" "$sql_sum"
for f in pipelines/bronze/orders/pipeline.sql pipelines/bronze/orders/config.yaml \
	pipelines/gold/export/pipeline.sh pipelines/gold/feed/config.yaml; do
	expect_no_file "$ws/$f"
done
for f in README.md docs/data_dictionary.md docs/business_rules.md docs/lineage.md; do
	expect_file "$p/gold/feed/$f"
done
run list -w shop
expect_rc 0
expect_out "bronze.orders                sql      incremental      0 landing/orders"
expect_eq "$(grep -c '^[a-z]*\.[a-z]' "$T_DIR/out")" "6"
grep -qF "| owner | data <data@shop.example> |" "$p/bronze/orders/README.md" ||
	fail "the YAML beside no longer configures bronze.orders"
T_CHECKS=$((T_CHECKS + 1))
grep -qF "| kind | sql (orders.sql, orders.yaml) |" "$p/bronze/orders/README.md" ||
	fail "the README does not name the flat files"
T_CHECKS=$((T_CHECKS + 1))
grep -qF -- '- `amount > 0`' "$p/silver/orders/docs/business_rules.md" ||
	fail "business rules lack the WHERE condition"
T_CHECKS=$((T_CHECKS + 1))

# twice: the same bytes, and no file rewritten (their old mtimes stay)
sums() { (cd "$ws" && find pipelines docs -type f | sort | xargs sha256sum); }
first="$(sums)"
find "$ws/docs" "$p" -name '*.md' -exec touch -d '2001-02-03 04:05:06' {} +
run docs generate -w shop
expect_rc 0
expect_out "Documented 6 pipelines: 0 files written, 25 unchanged"
expect_eq "$(sums)" "$first"
expect_eq "$(find "$ws/docs" "$p" -name '*.md' -newermt '2001-02-04' | wc -l)" "0"

# the manual section survives, byte for byte
readme="$p/silver/orders/README.md"
awk '{ print } /<!-- manual:start -->/ { print "Ask Ana before changing the *refund* rule."; print "" }' \
	"$readme" > "$T_DIR/readme" && mv "$T_DIR/readme" "$readme"
sed -i 's/^-- @description: .*/-- @description: Orders with a positive amount; refunds are left out of it/' \
	"$p/silver/orders.sql"
run docs generate -w shop
expect_rc 0
expect_out "wrote pipelines/silver/orders/README.md"
grep -qF "Orders with a positive amount; refunds are left out of it" "$readme" ||
	fail "the README did not follow the description"
T_CHECKS=$((T_CHECKS + 1))
expect_eq "$(sed -n '/<!-- manual:start -->/,/<!-- manual:end -->/p' "$readme")" \
	"$(printf '%s\n' '<!-- manual:start -->' 'Ask Ana before changing the *refund* rule.' '' \
		'<!-- manual:end -->')"

# the lineage's edges are the DAG of `rat list`: DEPENDS ON, in build order
id() { sed 's/[^A-Za-z0-9]/_/g' <<<"$1"; }
expected=""
while read -r key _ _ _ deps; do
	[ "$deps" = "-" ] && continue
	IFS=',' read -ra list <<<"$deps"
	for d in "${list[@]}"; do
		expected+="  $(id "$(echo $d)") --> $(id "$key")"$'\n'
	done
done < <("$RAT_BIN" list -w shop | sed '1d;$d')
expect_eq "$(grep -- ' --> ' "$ws/docs/lineage.md")" "${expected%$'\n'}"
expect_eq "$(grep -c -- ' --> ' "$ws/docs/lineage.md")" "5"
lineage="$p/silver/orders/docs/lineage.md"
expect_eq "$(grep -- ' --> ' "$lineage")" "$(printf '%s\n' '  landing_orders --> bronze_orders' \
	'  bronze_orders --> silver_orders' '  silver_orders --> gold_totals')"
grep -qF 'class silver_orders focus' "$lineage" || fail "silver.orders is not highlighted"
T_CHECKS=$((T_CHECKS + 1))

# both layouts at once: the same bytes are one pipeline, else an error naming both files
cp "$p/silver/orders.sql" "$p/silver/orders/pipeline.sql"
run list -w shop
expect_rc 0
expect_eq "$(grep -c '^silver\.orders ' "$T_DIR/out")" "1"
echo "-- changed" >> "$p/silver/orders/pipeline.sql"
run list -w shop
expect_rc 1
expect_err "rat: error: pipelines/silver/orders.sql and pipelines/silver/orders/pipeline.sql both define silver.orders: keep one (a folder holding pipeline.sql is the folder layout; beside a flat orders.sql, orders/ holds only README.md, docs/ and tests/)"
run docs generate -w shop
expect_rc 1
expect_err "pipelines/silver/orders.sql and pipelines/silver/orders/pipeline.sql both define silver.orders"
rm "$p/silver/orders/pipeline.sql"

# the tests/ of a flat pipeline's folder are its own: rat test runs them, rat run ignores them
mkdir -p "$p/silver/orders/tests/mocks" "$p/silver/orders/tests/unit"
printf 'id,customer,amount\n1,ann,10\n2,bob,-5\n' > "$p/silver/orders/tests/mocks/bronze.orders.csv"
printf -- '-- @expect_count: 1\n-- @expect: [{id: 1, amount: 10}]\n' \
	> "$p/silver/orders/tests/unit/positive.sql"
run test -w shop -p silver/orders -t unit
expect_rc 0
expect_out "positive"
expect_out "1 passed"
run run -w shop
expect_rc 0
expect_eq "$(grep -c '^  [a-z]*\.[a-z_]* ' "$T_DIR/out")" "6"
rm -r "$p/silver/orders/tests"

# check: a well documented pipeline passes every rule
cat > "$p/silver/orders.yaml" <<'YAML'
owner: {team: data}
freshness: {column: id, warn_after: 12h, error_after: 2d}
columns:
  - {name: id, description: The order's id, pii: false}
  - {name: customer, description: Who ordered, pii: true}
  - {name: amount, description: What was paid, pii: false}
YAML
run docs generate -w shop
expect_rc 0
run docs check -w shop -v
expect_rc 1 # the other pipelines are not documented
expect_out "ok   silver.orders readme: pipelines/silver/orders/README.md is up to date"
expect_out "ok   silver.orders description: 57 chars"
expect_out "ok   silver.orders owner: data"
expect_out "ok   silver.orders pii: 3 columns marked"
expect_out "ok   silver.orders column_descriptions: 3 columns described"
expect_out "ok   silver.orders freshness: warn after 12h, error after 2d"
expect_out "ok   silver.orders lineage: pipelines/silver/orders/docs/lineage.md is up to date"
expect_out "ok   workspace lineage: docs/lineage.md is up to date"
expect_out "FAIL gold.feed description: missing"
expect_out "WARN gold.feed freshness: not configured"
expect_eq "$(grep -c '^ok   silver.orders ' "$T_DIR/out")" "8"
# a workspace of that one pipeline passes, with --strict too
for k in bronze/orders silver/customers gold/totals gold/export gold/feed; do
	mkdir -p "$T_DIR/gone/$k"
	mv "$p/$k"* "$T_DIR/gone/$k/" # the flat files and the folder beside
done
sed -i "s/FROM {{ ref(.bronze.orders.) }}/FROM (SELECT 1 AS id, 'ann' AS customer, 3 AS amount)/" \
	"$p/silver/orders.sql"
run docs generate -w shop
expect_rc 0
run docs check -w shop --strict
expect_rc 0
expect_out "1 pipeline checked: 0 failures, 0 warnings, 9 passed"

# each rule fails on a fixture built to break it (regenerated, so only that rule fails)
cfg="$p/silver/orders.yaml"
cp "$cfg" "$T_DIR/config.good"
breaks() { # RULE STATUS EXIT [--strict]: check fails exactly that rule
	run docs generate -w shop
	expect_rc 0
	run docs check -w shop ${4:-}
	expect_rc "$3"
	expect_eq "$(grep -E '^(FAIL|WARN) ' "$T_DIR/out" | cut -d' ' -f1-3)" "$2 silver.orders $1:"
	cp "$T_DIR/config.good" "$cfg"
}
sed -i '1i description: Too short' "$cfg" && breaks description FAIL 1
expect_out "FAIL silver.orders description: 9 chars, need 50"
sed -i 's/owner: {team: data}/owner: {slack: "#data"}/' "$cfg" && breaks owner FAIL 1
expect_out "FAIL silver.orders owner: '(#data)' has no team or email"
sed -i '/^owner/d' "$cfg" && breaks owner FAIL 1
expect_out "FAIL silver.orders owner: missing"
sed -i 's/, pii: true//' "$cfg" && breaks pii WARN 0
expect_out "WARN silver.orders pii: not marked: customer (set pii: true or false)"
sed -i 's/, pii: true//' "$cfg" && breaks pii FAIL 1 --strict
sed -i 's/description: Who ordered, //' "$cfg" && breaks column_descriptions FAIL 1
expect_out "FAIL silver.orders column_descriptions: no description: customer"
sed -i '/^freshness/d' "$cfg" && breaks freshness WARN 0
expect_out "WARN silver.orders freshness: not configured"
sed -i '/^freshness/d' "$cfg" && breaks freshness FAIL 1 --strict
run docs generate -w shop
rm "$p/silver/orders/README.md"
run docs check -w shop
expect_rc 1
expect_out "FAIL silver.orders readme: pipelines/silver/orders/README.md is missing (run rat docs generate)"
run docs generate -w shop
sed -i 's/^| materialized | table |/| materialized | view |/' "$p/silver/orders/README.md"
run docs check -w shop
expect_rc 1
expect_out "FAIL silver.orders readme: pipelines/silver/orders/README.md is out of date"
run docs generate -w shop
rm "$p/silver/orders/docs/data_dictionary.md"
run docs check -w shop
expect_rc 1
expect_out "FAIL silver.orders data_dictionary: pipelines/silver/orders/docs/data_dictionary.md is missing"
run docs generate -w shop
sed -i 's/-->/---/' "$p/silver/orders/docs/lineage.md"
run docs check -w shop
expect_rc 1
expect_out "FAIL silver.orders lineage: pipelines/silver/orders/docs/lineage.md is out of date"
# a new pipeline downstream changes the DAG: the lineage (and README) are stale
run docs generate -w shop
printf 'SELECT * FROM {{ ref(%s) }}\n' "'silver.orders'" > "$p/gold/report.sql"
run docs check -w shop
expect_rc 1
expect_out "FAIL silver.orders lineage: pipelines/silver/orders/docs/lineage.md is out of date"
expect_out "FAIL workspace lineage: docs/lineage.md is out of date"
expect_out "FAIL gold.report readme: pipelines/gold/report/README.md is missing"
rm "$p/gold/report.sql"

# once built, the table's columns count: one it has that the config lacks fails
sed -i 's/3 AS amount)/3 AS amount, 4 AS discount)/' "$p/silver/orders.sql"
sed -i 's/SELECT id, customer, amount FROM/SELECT * FROM/' "$p/silver/orders.sql"
run run -w shop
expect_rc 0
run docs generate -w shop
expect_rc 0
grep -qF "| discount | INTEGER | - | not marked | - | undocumented |" \
	"$p/silver/orders/docs/data_dictionary.md" || fail "the dictionary lacks the table's column"
T_CHECKS=$((T_CHECKS + 1))
run docs check -w shop
expect_rc 1
expect_out "WARN silver.orders pii: not marked: discount"
expect_out "FAIL silver.orders column_descriptions: no description: discount (set description:)"

# the demo passes once generated, before and after it runs
export RAT_HOME="$T_DIR/demo/.rat" RAT_WORKSPACES="$T_DIR/demo/workspaces"
mkdir -p "$RAT_WORKSPACES"
cp -R "$RAT_SOURCE_DIR/examples/workspaces/demo" "$RAT_WORKSPACES/demo"
demo="$RAT_WORKSPACES/demo"
run docs check -w demo
expect_rc 1
run docs generate -w demo
expect_rc 0
expect_no_out "moved"
tree_sum() { (cd "$1" && find . -type f ! -name '*.md' | sort | xargs sha256sum); }
expect_eq "$(tree_sum "$demo/pipelines")" \
	"$(tree_sum "$RAT_SOURCE_DIR/examples/workspaces/demo/pipelines")"

expect_file "$demo/pipelines/silver/page_views/README.md"
expect_file "$demo/pipelines/silver/page_views.yaml"
run docs check -w demo --strict
expect_rc 0
expect_out "7 pipelines checked: 0 failures, 0 warnings, 57 passed"
sh "$demo/scripts/generate_landing.sh"
run run -w demo
expect_rc 0
run docs check -w demo --strict
expect_rc 0
run docs generate -w demo
expect_rc 0
expect_out "Documented 7 pipelines: 7 files written, 22 unchanged" # the data dictionaries
run docs check -w demo --strict
expect_rc 0
