/* ike_msg.c: under construction */
#include "ike_msg.h"
