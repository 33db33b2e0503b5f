/* parse.c: under construction */
#include "parse.h"
