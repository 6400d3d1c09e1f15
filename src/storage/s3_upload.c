/*
 * storage/s3_upload.c - writing objects to S3: one PUT up to the multipart
 * threshold, a multipart upload above it.
 *
 * A multipart upload is CreateMultipartUpload, one UploadPart per slice of
 * the source (part size = the threshold, at most 5 GiB, raised if that would
 * exceed S3's 10,000 parts), then CompleteMultipartUpload with the parts'
 * ETags. Objects over 5 GiB always go in parts. Each
 * request is retried on its own (a part's body is re-read from the source);
 * a failure that survives the retries aborts the upload so that no parts
 * are left behind, and the first error is the one reported.
 */
#include "util/common.h"
#include "util/buf.h"
#include "storage/s3_internal.h"
#include "storage/xml.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Silence a CompleteMultipartUpload may keep while the server assembles the parts. */
#define COMPLETE_STALL_SECONDS 900

#define MAX_PARTS 10000
#define MAX_SINGLE ((uint64_t)5 << 30) /* S3's limit on one PUT, and on one part */

typedef struct upload {
	rat_store *store;
	const char *key;      /* relative to the root */
	char *upload_id;      /* URI-encoded, ready for a query */
	char **etags;
	size_t parts;
} upload;

static int put_single(rat_store *store, const char *key, rat_s3_source *src, bool only_new)
{
	rat_s3_request req = { 0 };
	rat_s3_response resp = { 0 };
	int error;

	req.method = "PUT";
	req.key = key;
	req.only_new = only_new;
	req.body = src;
	req.counter = &store->stats.puts;
	error = rat_s3__request(store, &req, &resp);
	rat_s3__response_free(&resp);
	return error;
}

/*
 * Parse the answer to what, whose root must be root (NULL: any but <Error>),
 * into *doc. A 200 answer to CompleteMultipartUpload can still be an <Error>.
 */
static int parse_answer(upload *up, const rat_buf *body, const char *what, const char *root,
			rat_xml **doc)
{
	char *url = rat_store__url(up->store, up->key);
	int error = url ? rat_s3__answer(up->store, body, url, what, root, doc) : RAT_ENOMEM;

	free(url);
	return error;
}

static int create(upload *up)
{
	rat_s3_request req = { 0 };
	rat_s3_response resp = { 0 };
	rat_buf id = RAT_BUF_INIT;
	rat_xml *doc = NULL;
	const char *text;
	char *url = NULL;
	int error;

	req.method = "POST";
	req.key = up->key;
	req.query = "uploads=";
	if ((error = rat_s3__request(up->store, &req, &resp)) != 0 ||
	    (error = parse_answer(up, &resp.body, "CreateMultipartUpload",
				  "InitiateMultipartUploadResult", &doc)) != 0)
		goto cleanup;
	text = rat_xml__child_text(rat_xml__root(doc), "UploadId");
	if (!text || !text[0]) {
		url = rat_store__url(up->store, up->key);
		error = rat_s3__fail(up->store, RAT_EIO, "%s: CreateMultipartUpload answer has no "
				     "UploadId", url ? url : up->key);
		goto cleanup;
	}
	if ((error = rat_s3__encode(&id, text, false)) == 0)
		up->upload_id = rat_buf_detach(&id);
cleanup:
	rat_buf_free(&id);
	rat_s3__response_free(&resp);
	rat_xml__free(doc);
	free(url);
	return error;
}

static int put_part(upload *up, rat_s3_source *src, size_t number, uint64_t offset,
		    uint64_t len)
{
	rat_s3_source part = { src->data ? src->data + offset : NULL, src->fd,
			       src->offset + offset, len, 0, 0, src->path };
	rat_s3_request req = { 0 };
	rat_s3_response resp = { 0 };
	char *query = rat__sprintf("partNumber=%zu&uploadId=%s", number, up->upload_id), *url = NULL;
	int error;

	if (!query)
		return RAT_ENOMEM;
	if (src->data)
		part.offset = 0;
	req.method = "PUT";
	req.key = up->key;
	req.query = query;
	req.body = &part;
	req.counter = &up->store->stats.part_puts;
	if ((error = rat_s3__request(up->store, &req, &resp)) != 0)
		goto cleanup;
	if (!resp.etag || !resp.etag[0]) {
		url = rat_store__url(up->store, up->key);
		error = rat_s3__fail(up->store, RAT_EIO, "%s: part %zu: the answer has no ETag",
				     url ? url : up->key, number);
		goto cleanup;
	}
	up->etags[number - 1] = resp.etag;
	resp.etag = NULL;
	up->parts = number;
cleanup:
	rat_s3__response_free(&resp);
	free(query);
	free(url);
	return error;
}

