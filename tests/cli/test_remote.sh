#!/usr/bin/env bash
# tests/cli/test_remote.sh - `rat` against `rat serve` (NESSIE_URI, RAT_TOKEN):
# three homes (machines) share one server and one warehouse.
# - A runs; A2 (another machine, the same workspace) sees it and its run record.
# - A dev branch made in A is merged from A2.
# - Two homes merging from the same stale head both land when they changed
#   different tables; when both changed one, the second is refused with the
#   table named and nothing written.
# - 5xx answers are retried; a commit whose answer was lost is retried once
#   without landing twice.
# - A server stopped mid-run is reported, nothing local changes, and after a
#   restart the run succeeds.
# - A product published from A is read from B's machine; a revoke from A2
#   applies at B's next query; B's token neither publishes nor grants A's
#   products (/rat/v1).
# - B's token reaches none of A's refs, through rat or the Nessie API.
# - Tokens are made, listed and revoked through the server, each workspace its own.
# - What only the server's machine does is refused, and a server that is not
#   rat serve is said as such.
source "$RAT_SOURCE_DIR/tests/cli/lib.sh"
unset NESSIE_URI RAT_TOKEN RAT_NOW
export ICEBERG_WAREHOUSE="$T_DIR/warehouse"

# the server's machine: its workspaces, their tokens
ws_init a
ws_init b
run token create -w a
tok_a="$(cat "$T_DIR/out")"
run token create -w b
tok_b="$(cat "$T_DIR/out")"
SERVE_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
serve_start
URI="$SERVE_URL/api/v2"

# three machines, each with its own copy of a workspace (a clone) and its own RAT_HOME
for h in ha ha2 hb; do mkdir -p "$T_DIR/$h/workspaces"; done
cp -r "$RAT_WORKSPACES/a" "$T_DIR/ha/workspaces/"
cp -r "$RAT_WORKSPACES/a" "$T_DIR/ha2/workspaces/"
cp -r "$RAT_WORKSPACES/b" "$T_DIR/hb/workspaces/"
for h in ha ha2; do
	printf 'SELECT 1 AS a\n' >"$T_DIR/$h/workspaces/a/pipelines/gold/one.sql"
	printf 'SELECT 2 AS b\n' >"$T_DIR/$h/workspaces/a/pipelines/silver/two.sql"
done
on_csv() { on "$@" --format csv; tr -d '\r' <"$T_DIR/out" | tail -n +2 | paste -sd' '; }
# the server's own view of a's branch head
server_head() { "$RAT_BIN" log -w a -n 1 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["hash"])'; }

# --- 1. A runs; the server holds the commit; A2 reads it
on ha "$tok_a" run -w a
expect_rc 0
expect_out "Published to workspace/a"
[ ! -e "$T_DIR/ha/.rat/catalog.db" ] || fail "a remote run made a local catalog"
run_id="$(sed -n 's/^Run \([^ ]*\) on .*/\1/p' "$T_DIR/out")"
[ -n "$run_id" ] || fail "no run id"
[ ! -e "$T_DIR/ha/.rat/runs" ] || fail "the run's record was kept on the machine, not the server"
on ha2 "$tok_a" runs -w a            # the run, seen from the other machine
expect_rc 0
expect_out "$run_id"
on ha2 "$tok_a" runs show "${run_id:0:12}" -w a
expect_rc 0
expect_out "gold.one"
run runs -w a                        # and on the server's machine
expect_out "$run_id"
on ha2 "$tok_a" tables -w a
expect_rc 0
expect_out "gold.one"
expect_out "silver.two"
[ "$(on_csv ha2 "$tok_a" query -w a 'SELECT a FROM gold.one')" = "1" ] || fail "A2 does not read A's table"
on ha2 "$tok_a" log -w a -n 1
expect_out "$(server_head | cut -c1-12)"
on ha "$tok_a" workspace show -w a
expect_out "Catalog:       rat serve at $URI (NESSIE_URI)"
run log -w a -n 1          # the server's machine, its own catalog: the same commit
expect_out "run "

# --- 2. a dev branch made and run in A, listed and merged from A2
on ha "$tok_a" dev start x -w a
expect_rc 0
printf 'SELECT 20 AS b\n' >"$T_DIR/ha/workspaces/a/pipelines/silver/two.sql"
on ha "$tok_a" dev run x -w a
expect_rc 0
on ha2 "$tok_a" dev list -w a
expect_out "x"
on ha2 "$tok_a" dev merge x -w a
expect_rc 0
expect_out "fast-forward"
[ "$(on_csv ha "$tok_a" query -w a 'SELECT b FROM silver.two')" = "20" ] || fail "the merge is not seen"
on ha2 "$tok_a" dev drop x -w a
expect_rc 0

