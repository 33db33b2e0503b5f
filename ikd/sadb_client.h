#ifndef IKD_SADB_CLIENT_H
#define IKD_SADB_CLIENT_H
#endif
