/* proto.c: under construction */
#include "proto.h"
