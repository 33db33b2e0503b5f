/* alg.c: under construction */
#include "alg.h"
