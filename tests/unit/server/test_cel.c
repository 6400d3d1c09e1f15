/*
 * tests/unit/server/test_cel.c - the CEL subset of Nessie's filters
 * (src/server/cel.c): what each expression Nessie's documentation shows
 * answers, CEL's precedence and its && / || that forgive an error the other
 * side decides, and the errors, each naming where it happens.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "server/cel.h"

static json_t *vars;

static int setup(void **state)
{
	(void)state;
	vars = json_loads(
		"{\"entry\": {\"namespace\": \"gold\", \"contentType\": \"ICEBERG_TABLE\","
		" \"key\": \"gold.kpis\", \"encodedKey\": \"gold.kpis\", \"name\": \"kpis\","
		" \"keyElements\": [\"gold\", \"kpis\"], \"namespaceElements\": [\"gold\"]},"
		" \"commit\": {\"author\": \"shop\", \"message\": \"run 42: gold.kpis\","
		" \"commitTime\": \"2024-03-05T10:00:00.250Z\", \"properties\": {\"rat.run-id\": \"42\"}},"
		" \"operations\": [{\"type\": \"PUT\", \"name\": \"kpis\", \"key\": \"gold.kpis\"},"
		" {\"type\": \"DELETE\", \"name\": \"old\", \"key\": \"gold.old\"}],"
		" \"refType\": \"BRANCH\", \"ref\": {\"name\": \"dev/shop/x\"}}",
		0, NULL);
	return vars ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	json_decref(vars);
	return 0;
}

/* The value of text against vars: 1, 0, or -1 (the message into err). */
static int eval(const char *text, char *err, size_t len)
{
	cel_expr *e = cel_parse(text, err, len);
	int out;

	if (!e)
		return -2;
	out = cel_eval_bool(e, vars, err, len);
	cel_free(e);
	return out;
}

static void is(const char *text, int want)
{
	char err[512] = "";
	int got = eval(text, err, sizeof(err));

	if (got != want)
		fail_msg("%s: %d, wanted %d (%s)", text, got, want, err);
}

static void fails(const char *text, int how, const char *message)
{
	char err[512] = "";

	assert_int_equal(eval(text, err, sizeof(err)), how);
	if (!strstr(err, message))
		fail_msg("%s: '%s' lacks '%s'", text, err, message);
}

static void nessies_examples_answer(void **state)
{
	(void)state;
	is("entry.namespace.startsWith('gol')", 1);
	is("entry.contentType in ['ICEBERG_TABLE','DELTA_LAKE_TABLE']", 1);
	is("entry.namespace.startsWith('gold') && entry.contentType in ['ICEBERG_VIEW']", 0);
	is("size(entry.keyElements) == 2", 1);
	is("entry.encodedKey == 'gold' || entry.encodedKey.startsWith('gold.')", 1);
	is("commit.author=='shop'", 1);
	is("timestamp(commit.commitTime) > timestamp('2024-03-05T10:00:00Z')", 1);
	is("timestamp(commit.commitTime) > timestamp('2024-03-05T10:00:00.300Z')", 0);
	is("operations.exists(op, op.name == 'kpis')", 1);
	is("operations.exists(op, op.type == 'MERGE')", 0);
	is("operations.all(op, op.key.startsWith('gold.'))", 1);
	is("operations.exists_one(op, op.type == 'PUT')", 1);
	is("refType == 'BRANCH'", 1);
	is("ref.name == 'my-tag-or-branch'", 0);
	is("commit.properties['rat.run-id'] == '42'", 1);
	is("'rat.run-id' in commit.properties", 1);
	is("has(commit.properties) && !has(commit.parent)", 1);
	is("commit.message.matches('^run [0-9]+:')", 1);
	is("commit.message.contains('kpis') && commit.message.endsWith('kpis')", 1);
}

static void precedence_and_values(void **state)
{
	(void)state;
	is("1 + 2 * 3 == 7", 1);
	is("(1 + 2) * 3 == 9", 1);
	is("7 / 2 == 3 && 7 % 2 == 1 && -3 < 0", 1);
	is("1.5 * 2.0 == 3.0 && 2 < 2.5", 1);
	is("'a' + 'b' == 'ab' && 'b' > 'a'", 1);
	is("true ? entry.name == 'kpis' : false", 1);
	is("!(1 == 2) && 1 != 2", 1);
	is("size('café') == 4 && size(entry.name) == 4 && entry.keyElements.size() == 2", 1);
	is("[1, 2] + [3] == [1, 2, 3]", 1);
	is("null == null && int('12') == 12 && string(5) == '5'", 1);
	is("entry.keyElements[1] == 'kpis'", 1);
}

/* false && error is false, true || error is true, as CEL says; the error stands otherwise. */
static void logic_forgives_what_the_other_side_decides(void **state)
{
	(void)state;
	is("nope.x == 1 && false", 0);
	is("false && nope.x == 1", 0);
	is("nope.x == 1 || true", 1);
	fails("nope.x == 1 || false", -1, "no variable 'nope'");
	fails("true && nope == 1", -1, "at character 9: no variable 'nope'");
}

static void errors_say_where(void **state)
{
	char long_text[5000];

	(void)state;
	fails("entry.name ==", -2, "the expression ends too soon");
	fails("entry.name == 'x", -2, "the string does not end");
	fails("entry.name == 'x')", -2, "at character 18: unexpected ')'");
	fails("entry.name # 1", -2, "unexpected '#'");
	fails("entry.", -2, "a field name expected");
	fails("entry.nope == 1", -1, "no field 'nope' in a map");
	fails("entry.name", -1, "the expression is a string, not a boolean");
	fails("entry.name < 1", -1, "'<' does not compare a string with a int");
	fails("1 / 0 == 1", -1, "division by zero");
	fails("commit.message.matches('(')", -1, "not a regular expression");
	fails("frobnicate(1)", -1, "no function frobnicate()");
	fails("entry.name.frob('x')", -1, "no method frob()");
	fails("timestamp('yesterday') > 0", -1, "ISO-8601");
	fails("operations.exists(1, true)", -1, "a variable and a predicate");
	memset(long_text, '(', sizeof(long_text) - 1);
	long_text[sizeof(long_text) - 1] = '\0';
	fails(long_text, -2, "longer than 4096");
	memset(long_text, '(', 100);
	strcpy(long_text + 100, "true");
	fails(long_text, -2, "nested more than 64 deep");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(nessies_examples_answer),
		cmocka_unit_test(precedence_and_values),
		cmocka_unit_test(logic_forgives_what_the_other_side_decides),
		cmocka_unit_test(errors_say_where),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
