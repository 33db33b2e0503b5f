/* replay.c: under construction */
#include "replay.h"
