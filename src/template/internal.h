/*
 * pipeline/template_internal.h - what the files of the template engine
 * share: tokens, the syntax tree, values and the renderer's state.
 *
 * A template goes through three steps. The lexer (template_lex.c) cuts the
 * text into tokens and applies whitespace control; the parser
 * (template_parse.c) builds a tree of statements and expressions in an
 * arena that is freed in one go; the renderer (template.c for statements,
 * template_eval.c for expressions, template_value.c for values) walks the
 * tree with a stack of variables. Values own their memory; the tree does
 * not change once parsed. Every node keeps its line and whoever walks the
 * tree knows the path of the file it came from, so that every error can
 * name "path:line:".
 *
 * Every walk is bounded: nesting in the parser, the depth of macro calls
 * and of evaluation, the number of steps of a rendering and the size of
 * any text it builds, so hostile input fails with a message instead of
 * exhausting the stack, the memory or the time.
 */
#ifndef RAT_PIPELINE_TEMPLATE_INTERNAL_H
#define RAT_PIPELINE_TEMPLATE_INTERNAL_H

#include "util/common.h"
#include "util/buf.h"
#include "template/template.h"

#include <string.h>

/* Nested blocks plus nested expression levels a file may have. */
#define TPL_MAX_NESTING 100
/* Macro calls in progress at once (a macro calling itself counts each time). */
#define TPL_MAX_MACRO_DEPTH 64
/* Blocks, expressions and macro calls being evaluated at once. */
#define TPL_MAX_EVAL_DEPTH 1000
/* Statements and expressions evaluated by one rendering. */
#define TPL_MAX_STEPS 20000000
/* Bytes of any text a rendering builds (its output, a macro's, a string). */
#define TPL_MAX_TEXT ((size_t)64 << 20)
/* Origins a map records (template.h); past it, the rest of the text is unknown. */
#define TPL_MAX_ORIGINS ((size_t)1 << 20)

/* ---- arena: the tree's memory, freed at once ---- */

typedef struct tpl_chunk tpl_chunk;
typedef struct tpl_arena {
	tpl_chunk *head;
} tpl_arena;

/** n zeroed bytes that live until rat_template__arena_free(); NULL on out of memory. */
void *rat_template__alloc(tpl_arena *arena, size_t n);
/** A NUL-terminated copy of s[0..n) in the arena. */
char *rat_template__strndup(tpl_arena *arena, const char *s, size_t n);
void rat_template__arena_free(tpl_arena *arena);

/** Set "path:line: message" as the last error; returns RAT_EINVALID. */
int rat_template__fail(const char *path, int line, const char *fmt, ...) RAT_PRINTF(3, 4);
/** The same with another code. */
int rat_template__fail_code(int code, const char *path, int line, const char *fmt, ...)
    RAT_PRINTF(4, 5);

/* ---- tokens ---- */

typedef enum tpl_tok {
	TOK_EOF = 0,
	TOK_TEXT,        /* text between tags, after whitespace control */
	TOK_VAR_BEGIN,   /* {{ */
	TOK_VAR_END,     /* }} */
	TOK_BLOCK_BEGIN, /* {% */
	TOK_BLOCK_END,   /* %} */
	TOK_NAME,
	TOK_STRING,
	TOK_INT,
	TOK_FLOAT,
	TOK_OP /* punctuation and operators, src/len say which */
} tpl_tok;

typedef struct tpl_token {
	tpl_tok kind;
	int line;        /* 1-based, where the token starts */
	const char *src; /* the token in the source (TEXT: the text kept) */
	size_t len;
	const char *str; /* NAME: a NUL-terminated copy; STRING: the decoded text */
	size_t str_len;
	int64_t i; /* INT */
	double f;  /* FLOAT */
} tpl_token;

typedef struct tpl_tokens {
	tpl_token *items;
	size_t count;
	size_t cap;
} tpl_tokens;

