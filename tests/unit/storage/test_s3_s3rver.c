/*
 * tests/unit/storage/test_s3_s3rver.c - the S3 backend suite against s3rver
 * (the npm package, installed under the build tree on first use; see
 * tests/support/s3_suite.h).
 */
#include "helpers.h"

#include "../../support/s3_suite.h"

int main(void)
{
	/* s3rver knows only the access key S3RVER, checks no SigV4 signature,
	 * ignores If-None-Match on PUT and gives multipart objects a plain MD5 */
	static const t_suite s3rver = { "s3rver", "S3RVER", false, true, false };
	return t_run_suite(&s3rver);
}
