/*
 * tests/unit/storage/test_s3_moto.c - the S3 backend suite against moto
 * (moto_server on 127.0.0.1; see tests/support/s3_suite.h).
 */
#include "helpers.h"

#include "../../support/s3_suite.h"

int main(void)
{
	/* moto accepts any keys and honours If-None-Match: * on PUT */
	static const t_suite moto = { "moto", "testing", true, false, true };
	return t_run_suite(&moto);
}
