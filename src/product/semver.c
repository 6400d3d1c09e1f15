/*
 * product/semver.c - npm's semver rules for product versions (see semver.h).
 *
 * A range is parsed once into sets of plain comparators (op, version), the
 * way node-semver desugars ^, ~, x-ranges, partial versions and hyphen
 * ranges; matching is then only comparisons, plus the pre-release rule.
 */
#include "util/common.h"
#include "product/semver.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum op { OP_LT, OP_LE, OP_GT, OP_GE, OP_EQ } op;

typedef struct comparator {
	op op;
	rat_semver v;
} comparator;

typedef struct cset {
	comparator *items; /* all must hold; none: any version */
	size_t count;
	bool none;         /* matches nothing (e.g. <0.0.0-0) */
} cset;

struct rat_semver_range {
	cset *sets; /* any may hold */
	size_t count;
};

/* A version with parts possibly missing (x, X, * or absent). */
typedef struct partial {
	int64_t part[3];
	int known; /* how many leading parts are numbers: 0..3 */
	char pre[96];
} partial;

#define MAX_PART ((int64_t)1 << 53) /* as npm: numbers JavaScript holds exactly */

/* Versions */

static int read_number(const char **s, int64_t *out)
{
	const char *p = *s;
	int64_t n = 0;

	if (!isdigit((unsigned char)*p) || (p[0] == '0' && isdigit((unsigned char)p[1])))
		return -1; /* no leading zeros */
	while (isdigit((unsigned char)*p)) {
		n = n * 10 + (*p++ - '0');
		if (n > MAX_PART)
			return -1;
	}
	*s = p;
	*out = n;
	return 0;
}

static bool valid_identifiers(const char *s, size_t n, bool numeric_no_zeros)
{
	size_t i, start = 0;

	if (n == 0)
		return false;
	for (i = 0; i <= n; i++) {
		if (i == n || s[i] == '.') {
			bool digits = true;
			size_t j;
			if (i == start)
				return false;
			for (j = start; j < i; j++)
				digits &= isdigit((unsigned char)s[j]) != 0;
			if (numeric_no_zeros && digits && s[start] == '0' && i - start > 1)
				return false;
			start = i + 1;
		} else if (!isalnum((unsigned char)s[i]) && s[i] != '-') {
			return false;
		}
	}
	return true;
}

/* "-pre" and "+build" after the numbers; the rest of the text must be empty. */
static int read_tail(const char *s, char *pre, size_t len)
{
	const char *plus;
	size_t n;

	pre[0] = '\0';
	if (*s == '-') {
		s++;
		plus = strchr(s, '+');
		n = plus ? (size_t)(plus - s) : strlen(s);
		if (n >= len || !valid_identifiers(s, n, true))
			return -1;
		memcpy(pre, s, n);
		pre[n] = '\0';
		s += n;
	}
	if (*s == '+')
		return valid_identifiers(s + 1, strlen(s + 1), false) ? 0 : -1;
	return *s ? -1 : 0;
}

/* X[.Y[.Z]][-pre][+build] with x, X or * for a missing part. */
static int read_partial(partial *out, const char *s)
{
	int i;

	memset(out, 0, sizeof(*out));
	if (*s == 'v' || *s == 'V' || *s == '=')
		s++;
	for (i = 0; i < 3; i++) {
		if (*s == 'x' || *s == 'X' || *s == '*') {
			s++;
		} else if (read_number(&s, &out->part[i]) != 0) {
			return -1;
		} else if (out->known == i) {
			out->known++;
		} else {
			return -1; /* 1.x.3: a number after a wildcard */
		}
		if (*s != '.')
			break;
		s++;
	}
	if (i == 3)
		return -1; /* a fourth part */
	return read_tail(s, out->pre, sizeof(out->pre));
}

