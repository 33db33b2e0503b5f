/* cmd.c: under construction */
#include "cmd.h"
