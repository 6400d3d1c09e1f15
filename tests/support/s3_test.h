/*
 * tests/support/s3_test.h - shared by the S3 storage tests: start and stop
 * the local servers (through s3_server.sh), ask the aws CLI what a bucket
 * holds, and small file helpers.
 *
 * Included by tests/unit/storage/test_s3_*.c after helpers.h; every function
 * is static inline so that each test uses what it needs.
 */
#ifndef RAT_TEST_S3_TEST_H
#define RAT_TEST_S3_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "storage/storage.h"

#define T_SECRET "SECRET-never-print-me"

/* Assert that a call succeeds, showing the error message when it does not. */
#define T_OK(call)                                                                        \
	do {                                                                              \
		int t_rc_ = (call);                                                       \
		if (t_rc_ != 0)                                                           \
			fail_msg("%s: %d: %s", #call, t_rc_, rat_error_last()->message);   \
	} while (0)

typedef struct t_server {
	char dir[4096];
	int port;
	long pid;
} t_server;

static inline char *t_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *data;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	data = malloc((size_t)n + 1);
	assert_non_null(data);
	assert_int_equal(fread(data, 1, (size_t)n, f), (size_t)n);
	data[n] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)n;
	return data;
}

static inline void t_spit(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/*
 * Start a server of kind "moto", "s3rver" or "proxy" in scratch/name; arg is
 * the bucket to create, or the upstream port for the proxy; extra holds more
 * options for the proxy ("" for none). Fails the test when it cannot start.
 */
static inline void t_server_start(t_server *srv, const char *kind, const char *scratch,
				  const char *name, const char *arg, const char *extra)
{
	const char *src = getenv("RAT_SOURCE_DIR");
	char cmd[16384], path[4200], *text;

	if (!src)
		fail_msg("RAT_SOURCE_DIR is not set: run the tests through ctest");
	snprintf(srv->dir, sizeof(srv->dir), "%s/%s", scratch, name);
	snprintf(cmd, sizeof(cmd), "bash '%s/tests/support/s3_server.sh' %s '%s' '%s' %ld %s", src,
		 kind, srv->dir, arg, (long)getpid(), extra);
	if (system(cmd) != 0)
		fail_msg("cannot start %s for the S3 tests (see the message above); "
			 "these tests need moto_server, node/npm, python3 and curl", kind);
	snprintf(path, sizeof(path), "%s/port", srv->dir);
	assert_non_null(text = t_slurp(path, NULL));
	srv->port = atoi(text);
	free(text);
	snprintf(path, sizeof(path), "%s/pid", srv->dir);
	assert_non_null(text = t_slurp(path, NULL));
	srv->pid = atol(text);
	free(text);
	assert_true(srv->port > 0 && srv->pid > 1);
}

/* Stop a server's process group and wait (at most 5 s) until it is gone. */
static inline void t_server_stop(t_server *srv)
{
	struct timespec ts = { 0, 50 * 1000000L };
	int i;

	if (srv->pid <= 1)
		return;
	kill(-(pid_t)srv->pid, SIGTERM);
	for (i = 0; i < 100 && kill(-(pid_t)srv->pid, 0) == 0; i++)
		nanosleep(&ts, NULL);
	if (kill(-(pid_t)srv->pid, 0) == 0)
		kill(-(pid_t)srv->pid, SIGKILL);
	srv->pid = 0;
}

static inline char *t_endpoint(const t_server *srv)
{
	static char endpoint[64];
	snprintf(endpoint, sizeof(endpoint), "http://127.0.0.1:%d", srv->port);
	return endpoint;
}

/* Run the aws CLI against a server: "aws --endpoint-url ... ARGS" with its keys. */
static inline int t_aws(const t_server *srv, const char *access, const char *secret,
			const char *args)
{
	char cmd[16384];

	setenv("AWS_ACCESS_KEY_ID", access, 1);
	setenv("AWS_SECRET_ACCESS_KEY", secret, 1);
	setenv("AWS_DEFAULT_REGION", "us-east-1", 1);
	setenv("AWS_CONFIG_FILE", "/dev/null", 1);
	setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null", 1);
	snprintf(cmd, sizeof(cmd), "aws --endpoint-url http://127.0.0.1:%d %s", srv->port, args);
	return system(cmd);
}

/*
 * Every object of bucket as the aws CLI sees it (s3api list-objects-v2):
 * keys and sizes into out, sorted by key. Independent of our client.
 */
static inline void t_aws_list(const t_server *srv, const char *access, const char *secret,
			      const char *bucket, const char *scratch, rat_store_list *out)
{
	char args[8192], path[4200];
	json_t *root, *contents, *item;
	json_error_t jerr;
	size_t i, len = 0;
	char *text;

	snprintf(path, sizeof(path), "%s/aws-list.json", scratch);
	snprintf(args, sizeof(args), "s3api list-objects-v2 --bucket %s --output json > '%s'",
		 bucket, path);
	if (t_aws(srv, access, secret, args) != 0)
		fail_msg("aws s3api list-objects-v2 failed");
	assert_non_null(text = t_slurp(path, &len));
	out->items = NULL;
	out->count = 0;
	if (len == 0) { /* an empty bucket prints nothing */
		free(text);
		return;
	}
	root = json_loads(text, 0, &jerr);
	if (!root)
		fail_msg("aws output is not JSON: %s", jerr.text);
	contents = json_object_get(root, "Contents");
	out->items = calloc(json_array_size(contents) + 1, sizeof(*out->items));
	json_array_foreach(contents, i, item) {
		out->items[i].key = strdup(json_string_value(json_object_get(item, "Key")));
		out->items[i].size = (uint64_t)json_integer_value(json_object_get(item, "Size"));
		out->items[i].etag = strdup("");
		out->count++;
	}
	json_decref(root);
	free(text);
}

/* Download one object with the aws CLI (s3api get-object) into path. */
static inline void t_aws_get(const t_server *srv, const char *access, const char *secret,
			     const char *bucket, const char *key, const char *path)
{
	char args[8192];

	setenv("RAT_T_KEY", key, 1); /* through the environment: no quoting troubles */
	snprintf(args, sizeof(args), "s3api get-object --bucket %s --key \"$RAT_T_KEY\" '%s' "
		 ">/dev/null", bucket, path);
	if (t_aws(srv, access, secret, args) != 0)
		fail_msg("aws s3api get-object %s failed", key);
}

/* The message of the last error, checked to hold needle and never the secret. */
static inline void t_error_has(const char *needle)
{
	const char *msg = rat_error_last()->message;

	if (!strstr(msg, needle))
		fail_msg("error message lacks '%s': %s", needle, msg);
	if (strstr(msg, T_SECRET))
		fail_msg("error message shows the secret key: %s", msg);
}

/* Deterministic bytes that differ at every offset of a part: pattern(i). */
static inline unsigned char t_pattern(uint64_t i)
{
	uint64_t x = i * 0x9E3779B97F4A7C15ULL;
	return (unsigned char)((x >> 56) ^ (i >> 20));
}

static inline void t_fill(unsigned char *p, uint64_t offset, size_t len)
{
	size_t i;
	for (i = 0; i < len; i++)
		p[i] = t_pattern(offset + i);
}

/* The lines of a proxy log that contain needle. */
static inline int t_log_count(const char *log_path, const char *needle)
{
	char *text = t_slurp(log_path, NULL), *p;
	int n = 0;

	if (!text)
		return 0;
	for (p = text; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	free(text);
	return n;
}

#endif
