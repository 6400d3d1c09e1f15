/*
 * server/web_assets.h - the web page's files, built into rat-serve
 * (cmake/embed_web.cmake writes the table from web/ at build time).
 */
#ifndef RAT_SERVER_WEB_ASSETS_H
#define RAT_SERVER_WEB_ASSETS_H

#include <stddef.h>

typedef struct srv_web_asset {
	const char *name;          /* "app.js": served at /ui/app.js (index.html also at /) */
	const char *type;          /* its media type */
	const unsigned char *data;
	size_t len;
	const char *etag;          /* "\"<16 hex of its SHA-256>\"" */
} srv_web_asset;

/* Ends with an entry whose name is NULL. */
extern const srv_web_asset srv_web_assets[];

#endif
