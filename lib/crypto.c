/* crypto.c: under construction */
#include "crypto.h"
