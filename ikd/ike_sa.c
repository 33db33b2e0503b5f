/* ike_sa.c: under construction */
#include "ike_sa.h"