# --- 3. two machines from the same head: other tables both land, the same table is refused
on ha "$tok_a" dev start y -w a
on ha2 "$tok_a" dev start z -w a
on ha2 "$tok_a" dev start w -w a
expect_rc 0
printf 'SELECT 100 AS a\n' >"$T_DIR/ha/workspaces/a/pipelines/gold/one.sql"
on ha "$tok_a" dev run y -w a gold.one
expect_rc 0
printf 'SELECT 30 AS b\n' >"$T_DIR/ha2/workspaces/a/pipelines/silver/two.sql"
on ha2 "$tok_a" dev run z -w a silver.two
expect_rc 0
printf 'SELECT 200 AS a\n' >"$T_DIR/ha2/workspaces/a/pipelines/gold/one.sql"
on ha2 "$tok_a" dev run w -w a gold.one
expect_rc 0
on ha "$tok_a" dev merge y -w a
expect_rc 0
on ha2 "$tok_a" dev merge z -w a     # the branch moved since z's fork: another table, it lands
expect_rc 0
[ "$(on_csv ha "$tok_a" query -w a 'SELECT (SELECT a FROM gold.one), (SELECT b FROM silver.two)')" = "100,30" ] ||
	fail "both machines' changes should be on the branch"
before="$(server_head)"
on ha2 "$tok_a" dev merge w -w a     # gold.one changed on both sides: refused
expect_rc 1
expect_err "both changed"
expect_err "gold.one"
expect_err "Nothing was written"
[ "$(server_head)" = "$before" ] || fail "a refused merge moved the branch"
[ "$(on_csv ha "$tok_a" query -w a 'SELECT a FROM gold.one')" = "100" ] || fail "a refused merge wrote"
on ha2 "$tok_a" merge dev/w --dry-run -w a
expect_rc 1
expect_err "gold.one"

# --- 4. through a proxy: 5xx answers are retried; a commit whose answer is cut is not made twice
proxy_port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
mkdir -p "$T_DIR/proxy"
printf '503 GET /api/v2/trees* 2\n' >"$T_DIR/proxy/rules"
setsid python3 "$RAT_SOURCE_DIR/tests/support/fault_proxy.py" --port "$proxy_port" \
	--upstream "127.0.0.1:$SERVE_PORT" --rules "$T_DIR/proxy/rules" --log "$T_DIR/proxy/log" \
	>"$T_DIR/proxy/server.log" 2>&1 </dev/null &
echo $! >"$T_DIR/proxy/pid"
t_cleanup() { kill -- -"$(cat "$T_DIR/proxy/pid")" 2>/dev/null || true; }
for _ in $(seq 1 100); do
	(exec 3<>/dev/tcp/127.0.0.1/"$proxy_port") 2>/dev/null && break
	sleep 0.1
done
ON_URI="http://127.0.0.1:$proxy_port/api/v2"
on ha "$tok_a" tables -w a
expect_rc 0
expect_out "gold.one"
[ "$(grep -c ' 503 503' "$T_DIR/proxy/log")" = 2 ] || fail "the proxy should have answered 503 twice"
commits_before="$("$RAT_BIN" log -w a --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')"
printf 'cut POST /api/v2/trees/workspace%%2Fa* 1\n' >"$T_DIR/proxy/rules"
printf 'SELECT 4 AS b\n' >"$T_DIR/ha/workspaces/a/pipelines/silver/two.sql"
on ha "$tok_a" run -w a silver.two
expect_rc 0
grep -q "POST /api/v2/trees/workspace%2Fa.* 200 cut" "$T_DIR/proxy/log" || fail "the commit's answer was not cut"
commits_after="$("$RAT_BIN" log -w a --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')"
[ "$commits_after" = $((commits_before + 1)) ] || fail "the retried commit landed $((commits_after - commits_before)) times"
[ "$(on_csv ha2 "$tok_a" query -w a 'SELECT b FROM silver.two')" = "4" ] || fail "the retried commit is not there"
unset ON_URI

