/* esp.c: under construction */
#include "esp.h"
