#!/usr/bin/env bash
# tests/cli/test_deps.sh - the set-up that `make demo` and `make test` run:
# once installed, running it again downloads nothing (it passes offline), a
# tarball that does not match its pinned sha512 integrity is refused, and CI
# runs exactly `make test`.
source "$RAT_SOURCE_DIR/tests/cli/lib.sh"

deps="$RAT_SOURCE_DIR/scripts/deps.sh"

# a second run needs nothing from the network
set +e
"$deps" --offline >"$T_DIR/out" 2>"$T_DIR/err"
RC=$?
set -e
expect_rc 0
expect_out "tools and Debian packages: all present"
if [ -z "${DUCKDB_ROOT:-}" ]; then
	expect_out "already in third_party/duckdb (nothing to download)"
	# what was unpacked is what the lock pins
	expect_eq "$(cat "$RAT_SOURCE_DIR/third_party/duckdb/.stamp")" \
		"$(grep -E '^duckdb-' "$RAT_SOURCE_DIR/scripts/deps.lock")"
else
	expect_out "using DUCKDB_ROOT=$DUCKDB_ROOT"
fi

# integrity: computed independently (node's crypto), checked by deps.sh
printf 'some tarball bytes\n' > pkg.tgz
good="sha512-$(node -e 'const c=require("crypto"),f=require("fs");
process.stdout.write(c.createHash("sha512").update(f.readFileSync(process.argv[1])).digest("base64"))' pkg.tgz)"
set +e
"$deps" --verify pkg.tgz "$good" >"$T_DIR/out" 2>"$T_DIR/err"
RC=$?
set -e
expect_rc 0
printf 'tampered\n' >> pkg.tgz
set +e
"$deps" --verify pkg.tgz "$good" >"$T_DIR/out" 2>"$T_DIR/err"
RC=$?
set -e
expect_rc 1
expect_err "pkg.tgz: integrity mismatch"

# the lock pins both DuckDB packages with sha512 integrity strings
T_CHECKS=$((T_CHECKS + 1))
[ "$(grep -cE '^duckdb-(lib|header) +[^ ]+@1\.4\.4[^ ]* +sha512-[A-Za-z0-9+/]{86}==$' \
	"$RAT_SOURCE_DIR/scripts/deps.lock")" -eq 2 ] || fail "scripts/deps.lock does not pin both DuckDB 1.4.4 packages"

# CI runs the README's command and nothing cleverer
T_CHECKS=$((T_CHECKS + 1))
grep -qx 'exec make test' "$RAT_SOURCE_DIR/.ci/run" || fail ".ci/run does not run 'make test'"
