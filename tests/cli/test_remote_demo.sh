#!/usr/bin/env bash
# tests/cli/test_remote_demo.sh - the demo (examples/workspaces/demo) end to
# end with NESSIE_URI, on two machines (two homes) sharing one `rat serve`
# and one warehouse: run, query, test, a dev branch run and merged, a second
# run that changes nothing, a product published from one machine and read
# through a subscription on the other, a revoke that the next query meets,
# and the runs listed from the other machine. Every gold table's rows equal
# those of the same demo run on the embedded catalog, with no server.
source "$RAT_SOURCE_DIR/tests/cli/lib.sh"
unset NESSIE_URI RAT_TOKEN RAT_NOW
demo="$RAT_SOURCE_DIR/examples/workspaces/demo"

# the reference: the demo on one machine's own catalog
mkdir -p "$T_DIR/local/workspaces"
cp -R "$demo" "$T_DIR/local/workspaces/demo"
sh "$T_DIR/local/workspaces/demo/scripts/generate_landing.sh"
local_rat() { ICEBERG_WAREHOUSE="$T_DIR/local/warehouse" RAT_HOME="$T_DIR/local/.rat" RAT_WORKSPACES="$T_DIR/local/workspaces" "$RAT_BIN" "$@"; }
local_rat run -w demo >/dev/null 2>&1 || fail "the local demo run failed"

# the server's machine: the demo and an analytics workspace, a token each
export ICEBERG_WAREHOUSE="$T_DIR/warehouse"
mkdir -p "$RAT_WORKSPACES"
cp -R "$demo" "$RAT_WORKSPACES/demo"
ws_init analytics
run token create -w demo
tok_demo="$(cat "$T_DIR/out")"
run token create -w analytics
tok_an="$(cat "$T_DIR/out")"
serve_start
URI="$SERVE_URL/api/v2"

# machine A works on the demo; machine B on analytics, subscribed to the demo's product
mkdir -p "$T_DIR/ha/workspaces" "$T_DIR/hb/workspaces"
cp -R "$demo" "$T_DIR/ha/workspaces/demo"
cat >>"$T_DIR/ha/workspaces/demo/workspace.yaml" <<'EOF'

products:
  - name: kpis
    source: gold.daily_kpis
    description: "The shop's daily KPIs"
    access:
      - workspace: analytics
        level: read
EOF
cp -R "$RAT_WORKSPACES/analytics" "$T_DIR/hb/workspaces/analytics"
cat >>"$T_DIR/hb/workspaces/analytics/workspace.yaml" <<'EOF'
subscriptions:
  - product: demo/kpis
    alias: kpis
    version_constraint: "^1.0.0"
EOF
sh "$T_DIR/ha/workspaces/demo/scripts/generate_landing.sh"

# --- run, query, test on machine A
on ha "$tok_demo" run -w demo
expect_rc 0
expect_out "Published to workspace/demo"
run_id="$(sed -n 's/^Run \([^ ]*\) on .*/\1/p' "$T_DIR/out")"
for t in daily_kpis page_device_metrics top_products; do
	want="$(local_rat query -w demo --format csv "SELECT * FROM gold.$t ORDER BY ALL")"
	on ha "$tok_demo" query -w demo --format csv "SELECT * FROM gold.$t ORDER BY ALL"
	expect_rc 0
	[ "$(cat "$T_DIR/out")" = "$want" ] || fail "gold.$t differs from the embedded catalog's run"
done
on ha "$tok_demo" test -w demo
expect_rc 0

# --- a dev branch: run there, diff, merge back; then a run that finds nothing new
on ha "$tok_demo" dev start promo -w demo
expect_rc 0
printf -- "-- @materialized: table\nSELECT day, revenue * 2 AS revenue FROM {{ ref('gold.daily_kpis') }}\n" \
	>"$T_DIR/ha/workspaces/demo/pipelines/gold/promo.sql"
on ha "$tok_demo" dev run promo -w demo gold.promo
expect_rc 0
on ha "$tok_demo" dev diff promo -w demo
expect_out "gold.promo"
on ha "$tok_demo" dev merge promo -w demo
expect_rc 0
on ha "$tok_demo" tables -w demo
expect_out "gold.promo"
on ha "$tok_demo" run -w demo
expect_rc 0
expect_out "up to date"

# --- the product: published from A, read on B, revoked from A
on ha "$tok_demo" products publish kpis -w demo
expect_rc 0
expect_out "1.0.0"
want="$(local_rat query -w demo --format csv "SELECT * FROM gold.daily_kpis ORDER BY ALL")"
on hb "$tok_an" query -w analytics --format csv "SELECT * FROM products.kpis ORDER BY ALL"
expect_rc 0
[ "$(cat "$T_DIR/out")" = "$want" ] || fail "B reads other rows than A published"
on hb "$tok_an" products list -w analytics
expect_out "demo/kpis"
on ha "$tok_demo" products revoke kpis analytics -w demo
expect_rc 0
on hb "$tok_an" query -w analytics "SELECT count(*) FROM products.kpis"
expect_rc 1
expect_err "kpis"

# --- the runs, listed on B's machine for the demo (its token), and on the server's
on hb "$tok_demo" runs -w demo -n 10
expect_rc 1     # B has no copy of the demo workspace: it says so
mkdir -p "$T_DIR/hb/workspaces/demo" && cp -R "$demo/." "$T_DIR/hb/workspaces/demo/"
on hb "$tok_demo" runs -w demo -n 10
expect_rc 0
expect_out "$run_id"
run runs -w demo -n 10
expect_out "$run_id"

# the server stops cleanly (under ASan: no leak, no error)
serve_stop
[ "$SERVE_RC" = 0 ] || fail "rat serve exited $SERVE_RC: $(tail -5 "$T_DIR/serve.log")"
