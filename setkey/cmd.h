#ifndef SETKEY_CMD_H
#define SETKEY_CMD_H
#endif
