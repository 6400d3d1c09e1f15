#!/usr/bin/env bash
# tests/cli/test_maintenance.sh - retention and vacuum (L1, L2, X1):
# with bronze retention_days 90, rows ingested 91 days ago (the clock set by
# RAT_NOW) go with `rat retention apply`, newer rows stay, the previous state
# reads by --ref until vacuum, --dry-run changes nothing; `rat vacuum`
# deletes exactly the files nothing references (the store listed before and
# after) and nothing a tag or a product version needs.
source "$RAT_SOURCE_DIR/tests/cli/lib.sh"

run init shop
expect_rc 0
ws="$RAT_WORKSPACES/shop"
store="$RAT_HOME/warehouse/shop"
mkdir -p "$ws/landing/events"
cat > "$ws/pipelines/bronze/events.sql" <<'SQL'
-- @materialized: incremental
-- @landing: events
SELECT * FROM read_csv({{ landing_files }}, header = true)
SQL
cat > "$ws/pipelines/gold/counts.sql" <<'SQL'
SELECT count(*) AS events FROM {{ ref('bronze.events') }}
SQL
sed -i '/^products:/,$d' "$ws/workspace.yaml"
printf 'products:\n  - name: counts\n    source: gold.counts\n' >> "$ws/workspace.yaml"
count() { "$RAT_BIN" query -w shop --format csv "$@" | tail -1 | tr -d '\r'; }

printf 'id\n1\n2\n3\n' > "$ws/landing/events/old.csv"
RAT_NOW="2024-01-01 00:00:00" "$RAT_BIN" run -w shop >/dev/null 2>&1 || fail "the old run"
printf 'id\n4\n5\n' > "$ws/landing/events/new.csv"
RAT_NOW="2024-03-22 00:00:00" "$RAT_BIN" run -w shop >/dev/null 2>&1 || fail "the newer run"
expect_eq "$(count 'SELECT count(*) FROM bronze.events')" "5"
run products publish counts -w shop
expect_rc 0
before="$("$RAT_BIN" log -w shop -n 1 | cut -c1-12)"
run tag create before-retention -w shop
expect_rc 0

# 2024-04-01 is 91 days after the old rows and 10 after the new ones
export RAT_NOW="2024-04-01 00:00:00"
run retention apply -w shop --dry-run
expect_rc 0
expect_out "bronze.events                    90 _ingested_at     2024-01-02 00:00:00          3 -1 (0 rewritten)"
expect_out "gold.counts"
expect_out "kept forever (retention_days: null)"
expect_out "Dry run: nothing changed."
expect_eq "$("$RAT_BIN" log -w shop -n 1 | cut -c1-12)" "$before"
expect_eq "$(count 'SELECT count(*) FROM bronze.events')" "5"
run retention apply -w shop
expect_rc 0
expect_out "-1/+0" # the old day's partition left whole, nothing rewritten
expect_out "Committed to workspace/shop"
expect_eq "$(count 'SELECT count(*) FROM bronze.events')" "2"
expect_eq "$(count 'SELECT min(id) FROM bronze.events')" "4"
expect_eq "$(count --ref "$before" 'SELECT count(*) FROM bronze.events')" "5"
unset RAT_NOW
# retention also runs after each run: nothing more is old on 2024-04-01
RAT_NOW="2024-04-01 00:00:00" "$RAT_BIN" run -w shop >/dev/null 2>&1 || fail "a run after retention"
expect_eq "$(count 'SELECT count(*) FROM bronze.events')" "2"

# vacuum: what the tag and the branch need stays; the overwritten gold files go
RAT_NOW="2024-04-01 00:00:00" "$RAT_BIN" run -w shop -f gold.counts >/dev/null 2>&1 || fail "rebuild"
ls_store() { (cd "$store" && find . -type f | sort); }
ls_store > "$T_DIR/before.txt"
run vacuum -w shop --older-than 0 --dry-run -v
expect_rc 0
grep '^would delete' "$T_DIR/out" | sed "s|^would delete $store/|./|" | sort > "$T_DIR/planned.txt"
expect_eq "$(ls_store | md5sum)" "$(md5sum < "$T_DIR/before.txt")" # a dry run deletes nothing
[ -s "$T_DIR/planned.txt" ] || fail "vacuum found nothing to delete"
T_CHECKS=$((T_CHECKS + 1))
run vacuum -w shop --older-than 0 -v
expect_rc 0
expect_out "snapshots expired"
ls_store > "$T_DIR/after.txt"
# exactly the planned files went
expect_eq "$(comm -23 "$T_DIR/before.txt" "$T_DIR/after.txt" | md5sum)" "$(md5sum < "$T_DIR/planned.txt")"
# what the tag, the branch and the product need still reads
expect_eq "$(count --ref before-retention 'SELECT count(*) FROM bronze.events')" "5"
expect_eq "$(count 'SELECT count(*) FROM bronze.events')" "2"
expect_eq "$(count 'SELECT events FROM gold.counts')" "2"
sed -i '/^subscriptions:/,$d' "$ws/workspace.yaml"
printf 'subscriptions:\n  - product: shop/counts\n    alias: counts\n' >> "$ws/workspace.yaml"
expect_eq "$(count 'SELECT events FROM products.counts')" "5"
# once the tag is gone, what only it needed goes too
run tag delete before-retention -w shop
expect_rc 0
run vacuum -w shop --older-than 0
expect_rc 0
run query -w shop --ref "$before" "SELECT count(*) FROM bronze.events"
expect_rc 1
expect_eq "$(count 'SELECT count(*) FROM bronze.events')" "2"
expect_eq "$(count 'SELECT events FROM products.counts')" "5"
