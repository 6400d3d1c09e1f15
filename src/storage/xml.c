/*
 * storage/xml.c - S3's XML answers parsed with expat into a tree of elements
 * (see xml.h), and text escaped for request bodies.
 *
 * Why expat rather than libxml2: S3's answers are small generated documents
 * that are read once, start to end, into names and texts. expat is a small
 * streaming parser with no global state, decodes entities, character
 * references and CDATA itself, resolves namespaces, and (since 2.4) limits
 * entity amplification on its own; the tree built from its callbacks is all
 * we need. libxml2's DOM and XPath would add a much larger parser facing the
 * network for nothing that is used here.
 *
 * Hardening, besides the caps of xml.h: a DOCTYPE (and so any entity
 * declaration) stops the parse, parameter entities are never parsed, and no
 * external entity handler is installed, so nothing outside the document is
 * ever read.
 */
#include "util/common.h"
#include "util/buf.h"
#include "storage/xml.h"

#include <expat.h>
#include <stdlib.h>
#include <string.h>

/* expat gives a namespaced name as "<uri><NS_SEP><local name>". */
#define NS_SEP ' '

struct rat_xml_node {
	rat_xml_node *first, *last; /* child elements, in document order */
	rat_xml_node *next;         /* the next sibling */
	rat_buf text;               /* own character data, decoded */
	char name[];                /* the local name */
};

struct rat_xml {
	rat_xml_node *root;
};

/* The state of one parse: the open elements and the first failure. */
typedef struct builder {
	XML_Parser parser;
	rat_xml_node *root;
	rat_xml_node *open[RAT_XML_MAX_DEPTH];
	size_t depth;
	size_t elements;
	int error; /* set (with its message) by fail(); the parser is then stopped */
} builder;

static void free_node(rat_xml_node *node)
{
	rat_xml_node *child, *next;

	if (!node)
		return;
	for (child = node->first; child; child = next) {
		next = child->next;
		free_node(child);
	}
	rat_buf_free(&node->text);
	free(node);
}

/* Record the first failure and stop the parser. */
static void fail(builder *b, int code)
{
	if (!b->error)
		b->error = code;
	XML_StopParser(b->parser, XML_FALSE);
}

/* A new node called by the local part of name, or 0 and a failure: too deep, too many. */
static rat_xml_node *new_node(builder *b, const XML_Char *name)
{
	const char *local = strrchr(name, NS_SEP);
	rat_xml_node *node;
	size_t n;

	if (b->depth == RAT_XML_MAX_DEPTH) {
		fail(b, rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
				       "XML elements nested deeper than %d", RAT_XML_MAX_DEPTH));
		return NULL;
	}
	if (++b->elements > RAT_XML_MAX_ELEMENTS) {
		fail(b, rat_error__set(RAT_ETOOBIG, RAT_ERRCLASS_INVALID,
				       "XML document with more than %d elements", RAT_XML_MAX_ELEMENTS));
		return NULL;
	}
	local = local ? local + 1 : name;
	n = strlen(local);
	if ((node = rat__calloc(1, sizeof(*node) + n + 1)) == NULL) {
		fail(b, RAT_ENOMEM);
		return NULL;
	}
	memcpy(node->name, local, n + 1);
	return node;
}

static void XMLCALL on_start(void *data, const XML_Char *name, const XML_Char **attrs)
{
	builder *b = data;
	rat_xml_node *node, *parent;

	if (b->error || (node = new_node(b, name)) == NULL)
		return;
	parent = b->depth ? b->open[b->depth - 1] : NULL;
	if (!parent)
		b->root = node;
	else if (parent->last)
		parent->last = parent->last->next = node;
	else
		parent->first = parent->last = node;
	b->open[b->depth++] = node;
}

static void XMLCALL on_end(void *data, const XML_Char *name)
{
	builder *b = data;

	if (!b->error)
		b->depth--;
}

static void XMLCALL on_text(void *data, const XML_Char *s, int len)
{
	builder *b = data;
	int error;

	if (!b->error && b->depth &&
	    (error = rat_buf_put(&b->open[b->depth - 1]->text, s, (size_t)len)) != 0)
		fail(b, error);
}

