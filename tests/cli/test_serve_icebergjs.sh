#!/usr/bin/env bash
# tests/cli/test_serve_icebergjs.sh - `rat serve` driven by iceberg-js, a real
# Iceberg REST client from npm (tests/support/npm-serve: pinned, with its
# integrity, in package-lock.json; installed with npm ci).
# See tests/support/npm-serve/icebergjs_client.mjs for the steps.
source "$RAT_SOURCE_DIR/tests/cli/lib.sh"
: "${RAT_TABLE_TOOL:?}"

src="$RAT_SOURCE_DIR/tests/support/npm-serve"
npm_dir="$RAT_BUILD_DIR/npm-serve"
stamp="$(cat "$src/package-lock.json" | sha256sum | cut -c1-16)"
if [ ! -f "$npm_dir/.stamp" ] || [ "$(cat "$npm_dir/.stamp")" != "$stamp" ]; then
	rm -rf "$npm_dir"
	mkdir -p "$npm_dir"
	cp "$src/package.json" "$src/package-lock.json" "$npm_dir/"
	(cd "$npm_dir" && npm ci --no-audit --no-fund --ignore-scripts --silent >/dev/null 2>&1) ||
		fail "npm ci in $npm_dir failed (is the npm registry reachable?)"
	echo "$stamp" >"$npm_dir/.stamp"
fi
# ES modules resolve packages beside the script: run it from the npm folder
cp "$src/icebergjs_client.mjs" "$npm_dir/"

ws_init a
ws_init b
run token create -w a
tok_a="$(cat "$T_DIR/out")"
run token create -w b
export TOKEN_B="$(cat "$T_DIR/out")"
serve_start

RAT_BIN="$RAT_BIN" RAT_TABLE_TOOL="$RAT_TABLE_TOOL" \
	node "$npm_dir/icebergjs_client.mjs" "$SERVE_URL" "$tok_a" >"$T_DIR/js.log" 2>&1 ||
	fail "iceberg-js: $(cat "$T_DIR/js.log")"
T_CHECKS=$((T_CHECKS + $(sed -n 's/^iceberg-js: \([0-9]*\) steps held$/\1/p' "$T_DIR/js.log")))
expect_eq "$(ws_csv a "select count(*) from gold.js_events")" "5"
serve_stop
expect_eq "$SERVE_RC" 0
