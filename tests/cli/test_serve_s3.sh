#!/usr/bin/env bash
# tests/cli/test_serve_s3.sh - `rat serve` over an S3 warehouse: clients get
# the endpoint, path-style addressing and remote signing, never the
# operator's keys; the server signs only requests in the token's workspace
# storage (reads only, for a read-only token). The signed requests go to
# moto_server through a proxy that checks every SigV4 signature
# (fault_proxy.py --verify-sigv4), so a wrong signature would be refused.
source "$RAT_SOURCE_DIR/tests/cli/lib.sh"
unset S3_ENDPOINT S3_ACCESS_KEY S3_SECRET_KEY S3_REGION RAT_NOW

bash "$RAT_SOURCE_DIR/tests/support/s3_server.sh" moto "$T_DIR/moto" lake $$ || fail "moto_server did not start"
proxy_port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
mkdir -p "$T_DIR/proxy"
: >"$T_DIR/proxy/rules"
setsid python3 "$RAT_SOURCE_DIR/tests/support/fault_proxy.py" --port "$proxy_port" \
	--upstream "127.0.0.1:$(cat "$T_DIR/moto/port")" --rules "$T_DIR/proxy/rules" \
	--log "$T_DIR/proxy/log" --verify-sigv4 opkey:op-secret-never-shown:us-east-1 \
	>"$T_DIR/proxy/server.log" 2>&1 </dev/null &
echo $! >"$T_DIR/proxy/pid"
t_cleanup() { kill -- -"$(cat "$T_DIR/moto/pid")" -"$(cat "$T_DIR/proxy/pid")" 2>/dev/null || true; }
for _ in $(seq 1 100); do
	(exec 3<>/dev/tcp/127.0.0.1/"$proxy_port") 2>/dev/null && break
	sleep 0.1
done
S3="http://127.0.0.1:$proxy_port"
export ICEBERG_WAREHOUSE=s3://lake/warehouse S3_ENDPOINT="$S3" S3_ACCESS_KEY=opkey \
	S3_SECRET_KEY=op-secret-never-shown S3_REGION=us-east-1

ws_init a
ws_init b
run token create -w a
tok_a="$(cat "$T_DIR/out")"
run token create -w a --read-only
tok_ro="$(cat "$T_DIR/out")"
run token create -w b
tok_b="$(cat "$T_DIR/out")"
serve_start
schema='{"type":"struct","schema-id":0,"fields":[{"id":1,"name":"id","type":"long","required":false}]}'

# the table's config: endpoint, path style, remote signing through this server
TOKEN="$tok_a"
http POST /iceberg/v1/namespaces/silver/tables -d "{\"name\":\"events\",\"schema\":$schema}"
expect_http 200
expect_json "d['metadata']['location']" "s3://lake/warehouse/a/silver/events" \
	"d['config']['s3.endpoint']" "$S3" "d['config']['s3.path-style-access']" true \
	"d['config']['s3.remote-signing-enabled']" true \
	"d['config']['s3.signer.uri']" "$SERVE_URL/iceberg/" \
	"d['config']['s3.signer.endpoint']" "v1/-%7Ca/namespaces/silver/tables/events/sign"
endpoint="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["config"]["s3.signer.endpoint"])' "$T_DIR/out")"
meta="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["metadata-location"])' "$T_DIR/out")"
http GET /iceberg/v1/namespaces/silver/tables/events
expect_json "d['config']['s3.remote-signing-enabled']" true
http GET /iceberg/v1/config
T_CHECKS=$((T_CHECKS + 1))
! grep -rq 'op-secret-never-shown' "$T_DIR/out" "$T_DIR/serve.log" || fail "a response or the log holds the S3 secret"

