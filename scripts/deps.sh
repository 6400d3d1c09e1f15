#!/usr/bin/env bash
# scripts/deps.sh - install what the build and the tests need, and nothing twice.
#
#   scripts/deps.sh                 install missing Debian packages, fetch DuckDB
#   scripts/deps.sh --offline       the same, but fail instead of downloading anything
#   scripts/deps.sh --verify F I    check file F against npm integrity string I
#
# Debian packages are installed with apt-get only when dpkg says they are missing.
# DuckDB has no Debian package: its official build is fetched from the npm registry
# with `npm pack` (which runs no install scripts), each tarball is checked against the
# sha512 integrity pinned in scripts/deps.lock, and the library and header are
# unpacked into third_party/duckdb/{lib,include}. A stamp file records what was
# unpacked, so a second run downloads nothing. DUCKDB_ROOT, when set, names an
# existing DuckDB install (with include/duckdb.h and lib/libduckdb.so) to use instead.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
top="$(cd "$here/.." && pwd)"
lock="$here/deps.lock"
offline="${RAT_DEPS_OFFLINE:-0}"
tmp=""
trap 'if [ -n "$tmp" ]; then rm -rf "$tmp"; fi' EXIT

# What the build, the library and the test suite use. Keep in step with CMakeLists.txt.
# Tools are checked by command (they may come from elsewhere than Debian, as Node.js
# often does); libraries by Debian package.
TOOLS=(	# command:package
	cc:build-essential make:make cmake:cmake ninja:ninja-build pkg-config:pkg-config
	git:git openssl:openssl node:nodejs npm:npm clang:clang
	python3:python3 aws:awscli flock:util-linux setsid:util-linux
	xlsx2csv:xlsx2csv sqlite3:sqlite3 wrk:wrk
)
DEB_PACKAGES=(
	ca-certificates tzdata libfyaml-dev libcmocka-dev libclang-rt-14-dev
	libcurl4-openssl-dev libjansson-dev libavro-dev libsqlite3-dev
	libssl-dev libexpat1-dev libedit-dev libmicrohttpd-dev
	python3-yaml python3-jsonschema python3-croniter
	python3-dev python3-numpy python3-pandas python3-pytest python3-setuptools
	python3-nbclient python3-nbformat python3-ipykernel python3-matplotlib jupyter-notebook
)

say() { printf 'deps: %s\n' "$*"; }
die() { printf 'deps: error: %s\n' "$*" >&2; exit 1; }

# verify FILE INTEGRITY: INTEGRITY is npm's "sha512-<base64>".
verify() {
	local file="$1" want="$2" got
	[[ "$want" == sha512-* ]] || die "unsupported integrity '$want' (expected sha512-...)"
	[ -f "$file" ] || die "$file: no such file"
	got="sha512-$(openssl dgst -sha512 -binary "$file" | base64 -w0)"
	if [ "$got" != "$want" ]; then
		printf 'deps: error: %s: integrity mismatch\n  expected %s\n  got      %s\n' \
			"$file" "$want" "$got" >&2
		return 1
	fi
}

