/*
 * rat.h - the librat public API: everything the rat command can do, for C
 * programs. See docs/architecture.md for the map of the library.
 */
#ifndef RAT_H
#define RAT_H

#include "rat/common.h"
#include "rat/errors.h"
#include "rat/workspace.h"
#include "rat/engine.h"
#include "rat/catalog.h"
#include "rat/table.h"
#include "rat/pipeline.h"
#include "rat/docs.h"
#include "rat/test.h"
#include "rat/product.h"
#include "rat/maintenance.h"
#include "rat/secret.h"
#include "rat/token.h"
#include "rat/schedule.h"

#endif
