#ifndef IKD_EXCH_AUTH_H
#define IKD_EXCH_AUTH_H
#endif
