/*
 * server/rat_api.c - rat's own API under /rat/v1 (docs/serve.md, "rat's
 * API"): what Nessie has no model of, for `rat` working against this
 * server (NESSIE_URI). Errors are NessieError bodies, as under /api/v2.
 *
 *   GET /rat/v1/workspace   the workspace the token acts for, as this
 *                           server's copy of it says: name, branch, the
 *                           branches it claims, storage prefix. A client
 *                           checks its own copy against it before it
 *                           commits anything.
 */
#include "server/server.h"

#include <string.h>

static void workspace(srv_request *r, srv_response *res)
{
	const rat_workspace *ws = r->who->ws;
	const char *spec = rat_workspace_branch_spec(ws);
	bool prefix = strcmp(spec, "auto") == 0 || strcmp(spec, "git") == 0 ||
		      strncmp(spec, "git:", 4) == 0;

	res->status = 200;
	res->body = json_pack("{s:i, s:s, s:s, s:s, s:s, s:b, s:s, s:b}", "apiVersion", 1, "name",
			      r->who->name, "branch", rat_workspace_branch(ws), "branchSpec", spec,
			      "branchClaim",
			      !prefix ? rat_workspace_branch(ws) : strncmp(spec, "git:", 4) == 0
									 ? spec + 4
									 : "",
			      "branchIsPrefix", prefix, "prefix", rat_workspace_s3_prefix(ws),
			      "readOnly", r->read_only);
}

void srv_rat_api(srv_request *r, srv_response *res, srv_context *ctx)
{
	if (r->nseg < 3 || !srv_is(r->seg[1], "v1")) {
		srv_error(res, 404, "BAD_REQUEST", "no such path (rat's API is under /rat/v1)");
	} else if (srv_authenticate(r, res, ctx, NULL, true) != 0) {
		/* said */
	} else if (srv_is(r->seg[2], "workspace") && r->nseg == 3) {
		srv_is(r->method, "GET") ? workspace(r, res)
					 : srv_error(res, 405, "BAD_REQUEST", "workspace takes GET");
	} else {
		srv_error(res, 404, "BAD_REQUEST", "no such path under /rat/v1");
	}
	srv_as_nessie_error(res);
}
