/*
 * util/mask.h - values never to show: what the process holds of a
 * workspace's secrets, masked in every error message (error.c does it as a
 * message is set) and in the SQL librat shows or records.
 */
#ifndef RAT_UTIL_MASK_H
#define RAT_UTIL_MASK_H

#include "util/common.h"

/** The shortest value masked (and so the shortest secret stored): shorter ones would hide unrelated text. */
#define RAT_MASK_MIN_BYTES 4
/** At most this many values are remembered; more is RAT_ETOOBIG. */
#define RAT_MASK_MAX_VALUES 4096

/**
 * Remember value (at least RAT_MASK_MIN_BYTES; a shorter one is
 * RAT_EINVALID) as one never to show, for the rest of the process: values
 * are never forgotten, so that a message about an old one stays masked.
 */
RAT_MUST_USE int rat_mask__add(const char *value);
/**
 * Replace each remembered value in the NUL-terminated text (in place) by
 * "***". With truncated set, the text was cut short: an end that is the
 * start of a value is masked too.
 */
void rat_mask__message(char *text, bool truncated);
/** Replace each remembered value in text (in place) by as many '*': offsets stay as they were. */
void rat_mask__same_length(char *text);

#endif
