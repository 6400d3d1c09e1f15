/*
 * fuzz/fuzz_s3_xml.c - S3's XML answers (storage/xml.c over expat): the
 * parse, then the look-ups the S3 backend makes (a list page's <Contents>,
 * an upload's <UploadId>, an <Error>'s code and message).
 *
 * Input: the answer's bytes, given with their length (not NUL-terminated, as
 * a body read from the network is). Besides not crashing, the code must keep
 * its promises, checked here (a broken one aborts): a refused document
 * leaves no tree; every text found is a string; and each text, escaped with
 * rat_xml__escape() into an element, parses back to itself.
 */
#include "util/common.h"
#include "util/buf.h"
#include "storage/xml.h"
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void check(bool ok, const char *promise)
{
	if (!ok) {
		fprintf(stderr, "xml broke a promise: %s\n", promise);
		abort();
	}
}

/* text (if any), escaped into <T>, reads back as itself. */
static void check_round_trip(const char *text)
{
	rat_buf xml = RAT_BUF_INIT;
	rat_xml *doc = NULL;

	if (!text)
		return;
	check(strlen(text) <= RAT_XML_MAX_BYTES, "a text is a string within the cap");
	if (rat_buf_puts(&xml, "<T>") == 0 && rat_xml__escape(&xml, text) == 0 &&
	    rat_buf_puts(&xml, "</T>") == 0 && xml.len <= RAT_XML_MAX_BYTES) {
		check(rat_xml__parse(&doc, xml.ptr, xml.len) == 0, "escaped text parses");
		check(strcmp(rat_xml__text(rat_xml__root(doc)), text) == 0,
		      "escaped text reads back as itself");
	}
	rat_xml__free(doc);
	rat_buf_free(&xml);
}

/* What s3.c and s3_upload.c ask of an answer. */
static void look_up(const rat_xml *doc)
{
	static const char *const fields[] = { "Key", "Size", "ETag", "LastModified" };
	const rat_xml_node *root = rat_xml__root(doc), *c;
	const char *code, *message;
	size_t i;

	check(root && rat_xml__name(root)[0], "a parsed document has a named root");
	for (c = rat_xml__child(root, "Contents"); c; c = rat_xml__next(c)) {
		check(strcmp(rat_xml__name(c), "Contents") == 0, "next keeps to one name");
		for (i = 0; i < RAT_ARRAY_SIZE(fields); i++)
			check_round_trip(rat_xml__child_text(c, fields[i]));
	}
	check_round_trip(rat_xml__child_text(rat_xml__child(root, "CommonPrefixes"), "Prefix"));
	check_round_trip(rat_xml__child_text(root, "IsTruncated"));
	check_round_trip(rat_xml__child_text(root, "NextContinuationToken"));
	check_round_trip(rat_xml__child_text(root, "UploadId"));
	if (rat_xml__is_error(doc, &code, &message)) {
		check_round_trip(code);
		check_round_trip(message);
	} else {
		check(!code && !message, "no code or message outside an <Error>");
	}
	check_round_trip(rat_xml__text(root));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = fuzz_memdup(data, size);
	rat_xml *doc = NULL;

	if (rat_xml__parse(&doc, copy, size) == 0)
		look_up(doc);
	else
		check(doc == NULL, "a refused document leaves no tree");
	rat_xml__free(doc);
	free(copy);
	return 0;
}