# --- 5. the server stopped mid-run: said, nothing local changes; after a restart the run succeeds
# a pipeline that runs a while; the server is stopped once the run has made its run branch
printf 'SELECT sum(hash(i)) %% 7 AS n FROM range(100000000) t(i)\n' \
	>"$T_DIR/ha/workspaces/a/pipelines/gold/slow.sql"
before="$(server_head)"
find "$T_DIR/ha/.rat" -path '*/runs' -prune -o -type f -print | sort >"$T_DIR/home-before"
logged="$(wc -l <"$T_DIR/serve.log")"
(
	for _ in $(seq 1 600); do
		tail -n +"$((logged + 1))" "$T_DIR/serve.log" | grep -q "POST /api/v2/trees " && break
		sleep 0.05
	done
	kill -TERM "$SERVE_PID"
) &
on ha "$tok_a" run -w a gold.slow
wait $!
expect_rc 1
expect_err "does not answer"
expect_err "nothing was changed here"
serve_stop
find "$T_DIR/ha/.rat" -path '*/runs' -prune -o -type f -print | sort >"$T_DIR/home-after"
diff "$T_DIR/home-before" "$T_DIR/home-after" >/dev/null || fail "the failed run changed the home: $(diff "$T_DIR/home-before" "$T_DIR/home-after")"
[ "$(server_head)" = "$before" ] || fail "the run landed while the server was down"
on ha "$tok_a" tables -w a
expect_rc 1
expect_err "rat serve at $URI does not answer"
serve_start
on ha "$tok_a" run -w a gold.slow
expect_rc 0
expect_out "Published to workspace/a"
on ha2 "$tok_a" tables -w a
expect_out "gold.slow"

# --- 6. products through the server's registry: published from A, read from B's machine,
# listed from A2, revoked from A2 (applies to B's next query)
for h in ha ha2; do
	cat >>"$T_DIR/$h/workspaces/a/workspace.yaml" <<'EOF'
products:
  - name: ledger
    source: gold.one
    access:
      - workspace: b
        level: read
EOF
done
cat >>"$T_DIR/hb/workspaces/b/workspace.yaml" <<'EOF'
subscriptions:
  - product: a/ledger
    alias: ledger
EOF
on ha "$tok_a" products publish ledger -w a
expect_rc 0
expect_out "1.0.0"
[ "$(on_csv hb "$tok_b" query -w b 'SELECT a FROM products.ledger')" = "100" ] || fail "B does not read A's product"
on ha2 "$tok_a" products versions a/ledger -w a
expect_rc 0
expect_out "1.0.0"
run products list -w a          # the server's machine: the same registry
expect_out "ledger"
on hb "$tok_b" products revoke a/ledger b -w b    # B cannot change A's rules
expect_rc 1
on ha2 "$tok_a" products revoke a/ledger b -w a
expect_rc 0
on hb "$tok_b" query -w b 'SELECT a FROM products.ledger'
expect_rc 1
expect_err "ledger"
TOKEN="$tok_b"
http GET "/rat/v1/products?owner=a"
expect_http 200
expect_json "d['products'][0]['name']" ledger "d['products'][0]['versions'][0]['version']" 1.0.0
version="$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(json.dumps({"rules": [], "version": dict(d["products"][0]["versions"][0], version="9.0.0")}))' "$T_DIR/out")"
http POST /rat/v1/products/a/ledger/versions -H 'Content-Type: application/json' -d "$version"
expect_http 403     # B publishes no version of A's product
expect_json "d['errorCode']" FORBIDDEN
http PUT /rat/v1/products/a/ledger/access/b -H 'Content-Type: application/json' -d '{"level":"read"}'
expect_http 403     # nor grants itself access
unset TOKEN
run products versions a/ledger -w a
expect_rc 0
grep -q "9.0.0" "$T_DIR/out" && fail "B's version was recorded"

