/* ctl.c: under construction */
#include "ctl.h"
