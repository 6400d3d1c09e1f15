/*
 * storage/xml.h - the little XML that S3 speaks: find an element's text,
 * decode entities, escape text for a request body.
 *
 * S3 answers are flat, generated documents, so elements are located by name
 * (the first "<Name>" or "<Name attr...>" from a position, up to the next
 * "</Name>") rather than parsed into a tree. Elements of the same name are
 * never nested in the answers read here.
 */
#ifndef RAT_STORAGE_XML_H
#define RAT_STORAGE_XML_H

#include "util/common.h"
#include "util/buf.h"

/**
 * Find the first element called name in [doc, end). On success *inner and
 * *inner_end delimit its raw content and *after points past its end tag;
 * false when there is none (or it is not closed).
 */
bool rat_xml__find(const char *doc, const char *end, const char *name, const char **inner,
		   const char **inner_end, const char **after);

/** Decode the entities (and CDATA sections) of [s, s+n) into a new string. Free with free(). */
char *rat_xml__decode(const char *s, size_t n);

/**
 * The decoded text of the first element called name in [doc, end): *out is a
 * new string (free with free()) or NULL when there is no such element.
 * Returns 0 or RAT_ENOMEM.
 */
RAT_MUST_USE int rat_xml__text(const char *doc, const char *end, const char *name, char **out);

/** Append s to out with &, <, >, " and ' escaped. */
RAT_MUST_USE int rat_xml__escape(rat_buf *out, const char *s);

#endif
