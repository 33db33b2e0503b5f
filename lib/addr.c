/* addr.c: under construction */
#include "addr.h"
