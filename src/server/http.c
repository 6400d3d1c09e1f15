/*
 * server/http.c - the HTTP layer of `rat serve`, on libmicrohttpd.
 *
 * Routing is on the raw URL: libmicrohttpd would percent-decode the path
 * before the handler sees it, and a ref's name holds '/' (encoded as %2F
 * inside one segment), so its unescaping is turned off and each segment is
 * decoded here, after the split. Query arguments are decoded the same way.
 * A body is read up to BODY_MAX; a larger one gets 413 without being read.
 * Each request gets one line in the access log: time, client, method, the
 * path (never the query, never a header: no secret is logged), status,
 * bytes, milliseconds and the workspace it acted for. SIGTERM or SIGINT
 * stops the server: it takes no new connection and lets the requests in
 * flight finish.
 */
#include "server/server.h"
#include "server/nessie.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define BODY_MAX ((size_t)8 << 20)
#define SEGMENTS_MAX 32
#define URL_MAX 8192

typedef struct conn_state {
	char *body;
	size_t len, cap;
	bool too_big;
	struct timespec start;
} conn_state;

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

void srv_log(srv_context *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pthread_mutex_lock(&log_lock);
	fputs("rat serve: ", ctx->log);
	vfprintf(ctx->log, fmt, ap);
	fputc('\n', ctx->log);
	fflush(ctx->log);
	pthread_mutex_unlock(&log_lock);
	va_end(ap);
}

/* libmicrohttpd's unescaping, turned off: the handler decodes what it split. */
static size_t keep_escaped(void *cls, struct MHD_Connection *c, char *s)
{
	(void)cls;
	(void)c;
	return strlen(s);
}

/* util/hex.c has the same; the server sees librat's public API only. */
static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* s[0..n) percent-decoded ('+' as a space when plus); NULL on a bad escape or a NUL byte. */
char *srv_decode(const char *s, size_t n, bool plus)
{
	char *out = malloc(n + 1), *o = out;
	size_t i;

	if (!out)
		return NULL;
	for (i = 0; i < n; i++) {
		if (s[i] == '%') {
			int hi = i + 2 < n ? hexval(s[i + 1]) : -1;
			int lo = i + 2 < n ? hexval(s[i + 2]) : -1;
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
				free(out);
				return NULL;
			}
			*o++ = (char)(hi * 16 + lo);
			i += 2;
		} else {
			*o++ = plus && s[i] == '+' ? ' ' : s[i];
		}
	}
	*o = '\0';
	return out;
}

const char *srv_header(const srv_request *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *srv_cookie(const srv_request *r, const char *name)
{
	return r->conn ? MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name) : NULL;
}

bool srv_is(const char *a, const char *b)
{
	return a && strcmp(a, b) == 0;
}

char *srv_query(const srv_request *r, const char *name)
{
	const char *raw = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);

	return raw ? srv_decode(raw, strlen(raw), true) : NULL;
}

typedef struct query_values {
	const char *name;
	json_t *out;
	int error;
} query_values;

static enum MHD_Result collect_value(void *cls, enum MHD_ValueKind kind, const char *key,
				     const char *value)
{
	query_values *q = cls;
	char *decoded;

	(void)kind;
	if (!key || strcmp(key, q->name) != 0)
		return MHD_YES;
	if ((decoded = srv_decode(value ? value : "", value ? strlen(value) : 0, true)) == NULL) {
		q->error = -1;
		return MHD_NO;
	}
	json_array_append_new(q->out, json_string(decoded));
	free(decoded);
	return MHD_YES;
}

int srv_query_all(const srv_request *r, const char *name, json_t *out)
{
	query_values q = { name, out, 0 };

	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, collect_value, &q);
	return q.error;
}

