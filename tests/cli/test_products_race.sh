#!/usr/bin/env bash
# tests/cli/test_products_race.sh - concurrent publishes of one product
# (issue 15, item 10): racing publishes pick one version each (or fail
# naming the version another took) and each version's folder holds exactly
# the files the registry names, its version.json naming the same file;
# `rat vacuum` removes under _products/ what no registry entry names (a
# failed attempt's folder, a stray file in a version's folder) and keeps
# every version readable.
source "$RAT_SOURCE_DIR/tests/cli/lib.sh"

for w in shop fans; do
	run init "$w"
	expect_rc 0
done
ws="$RAT_WORKSPACES/shop"
sed -i '/^products:/,$d' "$ws/workspace.yaml"
printf 'products:\n  - name: kpis\n    source: gold.kpis\n    access:\n      - workspace: "*"\n        level: read\n' >> "$ws/workspace.yaml"
printf 'SELECT i AS day, i * 3 AS sales FROM range(5) t(i)\n' > "$ws/pipelines/gold/kpis.sql"
run run -w shop
expect_rc 0
products="$RAT_HOME/warehouse/_products/shop/kpis"

# the registry's versions and files, against the folders: exactly the same files
check_folders() {
	T_CHECKS=$((T_CHECKS + 1))
	python3 - "$RAT_HOME/catalog.db" "$products" <<'PY' || fail "folders and registry differ"
import json, os, sqlite3, sys
db, root = sys.argv[1], sys.argv[2]
rows = sqlite3.connect(db).execute(
    "SELECT version, location, files FROM product_versions WHERE owner='shop' AND name='kpis'").fetchall()
folders = sorted(os.listdir(root))
assert folders == sorted(v for v, _, _ in rows), (folders, rows)
for version, location, files in rows:
    files = json.loads(files)
    assert location == os.path.join(root, version), location
    assert sorted(os.listdir(location)) == sorted(files + ["version.json"]), (version, os.listdir(location), files)
    about = json.load(open(os.path.join(location, "version.json")))
    assert [about["file"]] == files and about["version"] == version, (about, files)
PY
}

# four racing publishes with no version: four versions, one file each
pids=()
for i in 1 2 3 4; do
	"$RAT_BIN" products publish kpis -w shop >"$T_DIR/pub$i.out" 2>&1 &
	pids+=($!)
done
for i in 0 1 2 3; do
	wait "${pids[$i]}" || fail "publish $((i + 1)) failed: $(cat "$T_DIR/pub$((i + 1)).out")"
done
expect_eq "$(cat "$T_DIR"/pub*.out | sed -n 's/^Published shop\/kpis \([0-9.]*\).*/\1/p' | sort | paste -sd' ')" \
	"1.0.0 1.0.1 1.0.2 1.0.3"
check_folders

# four racing publishes of 2.0.0: one publishes it, the others fail naming it, no file left
pids=()
for i in 1 2 3 4; do
	"$RAT_BIN" products publish kpis -w shop --version 2.0.0 >"$T_DIR/pub$i.out" 2>&1 &
	pids+=($!)
done
ok=0
for i in 0 1 2 3; do
	if wait "${pids[$i]}"; then ok=$((ok + 1)); else
		grep -qF "version 2.0.0 is not after the latest, 2.0.0" "$T_DIR/pub$((i + 1)).out" ||
			fail "publish $((i + 1)): $(cat "$T_DIR/pub$((i + 1)).out")"
	fi
done
expect_eq "$ok" "1"
check_folders

# what a crashed publish leaves: an unrecorded version's folder, a stray file in a recorded one
mkdir -p "$products/3.0.0"
echo junk > "$products/3.0.0/data-crashed.parquet"
echo junk > "$products/1.0.1/data-stray.parquet"
run vacuum -w shop --older-than 0 -v
expect_rc 0
expect_out "$products/3.0.0/data-crashed.parquet"
expect_out "$products/1.0.1/data-stray.parquet"
check_folders
sed -i '/^subscriptions:/,$d' "$RAT_WORKSPACES/fans/workspace.yaml"
printf 'subscriptions:\n  - product: shop/kpis\n    alias: kpis\n    version_constraint: "^1.0.0"\n' >> "$RAT_WORKSPACES/fans/workspace.yaml"
expect_eq "$(ws_csv fans 'SELECT count(*), sum(sales) FROM products.kpis')" "5,30"
