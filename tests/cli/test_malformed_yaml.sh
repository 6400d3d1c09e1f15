# tests/cli/test_malformed_yaml.sh - every malformed workspace.yaml is refused
# with exit 1 and one message naming the file, the line:column and the key.
#
# The corpus is tests/cli/malformed/<case>.yaml. A case states what it expects
# on its first line:
#
#     # expect: <line>:<col>: <key.path>: <part of the message>
#
# or, for files that cannot hold that comment (the empty file, a file of
# comments only), in a sidecar tests/cli/malformed/<case>.expect holding
# "<line>:<col>: <key.path>: <part of the message>". Line numbers count the
# expect comment itself. Each case becomes the workspace.yaml of a workspace
# named <case>, and both `rat workspace show` and `rat query` must refuse it,
# exiting 1, with the line
#
#     rat: error: workspaces/<case>/workspace.yaml:<line>:<col>: <key.path>: ...<message>...
#
# Every case is checked; the failures are listed together at the end.
source "$RAT_SOURCE_DIR/tests/cli/lib.sh"

CORPUS="$RAT_SOURCE_DIR/tests/cli/malformed"
MIN_CASES=12

FAILURES=0
FAILED_CASES=""

# case_fail CASE WHAT: report one failed expectation of a case, with the output.
case_fail() {
	FAILURES=$((FAILURES + 1))
	case " $FAILED_CASES " in *" $1 "*) ;; *) FAILED_CASES="$FAILED_CASES $1" ;; esac
	{
		echo "FAIL: $1: $2"
		echo "--- stdout"
		cat "$T_DIR/out"
		echo "--- stderr"
		cat "$T_DIR/err"
	} >&2
}

# check_refusal CASE COMMAND LOC KEY MSG: the last run exited 1, printed no
# result, and one line of stderr reads
# "rat: error: ...workspaces/CASE/workspace.yaml:LOC: KEY: " going on to MSG.
check_refusal() {
	local case="$1" cmd="$2" loc="$3" key="$4" msg="$5" where line found=""
	where="workspaces/$case/workspace.yaml:$loc: $key: "

	T_CHECKS=$((T_CHECKS + 1))
	if [ "$RC" -ne 1 ]; then
		case_fail "$case" "$cmd: expected exit 1, got $RC"
		return
	fi
	T_CHECKS=$((T_CHECKS + 1))
	if [ -s "$T_DIR/out" ]; then
		case_fail "$case" "$cmd: printed output although the configuration is invalid"
		return
	fi
	T_CHECKS=$((T_CHECKS + 1))
	while IFS= read -r line || [ -n "$line" ]; do
		case "$line" in
		"rat: error: "*"$where"*) found="$line"; break ;;
		esac
	done <"$T_DIR/err"
	if [ -z "$found" ]; then
		case_fail "$case" "$cmd: stderr lacks a line 'rat: error: ...$where$msg...'"
		return
	fi
	T_CHECKS=$((T_CHECKS + 1))
	case "${found#*"$where"}" in
	*"$msg"*) ;;
	*) case_fail "$case" "$cmd: the message after '$where' lacks: $msg" ;;
	esac
}

# case_expectation FILE: print the expectation of a case (its sidecar, else its
# first line); fail when it has none.
case_expectation() {
	local file="$1" sidecar="${1%.yaml}.expect" first=""
	if [ -f "$sidecar" ]; then
		IFS= read -r first <"$sidecar" || [ -n "$first" ] ||
			fail "$sidecar: empty (expected '<line>:<col>: <key>: <message>')"
		printf '%s\n' "$first"
		return
	fi
	IFS= read -r first <"$file" || true
	case "$first" in
	"# expect: "*) printf '%s\n' "${first#"# expect: "}" ;;
	*) fail "$file: the first line is not '# expect: <line>:<col>: <key>: <message>' and there is no $(basename "$sidecar")" ;;
	esac
}

n=0
for file in "$CORPUS"/*.yaml; do
	[ -f "$file" ] || continue
	case_name="$(basename "$file" .yaml)"
	rm -f "$T_DIR/out" "$T_DIR/err"
	expectation="$(case_expectation "$file")"

	# "<line>:<col>: <key.path>: <message>"; key paths hold no ": "
	loc="${expectation%%: *}"
	rest="${expectation#*: }"
	key="${rest%%: *}"
	msg="${rest#*: }"
	[[ "$loc" =~ ^[0-9]+:[0-9]+$ ]] && [ -n "$key" ] && [ "$rest" != "$key" ] && [ -n "$msg" ] ||
		fail "$file: cannot read the expectation '$expectation'"

	mkdir -p "workspaces/$case_name"
	cp "$file" "workspaces/$case_name/workspace.yaml"

	run workspace show -w "$case_name"
	check_refusal "$case_name" "workspace show" "$loc" "$key" "$msg"

	run query "SELECT 1" -w "$case_name"
	check_refusal "$case_name" "query" "$loc" "$key" "$msg"

	n=$((n + 1))
done

rm -f "$T_DIR/out" "$T_DIR/err"
T_CHECKS=$((T_CHECKS + 1))
[ "$n" -ge "$MIN_CASES" ] || fail "only $n malformed workspace.yaml cases in $CORPUS (want at least $MIN_CASES)"

if [ "$FAILURES" -ne 0 ]; then
	echo "$FAILURES failed expectations in $n cases:$FAILED_CASES" >&2
	exit 1
fi
