/* sad.c: under construction */
#include "sad.h"