# sign(METHOD, URL): the signed headers into $T_DIR/signed (one curl -H per line)
sign() {
	http POST "/iceberg/$endpoint" -d "{\"region\":\"us-east-1\",\"method\":\"$1\",\"uri\":\"$2\",\"headers\":{\"x-amz-content-sha256\":[\"UNSIGNED-PAYLOAD\"]${3:-}}}"
	[ "$HTTP" != 200 ] || python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
with open(sys.argv[2], "w") as f:
    for k, v in d["headers"].items():
        f.write(k + ": " + ", ".join(v) + "\n")' "$T_DIR/out" "$T_DIR/signed"
}
s3() { # METHOD URL [curl args]: the request with the signed headers, through the checking proxy
	local method="$1" url="$2" args=()
	shift 2
	while IFS= read -r h; do args+=(-H "$h"); done <"$T_DIR/signed"
	S3_STATUS="$(curl -s -o "$T_DIR/s3out" -w '%{http_code}' -X "$method" "${args[@]}" "$@" "$url")"
}
key="${meta#s3://lake/}"
sign GET "$S3/lake/$key"
expect_http 200
expect_json "d['uri']" "$S3/lake/$key" "d['headers']['Authorization'][0].startswith('AWS4-HMAC-SHA256 Credential=opkey/')" true
s3 GET "$S3/lake/$key"
expect_eq "$S3_STATUS" 200
expect_eq "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["location"])' "$T_DIR/s3out")" \
	"s3://lake/warehouse/a/silver/events"
# a signature is for its request: another method is refused by S3 (the proxy's check)
s3 DELETE "$S3/lake/$key"
expect_eq "$S3_STATUS" 403
# a write under the table, then a listing under the workspace's storage
sign PUT "$S3/lake/warehouse/a/silver/events/data/new.parquet"
expect_http 200
s3 PUT "$S3/lake/warehouse/a/silver/events/data/new.parquet" --data-binary 'PAR1'
expect_eq "$S3_STATUS" 200
sign GET "$S3/lake?list-type=2&prefix=warehouse%2Fa%2Fsilver%2F"
expect_http 200
s3 GET "$S3/lake?list-type=2&prefix=warehouse%2Fa%2Fsilver%2F"
expect_eq "$S3_STATUS" 200
grep -q 'data/new.parquet' "$T_DIR/s3out" || fail "the listing lacks the object written"
T_CHECKS=$((T_CHECKS + 1))

# refused: outside the workspace's storage, tricks, other buckets and hosts, bulk deletes
for url in "$S3/lake/warehouse/b/silver/x" "$S3/lake/warehouse/a/../b/silver/x" \
	"$S3/lake/warehouse/a%2F..%2Fb/x" "$S3/lake/other" "$S3/lake?list-type=2" \
	"$S3/lake?list-type=2&prefix=warehouse%2F" "$S3/other-bucket/warehouse/a/x" \
	"http://elsewhere.example/lake/warehouse/a/x" "$S3/lake?delete"; do
	sign GET "$url"
	[ "$HTTP" = 403 ] || fail "signing GET $url: HTTP $HTTP, expected 403"
	T_CHECKS=$((T_CHECKS + 1))
done
sign POST "$S3/lake?delete"
expect_http 403

# a read-only token: reads signed, writes not
TOKEN="$tok_ro"
sign GET "$S3/lake/$key"
expect_http 200
sign PUT "$S3/lake/warehouse/a/silver/events/data/more.parquet"
expect_http 403
expect_json "'read-only' in d['error']['message']" true
# another workspace's token: not through a's prefix, and not a's files through its own
TOKEN="$tok_b"
sign GET "$S3/lake/$key"
expect_http 403
http POST "/iceberg/v1/namespaces/silver/tables/events/sign" -d "{\"region\":\"us-east-1\",\"method\":\"GET\",\"uri\":\"$S3/lake/$key\",\"headers\":{}}"
expect_http 403
# no token
TOKEN=""
sign GET "$S3/lake/$key"
expect_http 401
# bad requests
TOKEN="$tok_a"
http POST "/iceberg/$endpoint" -d '{"method":"GET"}'
expect_http 400
http POST "/iceberg/$endpoint" -d '{"method":"GET","uri":"not a url","headers":{}}'
[ "${HTTP:0:1}" = 4 ] || fail "a bad uri: HTTP $HTTP"
T_CHECKS=$((T_CHECKS + 1))

serve_stop
expect_eq "$SERVE_RC" 0