int srv_error(srv_response *res, int status, const char *type, const char *fmt, ...)
{
	char message[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	json_decref(res->body);
	free(res->raw);
	res->raw = NULL;
	res->data = NULL;
	res->status = status;
	res->etag[0] = '\0';
	res->body = json_pack("{s:{s:s, s:s, s:i}}", "error", "message", message, "type", type,
			      "code", status);
	return status;
}

int srv_lib_error(srv_response *res, int code)
{
	const rat_error *e = rat_error_last();
	const char *message = e && e->message ? e->message : "error";

	switch (code) {
	case RAT_ENOTFOUND:
		return srv_error(res, 404, "NotFoundException", "%s", message);
	case RAT_EEXISTS:
		return srv_error(res, 409, "AlreadyExistsException", "%s", message);
	case RAT_ECONFLICT:
		return srv_error(res, 409, "CommitFailedException", "%s", message);
	case RAT_EACCESS:
		return srv_error(res, 403, "ForbiddenException", "%s", message);
	case RAT_EINVALID:
	case RAT_ETYPE:
		return srv_error(res, 400, "BadRequestException", "%s", message);
	case RAT_ETOOBIG:
		return srv_error(res, 413, "BadRequestException", "%s", message);
	default:
		return srv_error(res, 500, "ServerErrorException", "%s", message);
	}
}

/* Split the raw path into decoded segments (the empty ones dropped); 0, or a 4xx. */
static int split_path(srv_request *r, srv_response *res, const char *url)
{
	const char *p = url;

	if (strlen(url) > URL_MAX)
		return srv_error(res, 414, "BadRequestException", "the URL is longer than %d bytes",
				 URL_MAX);
	if (*p != '/')
		return srv_error(res, 400, "BadRequestException", "the path must start with '/'");
	while (*p) {
		size_t n;
		while (*p == '/')
			p++;
		if (!*p)
			break;
		n = strcspn(p, "/");
		if (r->nseg == SEGMENTS_MAX)
			return srv_error(res, 404, "NotFoundException", "no such path");
		if ((r->seg[r->nseg] = srv_decode(p, n, false)) == NULL)
			return srv_error(res, 400, "BadRequestException",
					 "the path has a bad percent-escape");
		r->nseg++;
		p += n;
	}
	return 0;
}

static void route(srv_request *r, srv_response *res, srv_context *ctx)
{
	if (r->nseg == 1 && strcmp(r->seg[0], "health") == 0) {
		if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0) {
			srv_error(res, 405, "BadRequestException", "/health takes GET");
			return;
		}
		res->status = 200;
		res->body = json_pack("{s:s, s:s}", "status", "ok", "version", rat_version());
	} else if (r->nseg >= 1 && strcmp(r->seg[0], "iceberg") == 0) {
		srv_iceberg(r, res, ctx);
	} else if (r->nseg >= 3 && !strcmp(r->seg[0], "api") && !strcmp(r->seg[1], "v1") &&
		   !strcmp(r->seg[2], "webhooks")) {
		srv_webhook(r, res, ctx);
	} else if (r->nseg >= 1 && strcmp(r->seg[0], "api") == 0) {
		srv_nessie(r, res, ctx);
	} else if (r->nseg >= 1 && strcmp(r->seg[0], "rat") == 0) {
		srv_rat_api(r, res, ctx);
	} else if (r->nseg == 0 || (r->nseg >= 1 && strcmp(r->seg[0], "ui") == 0)) {
		srv_web(r, res, ctx);
	} else {
		srv_error(res, 404, "NotFoundException", "no such path");
	}
}

static void log_request(srv_context *ctx, struct MHD_Connection *conn, const char *method,
			const char *url, int status, size_t bytes, const conn_state *st,
			const srv_request *r)
{
	const union MHD_ConnectionInfo *info =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	char addr[INET6_ADDRSTRLEN] = "-", when[32];
	struct timespec now;
	struct tm tm;
	double ms;

	if (info && info->client_addr) {
		const struct sockaddr *sa = info->client_addr;
		if (sa->sa_family == AF_INET)
			inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
				  addr, sizeof(addr));
		else if (sa->sa_family == AF_INET6)
			inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
				  addr, sizeof(addr));
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (double)(now.tv_sec - st->start.tv_sec) * 1e3 +
	     (double)(now.tv_nsec - st->start.tv_nsec) / 1e6;
	{
		time_t t = time(NULL);
		gmtime_r(&t, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	}
	pthread_mutex_lock(&log_lock);
	/* the path only: a query may carry what is not ours to log */
	fprintf(ctx->log, "%s %s %s %.*s %d %zu %.1fms %s\n", when, addr, method,
		(int)strcspn(url, "?"), url, status, bytes, ms,
		r && r->who ? r->who->name : "-");
	fflush(ctx->log);
	pthread_mutex_unlock(&log_lock);
}

