/* err.c: text and errno for enum gw_err. */
#include <errno.h>

#include "err.h"

const char *
gw_strerror(int err)
{
	switch (err) {
	case GW_OK:		return "success";
	case GW_E_SHORT:	return "truncated input";
	case GW_E_TOOLONG:	return "too long";
	case GW_E_BADVAL:	return "invalid value";
	case GW_E_DUP:		return "duplicate item";
	case GW_E_NOMEM:	return "out of memory";
	case GW_E_FAMILY:	return "bad address family";
	case GW_E_KEYLEN:	return "wrong key length for algorithm";
	case GW_E_UNSUPP:	return "not supported";
	case GW_E_UNKNOWN:	return "unknown type";
	}
	return "unknown error";
}

int
gw_errno(int err)
{
	switch (err) {
	case GW_OK:		return 0;
	case GW_E_NOMEM:	return ENOMEM;
	case GW_E_FAMILY:	return EAFNOSUPPORT;
	case GW_E_UNSUPP:	return EOPNOTSUPP;
	case GW_E_TOOLONG:	return EMSGSIZE;
	default:		return EINVAL;
	}
}
