#!/usr/bin/env bash
# tests/cli/test_serve_nessie.sh - `rat serve`'s Nessie API v2, driven with
# curl: config; references (list with paging, one, and the
# forms name, name@hash, @hash, -, ~N, ^1, *T; a name holding '/'); entries
# (paging, content=true); contents (one, several by GET and POST); history
# (paging); the diff of two references; NessieError bodies (unknown ref or
# key, bad hash, bad key, another workspace's branch); a namespace as a
# NAMESPACE entry and content; commits (Put, Delete, Unchanged of tables and
# namespaces) with per-key conflicts against a stale expected hash (another
# key lands, the same key is a REFERENCE_CONFLICTS body and nothing is
# written); references made, moved and deleted; merges (dry run, fast-forward, a
# conflict as a 409 or as a result); transplants (dry run, several commits in
# order, a conflict as a 409 or as a result, nothing written); CEL filters on
# references, entries, history (fetch=ALL operations) and diffs, paged after
# filtering, and their errors. Every body is checked
# against the shapes of Nessie's model (tests/support/nessie_contract.py).
source "$RAT_SOURCE_DIR/tests/cli/lib.sh"

ws_init a
printf 'SELECT 1 AS a\n' > "$p/gold/one.sql"
printf 'SELECT 2 AS b\n' > "$p/silver/two.sql"
run run -w a
expect_rc 0
printf 'SELECT 3 AS b\n' > "$p/silver/two.sql"
run run -w a
expect_rc 0
ws_init b
run token create -w a
tok_a="$(cat "$T_DIR/out")"
run token create -w b
tok_b="$(cat "$T_DIR/out")"
serve_start
TOKEN="$tok_a"
mkdir -p "$T_DIR/contract"
contract() { cp "$T_DIR/out" "$T_DIR/contract/$(printf '%03d' "$(ls "$T_DIR/contract" | wc -l)")-$1.json"; }
j() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($1)" "$T_DIR/out"; }
head_a="$("$RAT_BIN" log -w a -n 1 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["hash"])')"
parent_a="$("$RAT_BIN" log -w a -n 2 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[1]["hash"])')"
root="$("$RAT_BIN" log -w a --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[-1]["hash"])')"

# --- config
http GET /api/v2/config
expect_http 200
expect_json "d['defaultBranch']" "workspace/a" "d['maxSupportedApiVersion']" 2 "d['specVersion']" "2.1.0"
contract NessieConfiguration

# --- references: a's own and main, never b's; paged
http GET /api/v2/trees
expect_http 200
expect_json "[r['name'] for r in d['references']]" '["main","workspace/a"]' "d['hasMore']" false
contract ReferencesResponse
http GET "/api/v2/trees?max-records=1"
expect_json "[r['name'] for r in d['references']]" '["main"]' "d['hasMore']" true "d['token']" "workspace/a"
contract ReferencesResponse
http GET "/api/v2/trees?max-records=1&page-token=workspace%2Fa"
expect_json "[r['name'] for r in d['references']]" '["workspace/a"]' "d['hasMore']" false
http GET "/api/v2/trees?max-records=0"
expect_http 400
expect_json "d['errorCode']" BAD_REQUEST
contract NessieError

# --- one reference, in each form
http GET /api/v2/trees/workspace%2Fa
expect_http 200
expect_json "d['reference']" "{\"type\":\"BRANCH\",\"name\":\"workspace/a\",\"hash\":\"$head_a\"}"
contract SingleReferenceResponse
http GET /api/v2/trees/-
expect_json "d['reference']['hash']" "$head_a"
http GET "/api/v2/trees/workspace%2Fa@${parent_a:0:12}"
expect_json "d['reference']['name']" "workspace/a" "d['reference']['hash']" "$parent_a"
http GET "/api/v2/trees/@$parent_a"
expect_json "d['reference']['type']" DETACHED "d['reference']['hash']" "$parent_a"
contract SingleReferenceResponse
http GET "/api/v2/trees/workspace%2Fa~1"
expect_json "d['reference']['hash']" "$parent_a"
http GET "/api/v2/trees/-%5E1"
expect_json "d['reference']['hash']" "$parent_a"
http GET "/api/v2/trees/-*2000-01-01T00:00:00.5Z"
expect_http 200     # the root commit, dated at the epoch
expect_json "d['reference']['hash']" "$root"
http GET "/api/v2/trees/-*$(( $(date +%s) * 1000 + 60000 ))"
expect_json "d['reference']['hash']" "$head_a"
http GET /api/v2/trees/nope
expect_http 404
expect_json "d['errorCode']" REFERENCE_NOT_FOUND "d['status']" 404 "d['reason']" "Not Found"
contract NessieError
http GET "/api/v2/trees/main@XYZ"
expect_http 400
expect_json "d['errorCode']" BAD_REQUEST
http GET "/api/v2/trees/main@0000000000000000"
expect_http 404
http GET "/api/v2/trees/-~999"
expect_http 404

