# tests/cli/lib.sh - sourced by the end-to-end CLI tests.
#
# Each test runs the real `rat` binary ($RAT_BIN) in a scratch folder of its
# own, with RAT_HOME and RAT_WORKSPACES pointing inside it, and fails on the
# first assertion that does not hold.
set -euo pipefail

: "${RAT_BIN:?RAT_BIN must name the rat binary}"
: "${RAT_SOURCE_DIR:?RAT_SOURCE_DIR must name the source tree}"

T_NAME="$(basename "${BASH_SOURCE[1]}" .sh)"
T_DIR="${RAT_BUILD_DIR:-/tmp}/test-tmp/$T_NAME.$$"
rm -rf "$T_DIR"
mkdir -p "$T_DIR"
cd "$T_DIR"
export RAT_HOME="$T_DIR/.rat"
export RAT_WORKSPACES="$T_DIR/workspaces"
unset WORKSPACE RAT_PROFILE ICEBERG_WAREHOUSE NO_COLOR
T_CHECKS=0
# Under the sanitizers, the Python rat starts (RAT_PYTHON: Python pipelines, .py mocks,
# rat python) loads the sanitized extension: their runtimes must come first in it.
if [ -n "${RAT_PYTHON_PRELOAD:-}" ]; then
	printf '#!/bin/sh\nLD_PRELOAD=%s ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 exec /usr/bin/python3 "$@"\n' \
		"$RAT_PYTHON_PRELOAD" >"$T_DIR/.python"
	chmod +x "$T_DIR/.python"
	export RAT_PYTHON="$T_DIR/.python"
fi
# t_cleanup: what a test must stop on exit (a background process); it redefines it
t_cleanup() { :; }
trap 'rc=$?; serve_stop; t_cleanup; if [ $rc -eq 0 ]; then rm -rf "$T_DIR"; echo "$T_NAME: $T_CHECKS checks passed"; else echo "$T_NAME: FAILED (scratch kept in $T_DIR)"; fi' EXIT

fail() {
	echo "FAIL: $*" >&2
	if [ -f "$T_DIR/out" ]; then echo "--- stdout" >&2; cat "$T_DIR/out" >&2; fi
	if [ -f "$T_DIR/err" ]; then echo "--- stderr" >&2; cat "$T_DIR/err" >&2; fi
	exit 1
}

# run ARGS...: run rat, keeping stdout in $T_DIR/out, stderr in $T_DIR/err and
# the exit status in $RC.
run() {
	set +e
	"$RAT_BIN" "$@" >"$T_DIR/out" 2>"$T_DIR/err"
	RC=$?
	set -e
}

expect_rc() {
	T_CHECKS=$((T_CHECKS + 1))
	[ "$RC" -eq "$1" ] || fail "expected exit $1, got $RC"
}

# expect_out/expect_err FIXED-STRING: the output contains it.
expect_out() {
	T_CHECKS=$((T_CHECKS + 1))
	grep -qF -- "$1" "$T_DIR/out" || fail "stdout lacks: $1"
}
expect_err() {
	T_CHECKS=$((T_CHECKS + 1))
	grep -qF -- "$1" "$T_DIR/err" || fail "stderr lacks: $1"
}
# expect_block TEXT: stdout holds TEXT, lines and all, in one piece (expect_out
# takes each line of a pattern as a pattern of its own)
expect_block() {
	T_CHECKS=$((T_CHECKS + 1))
	[[ "$(cat "$T_DIR/out")" == *"$1"* ]] || fail "stdout lacks the lines: $1"
}
expect_no_out() {
	T_CHECKS=$((T_CHECKS + 1))
	! grep -qF -- "$1" "$T_DIR/out" || fail "stdout should not contain: $1"
}
expect_no_err() {
	T_CHECKS=$((T_CHECKS + 1))
	! grep -qF -- "$1" "$T_DIR/err" || fail "stderr should not contain: $1"
}
expect_file() {
	T_CHECKS=$((T_CHECKS + 1))
	[ -e "$1" ] || fail "missing: $1"
}
expect_no_file() {
	T_CHECKS=$((T_CHECKS + 1))
	[ ! -e "$1" ] || fail "should not exist: $1"
}
# expect_eq ACTUAL EXPECTED
expect_eq() {
	T_CHECKS=$((T_CHECKS + 1))
	[ "$1" = "$2" ] || fail "expected '$2', got '$1'"
}

