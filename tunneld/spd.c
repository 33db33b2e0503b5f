/* spd.c: under construction */
#include "spd.h"
