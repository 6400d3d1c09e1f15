/*
 * storage/s3_internal.h - what the S3 backend's files share: the connection
 * state, one request with its body source and response sink, and the
 * functions that run requests (s3_http.c), upload (s3_upload.c) and
 * download into files and the read cache (s3_cache.c).
 *
 * Design: every S3 call is one s3_request run by rat_s3__request(), which
 * owns signing, retries with backoff, resuming interrupted downloads and
 * turning failures into messages; callers describe what to send and where
 * the body goes, nothing more.
 */
#ifndef RAT_STORAGE_S3_INTERNAL_H
#define RAT_STORAGE_S3_INTERNAL_H

#include "storage/store_internal.h"
#include "storage/xml.h"

#include "storage/curl_api.h"

/* Caps on bodies read into memory that the caller did not size. */
#define RAT_S3_XML_MAX ((size_t)16 << 20)   /* list pages, multipart answers */
#define RAT_S3_ERROR_MAX ((size_t)64 << 10) /* error documents (cut beyond) */

typedef struct rat_s3 {
	CURL *curl;             /* reused between requests: keeps the connection */
	char *endpoint;         /* "http://127.0.0.1:9000", no trailing '/' */
	char *bucket;
	char *prefix;           /* "" or "a/b": keys are prefix + "/" + key */
	char *sigv4;            /* "aws:amz:<region>:s3" */
	char *access_key;       /* NULL: requests are not signed */
	char *secret_key;
	unsigned int seed;      /* for the backoff jitter */
	char curl_error[CURL_ERROR_SIZE];
} rat_s3;

/* A request body: len bytes of memory, or of the file fd from offset. */
typedef struct rat_s3_source {
	const char *data;
	int fd;
	uint64_t offset;
	uint64_t len;
	uint64_t sent;          /* this attempt */
	int error;              /* a read failure (not retried) */
	const char *path;       /* for messages about fd */
} rat_s3_source;

/*
 * Where a successful GET body goes: appended to buf (after its length at the
 * start, base) or written to fd from its start. got counts what was kept,
 * across attempts, so that a retry asks only for the rest.
 */
typedef struct rat_s3_sink {
	rat_buf *buf;
	size_t base;
	int fd;
	uint64_t max;           /* more is RAT_ETOOBIG */
	uint64_t got;
	uint64_t expected;      /* the size the answer announced (got included), 0: unknown */
} rat_s3_sink;

typedef struct rat_s3_request {
	const char *method;     /* GET, HEAD, PUT, POST, DELETE */
	const char *key;        /* relative to the root (the URL adds the prefix); in messages */
	bool bucket;            /* a request on the bucket itself (a listing): key only shown */
	const char *query;      /* canonical query (sorted, encoded) or NULL */
	const char *content_type;
	bool only_new;          /* If-None-Match: * (412 is RAT_EEXISTS) */
	bool ranged;            /* Range: bytes=range_start-(range_start+range_len-1) */
	uint64_t range_start;
	uint64_t range_len;
	rat_s3_source *body;    /* PUT/POST body, NULL for none */
	rat_s3_sink *sink;      /* GET body; NULL: a small body kept in the response */
	uint64_t *counter;      /* the stats counter of this kind of request */
	int stall_seconds;      /* silence that aborts an attempt; 0: the store's */
} rat_s3_request;

typedef struct rat_s3_response {
	long status;
	char *etag;             /* quotes removed, NULL when absent */
	uint64_t content_length;
	bool has_length;
	int64_t mtime_ms;
	rat_buf body;           /* error document, or the answer when there is no sink */
	char *if_match;         /* the ETag that resumed ranges must match */
} rat_s3_response;

/** Run a request with retries; 0 on a 2xx answer, else an error naming the object. */
RAT_MUST_USE int rat_s3__request(rat_store *store, rat_s3_request *req, rat_s3_response *resp);
void rat_s3__response_free(rat_s3_response *resp);

/**
 * Parse an XML answer whose root element must be root (NULL: any but
 * <Error>) into *doc (free with rat_xml__free()). An answer that does not
 * parse or has another root is RAT_EIO naming where (a URL) and what (the S3
 * call); an <Error> root gives S3's code and message ("<where>: <what>:
 * <Code>: <Message>").
 */
RAT_MUST_USE int rat_s3__answer(const rat_store *store, const rat_buf *body, const char *where,
				const char *what, const char *root, rat_xml **doc);
/** Set the last error with the secret key blanked out wherever it appears. Returns code. */
RAT_MUST_USE int rat_s3__fail(const rat_store *store, int code, const char *fmt,
			      ...) RAT_PRINTF(3, 4);
/**
 * Blank out (with '*') each whole occurrence of secret in msg: one that
 * neither a letter nor a digit touches on either side. A secret shorter
 * than RAT_S3_MASK_MIN characters is left alone (see s3_http.c).
 */
void rat_s3__mask(char *msg, const char *secret);
#define RAT_S3_MASK_MIN 4
/** The key in the bucket for a key relative to the root (for list queries). Free with free(). */
char *rat_s3__full_key(const rat_store *store, const char *key);
/** Append s URI-encoded as S3 wants it (unreserved kept, '/' kept when keep_slash). */
RAT_MUST_USE int rat_s3__encode(rat_buf *out, const char *s, bool keep_slash);
/** The ETag text without quotes, as a new string (NULL on out of memory). */
char *rat_s3__unquote(const char *etag, size_t len);

/** Upload len bytes from src to key, in parts above the multipart threshold. */
RAT_MUST_USE int rat_s3__upload(rat_store *store, const char *key, rat_s3_source *src,
				bool only_new);
/** GET key into a new file at path (tmp + fsync + rename); *etag (may be NULL) receives its ETag. */
RAT_MUST_USE int rat_s3__download(rat_store *store, const char *key, const char *path, char **etag);
/** The read cache: a local file holding key, downloaded once. */
RAT_MUST_USE int rat_s3__local_path(rat_store *store, const char *key, char **out);

#endif