# expect_json EXPR EXPECTED [EXPR EXPECTED]...: the JSON document on stdout
# parses, and each Python expression EXPR on it (as d) gives its EXPECTED (a
# string as is, anything else as compact JSON: 3, true, null, ["a","b"]).
# One Python for all the pairs: it is slow to start.
expect_json() {
	T_CHECKS=$((T_CHECKS + $# / 2))
	local got
	got="$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
for expr, want in zip(sys.argv[2::2], sys.argv[3::2]):
    v = eval(expr)
    v = v if isinstance(v, str) else json.dumps(v, separators=(",", ":"))
    if v != want:
        print("%s: expected %r, got %r" % (expr, want, v))
        sys.exit(1)' "$T_DIR/out" "$@" 2>&1)" || fail "stdout is not JSON, or: $got"
}
# ws_head WS: the first 12 digits of the hash of workspace WS's branch head.
ws_head() { "$RAT_BIN" log -w "$1" -n 1 | cut -c1-12; }
# ws_csv WS [QUERY OPTIONS...] SQL: the rows of a query on WS as CSV lines
# joined by spaces, without the header.
ws_csv() {
	local ws="$1"
	shift
	"$RAT_BIN" query -w "$ws" --format csv "$@" | tr -d '\r' | tail -n +2 | paste -sd' '
}
# ws_init NAME: `rat init NAME`, then $ws (its folder) and $p (its pipelines folder).
ws_init() {
	run init "$1"
	expect_rc 0
	ws="$RAT_WORKSPACES/$1"
	p="$ws/pipelines"
}
# serve_start [ARGS...]: `rat serve` on a free loopback port ($SERVE_PORT when set: a
# restart on the same address), in the background, its log in $T_DIR/serve.log; sets
# $SERVE_PID and $SERVE_URL (http://127.0.0.1:PORT). The test's exit stops it
# (serve_stop, before t_cleanup).
serve_start() {
	local port i
	port="${SERVE_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}"
	"$RAT_BIN" serve --listen "127.0.0.1:$port" --workspaces "$RAT_WORKSPACES" "$@" \
		>>"$T_DIR/serve.log" 2>&1 &
	SERVE_PID=$!
	SERVE_URL="http://127.0.0.1:$port"
	for i in $(seq 1 100); do
		curl -sf "$SERVE_URL/health" >/dev/null 2>&1 && return 0
		kill -0 "$SERVE_PID" 2>/dev/null || { cat "$T_DIR/serve.log" >&2; fail "rat serve did not start"; }
		sleep 0.1
	done
	fail "rat serve did not answer /health in 10 s"
}
# on HOME TOKEN ARGS...: rat on another machine, a client of the server: RAT_HOME
# $T_DIR/HOME/.rat, its workspaces in $T_DIR/HOME/workspaces, NESSIE_URI $URI (or
# $ON_URI), RAT_TOKEN TOKEN; like run (stdout, stderr, $RC).
on() {
	local home="$1" token="$2"
	shift 2
	set +e
	env RAT_HOME="$T_DIR/$home/.rat" RAT_WORKSPACES="$T_DIR/$home/workspaces" \
		NESSIE_URI="${ON_URI:-$URI}" RAT_TOKEN="$token" "$RAT_BIN" "$@" >"$T_DIR/out" 2>"$T_DIR/err"
	RC=$?
	set -e
}
# wait_for SECONDS CMD...: until CMD succeeds (polled every 0.1 s); 1 when it did not in time
wait_for() {
	local limit="$1" i
	shift
	for i in $(seq 1 $((limit * 10))); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}
# serve_stop: SIGTERM, and wait for it; $SERVE_RC is its exit status.
serve_stop() {
	SERVE_RC=""
	if [ -n "${SERVE_PID:-}" ]; then
		kill -TERM "$SERVE_PID" 2>/dev/null || true
		set +e
		wait "$SERVE_PID"
		SERVE_RC=$?
		set -e
		SERVE_PID=""
	fi
}
# http METHOD PATH [CURL ARGS...]: a request to the server; the body in $T_DIR/out,
# the status in $HTTP (and the headers in $T_DIR/headers). $TOKEN, when set, is sent.
http() {
	local method="$1" path="$2"
	shift 2
	local auth=() how=(-X "$method")
	[ -n "${TOKEN:-}" ] && auth=(-H "Authorization: Bearer $TOKEN")
	[ "$method" = HEAD ] && how=(--head)
	HTTP="$(curl -s "${how[@]}" -o "$T_DIR/out" -D "$T_DIR/headers" -w '%{http_code}' \
		"${auth[@]}" "$@" "$SERVE_URL$path")"
}
# expect_http CODE: the last request's status.
expect_http() {
	T_CHECKS=$((T_CHECKS + 1))
	[ "$HTTP" = "$1" ] || fail "expected HTTP $1, got $HTTP"
}
# icebird_install: icebird (an independent JavaScript Iceberg reader, npm) in
# $RAT_BUILD_DIR/npm-icebird, once; sets $ICEBIRD_DIR, where
# tests/support/icebird_compare.mjs is copied (ES modules resolve packages
# beside the script).
icebird_install() {
	ICEBIRD_DIR="$RAT_BUILD_DIR/npm-icebird"
	if [ ! -f "$ICEBIRD_DIR/node_modules/icebird/package.json" ]; then
		mkdir -p "$ICEBIRD_DIR"
		npm install --prefix "$ICEBIRD_DIR" --no-audit --no-fund --silent icebird@0.3.1 >/dev/null 2>&1 ||
			fail "npm install icebird failed (is the npm registry reachable?)"
	fi
	cp "$RAT_SOURCE_DIR/tests/support/icebird_compare.mjs" "$ICEBIRD_DIR/"
}