static enum MHD_Result respond(struct MHD_Connection *conn, srv_context *ctx, const char *method,
			    const char *url, conn_state *st, srv_request *r, srv_response *res)
{
	struct MHD_Response *response;
	char *text = NULL;
	size_t len = 0;
	bool head = strcmp(method, "HEAD") == 0;
	enum MHD_Result ok;

	if (res->stream) { /* server-sent events: written as they come, until the reader ends */
		response = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, res->stream,
							     res->stream_cls, res->stream_free);
		if (!response) {
			res->stream_free(res->stream_cls);
			return MHD_NO;
		}
		MHD_add_response_header(response, "Content-Type", "text/event-stream");
		MHD_add_response_header(response, "Cache-Control", "no-cache");
		ok = MHD_queue_response(conn, (unsigned int)res->status, response);
		MHD_destroy_response(response);
		log_request(ctx, conn, method, url, res->status, 0, st, r);
		return ok;
	}
	if (res->data) { /* a file of the web page: static, sent as it is */
		len = res->status == 200 && !head ? res->data_len : 0;
		response = MHD_create_response_from_buffer(len, (void *)res->data, MHD_RESPMEM_PERSISTENT);
	} else {
		if (res->status != 304 && res->status != 204 && !head) {
			if (res->raw)
				text = strdup(res->raw);
			else if (res->body)
				text = json_dumps(res->body, JSON_COMPACT);
			len = text ? strlen(text) : 0;
		}
		response = MHD_create_response_from_buffer(len, text ? text : (char *)"",
							   MHD_RESPMEM_MUST_COPY);
		free(text);
	}
	if (!response)
		return MHD_NO;
	if (res->data)
		srv_web_headers(response, res);
	else if (len)
		MHD_add_response_header(response, "Content-Type", "application/json");
	if (res->cookie)
		MHD_add_response_header(response, "Set-Cookie", res->cookie);
	if (res->etag[0])
		MHD_add_response_header(response, "ETag", res->etag);
	if (res->status == 401)
		MHD_add_response_header(response, "WWW-Authenticate", "Bearer");
	ok = MHD_queue_response(conn, (unsigned int)res->status, response);
	MHD_destroy_response(response);
	log_request(ctx, conn, method, url, res->status, len, st, r);
	return ok;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_size, void **con_cls)
{
	srv_context *ctx = cls;
	conn_state *st = *con_cls;
	srv_response res = { 0 };
	char *seg[SEGMENTS_MAX];
	srv_request r;
	enum MHD_Result ok;
	size_t i;

	(void)version;
	if (!st) { /* the headers are in: decide on the body */
		const char *length = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
								 "Content-Length");
		if ((st = calloc(1, sizeof(*st))) == NULL)
			return MHD_NO;
		clock_gettime(CLOCK_MONOTONIC, &st->start);
		*con_cls = st;
		if (length && strtoull(length, NULL, 10) > BODY_MAX)
			st->too_big = true;
		return MHD_YES;
	}
	if (*upload_size) {
		if (!st->too_big && st->len + *upload_size > BODY_MAX)
			st->too_big = true;
		if (!st->too_big) {
			if (st->len + *upload_size + 1 > st->cap) {
				size_t cap = (st->len + *upload_size + 1) * 2;
				char *grown = realloc(st->body, cap > BODY_MAX + 1 ? BODY_MAX + 1 : cap);
				if (!grown)
					return MHD_NO;
				st->body = grown;
				st->cap = cap > BODY_MAX + 1 ? BODY_MAX + 1 : cap;
			}
			memcpy(st->body + st->len, upload, *upload_size);
			st->len += *upload_size;
			st->body[st->len] = '\0';
		}
		*upload_size = 0;
		return MHD_YES;
	}
	memset(&r, 0, sizeof(r));
	r.method = method;
	r.url = url;
	r.seg = seg;
	r.conn = conn;
	r.body = st->body ? st->body : "";
	r.body_len = st->len;
	if (st->too_big)
		srv_error(&res, 413, "BadRequestException", "the body is larger than %zu bytes",
			  BODY_MAX);
	else if (split_path(&r, &res, url) == 0)
		route(&r, &res, ctx);
	if (!res.status)
		srv_error(&res, 500, "ServerErrorException", "no answer");
	ok = respond(conn, ctx, method, url, st, &r, &res);
	json_decref(res.body);
	free(res.raw);
	free(res.cookie);
	for (i = 0; i < r.nseg; i++)
		free(seg[i]);
	return ok;
}

static void completed(void *cls, struct MHD_Connection *conn, void **con_cls,
		      enum MHD_RequestTerminationCode code)
{
	conn_state *st = *con_cls;

	(void)cls;
	(void)conn;
	(void)code;
	if (st) {
		free(st->body);
		free(st);
		*con_cls = NULL;
	}
}