/**
 * Cut text into tokens (appended to out, which the caller frees with
 * free(out->items)); strings live in arena. The last token is TOK_EOF.
 */
RAT_MUST_USE int rat_template__lex(tpl_tokens *out, tpl_arena *arena, const char *path,
				   const char *text);

/* ---- values ---- */

typedef enum tpl_kind { TPL_NONE = 0, TPL_BOOL, TPL_INT, TPL_FLOAT, TPL_STRING, TPL_LIST } tpl_kind;

typedef struct tpl_value {
	tpl_kind kind;
	union {
		bool b;
		int64_t i;
		double f;
		struct {
			char *ptr; /* NUL-terminated */
			size_t len;
			rat_template_map *origins; /* a macro's text: where it came from; or NULL */
			char *watermark; /* watermark(col)'s typed literal: col, so that {{ }}
					  * inside a SQL string renders the bare value; or NULL */
		} s;
		struct {
			struct tpl_value *items;
			size_t count;
			int depth; /* 1 + the deepest list inside */
		} list;
	} u;
} tpl_value;

#define TPL_VALUE_INIT                                                                             \
	{                                                                                          \
		TPL_NONE,                                                                          \
		{                                                                                  \
			false                                                                      \
		}                                                                                  \
	}

/** Release what v owns; v becomes none. */
void rat_template__value_free(tpl_value *v);
/** A deep copy of v into out (which must be none). */
RAT_MUST_USE int rat_template__value_copy(tpl_value *out, const tpl_value *v);
/** A string value holding a copy of s[0..len). */
RAT_MUST_USE int rat_template__value_string(tpl_value *out, const char *s, size_t len);
/** A string value taking buf's content (buf becomes empty). */
RAT_MUST_USE int rat_template__value_take(tpl_value *out, rat_buf *buf);
/** Append v as {{ v }} renders it. */
RAT_MUST_USE int rat_template__value_text(rat_buf *buf, const tpl_value *v);
bool rat_template__value_truthy(const tpl_value *v);
bool rat_template__value_equal(const tpl_value *a, const tpl_value *b);
/** "none", "boolean", "integer", "float", "string" or "list". */
const char *rat_template__kind_name(tpl_kind kind);

/* ---- syntax tree ---- */

typedef enum tpl_op {
	OP_OR = 0,
	OP_AND,
	OP_EQ,
	OP_NE,
	OP_LT,
	OP_LE,
	OP_GT,
	OP_GE,
	OP_IN,
	OP_NOT_IN,
	OP_ADD,
	OP_SUB,
	OP_CONCAT,
	OP_MUL,
	OP_DIV,
	OP_FLOORDIV,
	OP_MOD
} tpl_op;

typedef enum tpl_expr_kind {
	EXPR_LITERAL = 0, /* literal */
	EXPR_LIST,        /* args: the items */
	EXPR_NAME,        /* name, dotted for loop.index */
	EXPR_NOT,         /* left */
	EXPR_NEG,         /* left */
	EXPR_BINARY,      /* op, left, right */
	EXPR_CALL,        /* name(args) */
	EXPR_FILTER       /* left | name(args) */
} tpl_expr_kind;

typedef struct tpl_expr tpl_expr;

typedef struct tpl_arg {
	const char *name; /* a keyword argument's name, or NULL */
	tpl_expr *value;
	struct tpl_arg *next;
} tpl_arg;

struct tpl_expr {
	tpl_expr_kind kind;
	int line;
	tpl_op op;
	tpl_expr *left;
	tpl_expr *right;
	const char *name;
	tpl_arg *args;
	size_t nargs;
	tpl_value literal; /* its string lives in the arena: copy, never free */
};

typedef struct tpl_stmt tpl_stmt;

typedef struct tpl_branch {
	tpl_expr *cond; /* NULL: the else branch */
	tpl_stmt *body;
	struct tpl_branch *next;
} tpl_branch;

