/* conf.c: under construction */
#include "conf.h"
