#!/usr/bin/env bash
# tests/cli/test_serve_web.sh - the web page's server side: its files built
# into rat-serve (`/`, `/ui/<file>`, ETag and 304, the page's headers: a
# Content-Security-Policy that allows this server only), the sign-in that
# keeps a token in an HttpOnly SameSite=Strict cookie, a request with that
# cookie acting for its token, and a write with it refused unless it comes
# from the page (X-Requested-With, same origin); a read-only token's cookie
# writes nothing. (The pages themselves are tested in a browser by issue 21.)
. "$(dirname "$0")/lib.sh"

t_cleanup() { serve_stop; }
run init shop
expect_rc 0
TOKEN="$("$RAT_BIN" token create -w shop 2>/dev/null)"
RO="$("$RAT_BIN" token create -w shop --read-only 2>/dev/null)"
serve_start
# web METHOD PATH [CURL ARGS...]: the status in $HTTP, the headers in $T_DIR/headers
web() {
	local method="$1" path="$2"
	shift 2
	HTTP="$(curl -s -o "$T_DIR/out" -D "$T_DIR/headers" -w '%{http_code}' -X "$method" "$@" "$SERVE_URL$path")"
}
header() { grep -i "^$1:" "$T_DIR/headers" | head -1 | cut -d' ' -f2- | tr -d '\r'; }

# the files, built in: the page at /, each file at /ui/<name>, with their types and headers
web GET /
expect_eq "$HTTP" 200
expect_out '<script src="/ui/app.js" defer></script>'
expect_eq "$(header Content-Type)" "text/html; charset=utf-8"
expect_eq "$(header Content-Security-Policy)" "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
expect_eq "$(header X-Content-Type-Options)" nosniff
cmp -s "$T_DIR/out" "$RAT_SOURCE_DIR/web/index.html" || fail "/ is not web/index.html"
for f in app.js app.css; do
	web GET "/ui/$f"
	expect_eq "$HTTP" 200
	cmp -s "$T_DIR/out" "$RAT_SOURCE_DIR/web/$f" || fail "/ui/$f is not web/$f"
done
expect_eq "$(header Content-Type)" "text/css; charset=utf-8"
etag="$(header ETag)"
web GET /ui/app.css -H "If-None-Match: $etag"
expect_eq "$HTTP" 304
web GET /ui/nothing.js
expect_eq "$HTTP" 404
web GET /ui/..%2Fserver.h
expect_eq "$HTTP" 404
web POST /
expect_eq "$HTTP" 405

# signing in: checked, then kept in a cookie the page's script cannot read
web POST /ui/session -H 'X-Requested-With: rat' -d '{"token": "rat_shop_not-a-token"}'
expect_eq "$HTTP" 401
expect_eq "$(header Set-Cookie)" ""
web POST /ui/session -H 'X-Requested-With: rat' -d '{"tok": 1}'
expect_eq "$HTTP" 400
expect_out 'sign in with {\"token\": \"<token>\"}'
web POST /ui/session -d "{\"token\": \"$TOKEN\"}"
expect_eq "$HTTP" 403 # not from the page: a form elsewhere cannot sign anyone in
web POST /ui/session -H 'X-Requested-With: rat' -d "{\"token\": \"$TOKEN\"}"
expect_eq "$HTTP" 200
expect_json 'd["workspace"]' shop 'd["read_only"]' false
expect_eq "$(header Set-Cookie)" "rat_session=$TOKEN; HttpOnly; SameSite=Strict; Path=/; Max-Age=43200"
COOKIE="rat_session=$TOKEN"

# the cookie acts for its token: reads as it is, writes only from the page
web GET /rat/v1/workspace -b "$COOKIE"
expect_eq "$HTTP" 200
expect_json 'd["name"]' shop 'd["readOnly"]' false
web GET /rat/v1/workspace
expect_eq "$HTTP" 401 # this server has tokens: nothing without one
web POST /rat/v1/tokens -b "$COOKIE" -d '{}'
expect_eq "$HTTP" 403
expect_out "X-Requested-With: rat"
web POST /rat/v1/tokens -b "$COOKIE" -H 'X-Requested-With: rat' -H 'Origin: http://elsewhere.example' -d '{}'
expect_eq "$HTTP" 403
web POST /rat/v1/tokens -b "$COOKIE" -H 'X-Requested-With: rat' -H "Origin: $SERVE_URL" -d '{"read_only": true}'
expect_eq "$HTTP" 200
web POST /rat/v1/runs -b "rat_session=$RO" -H 'X-Requested-With: rat' -d '{}'
expect_eq "$HTTP" 403 # a read-only token's page writes nothing
web DELETE /ui/session -b "$COOKIE"
expect_eq "$HTTP" 204
expect_eq "$(header Set-Cookie)" "rat_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0"
serve_stop
expect_eq "$SERVE_RC" 0
