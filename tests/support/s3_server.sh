#!/usr/bin/env bash
# tests/support/s3_server.sh - start a local S3 server (or the fault proxy)
# for the storage tests, on 127.0.0.1 and a free port.
#
#   s3_server.sh moto   DIR BUCKET PARENT_PID
#   s3_server.sh s3rver DIR BUCKET PARENT_PID
#   s3_server.sh proxy  DIR UPSTREAM_PORT PARENT_PID [fault_proxy.py options]
#
# Waits until the server answers, creates BUCKET, and writes DIR/port and
# DIR/pid (the server leads its own process group: `kill -- -PID` stops it
# all). A watchdog stops the server when PARENT_PID exits, so a test that
# crashes or is killed by a timeout leaves nothing running. The server's
# output goes to DIR/server.log.
#
# The storage tests never skip: when moto_server, node/npm or python3 is
# missing, or the server does not come up, this exits 1 saying why.
# s3rver comes from the npm registry into $RAT_BUILD_DIR/npm, once.
set -euo pipefail

KIND="${1:?usage: s3_server.sh moto|s3rver|proxy DIR ARG PARENT_PID}"
DIR="${2:?missing DIR}"
ARG="${3:?missing BUCKET or UPSTREAM_PORT}"
PARENT="${4:?missing PARENT_PID}"
shift 4
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
NPM_DIR="${RAT_BUILD_DIR:-$HERE/../../build}/npm"
S3RVER_VERSION=3.7.1

die() { echo "s3_server.sh: $*" >&2; exit 1; }

need() {
	command -v "$1" >/dev/null 2>&1 || die "$1 is not installed: $2"
}

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# s3rver from the npm registry, installed once per build tree (under a lock:
# tests run in parallel).
install_s3rver() {
	need npm "the S3 tests run s3rver from npm (apt-get install npm)"
	need node "the S3 tests run s3rver on node (apt-get install nodejs)"
	mkdir -p "$NPM_DIR"
	(
		flock 9
		if [ ! -x "$NPM_DIR/node_modules/.bin/s3rver" ]; then
			npm install --prefix "$NPM_DIR" --no-audit --no-fund --loglevel=error \
				"s3rver@$S3RVER_VERSION" >"$NPM_DIR/install.log" 2>&1 ||
				{ cat "$NPM_DIR/install.log" >&2; exit 1; }
		fi
	) 9>"$NPM_DIR/.lock" || die "npm install s3rver@$S3RVER_VERSION failed"
}

start() {
	local port="$1"
	shift
	case "$KIND" in
	moto)
		setsid moto_server -H 127.0.0.1 -p "$port" >"$DIR/server.log" 2>&1 </dev/null &
		;;
	s3rver)
		# s3rver makes continuation tokens with DES, which OpenSSL 3 keeps in its
		# legacy provider: without it every truncated list answers 500
		NODE_OPTIONS=--openssl-legacy-provider \
			setsid "$NPM_DIR/node_modules/.bin/s3rver" -d "$DIR/data" -a 127.0.0.1 -p "$port" \
			>"$DIR/server.log" 2>&1 </dev/null &
		;;
	proxy)
		setsid python3 "$HERE/fault_proxy.py" --port "$port" --upstream "127.0.0.1:$ARG" \
			--rules "$DIR/rules" --log "$DIR/log" "$@" >"$DIR/server.log" 2>&1 </dev/null &
		;;
	*) die "unknown server kind '$KIND'" ;;
	esac
	echo $!
}

# Wait until the server answers HTTP (any status); fail if it died.
wait_ready() {
	local pid="$1" port="$2" i code
	for i in $(seq 1 300); do
		kill -0 "$pid" 2>/dev/null || return 1
		code=$(curl -s -o /dev/null -m 2 -w '%{http_code}' "http://127.0.0.1:$port/" || true)
		[ "$code" != "000" ] && return 0
		sleep 0.1
	done
	return 1
}

mkdir -p "$DIR"
need python3 "the S3 tests use it to pick ports and run the fault proxy"
need curl "the S3 tests use it to create buckets"
need aws "the S3 tests check what a bucket holds with the aws CLI (pip install awscli)"
case "$KIND" in
moto) need moto_server "the S3 tests run moto (pip install 'moto[server]')" ;;
s3rver) install_s3rver; mkdir -p "$DIR/data" ;;
esac

pid=""
for try in 1 2 3; do
	port=$(free_port)
	pid=$(start "$port" "$@")
	if wait_ready "$pid" "$port"; then
		break
	fi
	kill -- -"$pid" 2>/dev/null || true
	pid=""
done
if [ -z "$pid" ]; then
	cat "$DIR/server.log" >&2 || true
	die "$KIND did not start on 127.0.0.1 (log above)"
fi

# the watchdog: stop the server when the test process is gone
setsid bash -c 'while kill -0 "$1" 2>/dev/null && kill -0 "$2" 2>/dev/null; do sleep 0.5; done
	kill -- -"$2" 2>/dev/null' watchdog "$PARENT" "$pid" >/dev/null 2>&1 </dev/null &

if [ "$KIND" != proxy ]; then
	key=testing secret=testing
	[ "$KIND" = s3rver ] && key=S3RVER secret=S3RVER
	code=$(curl -s -o "$DIR/bucket.out" -w '%{http_code}' -X PUT \
		--aws-sigv4 "aws:amz:us-east-1:s3" -u "$key:$secret" \
		-H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' "http://127.0.0.1:$port/$ARG")
	if [ "$code" != 200 ]; then
		kill -- -"$pid" 2>/dev/null || true
		cat "$DIR/bucket.out" >&2 || true
		die "$KIND: creating bucket $ARG answered $code"
	fi
fi
echo "$port" >"$DIR/port"
echo "$pid" >"$DIR/pid"
