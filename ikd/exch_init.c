/* exch_init.c: under construction */
#include "exch_init.h"
