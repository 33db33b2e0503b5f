/*
 * msg_eq.h: field-by-field equality of two decoded PF_KEY messages, for
 * the round-trip checks of test_pfkey and fuzz_pfkey.
 */
#ifndef GW_TESTS_MSG_EQ_H
#define GW_TESTS_MSG_EQ_H

#include <stdbool.h>

#include "pfkey.h"

/*
 * True if a and b have the same header fields, the same present mask and
 * equal contents in every present extension (keys by value). Fields of
 * absent extensions are not looked at. On a difference, names the first
 * differing extension on stderr.
 */
bool msg_eq(const struct pfk_msg *a, const struct pfk_msg *b);

#endif
