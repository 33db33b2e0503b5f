/* print.c: under construction */
#include "print.h"