static void XMLCALL on_doctype(void *data, const XML_Char *name, const XML_Char *sysid,
			       const XML_Char *pubid, int has_internal_subset)
{
	builder *b = data;

	if (!b->error)
		fail(b, rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID, "XML document with a "
				       "DOCTYPE at line %lu (refused: it could declare entities)",
				       (unsigned long)XML_GetCurrentLineNumber(b->parser)));
}

/* What expat reports, as an error of ours. */
static int parse_error(builder *b)
{
	enum XML_Error code = XML_GetErrorCode(b->parser);

	if (code == XML_ERROR_NO_MEMORY)
		return rat_error__oom();
	return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
			      "malformed XML at line %lu, column %lu: %s",
			      (unsigned long)XML_GetCurrentLineNumber(b->parser),
			      (unsigned long)XML_GetCurrentColumnNumber(b->parser) + 1,
			      XML_ErrorString(code));
}

int rat_xml__parse(rat_xml **out, const char *data, size_t len)
{
	builder b;
	int error = 0;

	*out = NULL;
	memset(&b, 0, sizeof(b));
	if (len > RAT_XML_MAX_BYTES)
		return rat_error__set(RAT_ETOOBIG, RAT_ERRCLASS_INVALID, "XML document of %zu "
				      "bytes is over the cap of %zu", len, RAT_XML_MAX_BYTES);
	if ((b.parser = XML_ParserCreateNS(NULL, NS_SEP)) == NULL)
		return rat_error__oom();
	XML_SetUserData(b.parser, &b);
	XML_SetElementHandler(b.parser, on_start, on_end);
	XML_SetCharacterDataHandler(b.parser, on_text);
	XML_SetStartDoctypeDeclHandler(b.parser, on_doctype);
	XML_SetParamEntityParsing(b.parser, XML_PARAM_ENTITY_PARSING_NEVER);
	if (XML_Parse(b.parser, data ? data : "", (int)len, XML_TRUE) != XML_STATUS_OK)
		error = b.error ? b.error : parse_error(&b);
	else if ((*out = rat__malloc(sizeof(**out))) == NULL)
		error = RAT_ENOMEM;
	if (error)
		free_node(b.root);
	else
		(*out)->root = b.root;
	XML_ParserFree(b.parser);
	return error;
}

void rat_xml__free(rat_xml *doc)
{
	if (!doc)
		return;
	free_node(doc->root);
	free(doc);
}

const rat_xml_node *rat_xml__root(const rat_xml *doc)
{
	return doc ? doc->root : NULL;
}

const char *rat_xml__name(const rat_xml_node *node)
{
	return node->name;
}

const char *rat_xml__text(const rat_xml_node *node)
{
	return rat_buf_cstr(&node->text);
}

const rat_xml_node *rat_xml__child(const rat_xml_node *node, const char *name)
{
	const rat_xml_node *child;

	for (child = node ? node->first : NULL; child; child = child->next)
		if (strcmp(child->name, name) == 0)
			return child;
	return NULL;
}

const rat_xml_node *rat_xml__next(const rat_xml_node *node)
{
	const rat_xml_node *sibling;

	for (sibling = node->next; sibling; sibling = sibling->next)
		if (strcmp(sibling->name, node->name) == 0)
			return sibling;
	return NULL;
}

const char *rat_xml__child_text(const rat_xml_node *node, const char *name)
{
	const rat_xml_node *child = rat_xml__child(node, name);

	return child ? rat_xml__text(child) : NULL;
}

bool rat_xml__is_error(const rat_xml *doc, const char **code, const char **message)
{
	const rat_xml_node *root = rat_xml__root(doc);

	*code = *message = NULL;
	if (!root || strcmp(root->name, "Error") != 0)
		return false;
	*code = rat_xml__child_text(root, "Code");
	*message = rat_xml__child_text(root, "Message");
	return true;
}

int rat_xml__escape(rat_buf *out, const char *s)
{
	int error = 0;

	for (; *s && !error; s++) {
		switch (*s) {
		case '&': error = rat_buf_puts(out, "&amp;"); break;
		case '<': error = rat_buf_puts(out, "&lt;"); break;
		case '>': error = rat_buf_puts(out, "&gt;"); break;
		case '"': error = rat_buf_puts(out, "&quot;"); break;
		case '\'': error = rat_buf_puts(out, "&apos;"); break;
		case '\r': error = rat_buf_puts(out, "&#13;"); break; /* else read back as \n */
		default: error = rat_buf_putc(out, *s); break;
		}
	}
	return error;
}