int rat_semver__parse(rat_semver *out, const char *text)
{
	partial p;

	if (!text || read_partial(&p, text) != 0 || p.known != 3)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
				      "'%s' is not a version (MAJOR.MINOR.PATCH, e.g. 1.4.0 or "
				      "2.0.0-rc.1)", text ? text : "(null)");
	out->major = p.part[0];
	out->minor = p.part[1];
	out->patch = p.part[2];
	snprintf(out->pre, sizeof(out->pre), "%s", p.pre);
	return 0;
}

static int compare_identifier(const char *a, size_t an, const char *b, size_t bn)
{
	bool ad = true, bd = true;
	size_t i;

	for (i = 0; i < an; i++)
		ad &= isdigit((unsigned char)a[i]) != 0;
	for (i = 0; i < bn; i++)
		bd &= isdigit((unsigned char)b[i]) != 0;
	if (ad && bd) /* numerically: no leading zeros, so longer is larger */
		return an != bn ? (an < bn ? -1 : 1) : memcmp(a, b, an);
	if (ad != bd)
		return ad ? -1 : 1; /* numbers sort before words */
	i = an < bn ? an : bn;
	if (memcmp(a, b, i) != 0)
		return memcmp(a, b, i) < 0 ? -1 : 1;
	return an == bn ? 0 : (an < bn ? -1 : 1);
}

static int compare_pre(const char *a, const char *b)
{
	if (!*a || !*b)
		return !*a && !*b ? 0 : (!*a ? 1 : -1); /* a release sorts after its pre-releases */
	while (*a && *b) {
		size_t an = strcspn(a, "."), bn = strcspn(b, ".");
		int c = compare_identifier(a, an, b, bn);
		if (c)
			return c;
		a += an + (a[an] == '.');
		b += bn + (b[bn] == '.');
	}
	return *a ? 1 : (*b ? -1 : 0); /* more identifiers sort later */
}

int rat_semver__compare(const rat_semver *a, const rat_semver *b)
{
	if (a->major != b->major)
		return a->major < b->major ? -1 : 1;
	if (a->minor != b->minor)
		return a->minor < b->minor ? -1 : 1;
	if (a->patch != b->patch)
		return a->patch < b->patch ? -1 : 1;
	return compare_pre(a->pre, b->pre);
}

void rat_semver__format(char *out, size_t len, const rat_semver *v)
{
	snprintf(out, len, "%lld.%lld.%lld%s%s", (long long)v->major, (long long)v->minor,
		 (long long)v->patch, v->pre[0] ? "-" : "", v->pre);
}

/* Ranges */

static rat_semver version_of(int64_t major, int64_t minor, int64_t patch, const char *pre)
{
	rat_semver v;

	v.major = major;
	v.minor = minor;
	v.patch = patch;
	snprintf(v.pre, sizeof(v.pre), "%s", pre);
	return v;
}

static int add(cset *set, op o, rat_semver v)
{
	comparator *grown = rat__realloc(set->items, (set->count + 1) * sizeof(*grown));

	if (!grown)
		return RAT_ENOMEM;
	set->items = grown;
	set->items[set->count].op = o;
	set->items[set->count].v = v;
	set->count++;
	return 0;
}

/* >=lo <hi-0 */
static int between(cset *set, rat_semver lo, int64_t a, int64_t b, int64_t c)
{
	int error = add(set, OP_GE, lo);
	return error ? error : add(set, OP_LT, version_of(a, b, c, "0"));
}

static int tilde(cset *set, const partial *p)
{
	const int64_t *v = p->part;

	if (p->known == 0)
		return 0;
	if (p->known == 1)
		return between(set, version_of(v[0], 0, 0, ""), v[0] + 1, 0, 0);
	return between(set, version_of(v[0], v[1], p->known == 3 ? v[2] : 0, p->pre), v[0],
		       v[1] + 1, 0);
}

static int caret(cset *set, const partial *p)
{
	const int64_t *v = p->part;
	rat_semver lo = version_of(v[0], v[1], v[2], p->known == 3 ? p->pre : "");

	if (p->known == 0)
		return 0;
	if (p->known == 1)
		return between(set, version_of(v[0], 0, 0, ""), v[0] + 1, 0, 0);
	if (v[0] > 0)
		return between(set, lo, v[0] + 1, 0, 0);
	if (p->known == 2 || v[1] > 0) /* ^0.2.3, ^0.2, ^0.0 */
		return between(set, lo, 0, v[1] + 1, 0);
	return between(set, lo, 0, 0, v[2] + 1); /* ^0.0.3 */
}

