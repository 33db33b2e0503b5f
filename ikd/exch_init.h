#ifndef IKD_EXCH_INIT_H
#define IKD_EXCH_INIT_H
#endif
