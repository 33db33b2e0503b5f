/* sadb_client.c: under construction */
#include "sadb_client.h"
