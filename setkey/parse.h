#ifndef SETKEY_PARSE_H
#define SETKEY_PARSE_H
#endif