# --- entries: the keys with their content ids; paged; contents when asked
http GET /api/v2/trees/-/entries
expect_http 200
expect_json "[e['name']['elements'] for e in d['entries']]" '[["gold","one"],["silver","two"]]' \
	"[e['type'] for e in d['entries']]" '["ICEBERG_TABLE","ICEBERG_TABLE"]' \
	"'content' in d['entries'][0]" false "d['effectiveReference']['hash']" "$head_a"
contract EntriesResponse
id_one="$(j "d['entries'][0]['contentId']")"
http GET "/api/v2/trees/-/entries?max-records=1"
expect_json "len(d['entries'])" 1 "d['hasMore']" true "d['token']" "silver.two"
http GET "/api/v2/trees/-/entries?max-records=1&page-token=silver.two"
expect_json "[e['name']['elements'] for e in d['entries']]" '[["silver","two"]]' "d['hasMore']" false
http GET "/api/v2/trees/-/entries?content=true"
expect_json "d['entries'][0]['content']['type']" ICEBERG_TABLE "d['entries'][0]['content']['id']" "$id_one"
contract EntriesResponse
# on the parent commit, silver.two is the first version
http GET "/api/v2/trees/-~1/entries?content=true"
first_two="$(j "d['entries'][1]['content']['metadataLocation']")"

# --- contents: one, several
http GET /api/v2/trees/-/contents/gold.one
expect_http 200
expect_json "d['content']['type']" ICEBERG_TABLE "d['content']['id']" "$id_one" \
	"d['content']['sortOrderId']" 0 "d['content']['metadataLocation'].endswith('.metadata.json')" true
contract ContentResponse
http GET /api/v2/trees/-/contents/gold.nope
expect_http 404
expect_json "d['errorCode']" CONTENT_NOT_FOUND
contract NessieError
http GET /api/v2/trees/-/contents/a.b.c
expect_http 400
expect_json "d['errorCode']" BAD_REQUEST
http GET "/api/v2/trees/-/contents?key=gold.one&key=gold.nope&key=silver.two"
expect_http 200
expect_json "[c['key']['elements'] for c in d['contents']]" '[["gold","one"],["silver","two"]]'
contract GetMultipleContentsResponse
http POST /api/v2/trees/-/contents -H 'Content-Type: application/json' \
	-d '{"requestedKeys":[{"elements":["silver","two"]},{"elements":["nope","x"]}]}'
expect_http 200
expect_json "[c['key']['elements'] for c in d['contents']]" '[["silver","two"]]'
contract GetMultipleContentsResponse
http POST /api/v2/trees/-/contents -d '{"requestedKeys":[{"elements":[]}]}'
expect_http 400

# --- history, newest first, paged by hash
http GET /api/v2/trees/-/history
expect_http 200
expect_json "d['logEntries'][0]['commitMeta']['hash']" "$head_a" \
	"d['logEntries'][0]['parentCommitHash']" "$parent_a" "d['hasMore']" false \
	"d['logEntries'][-1]['parentCommitHash']" 2e1cfa82b035c26cbbbdae632cea070514eb8b773f616aaeaf668e2f0be8f10d \
	"'rat.run-id' in d['logEntries'][0]['commitMeta']['properties']" true
contract LogResponse
http GET "/api/v2/trees/-/history?max-records=1"
expect_json "len(d['logEntries'])" 1 "d['hasMore']" true "d['token']" "$parent_a"
http GET "/api/v2/trees/-/history?max-records=1&page-token=$parent_a"
expect_json "d['logEntries'][0]['commitMeta']['hash']" "$parent_a"
contract LogResponse

# --- diff: from the parent to the head, silver.two changed
http GET "/api/v2/trees/-~1/diff/-"
expect_http 200
expect_json "[x['key']['elements'] for x in d['diffs']]" '[["silver","two"]]' \
	"d['diffs'][0]['from']['metadataLocation']" "$first_two" \
	"d['effectiveFromReference']['hash']" "$parent_a" "d['effectiveToReference']['hash']" "$head_a"
contract DiffResponse
http GET "/api/v2/trees/main/diff/-"
expect_json "[x['from'] for x in d['diffs']]" '[null,null]'
contract DiffResponse

# --- a namespace made through the Iceberg API is a NAMESPACE entry, with its properties
http POST /iceberg/v1/namespaces -d '{"namespace":["analytics"],"properties":{"owner":"ana"}}'
expect_http 200
http GET /api/v2/trees/-/entries
expect_json "[(e['name']['elements'], e['type']) for e in d['entries']]" \
	'[[["analytics"],"NAMESPACE"],[["gold","one"],"ICEBERG_TABLE"],[["silver","two"],"ICEBERG_TABLE"]]'
