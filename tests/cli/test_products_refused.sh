#!/usr/bin/env bash
# tests/cli/test_products_refused.sh - subscriptions bound on demand (issue 15,
# item 9): a refused or unresolvable subscription fails every query shape
# that reads it (count(*), sum(col), a join) with the real reason (no access,
# no version matches, not published), in `rat query`, in a run and in
# `rat test`, and never answers rows; a product version whose file is gone
# fails only the queries that read it, and `SELECT 1` still runs.
source "$RAT_SOURCE_DIR/tests/cli/lib.sh"

for w in finance audit; do
	run init "$w"
	expect_rc 0
done
fin="$RAT_WORKSPACES/finance"
aud="$RAT_WORKSPACES/audit"
sed -i '/^products:/,$d' "$fin/workspace.yaml"
printf 'products:\n  - name: ledger\n    source: gold.ledger\n    access:\n      - workspace: "audit"\n        level: read\n' >> "$fin/workspace.yaml"
cat > "$fin/pipelines/gold/ledger.sql" <<'SQL'
SELECT i AS entry, i * 10 AS amount FROM range(1, 4) t(i)
SQL
run run -w finance
expect_rc 0
run products publish ledger -w finance
expect_rc 0
subscribe() { # PRODUCT CONSTRAINT
	sed -i '/^subscriptions:/,$d' "$aud/workspace.yaml"
	printf 'subscriptions:\n  - product: %s\n    alias: ledger\n    version_constraint: "%s"\n' \
		"$1" "$2" >> "$aud/workspace.yaml"
}
# every shape fails with REASON; SELECT 1 runs
refused() { # REASON
	local sql
	for sql in "SELECT count(*) FROM products.ledger" "SELECT sum(amount) FROM products.ledger" \
		"SELECT * FROM products.ledger" "SELECT 1 FROM range(2) r JOIN products.ledger l ON true" \
		"SELECT count(*) FROM (SELECT 1 FROM products.ledger)"; do
		run query -w audit "$sql"
		expect_rc 1
		expect_err "$1"
		T_CHECKS=$((T_CHECKS + 1))
		! grep -q "Binder Error\|unavailable" "$T_DIR/err" || fail "$sql: not the reason: $(cat "$T_DIR/err")"
	done
	run query -w audit "SELECT 1 AS one"
	expect_rc 0
}

subscribe finance/ledger "^1.0.0"
expect_eq "$(ws_csv audit 'SELECT count(*), sum(amount) FROM products.ledger')" "3,60"
# a pipeline and a quality test that read the product, built while it may
cat > "$aud/pipelines/gold/copy.sql" <<'SQL'
SELECT count(*) AS n FROM products.ledger
SQL
mkdir -p "$aud/pipelines/gold/copy/tests/quality"
cat > "$aud/pipelines/gold/copy/tests/quality/ledger_rows.sql" <<'SQL'
SELECT * FROM products.ledger WHERE amount < 0
SQL
run run -w audit
expect_rc 0
run test -w audit
expect_rc 0

# no access
run products revoke ledger audit -w finance
expect_rc 0
refused "workspace audit may not read product finance/ledger: no access rule matches it (it has no access rules)"
# the same inside a run (rebuilt: the product's version did not change) and in rat test
run run -w audit --full-refresh
expect_rc 1
expect_err "workspace audit may not read product finance/ledger: no access rule matches it"
run test -w audit
expect_rc 1
expect_out "may not read product finance/ledger: no access rule matches it"
T_CHECKS=$((T_CHECKS + 1))
! grep -q "Binder Error\|unavailable" "$T_DIR/out" "$T_DIR/err" || fail "rat test: not the reason"
rm -r "$aud/pipelines/gold/copy" "$aud/pipelines/gold/copy.sql"
run products grant ledger audit read -w finance
expect_rc 0

# no version matches; not published
subscribe finance/ledger "^2.0.0"
refused "no version of finance/ledger matches '^2.0.0' (published: 1.0.0)"
subscribe finance/nothing "^1.0.0"
refused "no product 'finance/nothing' is published"

# a version's file gone: only what reads the product fails
subscribe finance/ledger "^1.0.0"
find "$RAT_HOME/warehouse/_products" -name '*.parquet' -delete
run query -w audit "SELECT 1 AS one"
expect_rc 0
run query -w audit "SELECT count(*) FROM products.ledger"
expect_rc 1
expect_err "product finance/ledger"
