/*
 * storage/xml.h - the XML that S3 speaks: an answer parsed (by expat) into a
 * small read-only tree of elements, S3's <Error> document, and text escaped
 * for a request body.
 *
 * Elements are named by their local name: the namespace is dropped (S3's
 * answers carry xmlns="http://s3.amazonaws.com/doc/2006-03-01/", its error
 * documents none). Lookups are by child, so <Contents><Key> and a top-level
 * <Prefix> are never confused with a <Prefix> deeper down. An element's text
 * is its own character data with entities, character references and CDATA
 * sections decoded (never its children's); "" when it has none.
 *
 * The document comes from the network: it is refused, with a message, when
 * over RAT_XML_MAX_BYTES, with more than RAT_XML_MAX_ELEMENTS elements,
 * nested deeper than RAT_XML_MAX_DEPTH, malformed or cut short, or holding a
 * DOCTYPE (which is how entities get declared: no "billion laughs", no
 * external entities).
 */
#ifndef RAT_STORAGE_XML_H
#define RAT_STORAGE_XML_H

#include "util/common.h"
#include "util/buf.h"

#define RAT_XML_MAX_BYTES ((size_t)16 << 20) /* as the S3 answers read into memory */
#define RAT_XML_MAX_ELEMENTS 100000           /* a 1000-key list page has about 10,000 */
#define RAT_XML_MAX_DEPTH 32                  /* S3 answers nest 3 deep */

typedef struct rat_xml rat_xml;           /* a parsed document */
typedef struct rat_xml_node rat_xml_node; /* one element of it, owned by the document */

/**
 * Parse len bytes of data into *out (free with rat_xml__free()). Returns 0,
 * RAT_EINVALID for a document that is malformed, cut short, nested too deep
 * or has a DOCTYPE ("malformed XML at line 1, column 40: mismatched tag"),
 * RAT_ETOOBIG over the byte or element cap, or RAT_ENOMEM; *out is NULL on
 * failure.
 */
RAT_MUST_USE int rat_xml__parse(rat_xml **out, const char *data, size_t len);
/** Release doc and every node and text of it; NULL is fine. */
void rat_xml__free(rat_xml *doc);

/** The root element; NULL when doc is NULL. */
const rat_xml_node *rat_xml__root(const rat_xml *doc);
/** The local name of node ("Key" for <s3:Key>). */
const char *rat_xml__name(const rat_xml_node *node);
/** The text of node (see above); never NULL. */
const char *rat_xml__text(const rat_xml_node *node);
/** The first child element of node called name; NULL when none (or node is NULL). */
const rat_xml_node *rat_xml__child(const rat_xml_node *node, const char *name);
/** The next sibling of node with its name; NULL after the last. */
const rat_xml_node *rat_xml__next(const rat_xml_node *node);
/** The text of node's first child called name; NULL when there is none. */
const char *rat_xml__child_text(const rat_xml_node *node, const char *name);

/**
 * Whether doc is S3's error document (<Error><Code>…</Code><Message>…
 * </Message></Error>). When it is, *code and *message are their texts, or
 * NULL when absent (owned by doc); otherwise both are NULL. doc may be NULL.
 */
bool rat_xml__is_error(const rat_xml *doc, const char **code, const char **message);

/** Append s to out with &, <, >, " and ' escaped, and \r (so that it reads back as itself). */
RAT_MUST_USE int rat_xml__escape(rat_buf *out, const char *s);

#endif
