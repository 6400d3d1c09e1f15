/*
 * server/iceberg_storage.c - how clients reach a table's files: nothing to
 * say for a local warehouse; for S3, the endpoint, path-style addressing and
 * remote signing through this server (the Iceberg REST spec's
 * RemoteSignRequest): requests in the token's workspace storage are signed
 * with the workspace's keys (rat_workspace_s3_sign), which never leave the
 * server; reads only for a read-only token.
 */
#include "server/iceberg.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* s with the characters a path segment cannot hold as they are percent-encoded (free()). */
char *ice_segment(const char *s)
{
	char *out = malloc(strlen(s) * 3 + 1), *o = out;

	for (; out && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
			*o++ = (char)c;
		else
			o += sprintf(o, "%%%02X", c);
	}
	if (out)
		*o = '\0';
	return out;
}

/*
 * What a client needs to reach key's files: nothing for a local warehouse;
 * for S3, the endpoint and path-style addressing, and remote signing through
 * this server (the sign endpoint of this very table, under the prefix that
 * names the ref and the workspace): the keys never leave the server.
 */
json_t *ice_table_config(ice *x, const char *key)
{
	const char *host = srv_header(x->r, "Host"), *dot = strchr(key, '.');
	json_t *config = json_object();
	char *ref = NULL, *ns = NULL, *name = NULL, *ws = NULL, *uri = NULL, *endpoint = NULL;
	rat_s3_info s3;

	rat_workspace_s3(x->r->who->ws, &s3);
	if (!config || !s3.endpoint[0] || !dot)
		return config;
	json_object_set_new(config, "s3.endpoint", json_string(s3.endpoint));
	json_object_set_new(config, "s3.path-style-access", json_string("true"));
	json_object_set_new(config, "client.region", json_string(s3.region));
	ref = ice_segment(x->ref ? x->ref : "-");
	ns = strndup(key, (size_t)(dot - key));
	name = ice_segment(dot + 1);
	ws = ice_segment(x->r->who->name);
	if (ref && ns && name && ws && host) {
		uri = malloc(strlen(host) + 32);
		endpoint = malloc(strlen(ref) + strlen(ws) + strlen(ns) + strlen(name) + 64);
	}
	if (uri && endpoint) {
		sprintf(uri, "http://%s/iceberg/", host);
		sprintf(endpoint, "v1/%s%%7C%s/namespaces/%s/tables/%s/sign", ref, ws, ns, name);
		json_object_set_new(config, "s3.remote-signing-enabled", json_string("true"));
		json_object_set_new(config, "s3.signer.uri", json_string(uri));
		json_object_set_new(config, "s3.signer.endpoint", json_string(endpoint));
		json_object_set_new(config, "signer.uri", json_string(uri));
		json_object_set_new(config, "signer.endpoint", json_string(endpoint));
	}
	free(ref);
	free(ns);
	free(name);
	free(ws);
	free(uri);
	free(endpoint);
	return config;
}

/* POST .../tables/{t}/sign: a RemoteSignRequest signed when it stays in the workspace's storage. */
int ice_sign(ice *x)
{
	json_t *body = ice_body(x), *headers, *values, *v, *out_headers;
	const char *method, *uri, *name;
	const char **flat = NULL;
	rat_strarray signed_headers = { NULL, 0 };
	size_t n = 0, i, j;
	char **joined = NULL;
	int error;

	if (!body)
		return x->res->status;
	method = json_string_value(json_object_get(body, "method"));
	uri = json_string_value(json_object_get(body, "uri"));
	headers = json_object_get(body, "headers");
	if (!method || !uri || (headers && !json_is_object(headers))) {
		srv_error(x->res, 400, "BadRequestException",
			  "a RemoteSignRequest needs method, uri and headers");
		goto done;
	}
	flat = calloc(2 * json_object_size(headers) + 1, sizeof(*flat));
	joined = calloc(json_object_size(headers) + 1, sizeof(*joined));
	if (!flat || !joined) {
		srv_error(x->res, 500, "ServerErrorException", "out of memory");
		goto done;
	}
	json_object_foreach(headers, name, values) {
		/* a multi-valued header is sent as its values joined by ", " */
		size_t len = 1;
		json_array_foreach(values, j, v)
			len += strlen(json_string_value(v) ? json_string_value(v) : "") + 2;
		if ((joined[n] = calloc(1, len)) == NULL) {
			srv_error(x->res, 500, "ServerErrorException", "out of memory");
			goto done;
		}
		json_array_foreach(values, j, v) {
			if (j)
				strcat(joined[n], ", ");
			strcat(joined[n], json_string_value(v) ? json_string_value(v) : "");
		}
		flat[2 * n] = name;
		flat[2 * n + 1] = joined[n];
		n++;
	}
	if ((error = rat_workspace_s3_sign(&signed_headers, x->r->who->ws, method, uri, flat, n,
					   x->r->read_only)) != 0) {
		srv_lib_error(x->res, error);
		goto done;
	}
	out_headers = json_object();
	for (i = 0; i + 1 < signed_headers.count; i += 2)
		json_object_set_new(out_headers, signed_headers.strings[i],
				    json_pack("[s]", signed_headers.strings[i + 1]));
	x->res->status = 200;
	x->res->body = json_pack("{s:s, s:o}", "uri", uri, "headers", out_headers);
done:
	for (i = 0; joined && i < n; i++)
		free(joined[i]);
	free(joined);
	free(flat);
	rat_strarray_free(&signed_headers);
	json_decref(body);
	return x->res->status;
}
