/* pfkey.c: under construction */
#include "pfkey.h"