/* A bare or =-prefixed partial version: x-range semantics. */
static int xrange(cset *set, const partial *p)
{
	const int64_t *v = p->part;

	if (p->known == 0)
		return 0;
	if (p->known == 1)
		return between(set, version_of(v[0], 0, 0, ""), v[0] + 1, 0, 0);
	if (p->known == 2)
		return between(set, version_of(v[0], v[1], 0, ""), v[0], v[1] + 1, 0);
	return add(set, OP_EQ, version_of(v[0], v[1], v[2], p->pre));
}

static int compare_op(cset *set, op o, const partial *p)
{
	const int64_t *v = p->part;

	if (p->known == 3)
		return add(set, o, version_of(v[0], v[1], v[2], p->pre));
	if (p->known == 0) { /* >=* and <=* are anything; >* and <* nothing */
		if (o == OP_GT || o == OP_LT)
			set->none = true;
		return 0;
	}
	switch (o) {
	case OP_GT:
		return add(set, OP_GE, p->known == 1 ? version_of(v[0] + 1, 0, 0, "")
						     : version_of(v[0], v[1] + 1, 0, ""));
	case OP_GE:
		return add(set, OP_GE, version_of(v[0], p->known > 1 ? v[1] : 0, 0, ""));
	case OP_LT:
		return add(set, OP_LT, version_of(v[0], p->known > 1 ? v[1] : 0, 0, "0"));
	case OP_LE:
		return add(set, OP_LT, p->known == 1 ? version_of(v[0] + 1, 0, 0, "0")
						     : version_of(v[0], v[1] + 1, 0, "0"));
	default:
		return xrange(set, p);
	}
}

static int range_error(const char *range, const char *part)
{
	return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
			      "version range '%s': '%s' is not a version or a range (e.g. ^1.2.0, "
			      "~1.2, 1.x, >=1.0.0 <2.0.0, 1.2.3 - 2.0.0, latest)",
			      range, part);
}

/* One token: an operator and a (partial) version. */
static int add_token(cset *set, const char *range, const char *token)
{
	static const struct {
		const char *text;
		int kind; /* an op, or 10 for ^, 11 for ~ */
	} ops[] = { { ">=", OP_GE }, { "<=", OP_LE }, { ">", OP_GT }, { "<", OP_LT },
		    { "=", OP_EQ },  { "^", 10 },     { "~>", 11 },   { "~", 11 } };
	const char *s = token;
	partial p;
	int kind = -1;
	size_t i;

	for (i = 0; i < RAT_ARRAY_SIZE(ops); i++)
		if (strncmp(s, ops[i].text, strlen(ops[i].text)) == 0) {
			kind = ops[i].kind;
			s += strlen(ops[i].text);
			break;
		}
	if (read_partial(&p, s) != 0)
		return range_error(range, token);
	if (kind == 10)
		return caret(set, &p);
	if (kind == 11)
		return tilde(set, &p);
	if (kind == -1 || kind == OP_EQ)
		return xrange(set, &p);
	return compare_op(set, (op)kind, &p);
}

/* "A - B": >=A (zeros for missing parts) and <=B (a prefix when partial). */
static int add_hyphen(cset *set, const char *range, const char *a, const char *b)
{
	partial lo, hi;
	int error = 0;

	if (read_partial(&lo, a) != 0)
		return range_error(range, a);
	if (read_partial(&hi, b) != 0)
		return range_error(range, b);
	if (lo.known > 0)
		error = add(set, OP_GE, version_of(lo.part[0], lo.part[1], lo.part[2],
						   lo.known == 3 ? lo.pre : ""));
	if (!error && hi.known > 0)
		error = compare_op(set, OP_LE, &hi);
	return error;
}

