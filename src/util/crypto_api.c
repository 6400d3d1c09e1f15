/*
 * util/crypto_api.c - libcrypto loaded on first use (crypto_api.h, dl.h),
 * by its soname, from the system's folders.
 */
#define RAT_CRYPTO_API_LOADER
#include "util/crypto_api.h"
#include "util/dl.h"

rat_crypto_api rat_crypto__fn;

RAT_DL_LOADER(rat_crypto__load, rat_crypto__fn, "libcrypto.so.3", NULL, RAT_CRYPTO_FUNCTIONS)