http GET /api/v2/trees/-/contents/analytics
expect_http 200
expect_json "d['content']['type']" NAMESPACE "d['content']['elements']" '["analytics"]' \
	"d['content']['properties']" '{"owner":"ana"}'
contract ContentResponse
http GET "/api/v2/trees/-~1/diff/-"
expect_json "[(x['key']['elements'], x['from'], x['to']['type']) for x in d['diffs']]" '[[["analytics"],null,"NAMESPACE"]]'
contract DiffResponse

# --- commits: Put, Delete, Unchanged; conflicts decided per key against the expected hash
# metacopy KEY [UUID]: a copy of KEY's metadata file beside it, with a property (and a new
# table-uuid, for a new table), as a client writes one; its path
metacopy() {
	python3 - "$1" "${2:-}" <<'PY'
import json, sys, urllib.request, os, uuid
key, new_uuid = sys.argv[1], sys.argv[2]
url = os.environ["SERVE_URL"] + "/api/v2/trees/-/contents/" + key
req = urllib.request.Request(url, headers={"Authorization": "Bearer " + os.environ["TOKEN"]})
loc = json.load(urllib.request.urlopen(req))["content"]["metadataLocation"]
doc = json.load(open(loc))
doc.setdefault("properties", {})["copy"] = str(uuid.uuid4())
if new_uuid:
    doc["table-uuid"] = new_uuid
out = os.path.join(os.path.dirname(loc), "%s-copy.metadata.json" % uuid.uuid4())
json.dump(doc, open(out, "w"))
print(out)
PY
}
put_op() { # KEY LOCATION [ID]: a PUT of an ICEBERG_TABLE
	printf '{"type":"PUT","key":{"elements":["%s","%s"]},"content":{"type":"ICEBERG_TABLE",%s"metadataLocation":"%s","snapshotId":-1,"schemaId":0,"specId":0,"sortOrderId":0}}' \
		"${1%%.*}" "${1#*.}" "${3:+\"id\":\"$3\",}" "$2"
}
commit() { # REF OPS...: a commit of the operations to REF (branch@hash)
	local ref="$1" ops
	shift
	ops="$(IFS=,; echo "$*")"
	http POST "/api/v2/trees/$ref/history/commit" -H 'Content-Type: application/json' \
		-d "{\"commitMeta\":{\"message\":\"nessie commit\"},\"operations\":[$ops]}"
}
export SERVE_URL TOKEN
http GET /api/v2/trees/-
h0="$(j "d['reference']['hash']")"
f1="$(metacopy silver.two)"
f2="$(metacopy gold.one)"
f3="$(metacopy silver.two)"
commit "workspace%2Fa@$h0" "$(put_op silver.two "$f1")"
expect_http 200
expect_json "d['targetBranch']['name']" workspace/a "d['addedContents']" '[]'
contract CommitResponse
h1="$(j "d['targetBranch']['hash']")"
# another key from the same stale hash: it lands
commit "workspace%2Fa@$h0" "$(put_op gold.one "$f2")"
expect_http 200
h2="$(j "d['targetBranch']['hash']")"
[ "$h2" != "$h1" ] || fail "the second commit made no new head"
T_CHECKS=$((T_CHECKS + 1))
# the same key from the stale hash: a conflict, and nothing written
commit "workspace%2Fa@$h0" "$(put_op silver.two "$f3")"
expect_http 409
expect_json "d['errorCode']" REFERENCE_CONFLICT "d['errorDetails']['type']" REFERENCE_CONFLICTS \
	"[(c['conflictType'], c['key']['elements']) for c in d['errorDetails']['conflicts']]" '[["VALUE_DIFFERS",["silver","two"]]]'