typedef struct tpl_param {
	const char *name;
	tpl_expr *def; /* the default, or NULL */
	struct tpl_param *next;
} tpl_param;

typedef struct tpl_macro {
	const char *name;
	const char *path;   /* the file that defines it */
	const char *source; /* that file's text */
	int line;
	tpl_param *params;
	size_t nparams;
	tpl_stmt *body;
	bool walked; /* rat_template__refs() searched it already */
	struct tpl_macro *next;
} tpl_macro;

typedef enum tpl_stmt_kind {
	STMT_TEXT = 0, /* text, len */
	STMT_OUTPUT,   /* {{ expr }} */
	STMT_IF,       /* branches */
	STMT_FOR,      /* for name in expr: body */
	STMT_SET,      /* set name = expr */
	STMT_MACRO     /* macro: renders nothing where it stands */
} tpl_stmt_kind;

struct tpl_stmt {
	tpl_stmt_kind kind;
	int line;
	const char *text;
	size_t len;
	const char *name;
	tpl_expr *expr;
	tpl_branch *branches;
	tpl_stmt *body;
	tpl_macro *macro;
	tpl_stmt *next;
};

/* Everything parsed for one call: the macro files and the text. */
typedef struct tpl_program {
	tpl_arena arena;
	tpl_macro *macros; /* in order of definition */
	tpl_stmt *body;    /* the text's statements */
} tpl_program;

/* ---- the parser: statements in template_parse.c, expressions in template_expr.c ---- */

typedef struct tpl_parser {
	tpl_program *prog;
	const char *path;
	const char *text;      /* the file's text */
	const tpl_token *toks; /* ends with TOK_EOF */
	size_t pos;
	int depth; /* blocks and expression levels open */
} tpl_parser;

static inline const tpl_token *tpl_peek(const tpl_parser *p)
{
	return &p->toks[p->pos];
}

/* The token `ahead` places on, or the TOK_EOF at the end. */
static inline const tpl_token *tpl_peek_at(const tpl_parser *p, size_t ahead)
{
	size_t i;

	for (i = 0; i < ahead && p->toks[p->pos + i].kind != TOK_EOF; i++)
		;
	return &p->toks[p->pos + i];
}

/* The token at hand, moving past it (never past TOK_EOF). */
static inline const tpl_token *tpl_next(tpl_parser *p)
{
	const tpl_token *t = &p->toks[p->pos];
	if (t->kind != TOK_EOF)
		p->pos++;
	return t;
}

static inline bool tpl_is_op(const tpl_token *t, const char *op)
{
	return t->kind == TOK_OP && t->len == strlen(op) && !memcmp(t->src, op, t->len);
}

static inline bool tpl_is_name(const tpl_token *t, const char *name)
{
	return t->kind == TOK_NAME && !strcmp(t->str, name);
}

/** "path:line: expected <what>, found <the token at hand>". */
int rat_template__unexpected(const tpl_parser *p, const char *what);
/** Move past the operator op, or fail with rat_template__unexpected(what). */
RAT_MUST_USE int rat_template__expect_op(tpl_parser *p, const char *op, const char *what);
/** Open one more level (the caller closes it: p->depth--); fails past TPL_MAX_NESTING. */
RAT_MUST_USE int rat_template__nest(tpl_parser *p, int line);
/** Whether t is true/True/false/False/none/None. */
bool rat_template__is_constant(const tpl_token *t);
RAT_MUST_USE int rat_template__parse_expr(tpl_expr **out, tpl_parser *p);

/**
 * Parse text (named path in messages) into *out, registering its macros in
 * prog (an error if a name is taken). The tree lives in prog->arena.
 */
RAT_MUST_USE int rat_template__parse(tpl_stmt **out, tpl_program *prog, const char *path,
				     const char *text);
const tpl_macro *rat_template__find_macro(const tpl_program *prog, const char *name);
/** Whether name is a built-in function (which no macro may be called). */
bool rat_template__is_builtin(const char *name);