/* "ADDR:PORT" (ADDR an IPv4 address, or [IPv6]) into sa. */
static int parse_listen(const char *listen, struct sockaddr_storage *sa, bool *loopback)
{
	const char *colon = strrchr(listen, ':');
	char host[INET6_ADDRSTRLEN + 2];
	char *end;
	long port;
	size_t n;

	memset(sa, 0, sizeof(*sa));
	if (!colon || (n = (size_t)(colon - listen)) == 0 || n >= sizeof(host))
		return -1;
	port = strtol(colon + 1, &end, 10);
	if (*end || port <= 0 || port > 65535)
		return -1;
	memcpy(host, listen, n);
	host[n] = '\0';
	if (host[0] == '[' && host[n - 1] == ']') {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)sa;
		host[n - 1] = '\0';
		if (inet_pton(AF_INET6, host + 1, &s6->sin6_addr) != 1)
			return -1;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		*loopback = IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)sa;
		if (strcmp(host, "localhost") == 0)
			strcpy(host, "127.0.0.1");
		if (inet_pton(AF_INET, host, &s4->sin_addr) != 1)
			return -1;
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		*loopback = (ntohl(s4->sin_addr.s_addr) >> 24) == 127;
	}
	return 0;
}

/* Serve the workspace of folder path (ws, opened): a new item. */
static int add_workspace(srv_context *ctx, rat_workspace *ws)
{
	srv_workspace *w = calloc(1, sizeof(*w)), **grown;

	if (!w || (grown = realloc(ctx->items, (ctx->count + 1) * sizeof(*grown))) == NULL) {
		free(w);
		return -1;
	}
	ctx->items = grown;
	w->ws = ws;
	w->name = rat_workspace_name(ws);
	pthread_mutex_init(&w->lock, NULL);
	ctx->items[ctx->count++] = w;
	return 0;
}

static bool served(const srv_context *ctx, const char *name)
{
	size_t i;

	for (i = 0; i < ctx->count; i++)
		if (strcmp(ctx->items[i]->name, name) == 0)
			return true;
	return false;
}

/*
 * The workspaces of folder dir (each sub-folder with a workspace.yaml). At
 * the start (strict) one that does not open, or a name taken twice, stops
 * the server; looked at again later, those are said in the log and skipped,
 * and the workspaces served already are left as they are.
 */
static int add_folder(srv_context *ctx, const char *dir, bool strict)
{
	struct dirent **names = NULL;
	int n, i, error = 0;

	if ((n = scandir(dir, &names, NULL, alphasort)) < 0) {
		fprintf(strict ? stderr : ctx->log, "rat serve: %s: %s\n", dir, strerror(errno));
		return strict ? -1 : 0;
	}
	for (i = 0; i < n; i++) {
		char path[4096], yaml[4200];
		struct stat sb;
		rat_workspace *ws = NULL;
		if (error || names[i]->d_name[0] == '.')
			goto next;
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		snprintf(yaml, sizeof(yaml), "%s/workspace.yaml", path);
		if (stat(yaml, &sb) != 0 || !S_ISREG(sb.st_mode))
			goto next;
		if (!strict && served(ctx, names[i]->d_name))
			goto next; /* a workspace's name is its folder's in a workspaces folder */
		if (rat_workspace_open(&ws, path) != 0) {
			fprintf(strict ? stderr : ctx->log, "rat serve: %s\n", rat_error_last()->message);
			error = strict ? -1 : 0;
			goto next;
		}
		if (served(ctx, rat_workspace_name(ws))) {
			if (strict)
				fprintf(stderr, "rat serve: two workspaces are named %s (the second: %s)\n",
					rat_workspace_name(ws), path);
			rat_workspace_free(ws);
			error = strict ? -1 : 0;
			goto next;
		}
		if (add_workspace(ctx, ws) != 0) {
			rat_workspace_free(ws);
			error = -1;
			goto next;
		}
		if (!strict) {
			fprintf(ctx->log, "rat serve: now serving workspace %s (%s)\n",
				rat_workspace_name(ws), path);
			fflush(ctx->log);
		}
next:
		free(names[i]);
	}
	free(names);
	return error;
}

void srv_rescan(srv_context *ctx)
{
	size_t i;

	ctx->scanned = time(NULL);
	for (i = 0; ctx->folders && ctx->folders[i]; i++)
		if (add_folder(ctx, ctx->folders[i], false) != 0)
			break;
}

/* The workspaces of the --workspaces folders, and whether tokens are required; -1 said. */
static int load_workspaces(srv_context *ctx, const rat_serve_options *opts, const char *listen,
			   bool *has_tokens)
{
	size_t i;

	for (i = 0; opts->workspaces && opts->workspaces[i]; i++)
		if (add_folder(ctx, opts->workspaces[i], true) != 0)
			return -1;
	ctx->folders = opts->workspaces;
	ctx->scanned = time(NULL);
	if (ctx->count == 0) {
		fprintf(stderr, "rat serve: no workspace to serve (no folder with a workspace.yaml in "
				"the --workspaces folders)\n");
		return -1;
	}
	if (srv_tokens_exist(ctx, has_tokens) != 0) {
		fprintf(stderr, "rat serve: %s\n", rat_error_last()->message);
		return -1;
	}
	if (!ctx->loopback && !*has_tokens) {
		fprintf(stderr, "rat serve: %s is not a loopback address: the server takes tokens "
				"there, and no workspace has one (rat token create -w NAME)\n",
			listen);
		return -1;
	}
	return 0;
}