contract NessieError
http GET /api/v2/trees/-
expect_json "d['reference']['hash']" "$h2"
http GET /api/v2/trees/-/contents/silver.two
expect_json "d['content']['metadataLocation']" "$f1"
# Unchanged is checked as the others are
commit "workspace%2Fa@$h1" '{"type":"UNCHANGED","key":{"elements":["gold","one"]}}'
expect_http 409
expect_json "d['errorDetails']['conflicts'][0]['conflictType']" VALUE_DIFFERS
# a new table: its id is the table-uuid; made again from a stale hash: KEY_EXISTS
new_id="$(python3 -c 'import uuid; print(uuid.uuid4())')"
f4="$(metacopy silver.two "$new_id")"
commit "workspace%2Fa@$h2" "$(put_op silver.copy "$f4")"
expect_http 200
expect_json "d['addedContents']" "[{\"key\":{\"elements\":[\"silver\",\"copy\"]},\"contentId\":\"$new_id\"}]"
contract CommitResponse
h3="$(j "d['targetBranch']['hash']")"
commit "workspace%2Fa@$h2" "$(put_op silver.copy "$f4")"
expect_http 409
expect_json "d['errorDetails']['conflicts'][0]['conflictType']" KEY_EXISTS
expect_eq "$(ws_csv a "SELECT b FROM silver.copy")" "3"
# a Put naming another content id
commit "workspace%2Fa@$h3" "$(put_op silver.copy "$f4" 00000000-0000-4000-8000-000000000000)"
expect_http 409
expect_json "d['errorDetails']['conflicts'][0]['conflictType']" CONTENT_ID_DIFFERS
# delete; delete again; a table in a namespace that is not there
commit "workspace%2Fa@$h3" '{"type":"DELETE","key":{"elements":["silver","copy"]}}'
expect_http 200
run tables -w a
expect_no_out "silver.copy"
commit "workspace%2Fa" '{"type":"DELETE","key":{"elements":["silver","copy"]}}'
expect_http 409
expect_json "d['errorDetails']['conflicts'][0]['conflictType']" KEY_DOES_NOT_EXIST
commit "workspace%2Fa" "$(put_op nowhere.t "$f4")"
expect_http 409
expect_json "[c['conflictType'] for c in d['errorDetails']['conflicts']]" '["NAMESPACE_ABSENT"]'
# namespaces: made, their properties replaced, dropped; in a commit of their own
commit "workspace%2Fa" '{"type":"PUT","key":{"elements":["sales"]},"content":{"type":"NAMESPACE","elements":["sales"],"properties":{"a":"1","b":"2"}}}'
expect_http 200
commit "workspace%2Fa" '{"type":"PUT","key":{"elements":["sales"]},"content":{"type":"NAMESPACE","elements":["sales"],"properties":{"a":"3"}}}'
expect_http 200
http GET /api/v2/trees/-/contents/sales
expect_json "d['content']['properties']" '{"a":"3"}'
commit "workspace%2Fa" '{"type":"DELETE","key":{"elements":["sales"]}}' '{"type":"UNCHANGED","key":{"elements":["gold","one"]}}'
expect_http 400
# a namespace that holds a table is not dropped
f8="$(metacopy silver.two "$(python3 -c 'import uuid; print(uuid.uuid4())')")"
commit "workspace%2Fa" "$(put_op sales.t "$f8")"
expect_http 200
commit "workspace%2Fa" '{"type":"DELETE","key":{"elements":["sales"]}}'
expect_http 409
expect_json "d['errorDetails']['conflicts'][0]['conflictType']" NAMESPACE_NOT_EMPTY
contract NessieError
commit "workspace%2Fa" '{"type":"DELETE","key":{"elements":["sales","t"]}}'
expect_http 200
commit "workspace%2Fa" '{"type":"DELETE","key":{"elements":["sales"]}}'
expect_http 200
http GET /api/v2/trees/-/contents/sales
expect_http 404
# bad commits: 4xx, nothing written
http GET /api/v2/trees/-
h4="$(j "d['reference']['hash']")"
commit "workspace%2Fa" '{"type":"PUT","key":{"elements":["gold","x"]},"content":{"type":"DELTA_LAKE_TABLE"}}'
expect_http 400
commit "workspace%2Fa" '{"type":"MOVE","key":{"elements":["gold","x"]}}'
expect_http 400
http POST /api/v2/trees/workspace%2Fa/history/commit -d '{"operations":[]}'
expect_http 400
http POST /api/v2/trees/main/history/commit -d '{"commitMeta":{"message":"m"},"operations":[{"type":"DELETE","key":{"elements":["gold","one"]}}]}'
expect_http 409     # main holds no gold.one
commit "@$h4" '{"type":"DELETE","key":{"elements":["gold","one"]}}'
expect_http 400     # a detached commit takes no commit
http GET /api/v2/trees/-
expect_json "d['reference']['hash']" "$h4"
run log -w a -n 8
expect_out "nessie commit"

# --- references made and deleted
http POST "/api/v2/trees?name=dev%2Fnes&type=BRANCH" -d "{\"type\":\"BRANCH\",\"name\":\"workspace/a\",\"hash\":\"$h1\"}"
expect_http 200
expect_json "d['reference']['hash']" "$h1" "d['reference']['type']" BRANCH
contract SingleReferenceResponse
dev_name="$(j "d['reference']['name']")"
http POST "/api/v2/trees?name=dev%2Fnes&type=BRANCH" -d "{\"type\":\"BRANCH\",\"name\":\"workspace/a\",\"hash\":\"$h1\"}"
expect_http 409
expect_json "d['errorCode']" REFERENCE_ALREADY_EXISTS
http POST "/api/v2/trees?name=t1&type=TAG" -d "{\"type\":\"BRANCH\",\"name\":\"workspace/a\",\"hash\":\"$h2\"}"
expect_http 200
expect_json "d['reference']['type']" TAG
http POST "/api/v2/trees?name=x&type=BRANCH" -d '{"type":"BRANCH","name":"main"}'
expect_http 400     # no hash to start from
http DELETE "/api/v2/trees/$(python3 -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$dev_name")@$h0"
expect_http 409     # not at that hash
expect_json "d['errorDetails']['conflicts'][0]['conflictType']" UNEXPECTED_HASH
contract NessieError
http DELETE "/api/v2/trees/$(python3 -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$dev_name")@$h1"
expect_http 200
http GET "/api/v2/trees/$(python3 -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$dev_name")"
expect_http 404