install_debian() {
	local missing=() p t
	for t in "${TOOLS[@]}"; do
		command -v "${t%%:*}" >/dev/null 2>&1 || missing+=("${t#*:}")
	done
	for p in "${DEB_PACKAGES[@]}"; do
		if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
			missing+=("$p")
		fi
	done
	if [ ${#missing[@]} -eq 0 ]; then
		say "tools and Debian packages: all present"
		return
	fi
	[ "$offline" = 1 ] && die "offline, but these Debian packages are missing: ${missing[*]}"
	local sudo=""
	if [ "$(id -u)" != 0 ]; then
		command -v sudo >/dev/null || die "need root (or sudo) to install: ${missing[*]}"
		sudo="sudo"
	fi
	say "installing Debian packages: ${missing[*]}"
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

lock_spec() { awk -v n="$1" '$1 == n { print $2 }' "$lock"; }
lock_integrity() { awk -v n="$1" '$1 == n { print $3 }' "$lock"; }

# fetch NAME DIR: npm pack the locked spec into DIR and verify it; prints the tarball path.
fetch() {
	local name="$1" dir="$2" spec integrity tgz
	spec="$(lock_spec "$name")"
	integrity="$(lock_integrity "$name")"
	[ -n "$spec" ] && [ -n "$integrity" ] || die "$lock: no entry for $name"
	say "fetching $spec" >&2
	mkdir -p "$dir/$name"
	(cd "$dir/$name" && npm pack "$spec" --silent --ignore-scripts >/dev/null 2>&1) ||
		die "npm pack $spec failed (is the npm registry reachable?)"
	tgz="$(ls "$dir/$name"/*.tgz 2>/dev/null | head -n 1)"
	[ -n "$tgz" ] || die "npm pack $spec produced no tarball"
	verify "$tgz" "$integrity" || die "refusing $spec: its tarball does not match scripts/deps.lock"
	printf '%s\n' "$tgz"
}

install_duckdb() {
	if [ -n "${DUCKDB_ROOT:-}" ]; then
		[ -f "$DUCKDB_ROOT/include/duckdb.h" ] && [ -f "$DUCKDB_ROOT/lib/libduckdb.so" ] ||
			die "DUCKDB_ROOT=$DUCKDB_ROOT lacks include/duckdb.h or lib/libduckdb.so"
		say "DuckDB: using DUCKDB_ROOT=$DUCKDB_ROOT"
		return
	fi
	local dest="$top/third_party/duckdb" stamp want
	stamp="$dest/.stamp"
	want="$(grep -E '^duckdb-' "$lock")"
	if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] &&
		[ -f "$dest/lib/libduckdb.so" ] && [ -f "$dest/include/duckdb.h" ]; then
		say "DuckDB: $(lock_spec duckdb-header) already in third_party/duckdb (nothing to download)"
		return
	fi
	[ "$offline" = 1 ] && die "offline, but third_party/duckdb is missing or out of date"
	command -v npm >/dev/null || die "npm is needed to fetch DuckDB"
	local lib hdr
	tmp="$(mktemp -d)"
	lib="$(fetch duckdb-lib "$tmp")"
	hdr="$(fetch duckdb-header "$tmp")"
	mkdir -p "$tmp/x"
	tar -xzf "$lib" -C "$tmp/x" package/libduckdb.so package/LICENSE
	tar -xzf "$hdr" -C "$tmp/x" package/src/duckdb/src/include/duckdb.h
	rm -rf "$dest.new"
	mkdir -p "$dest.new/lib" "$dest.new/include"
	mv "$tmp/x/package/libduckdb.so" "$dest.new/lib/"
	mv "$tmp/x/package/LICENSE" "$dest.new/LICENSE"
	mv "$tmp/x/package/src/duckdb/src/include/duckdb.h" "$dest.new/include/"
	printf '%s\n' "$want" > "$dest.new/.stamp"
	rm -rf "$dest"
	mv "$dest.new" "$dest"
	say "DuckDB: unpacked into third_party/duckdb"
}

case "${1:-}" in
--verify)
	[ $# -eq 3 ] || die "usage: deps.sh --verify FILE INTEGRITY"
	verify "$2" "$3"
	exit $?
	;;
--offline) offline=1 ;;
"") ;;
*) die "unknown option '$1' (--offline, --verify FILE INTEGRITY)" ;;
esac

# The S3 tests run moto_server, which no Debian package provides: it comes
# with the machine image. Say so early; `make demo` does not need it.
check_test_servers() {
	if ! command -v moto_server >/dev/null 2>&1; then
		say "warning: moto_server not found: the S3 tests will fail until it is installed"
	fi
}

install_debian
install_duckdb
check_test_servers
