#ifndef SETKEY_PRINT_H
#define SETKEY_PRINT_H
#endif
