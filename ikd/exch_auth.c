/* exch_auth.c: under construction */
#include "exch_auth.h"