static int complete_body(const upload *up, rat_buf *xml)
{
	size_t i;
	int error = rat_buf_puts(xml, "<CompleteMultipartUpload>");

	for (i = 0; i < up->parts && !error; i++) {
		error = rat_buf_printf(xml, "<Part><PartNumber>%zu</PartNumber><ETag>\"", i + 1);
		if (!error)
			error = rat_xml__escape(xml, up->etags[i]);
		if (!error)
			error = rat_buf_puts(xml, "\"</ETag></Part>");
	}
	if (!error)
		error = rat_buf_puts(xml, "</CompleteMultipartUpload>");
	return error;
}

static int complete(upload *up, bool only_new)
{
	rat_buf xml = RAT_BUF_INIT;
	rat_s3_request req = { 0 };
	rat_s3_response resp = { 0 };
	rat_s3_source body = { NULL, -1, 0, 0, 0, 0, NULL };
	rat_xml *doc = NULL;
	char *query = rat__sprintf("uploadId=%s", up->upload_id);
	int error;

	if (!query)
		return RAT_ENOMEM;
	if ((error = complete_body(up, &xml)) != 0)
		goto cleanup;
	body.data = xml.ptr;
	body.len = xml.len;
	req.method = "POST";
	req.key = up->key;
	req.query = query;
	req.content_type = "application/xml";
	req.only_new = only_new;
	req.body = &body;
	req.counter = &up->store->stats.puts;
	/*
	 * Assembling the parts may take minutes with nothing sent meanwhile (AWS
	 * keeps the connection alive with blanks, other servers do not), and a
	 * completion retried after the first one succeeded finds no upload: give
	 * it the time it needs rather than the store's stall limit.
	 */
	req.stall_seconds = COMPLETE_STALL_SECONDS;
	if ((error = rat_s3__request(up->store, &req, &resp)) == 0)
		/* S3 answers <CompleteMultipartUploadResult>, moto <...Response> */
		error = parse_answer(up, &resp.body, "CompleteMultipartUpload", NULL, &doc);
cleanup:
	rat_xml__free(doc);
	rat_s3__response_free(&resp);
	rat_buf_free(&xml);
	free(query);
	return error;
}

/* AbortMultipartUpload, keeping the error that led here as the last error. */
static void abort_upload(upload *up)
{
	const rat_error *last = rat_error_last();
	char saved[4096];
	int klass = last->klass;
	rat_s3_request req = { 0 };
	rat_s3_response resp = { 0 };
	char *query;

	snprintf(saved, sizeof(saved), "%s", last->message);
	if ((query = rat__sprintf("uploadId=%s", up->upload_id)) != NULL) {
		req.method = "DELETE";
		req.key = up->key;
		req.query = query;
		/* best effort: an upload left open costs storage, not data */
		rat__ignore(rat_s3__request(up->store, &req, &resp));
		rat_s3__response_free(&resp);
		free(query);
	}
	rat_error__set(0, klass, "%s", saved);
}

static int put_multipart(rat_store *store, const char *key, rat_s3_source *src, bool only_new)
{
	upload up = { store, key, NULL, NULL, 0 };
	uint64_t part_size = store->multipart_threshold < MAX_SINGLE ? store->multipart_threshold
								      : MAX_SINGLE, offset;
	size_t count, i;
	int error;

	if (src->len / part_size >= MAX_PARTS)
		part_size = (src->len + MAX_PARTS - 1) / MAX_PARTS;
	count = (size_t)((src->len + part_size - 1) / part_size);
	if ((up.etags = rat__calloc(count, sizeof(char *))) == NULL) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	if ((error = create(&up)) != 0)
		goto cleanup;
	for (i = 0, offset = 0; i < count && !error; i++, offset += part_size)
		error = put_part(&up, src, i + 1, offset,
				 src->len - offset < part_size ? src->len - offset : part_size);
	if (!error)
		error = complete(&up, only_new);
	if (error && up.upload_id)
		abort_upload(&up);
cleanup:
	for (i = 0; up.etags && i < count; i++)
		free(up.etags[i]);
	free(up.etags);
	free(up.upload_id);
	return error;
}

int rat_s3__upload(rat_store *store, const char *key, rat_s3_source *src, bool only_new)
{
	if (src->len <= store->multipart_threshold && src->len <= MAX_SINGLE)
		return put_single(store, key, src, only_new);
	return put_multipart(store, key, src, only_new);
}
