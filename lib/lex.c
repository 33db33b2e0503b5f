/* lex.c: under construction */
#include "lex.h"
