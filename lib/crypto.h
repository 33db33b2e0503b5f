#ifndef GW_CRYPTO_H
#define GW_CRYPTO_H
#endif