# --- merges: a dry run writes nothing; a fast-forward; a conflict (a 409, or a result)
quote() { python3 -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }
# fork NAME: dev/NAME from a's head: $FORK_HEAD, and $FORK_REF (its stored name, for a path)
fork() {
	http GET /api/v2/trees/-
	FORK_HEAD="$(j "d['reference']['hash']")"
	http POST "/api/v2/trees?name=dev%2F$1&type=BRANCH" \
		-d "{\"type\":\"BRANCH\",\"name\":\"workspace/a\",\"hash\":\"$FORK_HEAD\"}"
	expect_http 200
	FORK_REF="$(quote "$(j "d['reference']['name']")")"
}
fork m
m0="$FORK_HEAD" dev_m="$FORK_REF"
f5="$(metacopy silver.two)"
commit "$dev_m@$m0" "$(put_op silver.two "$f5")"
expect_http 200
merge() { # TARGET FROM EXTRA-JSON: a merge of FROM into TARGET
	http POST "/api/v2/trees/$1/history/merge" -H 'Content-Type: application/json' \
		-d "{\"fromRefName\":\"$2\"$3}"
}
merge "workspace%2Fa@$m0" "dev/m" ',"dryRun":true'
expect_http 200
expect_json "d['wasApplied']" false "d['wasSuccessful']" true \
	"[x['key']['elements'] for x in d['details']]" '[["silver","two"]]'
contract MergeResponse
http GET /api/v2/trees/-
expect_json "d['reference']['hash']" "$m0"
merge "workspace%2Fa@$m0" "dev/m" ''
expect_http 200
expect_json "d['wasApplied']" true "d['wasSuccessful']" true
contract MergeResponse
http GET /api/v2/trees/-/contents/silver.two
expect_json "d['content']['metadataLocation']" "$f5"
# both sides change silver.two: a conflict, nothing merged
http GET /api/v2/trees/-
m1="$(j "d['reference']['hash']")"
f6="$(metacopy silver.two)"
commit "$dev_m" "$(put_op silver.two "$f6")"
expect_http 200
f7="$(metacopy silver.two)"
commit "workspace%2Fa@$m1" "$(put_op silver.two "$f7")"
expect_http 200
http GET /api/v2/trees/-
m2="$(j "d['reference']['hash']")"
merge "workspace%2Fa" "dev/m" ''
expect_http 409
expect_json "d['errorCode']" REFERENCE_CONFLICT \
	"[(c['conflictType'], c['key']['elements']) for c in d['errorDetails']['conflicts']]" '[["KEY_CONFLICT",["silver","two"]]]'
contract NessieError
merge "workspace%2Fa" "dev/m" ',"returnConflictAsResult":true'
expect_http 200
expect_json "d['wasSuccessful']" false "d['wasApplied']" false \
	"[x['conflict']['conflictType'] for x in d['details'] if x.get('conflict')]" '["KEY_CONFLICT"]'
contract MergeResponse
http GET /api/v2/trees/-
expect_json "d['reference']['hash']" "$m2"
merge "workspace%2Fa" "dev/m" ',"defaultKeyMergeMode":"FORCE"'
expect_http 400
merge "workspace%2Fa" "nope" ''
expect_http 404

# --- transplants: commits of a dev branch made again on the branch, in order; a key the
# branch changed since a commit's parent is a conflict and nothing is written
fork tp
p0="$FORK_HEAD" dev_tp="$FORK_REF"
g1="$(metacopy gold.one)"
commit "$dev_tp" "$(put_op gold.one "$g1")"
t1="$(j "d['targetBranch']['hash']")"
f8="$(metacopy silver.two)"
commit "$dev_tp" "$(put_op silver.two "$f8")"
t2="$(j "d['targetBranch']['hash']")"
transplant() { # TARGET EXTRA-JSON HASH...: the commits made again on TARGET
	local target="$1" extra="$2" list
	shift 2
	list="$(printf '"%s",' "$@")"
	http POST "/api/v2/trees/$target/history/transplant" -H 'Content-Type: application/json' \
		-d "{\"fromRefName\":\"$(j_name "$dev_tp")\",\"hashesToTransplant\":[${list%,}]$extra}"
}
j_name() { python3 -c 'import sys,urllib.parse; print(urllib.parse.unquote(sys.argv[1]))' "$1"; }
transplant "workspace%2Fa" ',"dryRun":true' "$t1"
expect_http 200
expect_json "d['wasApplied']" false "d['wasSuccessful']" true \
	"[x['key']['elements'] for x in d['details']]" '[["gold","one"]]'
