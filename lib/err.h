/*
 * err.h: error codes shared by lib/.
 *
 * Library functions return 0 on success or a negative enum gw_err.
 * gw_errno() maps a code to the errno a PF_KEY reply carries.
 */
#ifndef GW_ERR_H
#define GW_ERR_H

enum gw_err {
	GW_OK = 0,
	GW_E_SHORT = -1,	/* input ends before the field does */
	GW_E_TOOLONG = -2,	/* output does not fit, or input has bytes left */
	GW_E_BADVAL = -3,	/* a field holds a value the protocol forbids */
	GW_E_DUP = -4,		/* an item that may appear once appears twice */
	GW_E_NOMEM = -5,
	GW_E_FAMILY = -6,	/* unknown or mismatched address family */
	GW_E_KEYLEN = -7,	/* key length wrong for the algorithm */
	GW_E_UNSUPP = -8,	/* well-formed but not supported here */
	GW_E_UNKNOWN = -9,	/* unknown type or name */
};

const char *gw_strerror(int err);
int gw_errno(int err);

#endif
