#ifndef GW_LEX_H
#define GW_LEX_H
#endif