static struct MHD_Daemon *start(const struct sockaddr_storage *sa, srv_context *ctx)
{
	return MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
					(sa->ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
				0, NULL, NULL, handle, ctx, MHD_OPTION_SOCK_ADDR, sa,
				MHD_OPTION_UNESCAPE_CALLBACK, keep_escaped, NULL,
				MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
				MHD_OPTION_CONNECTION_TIMEOUT, 60u, MHD_OPTION_CONNECTION_LIMIT,
				512u, MHD_OPTION_END);
}

/* What the server says once it listens and fires triggers. */
static void say_ready(const srv_context *ctx, const rat_serve_options *opts, const char *listen,
		      bool has_tokens)
{
	if (!opts->ready)
		return;
	fprintf(opts->ready, "rat serve: listening on http://%s (%zu workspace%s%s)\n", listen,
		ctx->count, ctx->count == 1 ? "" : "s", has_tokens ? ", tokens required" : "");
	fprintf(opts->ready, "rat serve: the Iceberg REST catalog at http://%s/iceberg; "
			     "Nessie's API at http://%s/api/v2 (rat on other machines: "
			     "NESSIE_URI)\n",
		listen, listen);
	fprintf(opts->ready, "rat serve: %s\n",
		opts->no_triggers ? "triggers are not fired (--no-triggers)"
				  : "firing the workspaces' triggers (rat triggers lists them)");
	fflush(opts->ready);
}

int rat_serve(const rat_serve_options *opts)
{
	const char *listen = opts->listen ? opts->listen : "127.0.0.1:19120";
	struct sockaddr_storage sa;
	srv_context ctx;
	struct MHD_Daemon *daemon = NULL;
	sigset_t set;
	bool has_tokens = false;
	int sig = 0, status = -1;
	size_t i;

	memset(&ctx, 0, sizeof(ctx));
	ctx.log = opts->log ? opts->log : stderr;
	pthread_mutex_init(&ctx.lock, NULL);
	if (parse_listen(listen, &sa, &ctx.loopback) != 0) {
		fprintf(stderr, "rat serve: --listen %s: not ADDR:PORT (an IP address and a port)\n",
			listen);
		return -1;
	}
	if ((ctx.idem = srv_idem_new()) == NULL) {
		fprintf(stderr, "rat serve: out of memory\n");
		return -1;
	}
	if (load_workspaces(&ctx, opts, listen, &has_tokens) != 0)
		goto cleanup;
	/* the signals are waited for here, not delivered to a thread */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if ((daemon = start(&sa, &ctx)) == NULL) {
		fprintf(stderr, "rat serve: cannot listen on %s: %s\n", listen, strerror(errno));
		goto cleanup;
	}
	if (srv_orchestra_start(&ctx, opts) != 0) {
		fprintf(stderr, "rat serve: cannot start firing triggers: out of memory, or no rat "
				"beside rat-serve\n");
		MHD_stop_daemon(daemon);
		goto cleanup;
	}
	say_ready(&ctx, opts, listen, has_tokens);
	while (sigwait(&set, &sig) == 0 && sig != SIGTERM && sig != SIGINT)
		;
	if (opts->ready) {
		fprintf(opts->ready, "rat serve: stopping (signal %d): finishing the requests in "
				     "flight\n",
			sig);
		fflush(opts->ready);
	}
	/* the streams end, the requests in flight are answered (a webhook still queues its run),
	 * then the runs running are cancelled: nothing they did is published */
	ctx.stopping = 1;
	usleep(300000); /* a stream looks four times a second: its end event is sent */
	MHD_stop_daemon(daemon);
	srv_orchestra_stop(&ctx);
	status = 0;
cleanup:
	for (i = 0; i < ctx.count; i++) {
		srv_catalog_drain(ctx.items[i]);
		pthread_mutex_destroy(&ctx.items[i]->lock);
		rat_workspace_free(ctx.items[i]->ws);
		free(ctx.items[i]);
	}
	free(ctx.items);
	srv_idem_free(ctx.idem);
	pthread_mutex_destroy(&ctx.lock);
	return status;
}