# --- 7. B's token: none of A's refs, through rat or through the Nessie API
on hb "$tok_b" branch -w b
expect_rc 0
expect_out "workspace/b"
grep -q "workspace/a" "$T_DIR/out" && fail "B lists A's branch"
on hb "$tok_b" log workspace/a -w b
expect_rc 1
expect_err "workspace/a"
on ha "$tok_b" tables -w a           # A's copy with B's token: the server acts for b
expect_rc 1
expect_err "workspace 'b''s"
TOKEN="$tok_b"
http GET /rat/v1/workspace
expect_http 200
expect_json "d['name']" b "d['branch']" workspace/b
head_a="$(server_head)"
body="{\"commitMeta\":{\"message\":\"x\"},\"operations\":[{\"type\":\"DELETE\",\"key\":{\"elements\":[\"gold\",\"one\"]}}]}"
http POST "/api/v2/trees/workspace%2Fa@$head_a/history/commit" -H 'Content-Type: application/json' -d "$body"
expect_http 404
http POST "/api/v2/trees/workspace%2Fa/history/merge" -H 'Content-Type: application/json' -d "{\"fromRefName\":\"workspace/b\"}"
expect_http 404
http DELETE "/api/v2/trees/workspace%2Fa@$head_a"
expect_http 404
[ "$(server_head)" = "$head_a" ] || fail "B's token moved A's branch"
unset TOKEN

# --- tokens through /rat/v1: made, listed and revoked by the server, for the token's
# workspace only; a read-only token makes and revokes none
on ha "$tok_a" token create -w a --note "a's laptop"
expect_rc 0
tok_a2="$(cat "$T_DIR/out")"
on ha2 "$tok_a2" tables -w a       # the new token works from another machine
expect_rc 0
on ha "$tok_a" token list -w a --json
expect_rc 0
id_a2="$(python3 -c 'import json,sys; print([t["id"] for t in json.load(open(sys.argv[1])) if t["note"] == "a'"'"'s laptop"][0])' "$T_DIR/out")"
grep -q '"workspace": *"b"' "$T_DIR/out" && fail "a lists b's tokens"
on ha "$tok_a" token list -w a --all
expect_rc 1
expect_err "do it on the server's machine"
on ha "$tok_a" token create -w a --read-only
tok_ro="$(cat "$T_DIR/out")"
on ha "$tok_ro" token create -w a
expect_rc 1
expect_err "read-only"
on hb "$tok_b" token revoke "$id_a2" -w b    # not b's to revoke
expect_rc 1
expect_err "has no token $id_a2"
on ha "$tok_a" token revoke "$id_a2" -w a
expect_rc 0
on ha2 "$tok_a2" tables -w a
expect_rc 1
expect_err "revoked"

# --- 8. what only the server's machine does, and a NESSIE_URI that is not one
on ha "$tok_a" catalog backup "$T_DIR/copy.db" -w a
expect_rc 1
expect_err "do it on the server's machine"
on ha "$tok_a" main merge workspace/a -w a
expect_rc 1
expect_err "do it on the server's machine"
on ha "$tok_a" vacuum -w a
expect_rc 1
expect_err "vacuum: workspace 'a' uses the catalog of rat serve"
ON_URI="$SERVE_URL/iceberg" on ha "$tok_a" tables -w a
expect_rc 1
expect_err "does not end in /api/v2"

# a server that is not rat serve (a plain file server): what it answered is said, naming
# the server and the request, whether a 200 that is not JSON or a 404 that explains nothing
mkdir -p "$T_DIR/plain/rat/v1"
printf '<html>not a catalog</html>\n' >"$T_DIR/plain/rat/v1/workspace"
plain_port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
setsid python3 -m http.server --bind 127.0.0.1 --directory "$T_DIR/plain" "$plain_port" \
	>"$T_DIR/plain.log" 2>&1 </dev/null &
echo $! >"$T_DIR/plain.pid"
t_cleanup() { kill -- -"$(cat "$T_DIR/proxy/pid")" -"$(cat "$T_DIR/plain.pid")" 2>/dev/null || true; }
for _ in $(seq 1 100); do
	(exec 3<>/dev/tcp/127.0.0.1/"$plain_port") 2>/dev/null && break
	sleep 0.1
done
ON_URI="http://127.0.0.1:$plain_port/api/v2" on ha "$tok_a" tables -w a
expect_rc 1
expect_err "rat serve at http://127.0.0.1:$plain_port/api/v2 answered GET /rat/v1/workspace with a body that is not JSON"
rm "$T_DIR/plain/rat/v1/workspace"
ON_URI="http://127.0.0.1:$plain_port/api/v2" on ha "$tok_a" tables -w a
expect_rc 1
expect_err "answered GET /rat/v1/workspace with HTTP 404 and no error it explains"

# the server stops cleanly (under ASan: no leak, no error)
serve_stop
[ "$SERVE_RC" = 0 ] || fail "rat serve exited $SERVE_RC: $(tail -5 "$T_DIR/serve.log")"