contract MergeResponse
http GET /api/v2/trees/-
expect_json "d['reference']['hash']" "$p0"
transplant "workspace%2Fa" '' "$t1" "$t2"
expect_http 200
expect_json "d['wasApplied']" true "d['wasSuccessful']" true "d['effectiveTargetHash']" "$p0"
contract MergeResponse
p1="$(j "d['resultantTargetHash']")"
http GET "/api/v2/trees/workspace%2Fa/history?max-records=3"
expect_json "d['logEntries'][0]['commitMeta']['hash']" "$p1" \
	"d['logEntries'][2]['commitMeta']['hash']" "$p0" \
	"[e['commitMeta']['message'] for e in d['logEntries'][:2]]" '["nessie commit","nessie commit"]'
http GET "/api/v2/trees/-/contents?key=gold.one&key=silver.two"
expect_json "[c['content']['metadataLocation'] for c in d['contents']]" "[\"$g1\",\"$f8\"]"
# the branch changes gold.one; a dev commit made on the old gold.one conflicts
g2="$(metacopy gold.one)"
commit "workspace%2Fa" "$(put_op gold.one "$g2")"
expect_http 200
http GET /api/v2/trees/-
p2="$(j "d['reference']['hash']")"
g3="$(metacopy gold.one)"
commit "$dev_tp" "$(put_op gold.one "$g3")"
t3="$(j "d['targetBranch']['hash']")"
transplant "workspace%2Fa" '' "$t3"
expect_http 409
expect_json "[(c['conflictType'], c['key']['elements']) for c in d['errorDetails']['conflicts']]" \
	'[["KEY_CONFLICT",["gold","one"]]]'
contract NessieError
transplant "workspace%2Fa" ',"returnConflictAsResult":true' "$t3"
expect_http 200
expect_json "d['wasSuccessful']" false "d['wasApplied']" false
contract MergeResponse
http GET /api/v2/trees/-
expect_json "d['reference']['hash']" "$p2"
transplant "workspace%2Fa" ''
expect_http 400     # no commit named
transplant "workspace%2Fa" '' "not-a-hash"
expect_http 400
transplant "main" '' "$t1"
expect_http 403     # main is the operator's

# --- another workspace: b's token does not see a's branch
TOKEN="$tok_b"
http GET /api/v2/trees
expect_json "[r['name'] for r in d['references']]" '["main","workspace/b"]'
http GET /api/v2/trees/workspace%2Fa/entries
[ "$HTTP" = 403 ] || [ "$HTTP" = 404 ] || fail "b read a's branch: HTTP $HTTP"
T_CHECKS=$((T_CHECKS + 1))
http GET "/api/v2/trees/@$head_a"
[ "$HTTP" = 403 ] || [ "$HTTP" = 404 ] || fail "b read a's commit: HTTP $HTTP"
T_CHECKS=$((T_CHECKS + 1))
contract NessieError
commit "workspace%2Fa" '{"type":"DELETE","key":{"elements":["gold","one"]}}'
[ "$HTTP" = 403 ] || [ "$HTTP" = 404 ] || fail "b committed to a's branch: HTTP $HTTP"
T_CHECKS=$((T_CHECKS + 1))
TOKEN=""
http GET /api/v2/trees
expect_http 401
contract NessieError
run token create -w a --read-only
TOKEN="$(cat "$T_DIR/out")"
commit "workspace%2Fa" '{"type":"DELETE","key":{"elements":["gold","one"]}}'
expect_http 403
expect_json "d['errorCode']" FORBIDDEN
TOKEN="$tok_a"

# --- references moved: to a hash, checked against the hash given; a tag stays
http POST "/api/v2/trees?name=dev%2Fmv&type=BRANCH" -d "{\"type\":\"BRANCH\",\"name\":\"workspace/a\",\"hash\":\"$h1\"}"
expect_http 200
dev_mv="$(quote "$(j "d['reference']['name']")")"
http PUT "/api/v2/trees/$dev_mv@$h1" -d "{\"type\":\"BRANCH\",\"name\":\"workspace/a\",\"hash\":\"$h2\"}"
expect_http 200
expect_json "d['reference']['hash']" "$h2"
contract SingleReferenceResponse
http PUT "/api/v2/trees/$dev_mv@$h1" -d "{\"type\":\"BRANCH\",\"name\":\"workspace/a\",\"hash\":\"$h3\"}"
expect_http 409     # it is at h2 now
expect_json "d['errorDetails']['conflicts'][0]['conflictType']" UNEXPECTED_HASH
http GET "/api/v2/trees/$dev_mv"
expect_json "d['reference']['hash']" "$h2"
http PUT "/api/v2/trees/t1" -d "{\"type\":\"BRANCH\",\"name\":\"workspace/a\",\"hash\":\"$h3\"}"
expect_http 400     # a tag names one commit for good
http PUT "/api/v2/trees/main" -d "{\"type\":\"BRANCH\",\"name\":\"workspace/a\",\"hash\":\"$h3\"}"
expect_http 403     # main is the operator's
http PUT "/api/v2/trees/$dev_mv" -d '{"type":"BRANCH","name":"x"}'
expect_http 400