/* ---- rendering ---- */

typedef struct tpl_var {
	const char *name; /* not owned: the tree's or static */
	tpl_value value;
} tpl_var;

typedef struct tpl_render {
	const rat_template_context *tc;
	const tpl_program *prog;
	const char *path;   /* the file of the code being run */
	const char *source; /* its text */
	rat_buf *out;       /* where text goes: the output, or a macro's */
	rat_template_map *map; /* NULL, or the origins of what goes to out (template.h) */
	size_t base;           /* out->len where the text map counts from */
	tpl_var *vars;    /* a stack; a macro call sees [frame, nvars) */
	size_t nvars;
	size_t vars_cap;
	size_t frame; /* first variable the running macro can see */
	size_t scope; /* first variable of the innermost scope */
	int depth;
	int macro_depth;
	long steps;
} tpl_render;

/** Run statements, appending to r->out. */
RAT_MUST_USE int rat_template__exec(tpl_render *r, const tpl_stmt *body);
/** Evaluate e into out (which must be none). */
RAT_MUST_USE int rat_template__eval(tpl_value *out, tpl_render *r, const tpl_expr *e);
/** A name's value; lenient: an unknown or unavailable name is none, not an error. */
RAT_MUST_USE int rat_template__eval_name(tpl_value *out, tpl_render *r, const tpl_expr *e,
					 bool lenient);
/** A call of a built-in function (template_funcs.c). */
RAT_MUST_USE int rat_template__call_builtin(tpl_value *out, tpl_render *r, const tpl_expr *e);
/**
 * (template_funcs.c) Append what watermark(column) stands for: its typed SQL literal, or, when
 * in_string (the text rendered so far ends inside a SQL string literal), its
 * bare value with the quotes doubled.
 */
RAT_MUST_USE int rat_template__watermark(rat_buf *out, tpl_render *r, int line,
					 const char *column, bool in_string);
/** value | filter(args) (template_funcs.c). */
RAT_MUST_USE int rat_template__filter(tpl_value *out, tpl_render *r, const tpl_expr *e);
/** Count one step and one level of depth; fails past the limits. */
RAT_MUST_USE int rat_template__enter(tpl_render *r, int line);
/** Define name in the innermost scope, taking v (which becomes none). */
RAT_MUST_USE int rat_template__set_var(tpl_render *r, const char *name, tpl_value *v);
/** The value of a variable the running code can see, or NULL. */
const tpl_value *rat_template__get_var(const tpl_render *r, const char *name);
/**
 * Record that r->out's text from r->out->len on comes from path:line
 * (call: the outermost macro call, or NULL). Nothing without r->map.
 */
RAT_MUST_USE int rat_template__origin_add(rat_template_map *map, size_t offset, const char *path,
					  const char *source, int line, const char *call_path,
					  int call_line);
/** Record in r->map what the value v, appended at offset by the statement at line, came from. */
RAT_MUST_USE int rat_template__origins_of_value(tpl_render *r, size_t offset, int line,
						const tpl_value *v);
/** A deep copy of map into *out (NULL for NULL). */
RAT_MUST_USE int rat_template__map_copy(rat_template_map **out, const rat_template_map *map);
/** Drop the variables from mark on. */
void rat_template__pop_vars(tpl_render *r, size_t mark);
/** The error of a call of macro that would nest deeper than TPL_MAX_MACRO_DEPTH. */
int rat_template__too_deep(const char *path, int line, const char *macro);
/** Turn a buffer's failure into "path:line: ..." when it is the size limit. */
RAT_MUST_USE int rat_template__buf_error(const tpl_render *r, int line, const rat_buf *buf,
					 int error);
/**
 * The table name of a ref() call: its one argument must be a string
 * literal. Shared by rendering and rat_template__refs().
 */
RAT_MUST_USE int rat_template__ref_name(const char **name, const char *path, const tpl_expr *call);

#endif