/* Split text (modified) on blanks into tokens, joining an operator to its version. */
static int parse_set(cset *set, const char *range, char *text)
{
	char *tokens[64], *t = text;
	size_t n = 0, i;
	int error = 0;

	while (*t) {
		while (*t == ' ' || *t == '\t')
			*t++ = '\0';
		if (!*t)
			break;
		if (n == RAT_ARRAY_SIZE(tokens))
			return range_error(range, t);
		tokens[n++] = t;
		while (*t && *t != ' ' && *t != '\t')
			t++;
	}
	if (n == 3 && strcmp(tokens[1], "-") == 0)
		return add_hyphen(set, range, tokens[0], tokens[2]);
	for (i = 0; !error && i < n; i++) {
		char joined[256];
		if (strspn(tokens[i], "<>=~^") == strlen(tokens[i]) && i + 1 < n) {
			snprintf(joined, sizeof(joined), "%s%s", tokens[i], tokens[i + 1]);
			error = add_token(set, range, joined);
			i++;
		} else {
			error = add_token(set, range, tokens[i]);
		}
	}
	return error;
}

int rat_semver__range_parse(rat_semver_range **out, const char *text)
{
	rat_semver_range *r = rat__calloc(1, sizeof(*r));
	char *copy = NULL, *part, *rest;
	int error = 0;

	*out = NULL;
	if (!r || (copy = rat__strdup(text ? text : "")) == NULL) {
		free(r);
		return RAT_ENOMEM;
	}
	for (rest = copy; !error && rest;) {
		cset *grown;
		part = rest;
		if ((rest = strstr(rest, "||")) != NULL) {
			*rest = '\0';
			rest += 2;
		}
		if ((grown = rat__realloc(r->sets, (r->count + 1) * sizeof(*grown))) == NULL) {
			error = RAT_ENOMEM;
			break;
		}
		r->sets = grown;
		memset(&r->sets[r->count], 0, sizeof(cset));
		r->count++;
		if (strcmp(part, "latest") == 0 || strspn(part, " \t") == strlen(part))
			continue; /* any release */
		error = parse_set(&r->sets[r->count - 1], text, part);
	}
	free(copy);
	if (error)
		rat_semver__range_free(r);
	else
		*out = r;
	return error;
}

void rat_semver__range_free(rat_semver_range *range)
{
	size_t i;

	if (!range)
		return;
	for (i = 0; i < range->count; i++)
		free(range->sets[i].items);
	free(range->sets);
	free(range);
}

static bool holds(const comparator *c, const rat_semver *v)
{
	int cmp = rat_semver__compare(v, &c->v);

	switch (c->op) {
	case OP_LT: return cmp < 0;
	case OP_LE: return cmp <= 0;
	case OP_GT: return cmp > 0;
	case OP_GE: return cmp >= 0;
	default: return cmp == 0;
	}
}

static bool set_holds(const cset *set, const rat_semver *v)
{
	size_t i;

	if (set->none)
		return false;
	for (i = 0; i < set->count; i++)
		if (!holds(&set->items[i], v))
			return false;
	if (!v->pre[0])
		return true;
	/* a pre-release only where a comparator asks for one of the same major.minor.patch */
	for (i = 0; i < set->count; i++) {
		const rat_semver *c = &set->items[i].v;
		if (c->pre[0] && c->major == v->major && c->minor == v->minor && c->patch == v->patch)
			return true;
	}
	return false;
}

bool rat_semver__satisfies(const rat_semver_range *range, const rat_semver *v)
{
	size_t i;

	for (i = 0; i < range->count; i++)
		if (set_holds(&range->sets[i], v))
			return true;
	return false;
}

long rat_semver__max_satisfying(const rat_semver_range *range, const rat_semver *versions,
				size_t count)
{
	long best = -1;
	size_t i;

	for (i = 0; i < count; i++)
		if (rat_semver__satisfies(range, &versions[i]) &&
		    (best < 0 || rat_semver__compare(&versions[i], &versions[best]) > 0))
			best = (long)i;
	return best;
}