# --- CEL filters on references, entries, history and diffs (paged after filtering)
filter() { python3 -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }
http GET "/api/v2/trees?filter=$(filter "refType == 'TAG'")"
expect_http 200
expect_json "[r['name'] for r in d['references']]" '["t1"]'
contract ReferencesResponse
http GET "/api/v2/trees?filter=$(filter "ref.name.startsWith('dev/') && refType == 'BRANCH'")&max-records=1"
expect_json "len(d['references'])" 1 "d['hasMore']" true "d['references'][0]['name'].startswith('dev/a/')" true
http GET "/api/v2/trees?fetch=ALL&filter=$(filter "commit.message == 'nessie commit'")"
expect_json "'workspace/a' in [r['name'] for r in d['references']]" true "'main' in [r['name'] for r in d['references']]" false
http GET "/api/v2/trees/-/entries?filter=$(filter "entry.namespace == 'gold' && entry.contentType == 'ICEBERG_TABLE'")"
expect_http 200
expect_json "[e['name']['elements'] for e in d['entries']]" '[["gold","one"]]'
contract EntriesResponse
http GET "/api/v2/trees/-/entries?filter=$(filter "size(entry.keyElements) == 2")&max-records=1"
expect_json "len(d['entries'])" 1 "d['hasMore']" true
http GET "/api/v2/trees/-/history?filter=$(filter "commit.message.startsWith('run ')")"
expect_http 200
expect_json "len(d['logEntries']) >= 2" true "all(e['commitMeta']['message'].startswith('run ') for e in d['logEntries'])" true
contract LogResponse
http GET "/api/v2/trees/-/history?filter=$(filter "commit.message.startsWith('run ')")&max-records=1"
expect_json "len(d['logEntries'])" 1 "d['hasMore']" true
next="$(j "d['token']")"
http GET "/api/v2/trees/-/history?filter=$(filter "commit.message.startsWith('run ')")&max-records=1&page-token=$next"
expect_json "len(d['logEntries'])" 1 "d['logEntries'][0]['commitMeta']['message'].startswith('run ')" true
http GET "/api/v2/trees/-/history?filter=$(filter "timestamp(commit.commitTime) < timestamp('2001-01-01T00:00:00Z')")"
expect_json "[e['commitMeta']['message'] for e in d['logEntries']]" '["root"]'
http GET "/api/v2/trees/-/history?fetch=ALL&filter=$(filter "operations.exists(op, op.name == 'two' && op.type == 'PUT')")"
expect_json "len(d['logEntries']) >= 1" true \
	"all(any(o['key']['elements'] == ['silver','two'] for o in e['operations']) for e in d['logEntries'])" true
contract LogResponse
http GET "/api/v2/trees/main/diff/-?filter=$(filter "key.namespace == 'silver'")"
expect_http 200
expect_json "[x['key']['elements'] for x in d['diffs']]" '[["silver","two"]]'
contract DiffResponse
http GET "/api/v2/trees?filter=$(filter "refType ==")"
expect_http 400
expect_json "d['errorCode']" BAD_REQUEST "'the expression ends too soon' in d['message']" true
contract NessieError
http GET "/api/v2/trees/-/entries?filter=$(filter "nope == 1")"
expect_http 400
expect_json "'no variable' in d['message']" true
http GET "/api/v2/trees/-/history?filter=$(filter "commit.message")"
expect_http 400
expect_json "'not a boolean' in d['message']" true

# --- a history longer than a page (256): *T and ~N reach past it; ^0 is not a parent
http GET "/api/v2/trees/-%5E0"
expect_http 400
fa="$(metacopy gold.one)"
fb="$(metacopy gold.one)"
python3 - "$fa" "$fb" <<'PY'
import http.client, json, os, sys, urllib.parse
url = urllib.parse.urlparse(os.environ["SERVE_URL"])
conn = http.client.HTTPConnection(url.hostname, url.port)
for i in range(300):
    loc = sys.argv[1 + i % 2]
    body = json.dumps({"commitMeta": {"message": f"deep {i}"}, "operations": [
        {"type": "PUT", "key": {"elements": ["gold", "one"]},
         "content": {"type": "ICEBERG_TABLE", "metadataLocation": loc, "snapshotId": -1,
                     "schemaId": 0, "specId": 0, "sortOrderId": 0}}]})
    conn.request("POST", "/api/v2/trees/workspace%2Fa/history/commit", body,
                 {"Authorization": "Bearer " + os.environ["TOKEN"],
                  "Content-Type": "application/json"})
    r = conn.getresponse()
    r.read()
    assert r.status == 200, (i, r.status)
