#!/usr/bin/env bash
# tests/cli/test_products.sh - data products between workspaces (X1-X4):
# finance publishes ledger with read for audit-*; audit-2024 reads it as
# products.ledger (^1.0.0), marketing's subscription fails naming the
# product and the missing rule, and a revoke fails audit's next query;
# npm semver picks among 1.0.0, 1.1.0 and 2.0.0; a version stays readable
# after its source is overwritten; dropping a column needs a major bump.
source "$RAT_SOURCE_DIR/tests/cli/lib.sh"

for w in finance audit-2024 marketing; do
	run init "$w"
	expect_rc 0
done
fin="$RAT_WORKSPACES/finance"
cat >> "$fin/workspace.yaml" <<'YAML'
YAML
sed -i '/^products:/,$d' "$fin/workspace.yaml"
cat >> "$fin/workspace.yaml" <<'YAML'
products:
  - name: ledger
    source: gold.ledger
    description: "Posted ledger entries"
    sla:
      freshness_hours: 24
    access:
      - workspace: "audit-*"
        level: read
YAML
subscribe() { # WORKSPACE CONSTRAINT
	sed -i '/^subscriptions:/,$d' "$RAT_WORKSPACES/$1/workspace.yaml"
	printf 'subscriptions:\n  - product: finance/ledger\n    alias: ledger\n    version_constraint: "%s"\n' \
		"$2" >> "$RAT_WORKSPACES/$1/workspace.yaml"
}
cat > "$fin/pipelines/gold/ledger.sql" <<'SQL'
SELECT i AS entry, i * 10 AS amount, 'memo ' || i AS memo FROM range(1, 4) t(i)
SQL
run run -w finance
expect_rc 0
run products publish ledger -w finance --changelog "first"
expect_rc 0
expect_out "Published finance/ledger 1.0.0"

subscribe audit-2024 "^1.0.0"
subscribe marketing "^1.0.0"
run query -w audit-2024 --format csv "SELECT sum(amount) AS total FROM products.ledger"
expect_rc 0
expect_eq "$(tr -d '\r' < "$T_DIR/out")" "$(printf 'total\n60')"
run query -w marketing "SELECT * FROM products.ledger"
expect_rc 1
expect_err "workspace marketing may not read product finance/ledger: no access rule matches it (rules: audit-* read)"
# a query that does not touch the product still runs
run query -w marketing "SELECT 1 AS one"
expect_rc 0
# the subscriber reaches the version's rows and nothing else of finance
ledger_dir="$("$RAT_BIN" products versions finance/ledger -w audit-2024 >/dev/null; find "$RAT_HOME/warehouse/finance/gold/ledger" -name '*.parquet' | head -1)"
run query -w audit-2024 "SELECT * FROM read_parquet('$ledger_dir')"
expect_rc 1
expect_err "Permission Error"
# revoking the rule fails audit's next query
run products revoke ledger "audit-*" -w finance
expect_rc 0
run query -w audit-2024 "SELECT * FROM products.ledger"
expect_rc 1
expect_err "no access rule matches it (it has no access rules)"
run products grant ledger "audit-*" read -w finance
expect_rc 0
run products grant finance/ledger "*" read -w marketing
expect_rc 1
expect_err "workspace marketing does not administer product finance/ledger"

# 1.1.0 (a column added), then 2.0.0 (a column dropped: needs a major bump)
cat > "$fin/pipelines/gold/ledger.sql" <<'SQL'
SELECT i AS entry, i * 100 AS amount, 'memo ' || i AS memo, 'EUR' AS currency FROM range(1, 4) t(i)
SQL
run run -w finance
expect_rc 0
run products publish ledger -w finance
expect_rc 0
expect_out "Published finance/ledger 1.1.0"
cat > "$fin/pipelines/gold/ledger.sql" <<'SQL'
SELECT i AS entry, i * 1000 AS amount, 'EUR' AS currency FROM range(1, 4) t(i)
SQL
run run -w finance
expect_rc 0
run products publish ledger -w finance --bump minor
expect_rc 1
expect_err "product ledger: version 1.2.0 drops column 'memo' of 1.1.0: that breaks subscribers and needs a new major version (--bump major)"
run products publish ledger -w finance --bump major
expect_rc 0
expect_out "Published finance/ledger 2.0.0"

# npm semver picks the version; each reads its own rows
total_for() { subscribe audit-2024 "$1"; "$RAT_BIN" query -w audit-2024 --format csv \
	"SELECT sum(amount) FROM products.ledger" | tail -1 | tr -d '\r'; }
expect_eq "$(total_for '^1.0.0')" "600"
expect_eq "$(total_for '~1.1.0')" "600"
expect_eq "$(total_for '1.x')" "600"
expect_eq "$(total_for 'latest')" "6000"
expect_eq "$(total_for '>=1.0.0 <2.0.0')" "600"
expect_eq "$(total_for '1.0.0')" "60"
subscribe audit-2024 "^3.0.0"
run query -w audit-2024 "SELECT * FROM products.ledger"
expect_rc 1
expect_err "no version of finance/ledger matches '^3.0.0' (published: 1.0.0 1.1.0 2.0.0)"

# the source is overwritten: every version still reads its original rows
cat > "$fin/pipelines/gold/ledger.sql" <<'SQL'
SELECT 1 AS entry, 1 AS amount, 'EUR' AS currency
SQL
run run -w finance
expect_rc 0
expect_eq "$(total_for '1.0.0')" "60"
expect_eq "$(total_for '2.0.0')" "6000"

run products list -w audit-2024
expect_rc 0
expect_out "finance/ledger                   2.0.0      read     gold.ledger"
run products versions finance/ledger -w audit-2024
expect_rc 0
expect_out "access: audit-* read"
expect_out "1.0.0"
expect_out "first"
run products status -w finance
expect_rc 0
expect_out "ok"
# the age counts from the workspace's now: RAT_NOW two days on makes the 24 h SLA late
RAT_NOW="$(date -u -d '+2 days' '+%Y-%m-%d %H:%M:%S')" run products status -w finance
expect_rc 1
expect_out "LATE"