PY
T_CHECKS=$((T_CHECKS + 1))
# the 290th commit back, and the newest commit at or before its time (commits may share a ms)
python3 - <<'PY' >"$T_DIR/deep"
import json, os, urllib.request
def get(path):
    req = urllib.request.Request(os.environ["SERVE_URL"] + path,
                                 headers={"Authorization": "Bearer " + os.environ["TOKEN"]})
    return json.load(urllib.request.urlopen(req))
log, token = [], None
while len(log) < 400:
    page = get("/api/v2/trees/-/history?max-records=100" + (f"&page-token={token}" if token else ""))
    log += page["logEntries"]
    if not page["hasMore"]:
        break
    token = page["token"]
target = log[290]["commitMeta"]
print(target["hash"], target["commitTime"])
PY
read -r deep_hash deep_time <"$T_DIR/deep"
http GET "/api/v2/trees/-~290"
expect_json "d['reference']['hash']" "$deep_hash"
http GET "/api/v2/trees/-*$deep_time"
expect_http 200
newest="$(python3 - "$deep_time" <<'PY'
import json, os, sys, urllib.request
req = urllib.request.Request(os.environ["SERVE_URL"] + "/api/v2/trees/-/history?max-records=400",
                             headers={"Authorization": "Bearer " + os.environ["TOKEN"]})
log = json.load(urllib.request.urlopen(req))["logEntries"]
print(next(e["commitMeta"]["hash"] for e in log if e["commitMeta"]["commitTime"] <= sys.argv[1]))
PY
)"
expect_json "d['reference']['hash']" "$newest"
http GET "/api/v2/trees/-/history?max-records=400"
expect_json "[e['commitMeta']['hash'] for e in d['logEntries']].index('$newest') >= 280" true

# --- bad paths are 4xx
http GET /api/v2/nope
expect_http 404
http GET /api/v1/trees
expect_http 404

# --- bad input: 4xx, never a crash (these run under ASan too)
long="$(python3 -c 'print("a" * 5000)')"
for path in "trees/$long" "trees/-/contents/$long" "trees/-/contents/a.b.c" "trees/@" "trees/@~" \
	"trees/-~" "trees/-%5E3" "trees/-*" "trees/-*abc" "trees/main@zz" "trees/-/diff/nope" \
	"trees/-/history?page-token=zz" "trees/%2e%2e" "trees/-/contents?key=%00" "config/x"; do
	http GET "/api/v2/$path"
	case "$HTTP" in 4??) ;; *) fail "GET /api/v2/${path:0:60}: HTTP $HTTP" ;; esac
	T_CHECKS=$((T_CHECKS + 1))
done
for body in '[]' 'nonsense' '{"commitMeta":{"message":"m"},"operations":[{"type":"PUT"}]}' \
	'{"commitMeta":{"message":"m"},"operations":[{"type":"PUT","key":{"elements":["gold","x"]},"content":{"type":"ICEBERG_TABLE","metadataLocation":"/etc/passwd"}}]}' \
	'{"commitMeta":{"message":"m"},"operations":[{"type":"PUT","key":{"elements":["gold","x"]},"content":{"type":"ICEBERG_TABLE","metadataLocation":"../../x"}}]}'; do
	http POST /api/v2/trees/workspace%2Fa/history/commit -d "$body"
	case "$HTTP" in 4??) ;; *) fail "commit $body: HTTP $HTTP" ;; esac
	T_CHECKS=$((T_CHECKS + 1))
done
head -c 10000000 /dev/zero | tr '\0' 'a' > "$T_DIR/big"
http POST /api/v2/trees/-/contents --data-binary @"$T_DIR/big"
expect_http 413

# --- every body kept above has the shape of Nessie's model
T_CHECKS=$((T_CHECKS + 1))
/usr/bin/python3 "$RAT_SOURCE_DIR/tests/support/nessie_contract.py" \
	"$RAT_SHARED_DIR/specs/nessie/openapi-examples.yaml" "$T_DIR/contract" >"$T_DIR/contract.log" 2>&1 ||
	fail "bodies that break Nessie's shapes: $(cat "$T_DIR/contract.log")"

# --- SIGTERM stops it cleanly (under ASan: nothing leaked)
serve_stop
expect_eq "$SERVE_RC" 0
